"""Quote service: the Flask application factory.

`create_app()` builds the app: configuration, extensions, the /v1 API blueprints, JSON error
handlers and cache headers. Nothing runs at import time.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the package is imported by the CLI and the NLP code: keep Flask out of it
    from flask import Flask, Response

    from service.config import Config


def create_app(config: type[Config] | None = None, **overrides: Any) -> Flask:
    """Build the WSGI app from ``config`` (default `Config`), the environment, then ``overrides``."""
    from flask import Flask

    from service.config import load_config

    app = Flask(__name__)
    # Routing never redirects: no slash merging ("/v1//speakers") and no trailing-slash redirects,
    # whose absolute Location would be built from the client's Host header.
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    load_config(app, config, overrides)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    if app.config["PRELOAD_MODEL"]:
        from service.api.extraction import get_app_extractor

        with app.app_context():
            get_app_extractor()
    return app


def register_extensions(app: Flask) -> None:
    """Bind the database, flask-smorest, the rate limiter and CORS to ``app``."""
    from service.errors import register_error_handlers
    from service.extensions import cors, init_api, init_db, init_limiter

    init_db(app)
    init_api(app)
    init_limiter(app)
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
    """Register the /v1 resources (documented in the OpenAPI spec), the web app and the embed."""
    from service.api import register_api
    from service.web import register_web

    register_api(app)
    register_web(app)


def register_hooks(app: Flask) -> None:
    """URL length limit; conditional GETs: an ETag from the body (unless the view set its own)
    and Cache-Control on reads;
    ``Vary: Origin`` when CORS is on; relative redirects; a 413 for oversized chunked bodies."""
    from flask import request
    from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, RequestURITooLarge

    @app.before_request
    def _url_length() -> None:
        if len(request.path) + len(request.query_string) > app.config["MAX_URL_LENGTH"]:
            raise RequestURITooLarge()

    @app.before_request
    def _chunked_body_size() -> None:
        # A body without Content-Length (Transfer-Encoding: chunked) is read here, up to the limit,
        # so that one over MAX_CONTENT_LENGTH is a 413 whoever reads it later (werkzeug's limited
        # stream would only stop reading, and the truncated body would pass as JSON or not).
        limit = app.config["MAX_CONTENT_LENGTH"]
        if limit is None or request.content_length is not None:
            return
        if "chunked" not in request.headers.get("Transfer-Encoding", "").lower():
            return
        try:
            data = request.environ["wsgi.input"].read(limit + 1)
        except Exception as exc:  # the server's chunk parser: bad chunk size, early end, reset
            raise BadRequest("The chunked request body is malformed.") from exc
        if len(data) > limit:
            raise RequestEntityTooLarge()
        request.environ["wsgi.input"] = io.BytesIO(data)
        request.environ["CONTENT_LENGTH"] = str(len(data))
        request.__dict__.pop("stream", None)

    @app.after_request
    def _cache_headers(response: Response) -> Response:
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            # A response with its own ETag (service.api.fastjson, the web's speaker page) has
            # answered If-None-Match itself, before building anything.
            own_etag = "ETag" in response.headers
            if not (response.is_streamed or response.direct_passthrough or own_etag):
                response.add_etag()
                response.make_conditional(request)
            response.headers.setdefault("Cache-Control", f"public, max-age={app.config['CACHE_MAX_AGE']}")
        elif request.method not in ("GET", "HEAD"):
            response.headers.setdefault("Cache-Control", "no-store")
        if app.config["CORS_ORIGINS"] or "Access-Control-Allow-Origin" in response.headers:
            # The answer depends on Origin (allowed or not): shared caches must key on it.
            response.vary.add("Origin")
        location = response.headers.get("Location")
        if location and location.startswith(request.host_url):
            response.headers["Location"] = "/" + location[len(request.host_url) :]
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
