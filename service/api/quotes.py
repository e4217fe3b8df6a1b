"""Stored quotes (full-text search) and articles: read them, ingest one."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from flask.views import MethodView

from service.api.auth import SECURITY, require_api_key
from service.api.blueprint import Blueprint
from service.api.extraction import ingest_in_request, prepare_api_text
from service.api.jobs import enqueue_article
from service.api.pagination import page, search_page
from service.api.schemas import (
    MAX_ARTICLE_CHARS,
    ArticleAsyncArgsSchema,
    ArticleInSchema,
    ArticleSchema,
    JobSchema,
    PageArgsSchema,
    QuotePageSchema,
    QuoteQueryArgsSchema,
)
from service.api.speakers import ID
from service.errors import NotFound, Unprocessable
from service.extensions import db_session, get_db
from service.store import queries
from service.store.articles import find_duplicate
from service.store.queries import SearchAfter
from service.store.sources import article_input

# The request body's example in the OpenAPI document (also what API fuzzers send as a valid body).
ARTICLE_EXAMPLE = {
    "text": '"We are watching this very closely," John Kirby, the White House spokesman, said on Monday.',
    "title": "White House watches troop movements",
    "outlet": "Example News",
    "url": "https://news.example.com/2024/10/28/troops",
    "published_at": "2024-10-28",
}

blp = Blueprint("quotes", __name__, url_prefix="/v1", description="Quotes and articles.")


@blp.route("/quotes")
class Quotes(MethodView):
    @blp.arguments(QuoteQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, QuotePageSchema)
    def get(self, limit: int, cursor: SearchAfter | None = None, **filters: Any) -> dict[str, Any]:
        """Search stored quotes (full text, ranked) and filter them by speaker, outlet, type and date."""
        rows = queries.search_quotes(db_session(), limit=limit, after=cursor, **filters)
        items, next_cursor = search_page(rows, limit)
        return {"items": items, "next_cursor": next_cursor}


def _article_or_404(article_id: int) -> dict[str, Any]:
    article = queries.get_article(db_session(), article_id)
    if article is None:
        raise NotFound(f"No article with id {article_id}.")
    return article


@blp.route("/articles")
class Articles(MethodView):
    @blp.doc(security=SECURITY)
    @require_api_key
    @blp.arguments(ArticleInSchema, example=ARTICLE_EXAMPLE)
    @blp.arguments(ArticleAsyncArgsSchema, location="query", as_kwargs=True)
    @blp.response(201, ArticleSchema, description="Stored.")
    @blp.alt_response(200, schema=ArticleSchema, description="Already stored (same URL or text).")
    @blp.alt_response(
        202,
        schema=JobSchema,
        description="Queued (asked with `Prefer: respond-async` or `?async=true`): follow the "
        "`Location` header, `GET /v1/jobs/{id}`, for the article id.",
    )
    def post(self, args: dict[str, Any], async_: bool = False) -> Response | tuple[dict[str, Any], int]:
        """Ingest one article (text or HTML): extract its quotes, resolve speakers, group statements.

        HTML is stored as its article text (returned as ``text``, which quote offsets index
        into); the page's headline, author, date, outlet and canonical URL fill fields left out.

        By default the article is stored within the request (201, or 200 when it was already
        stored). With ``Prefer: respond-async`` (or ``?async=true``) a queue worker stores it: the
        answer is 202 with the job and its URL in ``Location``, unless the article is already
        stored (200). An article longer than 100,000 characters (``SYNC_INGEST_MAX_CHARS``) is always
        queued, so that no request runs into the worker timeout. Needs
        ``Authorization: Bearer <key>`` when the server has API keys configured.
        """
        prepared = prepare_api_text(args["text"], args.get("format"), MAX_ARTICLE_CHARS)
        if not prepared.text.strip():
            raise Unprocessable("The text is blank.", {"json": {"text": ["No article text."]}})
        article = article_input(args.get("external_id") or "", prepared, args, "text")
        article.external_id = article.external_id or article.url or f"api-{article.content_hash[:16]}"
        if async_ or _prefers_async() or len(article.text) > current_app.config["SYNC_INGEST_MAX_CHARS"]:
            with get_db().sessions() as session:
                dup = find_duplicate(session, article)
            if dup is not None:
                return _article_or_404(dup[0]), 200
            # flask-smorest dumps any returned data with the 201 schema: send the job ourselves.
            job = enqueue_article(article)
            response = jsonify(JobSchema().dump(job))
            response.status_code = 202
            response.headers.update({"Location": job["url"], "Preference-Applied": "respond-async"})
            return response
        result = ingest_in_request(article)
        if result.article_id is None:  # ingest stores or finds the article, or raises
            raise RuntimeError("ingest returned no article id")
        return _article_or_404(result.article_id), 201 if result.status == "added" else 200


def _prefers_async() -> bool:
    """Whether the request carries ``Prefer: respond-async`` (RFC 7240)."""
    prefs = ",".join(request.headers.getlist("Prefer")).lower()
    return any(p.split(";")[0].strip() == "respond-async" for p in prefs.split(","))


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
        if not queries.article_exists(db_session(), article_id):
            raise NotFound(f"No article with id {article_id}.")
        rows = queries.list_article_quotes(db_session(), article_id, limit=limit, after=cursor)
        items, next_cursor = page(rows, limit)
        return {"items": items, "next_cursor": next_cursor}
