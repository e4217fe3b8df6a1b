"""Exporting grouped units (read-only): one row per unit placed in a statement."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Article, Occurrence, Speaker, Statement

CSV_FIELDS = (
    "article", "start", "end", "text", "type", "speaker_id", "speaker_name", "statement_id",
    "speaker_kind", "statement_text", "label",
)  # fmt: skip


def iter_units(session: Session, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Grouped units in article order: ``{"article", "start", "end", "text", "type",
    "speaker": {"id", "name", "kind"}, "statement": {"id", "text"}, "label", "diff"}``."""
    q = (
        select(
            Article.external_id, Occurrence.start, Occurrence.end, Occurrence.text, Occurrence.type,
            Occurrence.label, Occurrence.diff, Speaker.id.label("speaker_id"), Speaker.name, Speaker.kind,
            Statement.id.label("statement_id"), Statement.text.label("statement_text"),
        )
        .join(Article, Article.id == Occurrence.article_id)
        .join(Speaker, Speaker.id == Occurrence.speaker_id)
        .join(Statement, Statement.id == Occurrence.statement_id)
        .order_by(Article.id, Occurrence.start)
        .execution_options(yield_per=batch)
    )  # fmt: skip
    for r in session.execute(q):
        yield {
            "article": r.external_id,
            "start": r.start,
            "end": r.end,
            "text": r.text,
            "type": r.type,
            "speaker": {"id": r.speaker_id, "name": r.name, "kind": r.kind},
            "statement": {"id": r.statement_id, "text": r.statement_text},
            "label": r.label,
            "diff": r.diff,
        }


def write_jsonl(session: Session, out: IO[str]) -> int:
    """Write the export as JSON lines; returns the number of lines."""
    n = 0
    for row in iter_units(session):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(session: Session, out: IO[str]) -> int:
    """Write the export as CSV (flattened speaker/statement; no diff); returns the number of rows."""
    w = csv.DictWriter(out, fieldnames=CSV_FIELDS)
    w.writeheader()
    n = 0
    for row in iter_units(session):
        flat = {k: row[k] for k in ("article", "start", "end", "text", "type", "label")}
        flat |= {"speaker_id": row["speaker"]["id"], "speaker_name": row["speaker"]["name"]}
        flat["speaker_kind"] = row["speaker"]["kind"]
        flat |= {"statement_id": row["statement"]["id"], "statement_text": row["statement"]["text"]}
        w.writerow(flat)
        n += 1
    return n
