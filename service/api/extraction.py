"""The app's quote extractor (the spaCy pipeline, loaded once per process on first use) and the
preparation of API input: HTML converted the same way as on every other path."""

from __future__ import annotations

import threading
from typing import Any

from flask import current_app

from service.errors import Unprocessable
from service.text.loader import PreparedInput, prepare_input

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
