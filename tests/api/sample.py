"""A small hand-made data set for API tests, inserted directly through the models (no NLP)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Article,
    Occurrence,
    OccurrenceBand,
    Outlet,
    Quote,
    Speaker,
    SpeakerAlias,
    SpeakerRole,
    Statement,
)
from service.variants.grouping import band_keys
from service.variants.similarity import features

KIRBY_STATEMENT = "North Korea moved at least 3,000 soldiers into eastern Russia"
OUTLETS = ["Korea Daily", "The Dong-A Ilbo", "Alliance News", "The Daily Wire"]


def insert_sample(session: Session) -> dict[str, Any]:
    """Kirby's troop statement in four articles (four outlets), plus a second speaker."""
    kirby = Speaker(name="John Kirby", key="john kirby", kind="person")
    kirby.aliases = [
        SpeakerAlias(alias="Kirby", key="kirby", kind="surname"),
        SpeakerAlias(alias="John F. Kirby", key="john f kirby", unique_key="john f kirby", kind="variant"),
    ]
    kirby.roles = [SpeakerRole(title="White House national security spokesman", key="nss spokesman")]
    austin = Speaker(name="Lloyd Austin", key="lloyd austin", kind="person")
    session.add_all([kirby, austin])
    session.flush()
    statement = Statement(
        speaker_id=kirby.id,
        text=KIRBY_STATEMENT,
        first_seen=dt.date(2024, 10, 23),
        last_seen=dt.date(2024, 10, 25),
        occurrence_count=4,
    )
    other = Statement(speaker_id=austin.id, text="We are watching this very closely")
    session.add_all([statement, other])
    session.flush()
    articles = []
    wordings = [
        KIRBY_STATEMENT,
        "North Korea moved at least 3,000 soldiers into eastern Russia.",
        "moved at least 3,000 soldiers into eastern Russia",
        "North Korea has moved some 3,000 troops into eastern Russia",
    ]
    for n, (outlet_name, wording) in enumerate(zip(OUTLETS, wordings, strict=True)):
        outlet = Outlet(name=outlet_name)
        text = f'Intro {n}. "{wording}," Kirby said. Austin said "We are watching this very closely."'
        article = Article(
            external_id=f"a{n}",
            headline=f"Headline {n}",
            outlet=outlet,
            published_at=dt.date(2024, 10, 23 + min(n, 2)),
            text=text,
            content_hash=f"{n:064d}",
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
            mention="Kirby",
            speaker_id=kirby.id,
        )
        a_start = text.index("We are")
        quote2 = Quote(
            article_id=article.id,
            start=a_start,
            end=a_start + 33,
            text=text[a_start : a_start + 33],
            type="direct",
            speaker_id=austin.id,
        )
        session.add_all([quote, quote2])
        session.flush()
        session.add_all(
            [
                Occurrence(
                    quote_id=quote.id,
                    article_id=article.id,
                    speaker_id=kirby.id,
                    statement_id=statement.id,
                    start=quote.start,
                    end=quote.end,
                    text=wording,
                    type="direct",
                    label="canonical" if n == 0 else ("verbatim" if n < 2 else "trimmed"),
                    similarity=1.0,
                    diff=[],
                ),
                Occurrence(
                    quote_id=quote2.id,
                    article_id=article.id,
                    speaker_id=austin.id,
                    statement_id=other.id,
                    start=quote2.start,
                    end=quote2.end,
                    text=quote2.text,
                    type="direct",
                    label="verbatim",
                ),
            ]
        )
        articles.append(article.id)
    session.flush()
    for occ in session.scalars(select(Occurrence)):
        for band_no, key in enumerate(band_keys(features(occ.text))):
            session.add(
                OccurrenceBand(occurrence_id=occ.id, band_no=band_no, speaker_id=occ.speaker_id, band=key)
            )
    session.commit()
    return {"kirby": kirby.id, "austin": austin.id, "statement": statement.id, "articles": articles}
