"""The v1 REST API: flask-smorest blueprints under /v1 plus /healthz and the API reference (Swagger UI)."""

from __future__ import annotations

from flask import Flask

from service.extensions import get_api


def register_api(app: Flask) -> None:
    """Register the API blueprints on ``app`` through its `Api` (see `service.extensions.init_api`)."""
    from service.api import jobs, meta, quotes, speakers, tools

    api = get_api(app)
    for module in (meta, speakers, quotes, jobs, tools):
        api.register_blueprint(module.blp)
    app.register_blueprint(meta.docs_blueprint(app))
