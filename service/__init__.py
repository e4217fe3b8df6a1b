"""Quote service: the Flask application factory.

`create_app()` builds the app: configuration, extensions, the /v1 API blueprints, JSON error
handlers and cache headers. Nothing runs at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the package is imported by the CLI and the NLP code: keep Flask out of it
    from flask import Flask, Response

    from service.config import Config


def create_app(config: type[Config] | None = None, **overrides: Any) -> Flask:
    """Build the WSGI app from ``config`` (default `Config`), the environment, then ``overrides``."""
    from flask import Flask

    from service.config import load_config

    app = Flask(__name__)
    load_config(app, config, overrides)
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    if app.config["PRELOAD_MODEL"]:
        from service.api.extraction import get_app_extractor

        with app.app_context():
            get_app_extractor()
    return app


def register_extensions(app: Flask) -> None:
    """Bind the database, flask-smorest and CORS to ``app``."""
    from service.errors import register_error_handlers
    from service.extensions import cors, init_api, init_db

    init_db(app)
    init_api(app)
    register_error_handlers(app)
    origins = app.config["CORS_ORIGINS"]
    if origins:
        cors.init_app(
            app,
            resources={r"/v1/*": {"origins": origins}},
            allow_headers=["Authorization", "Content-Type", "If-None-Match"],
            expose_headers=["ETag"],
            max_age=600,
        )


def register_blueprints(app: Flask) -> None:
    """Register the /v1 resources (documented in the OpenAPI spec) and the plain pages."""
    from service.api import register_api

    register_api(app)


def register_hooks(app: Flask) -> None:
    """URL length limit; conditional GETs: an ETag from the body and Cache-Control on reads."""
    from flask import request
    from werkzeug.exceptions import RequestURITooLarge

    @app.before_request
    def _url_length() -> None:
        if len(request.path) + len(request.query_string) > app.config["MAX_URL_LENGTH"]:
            raise RequestURITooLarge()

    @app.after_request
    def _cache_headers(response: Response) -> Response:
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            if not response.is_streamed and not response.direct_passthrough:
                response.add_etag()
                response.make_conditional(request)
            response.headers.setdefault("Cache-Control", f"public, max-age={app.config['CACHE_MAX_AGE']}")
        elif request.method not in ("GET", "HEAD"):
            response.headers.setdefault("Cache-Control", "no-store")
        if response.status_code >= 400:
            _drain_body(request.environ, app.config["DRAIN_MAX_BYTES"])
        return response


def _drain_body(environ: dict[str, Any], limit: int) -> None:
    """Read and drop what is left of a rejected request's body (413, 401 before reading it).

    A client that sends its whole body before reading the answer (most do) would otherwise see
    a reset connection instead of the JSON error. Bounded: past ``limit`` bytes we stop.
    """
    stream = environ.get("wsgi.input")
    if stream is None or not (environ.get("CONTENT_LENGTH") or environ.get("HTTP_TRANSFER_ENCODING")):
        return
    left = limit
    try:
        while left > 0 and (chunk := stream.read(min(left, 1 << 20))):
            left -= len(chunk)
    except Exception:  # noqa: BLE001 - a broken connection ends the drain, nothing else to do
        pass
