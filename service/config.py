"""Application settings: `Config` defaults, `TestConfig` for tests, overrides from the environment.

Environment: every ``QUOTES_<NAME>`` variable overrides ``<NAME>`` (values parsed as JSON when they
can be, see `flask.Config.from_prefixed_env`); ``DATABASE_URL``, ``REDIS_URL``, ``QUEUE_NAME``,
``API_KEYS`` (comma-separated bearer keys for writes), ``MAX_CONTENT_LENGTH`` (bytes) and
``CORS_ORIGINS`` (comma-separated) are also read without the prefix.
"""

from __future__ import annotations

import copy
import os
from typing import Any

from flask import Flask


class Config:
    """Production defaults."""

    # None: $DATABASE_URL, else the SQLite file var/quotes.db under the project root (service.db).
    DATABASE_URL: str | None = None
    # Bearer keys that may write (POST /v1/articles); empty = writes are open.
    API_KEYS: list[str] = []
    # Request bodies larger than this get 413.
    MAX_CONTENT_LENGTH: int = 5 * 1024 * 1024
    # Longer request targets (path + query) get a JSON 414. Gunicorn's own request-line limit is
    # off (its 414 page is HTML), so this is the limit: keep it, or put a proxy in front.
    MAX_URL_LENGTH: int = 32 * 1024
    # A rejected request's unread body is read and dropped up to this many bytes, so that clients
    # that send everything before reading get the JSON error instead of a reset connection.
    DRAIN_MAX_BYTES: int = 64 * 1024 * 1024
    # Origins allowed by CORS on /v1 (CMS plugins); empty = no CORS headers.
    CORS_ORIGINS: list[str] = []
    # Cache-Control max-age (seconds) on successful GETs.
    CACHE_MAX_AGE: int = 60
    # Load the spaCy model when the app starts instead of on the first extraction.
    PRELOAD_MODEL: bool = False
    # The job queue (POST /v1/articles with `Prefer: respond-async`, `python -m service worker`).
    # None: $REDIS_URL, else redis://127.0.0.1:6379/0 (service.jobs.queue).
    REDIS_URL: str | None = None
    # None: $QUEUE_NAME, else "ingest".
    QUEUE_NAME: str | None = None
    # Seconds a queued ingest job may run, and how often a failed or abandoned job is retried.
    JOB_TIMEOUT: int = 15 * 60
    JOB_RETRIES: int = 3
    # Unit embeddings for statement placement: "model" (sentence-transformers) or "pseudo"
    # (deterministic stand-ins that load nothing; for tests). See service.variants.embeddings.
    EMBEDDINGS: str = "model"
    # Gunicorn (python -m service serve).
    WORKERS: int = 2
    WORKER_TIMEOUT: int = 120

    API_TITLE = "Quote service"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_SPEC_OPTIONS: dict[str, Any] = {
        "info": {
            "description": "Quotes, speakers and wording variants extracted from news articles.",
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


class TestConfig(Config):
    """Settings for tests (give DATABASE_URL: a temporary database)."""

    TESTING = True
    CACHE_MAX_AGE = 0


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def load_config(app: Flask, config: type[Config] | None, overrides: dict[str, Any] | None = None) -> None:
    """Fill ``app.config``: ``config`` class (default `Config`), the environment, then ``overrides``
    (applied last, so tests can pin values regardless of the environment)."""
    app.config.from_object(config or Config)
    env = os.environ
    if "DATABASE_URL" in env:
        app.config["DATABASE_URL"] = env["DATABASE_URL"]
    for key in ("REDIS_URL", "QUEUE_NAME"):
        if key in env:
            app.config[key] = env[key]
    if "API_KEYS" in env:
        app.config["API_KEYS"] = _split(env["API_KEYS"])
    if "MAX_CONTENT_LENGTH" in env:
        app.config["MAX_CONTENT_LENGTH"] = int(env["MAX_CONTENT_LENGTH"])
    if "CORS_ORIGINS" in env:
        app.config["CORS_ORIGINS"] = _split(env["CORS_ORIGINS"])
    app.config.from_prefixed_env("QUOTES")
    app.config.update(overrides or {})
    # apispec's to_dict writes into these options: each app gets its own copy of the class's dict.
    app.config["API_SPEC_OPTIONS"] = copy.deepcopy(app.config.get("API_SPEC_OPTIONS", {}))
    for key in ("API_KEYS", "CORS_ORIGINS"):
        if isinstance(app.config.get(key), str):
            app.config[key] = _split(app.config[key])
