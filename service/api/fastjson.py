"""Cheap reads for hot list endpoints: validators checked before any work, bodies written by orjson.

A view that can name a cheap version of what it would return (one indexed lookup, e.g. a speaker's
``data_version``) calls `etag_for` and `not_modified` before building anything: a client that
sends ``If-None-Match`` with the current ETag gets a 304 for the cost of that lookup. The body is
then serialised with orjson straight from the query's dicts, which are built in the response
schema's shape (tests check it against the marshmallow schema), instead of through marshmallow.

Bodies are also kept in a small per-app LRU cache keyed by their ETag (``RESPONSE_CACHE_ENTRIES``
of them; 0 turns it off). The ETag names the data version, so a cached body is never served
after its data changed: a write bumps the version and the next request misses.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

import orjson
from flask import Response, current_app, request

# Part of every such ETag: bump it when the shape of these bodies changes.
BODY_FORMAT = "1"


def etag_for(*parts: object) -> str:
    """A strong ETag from the version parts and the request's query string."""
    key = "\x1f".join([BODY_FORMAT, request.path, request.query_string.decode("latin-1"), *map(str, parts)])
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _cache_headers(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    return response


def not_modified(etag: str) -> Response | None:
    """A 304 when the request's ``If-None-Match`` holds ``etag``, else None."""
    if etag in request.if_none_match:
        return _cache_headers(Response(status=304), etag)
    return None


class BodyCache:
    """A bounded LRU of response bodies by ETag (one per app; thread-safe)."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, etag: str) -> bytes | None:
        with self._lock:
            body = self._bodies.get(etag)
            if body is not None:
                self._bodies.move_to_end(etag)
            return body

    def put(self, etag: str, body: bytes) -> None:
        if self.entries <= 0:
            return
        with self._lock:
            self._bodies[etag] = body
            self._bodies.move_to_end(etag)
            while len(self._bodies) > self.entries:
                self._bodies.popitem(last=False)


def body_cache() -> BodyCache:
    """The current app's `BodyCache` (made on first use, sized by ``RESPONSE_CACHE_ENTRIES``)."""
    cache: BodyCache | None = current_app.extensions.get("quotes_body_cache")
    if cache is None:
        cache = current_app.extensions["quotes_body_cache"] = BodyCache(
            int(current_app.config.get("RESPONSE_CACHE_ENTRIES", 0))
        )
    return cache


def cached_json(etag: str, build: Any) -> Response:
    """The 304, the cached body, or ``build()`` written by orjson (and cached), for ``etag``."""
    unchanged = not_modified(etag)
    if unchanged is not None:
        return unchanged
    cache = body_cache()
    body = cache.get(etag)
    if body is None:
        body = orjson.dumps(build())
        cache.put(etag, body)
    return _cache_headers(Response(body, status=200, mimetype="application/json"), etag)
