"""Stored quotes (full-text search) and articles: read them, ingest one."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.api.pagination import page
from service.api.schemas import (
    ArticleSchema,
    PageArgsSchema,
    QuotePageSchema,
    QuoteQueryArgsSchema,
)
from service.api.speakers import ID
from service.errors import NotFound
from service.extensions import db_session
from service.store import queries

blp = Blueprint("quotes", __name__, url_prefix="/v1", description="Quotes and articles.")


@blp.route("/quotes")
class Quotes(MethodView):
    @blp.arguments(QuoteQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, QuotePageSchema)
    def get(self, limit: int, cursor: int | None = None, **filters: Any) -> dict[str, Any]:
        """Search stored quotes by words, speaker, outlet, type and publication date."""
        rows = queries.search_quotes(db_session(), limit=limit, after=cursor, **filters)
        items, next_cursor = page(rows, limit)
        return {"items": items, "next_cursor": next_cursor}


def _article_or_404(article_id: int) -> dict[str, Any]:
    article = queries.get_article(db_session(), article_id)
    if article is None:
        raise NotFound(f"No article with id {article_id}.")
    return article


@blp.route(f"/articles/<{ID}:article_id>")
class ArticleDetail(MethodView):
    @blp.response(200, ArticleSchema)
    def get(self, article_id: int) -> dict[str, Any]:
        """One stored article with its text."""
        return _article_or_404(article_id)


@blp.route(f"/articles/<{ID}:article_id>/quotes")
class ArticleQuotes(MethodView):
    @blp.arguments(PageArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, QuotePageSchema)
    def get(self, article_id: int, limit: int, cursor: int | None = None) -> dict[str, Any]:
        """Quotes found in one article."""
        _article_or_404(article_id)
        rows = queries.list_article_quotes(db_session(), article_id, limit=limit, after=cursor)
        items, next_cursor = page(rows, limit)
        return {"items": items, "next_cursor": next_cursor}
