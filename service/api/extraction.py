"""The app's quote extractor (the spaCy pipeline, loaded once per process on first use) and the
preparation of API input: HTML converted the same way as on every other path."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from flask import current_app

from service.errors import Unprocessable
from service.text.loader import PreparedInput, prepare_input

if TYPE_CHECKING:
    from service.store.articles import ArticleInput
    from service.store.ingest import IngestResult

_lock = threading.Lock()


def get_app_extractor() -> Any:
    """The extractor kept in ``app.extensions["quote_extractor"]`` (loaded lazily, once)."""
    ext = current_app.extensions
    extractor = ext.get("quote_extractor")
    if extractor is None:
        with _lock:
            extractor = ext.get("quote_extractor")
            if extractor is None:
                from service.nlp.pipeline import get_extractor

                extractor = ext["quote_extractor"] = get_extractor()
    return extractor


def prepare_api_text(
    text: str, fmt: str | None, max_chars: int, *, allow_empty: bool = False
) -> PreparedInput:
    """``text`` prepared for extraction (see `prepare_input`); 422 when converted HTML leaves no
    article text or more than ``max_chars`` characters of it."""
    prepared = prepare_input(text, fmt)
    if not prepared.converted:
        return prepared
    if not allow_empty and not prepared.text.strip():
        raise Unprocessable("The HTML has no article text.", {"json": {"text": ["No article text."]}})
    if len(prepared.text) > max_chars:
        message = f"The article text of this {prepared.format} is longer than {max_chars} characters."
        raise Unprocessable(message, {"json": {"text": [message]}})
    return prepared


def ingest_in_request(article: ArticleInput) -> IngestResult:
    """Store one article now, with the app's extractor and embedding model (POST /v1/articles and
    the web app's form): extraction, speakers and statements in one transaction."""
    from service.extensions import get_db
    from service.store.sources import run_ingest
    from service.variants.embeddings import get_embedder

    extractor = get_app_extractor()
    summary = run_ingest(
        [article],
        get_db().writer_sessions,
        extract_many=lambda texts: [extractor.extract(t) for t in texts],
        registry=None,
        embed_fn=get_embedder(current_app.config.get("EMBEDDINGS")),
    )
    (result,) = summary.results
    return result
