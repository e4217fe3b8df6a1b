"""Ingesting one article: the orchestrator of article storage (`service.store.articles`),
speaker resolution (`service.store.speakers`) and statement placement (`service.store.statements`).

Each article is stored in one transaction (`ingest_article`). Concurrency between processes:

- the database is the only state; nothing is cached across transactions;
- unique constraints back every identity (article content hash and URL, speaker key, full-name
  alias, statement placement per unit), and a transaction that loses a race is retried and then
  finds the other's rows;
- PostgreSQL: transaction-scoped advisory locks on the article hash/URL, on every speaker name key
  the article uses (taken in sorted order) and on each speaker's statements (sorted by id), so
  two processes never create the same speaker or statement twice;
- SQLite: writers take the database write lock at BEGIN (``BEGIN IMMEDIATE``), so they are serial.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from models import Occurrence, Quote
from service.nlp.types import Quote as ExtractedQuote
from service.store.articles import (
    MAX_PUBLISHED,
    MIN_PUBLISHED,
    ArticleInput,
    IngestResult,
    add_article,
    date_in_range,
    find_duplicate,
    lock_article,
    parse_date,
)
from service.store.speakers import load_registry, resolve_article_speakers, speaker_key
from service.store.statements import Unit, core_table, place_units
from service.store.transactions import run_with_retry
from service.variants.embeddings import Embedder, embed
from service.variants.similarity import features, pack_stems
from service.variants.units import split_units
from service.vocab import SpeakerKind

__all__ = [
    "MAX_PUBLISHED",
    "MIN_PUBLISHED",
    "ArticleInput",
    "IngestResult",
    "date_in_range",
    "find_duplicate",
    "ingest_article",
    "load_registry",
    "parse_date",
]


def _units(article_text: str, q: ExtractedQuote) -> list[tuple[int, int, str]]:
    """(start, end, text) of the statement-sized units of one extracted quote."""
    parts = [(p.start, p.end) for p in q.parts]
    return [(u.start, u.end, u.text) for u in split_units(article_text, q.start, q.end, parts)]


def _quote_row(
    article_id: int, published_at: dt.date | None, q: ExtractedQuote, speaker_id: int | None, kind: str
) -> dict[str, Any]:
    """The row of one quote; ``published_at`` is its article's (a trigger would copy it, at the
    cost of an update of the row on SQLite: migration 0012)."""
    sp = q.speaker
    return dict(
        article_id=article_id, published_at=published_at, start=q.start, end=q.end, text=q.text, type=q.type,
        parts=[{"start": p.start, "end": p.end} for p in q.parts] or None,
        cue=q.cue.text[:200] if q.cue else None, cue_start=q.cue.start if q.cue else None,
        cue_end=q.cue.end if q.cue else None,
        mention=sp.mention.text[:300] if sp.mention else None,
        mention_start=sp.mention.start if sp.mention else None,
        mention_end=sp.mention.end if sp.mention else None,
        speaker_name=(sp.name or None) and sp.name[:300], speaker_id=speaker_id, speaker_kind=kind,
    )  # fmt: skip


def _insert(session: Session, model: Any, rows: list[dict[str, Any]], key: tuple[str, ...]) -> list[int]:
    """Insert ``rows`` in as few statements as the driver allows; their new ids, in order.

    ``key`` names columns whose values tell the rows apart: the ids come back in any order with
    the key (an ordered RETURNING is one statement per row on SQLite) and are matched by it."""
    if not rows:
        return []
    table = core_table(model)
    stmt = insert(table).returning(table.c.id, *(table.c[k] for k in key))
    ids = {tuple(r[1:]): r[0] for r in session.connection().execute(stmt, rows)}
    return [ids[tuple(row[k] for k in key)] for row in rows]


def _store_article(
    session: Session, article: ArticleInput, quotes: Sequence[ExtractedQuote], embed_fn: Embedder
) -> IngestResult:
    lock_article(session, article)
    dup = find_duplicate(session, article)
    if dup is not None:
        return IngestResult(article.external_id, "duplicate", dup[0], dup[1])
    when = article.published_at  # None when undated: no date is guessed (not the ingest day)
    row = add_article(session, article)
    result = IngestResult(article.external_id, "added", row.id)
    resolved = resolve_article_speakers(session, quotes, when)
    result.speakers_created = sum(r.created for r in resolved.values())

    # Quotes (one per span: the article is new in this transaction) and their units (the same
    # words inside two nested or repeated quotes: one unit).
    session.flush()  # the rows below are written with Core statements
    kept: list[tuple[ExtractedQuote, int | None]] = []
    quote_rows = []
    seen_quotes: set[tuple[int, int]] = set()
    for q in sorted(quotes, key=lambda q: (q.start, q.end)):
        if (q.start, q.end) in seen_quotes:
            continue
        seen_quotes.add((q.start, q.end))
        res = resolved.get(speaker_key(q))
        sid = res.speaker_id if res else None
        kept.append((q, sid))
        quote_rows.append(_quote_row(row.id, when, q, sid, res.kind if res else SpeakerKind.UNKNOWN.value))
    quote_ids = _insert(session, Quote, quote_rows, ("start", "end"))
    result.quotes = len(quote_ids)
    seen_spans: set[tuple[int, int]] = set()
    unit_rows: list[dict[str, Any]] = []
    for (q, sid), quote_id in zip(kept, quote_ids, strict=True):
        for start, end, text in _units(article.text, q):
            if (start, end) not in seen_spans:
                seen_spans.add((start, end))
                unit_rows.append(dict(quote_id=quote_id, article_id=row.id, speaker_id=sid, start=start,
                                      end=end, text=text, type=q.type,
                                      stems=pack_stems(features(text).stems)))  # fmt: skip
    unit_ids = _insert(session, Occurrence, unit_rows, ("quote_id", "start"))
    result.units = len(unit_ids)
    pending: dict[int, list[Unit]] = defaultdict(list)
    for r, uid in zip(unit_rows, unit_ids, strict=True):
        if r["speaker_id"] is not None:
            pending[r["speaker_id"]].append(
                Unit(uid, r["speaker_id"], row.id, r["start"], r["text"], r["type"])
            )
    result.statements_created = place_units(session, pending, when, embed_fn)
    return result


def ingest_article(
    session_factory: sessionmaker[Session],
    article: ArticleInput,
    quotes: Sequence[ExtractedQuote],
    *,
    embed_fn: Embedder = embed,
) -> IngestResult:
    """Store one article with its extracted quotes in one transaction (or report a duplicate).
    ``embed_fn`` (the model by default) computes the units' embeddings that placement needs."""
    return run_with_retry(session_factory, lambda s: _store_article(s, article, quotes, embed_fn))
