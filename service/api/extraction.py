"""The app's quote extractor: the spaCy pipeline, loaded once per process on first use."""

from __future__ import annotations

import threading
from typing import Any

from flask import current_app

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
