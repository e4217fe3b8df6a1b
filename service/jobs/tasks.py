"""The job function run by queue workers: ingest one article (no Flask).

A worker process calls `configure` once at start (the extractor and the database), so every
job reuses the loaded model and the connection pool; without it the defaults are loaded on first
use (`service.nlp.pipeline.get_extractor`, ``DATABASE_URL``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from service.jobs.queue import article_from_json
from service.store.sources import run_ingest
from service.variants.embeddings import Embedder, embed

ExtractMany = Callable[[list[str]], Iterable[list[Any]]]

_state: dict[str, Any] = {}


def configure(
    extract_many: ExtractMany | None,
    session_factory: sessionmaker[Session] | None,
    embed_fn: Embedder | None = None,
) -> None:
    """Set what `ingest` uses in this process (None: the default, loaded on first use)."""
    _state["extract_many"] = extract_many
    _state["sessions"] = session_factory
    _state["embed_fn"] = embed_fn


def _sessions() -> sessionmaker[Session]:
    factory: sessionmaker[Session] | None = _state.get("sessions")
    if factory is None:
        from service.db import get_engine, make_session_factory

        factory = _state["sessions"] = make_session_factory(get_engine(), writer=True)
    return factory


def ingest(article: dict[str, Any]) -> dict[str, Any]:
    """Store one article (a job argument, see `service.jobs.queue.article_to_json`).

    Idempotent: an article already stored (same URL or text) is reported as ``duplicate`` with
    the stored id, so a retried job never stores anything twice.
    """
    item = article_from_json(article)
    summary = run_ingest(
        [item],
        _sessions(),
        extract_many=_state.get("extract_many"),
        registry=None,
        embed_fn=_state.get("embed_fn") or embed,
    )
    (result,) = summary.results
    return {
        "article_id": result.article_id,
        "status": result.status,
        "external_id": result.external_id,
        "quotes": result.quotes,
        "reason": result.reason,
    }
