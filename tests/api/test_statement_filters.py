"""The statements endpoint's filters (``q``, ``outlet``, ``since``, ``until``, with the cursor)
against a plain reference computed in Python from the same rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from flask import Flask

from models import Article, Occurrence, Outlet, Quote, Speaker, Statement
from tests.api.conftest import get_db_session

OUTLETS = ["Korea Daily", "Daily Wire", "100% News", "Alliance_News"]
WORDS = ["troops", "border", "talks", "50%", "a_b", "Sanctions", "drills"]
DAY0 = dt.date(2024, 1, 1)


def _build(app: Flask) -> tuple[int, list[dict[str, Any]]]:
    """A speaker with 40 statements of 1-4 variants in articles of varied outlets and dates (some
    undated); returns the speaker id and, per statement, what the filters look at."""
    rng = random.Random(11)
    with get_db_session(app) as session, session.begin():
        speaker = Speaker(name="Test Speaker", key="test speaker", kind="person")
        outlets = [Outlet(name=n) for n in OUTLETS]
        session.add_all([speaker, *outlets])
        session.flush()
        facts = []
        for i in range(40):
            text = " ".join(rng.sample(WORDS, 2))
            variants = []
            for j in range(rng.randint(1, 4)):
                outlet = rng.choice(outlets)
                day = None if rng.random() < 0.1 else DAY0 + dt.timedelta(days=rng.randrange(200))
                wording = f"{text} {rng.choice(WORDS)}"
                article = Article(
                    external_id=f"a{i}-{j}",
                    text=wording,
                    outlet_id=outlet.id,
                    published_at=day,
                    content_hash=f"h{i}-{j}",
                )
                session.add(article)
                session.flush()
                variants.append((article, wording, outlet.name, day))
            days = [d for *_, d in variants if d is not None]
            statement = Statement(
                speaker_id=speaker.id,
                text=text,
                canonical_type="direct",
                occurrence_count=len(variants),
                first_seen=min(days) if days else None,
                last_seen=max(days) if days else None,
            )
            session.add(statement)
            session.flush()
            for article, wording, _, _ in variants:
                quote = Quote(
                    article_id=article.id,
                    start=0,
                    end=len(wording),
                    text=wording,
                    type="direct",
                    speaker_id=speaker.id,
                )
                session.add(quote)
                session.flush()
                session.add(
                    Occurrence(
                        quote_id=quote.id,
                        article_id=article.id,
                        speaker_id=speaker.id,
                        statement_id=statement.id,
                        start=0,
                        end=len(wording),
                        text=wording,
                        type="direct",
                        label="verbatim",
                    )
                )
            facts.append(
                {
                    "id": statement.id,
                    "texts": [text.casefold()] + [w.casefold() for _, w, _, _ in variants],
                    "variants": [(o.casefold(), d) for _, _, o, d in variants],
                }
            )
        return speaker.id, facts


def _expected(facts: list[dict[str, Any]], q: str, outlet: str, since: Any, until: Any) -> list[int]:
    out = []
    for f in facts:
        if any(not any(w.casefold() in t for t in f["texts"]) for w in q.split()):
            continue
        if (outlet or since or until) and not any(
            outlet.casefold() in o
            and (since is None or (d is not None and d >= since))
            and (until is None or (d is not None and d <= until))
            for o, d in f["variants"]
        ):
            continue
        out.append(f["id"])
    return sorted(out)


@pytest.mark.parametrize(
    "q,outlet,since,until",
    [
        ("troops", "", None, None),
        ("50%", "", None, None),  # % and _ are letters, not wildcards
        ("a_b talks", "", None, None),
        ("", "daily", None, None),
        ("", "100%", None, None),
        ("", "", dt.date(2024, 3, 1), None),
        ("", "", None, dt.date(2024, 2, 15)),
        ("", "", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("border", "news", dt.date(2024, 1, 15), dt.date(2024, 5, 1)),
        ("", "", dt.date(2025, 1, 1), None),
    ],
)
def test_filters_select_what_they_promise(app: Flask, q: str, outlet: str, since: Any, until: Any) -> None:
    speaker_id, facts = _build(app)
    expected = _expected(facts, q, outlet, since, until)
    params = {
        "q": q,
        "outlet": outlet,
        "since": since and since.isoformat(),
        "until": until and until.isoformat(),
    }
    query = "&".join(f"{k}={v.replace('%', '%25')}" for k, v in params.items() if v)
    client = app.test_client()
    got: list[int] = []
    cursor = None
    while True:  # every page, through the cursor
        url = f"/v1/speakers/{speaker_id}/statements?limit=7&{query}" + (
            f"&cursor={cursor}" if cursor else ""
        )
        body = client.get(url).get_json()
        got += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert got == expected, (query, len(expected))
