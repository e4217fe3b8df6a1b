"""Run the app under gunicorn through its Python API (`python -m service serve`).

Hardening (issue 9): the request line and headers are capped (``LIMIT_REQUEST_*``), so an
oversized one is refused after reading ~8 KB instead of being buffered at quadratic cost; the
answers gunicorn gives itself for such malformed requests (414, 431, 400, 501) are JSON in the
API's error shape (`JSONErrorWorker`), not HTML pages; workers are recycled after
``MAX_REQUESTS`` (+ jitter) requests with a body (writes, extraction, verification: what leaves
memory behind), or after ``MAX_READS`` (+ up to a fifth) reads. Counting every read against
``MAX_REQUESTS`` replaced each worker every second under read load, and a new worker loads the
embedding model.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import random
import sys
from collections.abc import Iterator, Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask
from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.workers.sync import SyncWorker

from service import create_app
from service.config import ConfigError
from service.memory import cap_malloc_arenas, trim_heap
from service.variants.embeddings import set_threads

MAX_MESSAGE = 300
# After a request with a body this large (a long article parsed), freed heap is given back.
TRIM_AFTER_BYTES = 32 * 1024


def _post_request(_worker: Any, _req: Any, environ: dict[str, Any], _resp: Any) -> None:
    if int(environ.get("CONTENT_LENGTH") or 0) >= TRIM_AFTER_BYTES:
        trim_heap()


def _share_models(app: Flask) -> None:
    """Load the spaCy pipeline in the master (SHARE_MODELS) and freeze the objects so far out of
    the garbage collector's reach, so that forked workers share their pages copy-on-write.

    The embedding model is not loaded here: an onnxruntime session made in the master leaves its
    threads' state in every forked worker, and a worker then hangs in onnxruntime's exit handlers
    when it is recycled (until the worker timeout kills it). Each worker loads its own in
    `_post_fork` (the int8 model is small)."""
    from service.api.extraction import get_app_extractor

    with app.app_context():
        get_app_extractor()
    gc.collect()
    gc.freeze()


def json_error_bytes(status: int, mesg: str) -> bytes:
    """A complete HTTP/1.1 response carrying the API's JSON error ``{code, status, message}``."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    message = (mesg or phrase)[:MAX_MESSAGE]
    body = json.dumps({"code": status, "status": phrase, "message": message}).encode()
    head = (
        f"HTTP/1.1 {status} {phrase}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        "Cache-Control: no-store\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def _write_json_error(sock: Any, status_int: int, _reason: str, mesg: str) -> None:
    util.write_nonblock(sock, json_error_bytes(status_int, mesg))


@contextlib.contextmanager
def _json_error_pages() -> Iterator[None]:
    # gunicorn's handle_error writes its page through gunicorn.util.write_error: swap it for the
    # length of the call (a sync worker handles one connection at a time).
    original = util.write_error
    util.write_error = _write_json_error
    try:
        yield
    finally:
        util.write_error = original


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Look-ups sent as POST for their small JSON body: they read the database and run no spaCy
# pipeline, so they leave nothing behind in the worker either (verify's caches are bounded).
_LOOKUPS = frozenset({"/v1/verify"})
LOOKUP_MAX_BYTES = 64 * 1024  # a look-up's body at most (verify's text is capped far below)


def is_read(req: Any) -> bool:
    """Whether a parsed gunicorn request is a read: a GET/HEAD/OPTIONS without a body
    (``Content-Length`` 0 or none, not chunked), or a look-up (``POST /v1/verify``) with a small
    body of a declared length."""
    lookup = req.method == "POST" and req.path in _LOOKUPS
    if req.method not in _SAFE_METHODS and not lookup:
        return False
    length = 0
    for name, value in req.headers:
        if name == "TRANSFER-ENCODING":
            return False
        if name == "CONTENT-LENGTH":
            try:
                length = int(value.strip() or 0)
            except ValueError:
                return False
    return 0 < length <= LOOKUP_MAX_BYTES if lookup else length == 0


class JSONErrorWorker(SyncWorker):
    """gunicorn's sync worker, answering the requests it rejects itself with JSON errors, whose
    reads (`is_read`: look-ups included) count against ``max_reads`` instead of gunicorn's
    ``max_requests``."""

    max_reads = 0  # 0: reads never recycle the worker (set per server by `worker_class`)

    def init_process(self) -> None:
        jitter = random.randint(0, self.max_reads // 5) if self.max_reads > 0 else 0
        self.reads_left = self.max_reads + jitter if self.max_reads > 0 else -1
        super().init_process()

    def handle_request(self, listener: Any, req: Any, client: Any, addr: Any) -> None:
        if is_read(req):
            self.nr -= 1  # gunicorn counts it next: a read does not count against max_requests
            self.reads_left -= 1
            if self.reads_left == 0:
                self.log.info("Autorestarting worker after current request (MAX_READS).")
                self.alive = False
        super().handle_request(listener, req, client, addr)

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        with _json_error_pages():
            super().handle_error(req, client, addr, exc)


def worker_class(max_reads: int) -> type[JSONErrorWorker]:
    """`JSONErrorWorker` recycled after ``max_reads`` reads (0: never by reads)."""
    return type("JSONErrorWorker", (JSONErrorWorker,), {"max_reads": max_reads})


class GunicornApp(BaseApplication):
    """A gunicorn application serving an already configured Flask app."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def _post_fork(_server: Any, _worker: Any, app: Flask, workers: int) -> None:
    # Connections opened in the master (migrations, preload) must not be shared with workers.
    app.extensions["quotes_db"].engine.dispose(close=False)
    # Each worker's embedding model gets its share of the cores (no oversubscription), loaded
    # before the first request.
    set_threads((os.cpu_count() or 1) // workers)
    if app.config["SHARE_MODELS"]:
        from service.variants.embeddings import get_embedder

        get_embedder(app.config.get("EMBEDDINGS"))(["warm up"])


def gunicorn_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """gunicorn settings from the app's configuration."""
    return {
        "worker_class": worker_class(int(config["MAX_READS"])),
        "timeout": config["WORKER_TIMEOUT"],
        "limit_request_line": config["LIMIT_REQUEST_LINE"],
        "limit_request_fields": config["LIMIT_REQUEST_FIELDS"],
        "limit_request_field_size": config["LIMIT_REQUEST_FIELD_SIZE"],
        "max_requests": config["MAX_REQUESTS"],
        "max_requests_jitter": config["MAX_REQUESTS_JITTER"],
    }


def run_gunicorn(host: str, port: int, workers: int | None = None) -> None:
    """Build the app once (schema migrated, model preloaded if configured), then fork workers."""
    cap_malloc_arenas()
    try:
        app = create_app()
    except ConfigError as exc:
        sys.exit(f"refusing to start: {exc}")
    n_workers: int = workers or app.config["WORKERS"]
    if app.config["SHARE_MODELS"]:
        _share_models(app)
    options = {
        **server_options(app.config, host, port, n_workers),
        "post_fork": lambda server, worker: _post_fork(server, worker, app, n_workers),
    }
    GunicornApp(app, options).run()


def server_options(config: Mapping[str, Any], host: str, port: int, workers: int) -> dict[str, Any]:
    """Every gunicorn setting of `serve` but the app's own ``post_fork`` (scripts/bench_api.py
    serves its bare baseline app with these too)."""
    return {
        **gunicorn_options(config),
        "bind": f"{host}:{port}",
        "workers": workers,
        "accesslog": config["ACCESS_LOG"] or None,
        "errorlog": "-",
        # One machine runs several servers (tests, benchmarks): no shared control socket.
        "control_socket_disable": True,
        "post_request": _post_request,
    }
