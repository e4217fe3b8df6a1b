"""Stateless tools for CMS plugins and fact-checkers: quote extraction and quote verification."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import current_app
from flask.views import MethodView

from service.api.blueprint import Blueprint
from service.api.extraction import get_app_extractor, prepare_api_text
from service.api.schemas import (
    MAX_EXTRACT_CHARS,
    ExtractArgsSchema,
    ExtractResultSchema,
    VerifyArgsSchema,
    VerifyResultSchema,
)
from service.extensions import db_session
from service.store.verify import verify_claim
from service.variants.embeddings import get_embedder

blp = Blueprint("tools", __name__, url_prefix="/v1", description="Extraction and verification.")


@blp.route("/extract")
class Extract(MethodView):
    @blp.arguments(ExtractArgsSchema)
    @blp.response(200, ExtractResultSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Extract quotes and speakers from a text or an HTML page; nothing is stored.

        Each quote has the shape the CLI prints. Offsets index into the given text, or, when the
        input was converted (HTML), into the returned ``text``; HTML also gives ``metadata``.
        """
        prepared = prepare_api_text(args["text"], args.get("format"), MAX_EXTRACT_CHARS, allow_empty=True)
        quotes = get_app_extractor().extract(prepared.text) if prepared.text.strip() else []
        out: dict[str, Any] = {"quotes": [q.to_dict() for q in quotes]}
        if prepared.converted:
            out["text"] = prepared.text
        if prepared.format == "html":
            out["metadata"] = dataclasses.asdict(prepared.metadata)
        return out


@blp.route("/verify")
class Verify(MethodView):
    @blp.arguments(VerifyArgsSchema)
    @blp.response(200, VerifyResultSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Fact-check a quote: is it on record, in these words, and where?

        The claim is split into parts (sentences). Each match is a stored statement with the verdict
        of the WHOLE claim against it (see `Match.verdict`), each part's alignment (`parts`: verdict,
        where it is on record, word diff) and, for `contradicts`, what differs. A changed number,
        negation, name or modal verb is never verbatim, excerpt, close or paraphrase; a claim
        attributed to the wrong speaker is `other_speaker`, never verbatim or close. A claim that is no
        recorded quote word for word is also looked up in the stored article texts: a passage found
        there word for word is a match with `found_in` `article_text` (in that article, but attributed
        to no one by the service; see `Match.found_in` and `Match.speaker_check`).
        """
        embedder = get_embedder(current_app.config.get("EMBEDDINGS"))
        return verify_claim(db_session(), args["text"], args.get("speaker"), args["limit"], embedder)
