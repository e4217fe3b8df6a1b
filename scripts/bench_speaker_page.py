"""Server time of the web app's speaker page for a speaker with many statements.

Builds a temporary SQLite database with one speaker who has N statements (default 500), each
reported in 3 outlets (3 wordings, two of them reworded), then renders ``/speakers/<id>`` in
process (Flask test client: the time the server spends, no network) and prints medians:
first page, last page, a words filter and an outlet filter, beside a bare Flask endpoint.

    .venv/bin/python scripts/bench_speaker_page.py [--statements 500] [--runs 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from models import Article, Occurrence, Outlet, Quote, Speaker, SpeakerAlias, SpeakerRole, Statement  # noqa: E402
from service import create_app  # noqa: E402
from service.config import TestConfig  # noqa: E402
from service.extensions import get_db  # noqa: E402

OUTLETS = ["Korea Daily", "The Dong-A Ilbo", "Alliance News", "The Daily Wire", "Reuters Desk"]
TOPICS = ["troops", "sanctions", "missiles", "talks", "aid", "drills", "satellites", "tariffs"]


def populate(session: Session, n_statements: int) -> int:
    """One speaker with ``n_statements`` statements of 3 wordings each; returns the speaker id."""
    speaker = Speaker(name="John Kirby", key="john kirby", kind="person")
    speaker.aliases = [SpeakerAlias(alias="Kirby", key="kirby", kind="surname")]
    speaker.roles = [
        SpeakerRole(
            title="National Security Council spokesman", key="nsc spokesman", start_date=dt.date(2022, 5, 31)
        )
    ]
    session.add(speaker)
    outlets = [Outlet(name=name) for name in OUTLETS]
    session.add_all(outlets)
    session.flush()
    day0 = dt.date(2024, 1, 1)
    for i in range(n_statements):
        topic = TOPICS[i % len(TOPICS)]
        canonical = (
            f"We believe North Korea moved at least {1000 + i:,} {topic} into eastern Russia in week {i}."
        )
        wordings = [
            canonical,
            f"North Korea moved at least {1000 + i:,} {topic} into eastern Russia in week {i}",
            f"We assess that North Korea sent some {1000 + i:,} {topic} to eastern Russia in week {i}.",
        ]
        day = day0 + dt.timedelta(days=i % 300)
        statement = Statement(
            speaker_id=speaker.id, text=canonical, first_seen=day, last_seen=day, occurrence_count=3
        )
        session.add(statement)
        session.flush()
        for k, wording in enumerate(wordings):
            text = f'Intro paragraph {i}.\n\n"{wording}," Kirby said on day {i}.'
            article = Article(
                external_id=f"bench-{i}-{k}",
                headline=f"Article {i}-{k}",
                outlet_id=outlets[(i + k) % len(outlets)].id,
                published_at=day,
                text=text,
                content_hash=f"{i:032d}{k:032d}",
            )
            session.add(article)
            session.flush()
            start = text.index(wording)
            quote = Quote(
                article_id=article.id,
                start=start,
                end=start + len(wording),
                text=wording,
                type="direct",
                cue="said",
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
                    start=quote.start,
                    end=quote.end,
                    text=wording,
                    type="direct",
                    label=("canonical", "trimmed", "paraphrase")[k],
                    similarity=1.0 if k < 2 else 0.8,
                    diff=[],
                )
            )
    session.commit()
    return speaker.id


def median_ms(app: Flask, url: str, runs: int) -> float:
    """Median time (ms) of ``runs`` GETs of ``url`` after one warm-up; each must answer 200."""
    client = app.test_client()
    assert client.get(url).status_code == 200, url
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=500)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = create_app(TestConfig, DATABASE_URL=url)
        with app.app_context(), get_db().writer_sessions() as session:
            speaker_id = populate(session, args.statements)
        # Pages rendered from scratch every time (no body cache), then served again (cached body).
        cold = create_app(TestConfig, DATABASE_URL=url, RESPONSE_CACHE_ENTRIES=0)
        bare = Flask("bare")
        bare.add_url_rule("/", "bare", lambda: "ok")
        base = f"/speakers/{speaker_id}"
        last = (args.statements + 19) // 20
        rows = [
            ("bare Flask endpoint", bare, "/"),
            ("API JSON of the same 20 statements, rebuilt", cold, f"/v1/speakers/{speaker_id}/statements"),
            ("page 1 (20 statements, 60 wordings), rendered", cold, base),
            (f"page {last} (the last), rendered", cold, f"{base}?page={last}"),
            ("words filter q=sanctions, rendered", cold, f"{base}?q=sanctions"),
            ("outlet filter + date range, rendered", cold, f"{base}?outlet=Korea+Daily&since=2024-03-01"),
            ("page 1 served again (body cache)", app, base),
        ]
        print(f"{args.statements} statements, {args.statements * 3} wordings; median of {args.runs} runs")
        for label, target, path in rows:
            print(f"  {label:<48} {median_ms(target, path, args.runs):7.1f} ms")
        for each in (app, cold):
            each.extensions["quotes_db"].engine.dispose()


if __name__ == "__main__":
    main()
