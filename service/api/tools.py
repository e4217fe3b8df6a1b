"""Stateless tools for CMS plugins and fact-checkers: quote extraction and quote verification."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.api.extraction import get_app_extractor
from service.api.schemas import ExtractArgsSchema, ExtractResultSchema

blp = Blueprint("tools", __name__, url_prefix="/v1", description="Extraction and verification.")


@blp.route("/extract")
class Extract(MethodView):
    @blp.arguments(ExtractArgsSchema)
    @blp.response(200, ExtractResultSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Extract quotes and speakers from a text; nothing is stored.

        Each quote has the shape the CLI prints; offsets index into the given text.
        """
        quotes = get_app_extractor().extract(args["text"]) if args["text"] else []
        return {"quotes": [q.to_dict() for q in quotes]}
