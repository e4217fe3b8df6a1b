"""Health check (documented) and the API reference: Swagger UI served offline from flask-swagger-ui."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask.views import MethodView
from flask_swagger_ui import get_swaggerui_blueprint  # type: ignore[import-untyped]
from sqlalchemy import text

from service.api.blueprint import Blueprint as ApiBlueprint
from service.api.schemas import HealthSchema
from service.errors import ServiceUnavailable
from service.extensions import db_session

blp = ApiBlueprint("health", __name__, description="Service health.")

DOCS_URL = "/v1/docs"


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


def docs_blueprint(app: Flask) -> Blueprint:
    """Swagger UI at /v1/docs/ on /v1/openapi.json, its assets served from the installed package.

    ``validatorUrl: None`` keeps the page from calling the public validator: nothing is fetched
    from outside the service.
    """
    return get_swaggerui_blueprint(
        DOCS_URL,
        f"{DOCS_URL.rsplit('/', 1)[0]}/openapi.json",
        config={
            "app_name": f"{app.config['API_TITLE']} API {app.config['API_VERSION']}",
            "validatorUrl": None,
            "deepLinking": True,
            "tryItOutEnabled": False,
            "oauth2RedirectUrl": f"{DOCS_URL}/oauth2-redirect.html",
        },
        blueprint_name="api_docs",
    )
