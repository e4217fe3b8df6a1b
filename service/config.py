"""Application settings: `Config` defaults, `TestConfig` for tests, overrides from the environment.

Environment: every ``QUOTES_<NAME>`` variable overrides ``<NAME>`` (values parsed as JSON when they
can be, see `flask.Config.from_prefixed_env`); ``DATABASE_URL``, ``REDIS_URL``, ``QUEUE_NAME``,
``API_KEYS`` (comma-separated bearer keys for writes), ``MAX_CONTENT_LENGTH`` (bytes),
``CORS_ORIGINS`` (comma-separated) and ``RATELIMIT_STORAGE_URI`` are also read without the prefix.

``API_KEYS`` fails closed: a value that is set but names no key (``""``, ``" , "``) stops the app
from starting (`ConfigError`) instead of leaving every write open. Unset = open writes.
"""

from __future__ import annotations

import copy
import os
from typing import Any

from flask import Flask


class ConfigError(RuntimeError):
    """A setting that must not be served with (the app refuses to start)."""


class Config:
    """Production defaults."""

    # None: $DATABASE_URL, else the SQLite file var/quotes.db under the project root (service.db).
    DATABASE_URL: str | None = None
    # Bearer keys that may write (POST /v1/articles); empty = writes are open.
    API_KEYS: list[str] = []
    # Request bodies larger than this get 413.
    MAX_CONTENT_LENGTH: int = 5 * 1024 * 1024
    # Longer request targets (path + query) get a JSON 414 from the app. Under gunicorn the request
    # line is capped first (LIMIT_REQUEST_LINE, JSON 414 from service.api.server's worker).
    MAX_URL_LENGTH: int = 8 * 1024
    # A rejected request's unread body is read and dropped up to this many bytes, so that clients
    # that send everything before reading get the JSON error instead of a reset connection.
    DRAIN_MAX_BYTES: int = 64 * 1024 * 1024
    # Origins allowed by CORS on /v1 (CMS plugins); empty = no CORS headers.
    CORS_ORIGINS: list[str] = []
    # Cache-Control max-age (seconds) on successful GETs.
    CACHE_MAX_AGE: int = 60
    # Response bodies of hot list endpoints kept per worker, keyed by their data-version ETag.
    RESPONSE_CACHE_ENTRIES: int = 256
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
    # Per-client rate limits (Flask-Limiter; client = remote address, see TRUSTED_PROXIES): 429 with
    # a JSON body and Retry-After. RATELIMIT_ENABLED=False turns them off. In-memory counters are
    # per worker process; RATELIMIT_STORAGE_URI=redis://host:6379/0 shares them between workers.
    RATELIMIT_ENABLED: bool = True
    RATELIMIT_STORAGE_URI: str = "memory://"
    RATELIMIT_HEADERS_ENABLED: bool = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED: bool = True
    RATELIMIT_KEY_PREFIX: str = "quotes"
    RATELIMIT_EXTRACT: str = "30 per minute;300 per hour"
    RATELIMIT_VERIFY: str = "60 per minute;1000 per hour"
    RATELIMIT_WRITE: str = "60 per minute;2000 per hour"
    # Proxies in front that set X-Forwarded-For/-Proto (werkzeug ProxyFix); 0 = none: the
    # client is the peer address. Never trusts X-Forwarded-Host.
    TRUSTED_PROXIES: int = 0
    # POST /v1/articles with a longer text (after HTML conversion) is queued (202 and a job URL)
    # instead of stored within the request, which must end well within WORKER_TIMEOUT (a
    # 270,000-character article took 91 s to store in one request).
    SYNC_INGEST_MAX_CHARS: int = 100_000
    # Gunicorn (python -m service serve).
    WORKERS: int = 2
    WORKER_TIMEOUT: int = 120
    # Request line and header caps, answered with a JSON 414/431/400 before the app runs
    # (gunicorn's maximum line is 8190 bytes). Gunicorn buffers up to fields x field size of headers,
    # re-scanning the buffer on every read: 40 fields keep a 20 MB header's refusal near 0.1 s.
    LIMIT_REQUEST_LINE: int = 8190
    LIMIT_REQUEST_FIELDS: int = 40
    LIMIT_REQUEST_FIELD_SIZE: int = 8190
    # `serve` loads the spaCy pipeline and the embedding model in the master before forking, so
    # the workers share their pages (copy-on-write) instead of each loading its own copy.
    SHARE_MODELS: bool = True
    # Workers are replaced after this many requests with a body (writes, extraction, verification;
    # plus up to the jitter), so memory a big article left behind is given back; 0 = never.
    MAX_REQUESTS: int = 500
    MAX_REQUESTS_JITTER: int = 100
    # ... or after this many reads (GET/HEAD/OPTIONS without a body; plus up to a fifth more), which
    # leave nothing behind: a new worker loads the embedding model, so replacing one every 500
    # reads cost more than the reads. 0 = never.
    MAX_READS: int = 100_000
    # gunicorn's access log: "-" = stdout, a file path, or "" for none.
    ACCESS_LOG: str = "-"

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
    # Rate limits are tested by the tests that turn them on (tests/api/test_hardening.py).
    RATELIMIT_ENABLED = False


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
        app.config["API_KEYS"] = _api_keys(env["API_KEYS"])
    if "MAX_CONTENT_LENGTH" in env:
        app.config["MAX_CONTENT_LENGTH"] = int(env["MAX_CONTENT_LENGTH"])
    if "CORS_ORIGINS" in env:
        app.config["CORS_ORIGINS"] = _split(env["CORS_ORIGINS"])
    if "RATELIMIT_STORAGE_URI" in env:
        app.config["RATELIMIT_STORAGE_URI"] = env["RATELIMIT_STORAGE_URI"]
    app.config.from_prefixed_env("QUOTES")
    app.config.update(overrides or {})
    # apispec's to_dict writes into these options: each app gets its own copy of the class's dict.
    app.config["API_SPEC_OPTIONS"] = copy.deepcopy(app.config.get("API_SPEC_OPTIONS", {}))
    if isinstance(app.config.get("CORS_ORIGINS"), str):
        app.config["CORS_ORIGINS"] = _split(app.config["CORS_ORIGINS"])
    keys = app.config.get("API_KEYS")
    if isinstance(keys, str) or keys:  # a string is a setting even when empty; [] is the default
        app.config["API_KEYS"] = _api_keys(keys)


def _api_keys(value: str | list[str]) -> list[str]:
    """The keys of an ``API_KEYS`` setting (a comma-separated string or a list). A setting that is
    given but names no key (``" , "``, ``[" "]``) is refused: fail closed, not open writes."""
    keys = _split(value) if isinstance(value, str) else [str(k).strip() for k in value if str(k).strip()]
    if not keys:
        raise ConfigError(
            f"API_KEYS is set but names no key ({value!r}): set keys, or unset it for open writes."
        )
    return keys
