"""Speakers and their statements: search, detail, statements with wording variants."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from service.api.blueprint import Blueprint
from service.api.fastjson import cached_json, etag_for
from service.api.pagination import page
from service.api.schemas import (
    SpeakerPageSchema,
    SpeakerQueryArgsSchema,
    SpeakerSchema,
    StatementPageSchema,
    StatementQueryArgsSchema,
    StatementSchema,
)
from service.errors import NotFound
from service.extensions import db_connection, db_session
from service.store import queries

blp = Blueprint("speakers", __name__, url_prefix="/v1", description="Speakers and their statements.")

ID = "int(max=9223372036854775807)"


def _speaker_or_404(speaker_id: int) -> dict[str, Any]:
    speaker = queries.get_speaker(db_session(), speaker_id)
    if speaker is None:
        raise NotFound(f"No speaker with id {speaker_id}.")
    return speaker


@blp.route("/speakers")
class Speakers(MethodView):
    @blp.arguments(SpeakerQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, SpeakerPageSchema)
    def get(self, limit: int, cursor: int | None = None, q: str | None = None) -> dict[str, Any]:
        """Search speakers by name or alias."""
        rows = queries.search_speakers(db_session(), q or None, limit, cursor)
        items, next_cursor = page(rows, limit)
        return {"items": items, "next_cursor": next_cursor}


@blp.route(f"/speakers/<{ID}:speaker_id>")
class SpeakerDetail(MethodView):
    @blp.response(200, SpeakerSchema)
    def get(self, speaker_id: int) -> dict[str, Any]:
        """One speaker: names, roles and counts."""
        return _speaker_or_404(speaker_id)


@blp.route(f"/speakers/<{ID}:speaker_id>/statements")
class SpeakerStatements(MethodView):
    @blp.arguments(StatementQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, StatementPageSchema)
    @blp.alt_response(304, description="Not modified (`If-None-Match` holds the current ETag).")
    def get(self, speaker_id: int, limit: int, cursor: int | None = None, **filters: Any) -> Response:
        """Statements of a speaker, each with its wording variants across articles.

        The ETag comes from the speaker's data version, checked before anything else is read:
        a conditional request for an unchanged page costs one lookup.
        """
        conn = db_connection()
        version = queries.statements_version(conn, speaker_id)
        if version is None:
            raise NotFound(f"No speaker with id {speaker_id}.")
        etag = etag_for("statements", speaker_id, version)

        def build() -> dict[str, Any]:
            rows = queries.list_statements(
                conn, speaker_id, limit=limit, after=cursor, raw_variants=True, **filters
            )
            items, next_cursor = page(rows, limit)
            # Already in StatementPageSchema's shape (tested): written by orjson, not marshmallow.
            return {"items": items, "next_cursor": next_cursor}

        return cached_json(etag, build)


@blp.route(f"/statements/<{ID}:statement_id>")
class StatementDetail(MethodView):
    @blp.response(200, StatementSchema)
    def get(self, statement_id: int) -> dict[str, Any]:
        """One statement with all its wording variants."""
        statement = queries.get_statement(db_session(), statement_id)
        if statement is None:
            raise NotFound(f"No statement with id {statement_id}.")
        return statement
