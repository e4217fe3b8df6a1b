"""Health check (documented) and the offline API docs page (a self-contained HTML page)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response
from flask.views import MethodView
from sqlalchemy import text

from service.api.blueprint import Blueprint as ApiBlueprint
from service.api.schemas import HealthSchema
from service.errors import ServiceUnavailable
from service.extensions import db_session

blp = ApiBlueprint("health", __name__, description="Service health.")
docs = Blueprint("docs", __name__)
_DOCS_HTML = Path(__file__).with_name("docs.html")


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> tuple[dict[str, str], int, dict[str, str]]:
        """Liveness and database check."""
        try:
            db_session().execute(text("SELECT 1"))
        except Exception as exc:
            raise ServiceUnavailable("The database is not available.") from exc
        return {"status": "ok", "database": "ok"}, 200, {"Cache-Control": "no-store"}


@docs.get("/v1/docs")
def docs_page() -> Response:
    """Browsable API reference rendered in the browser from /v1/openapi.json (no CDN needed)."""
    return Response(_DOCS_HTML.read_text(encoding="utf-8"), mimetype="text/html")
