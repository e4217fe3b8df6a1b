"""The CMS embed: ``/embed.js`` (one script tag), ``/embed/statements/<id>`` (an iframe card) and
``/oembed`` (oEmbed 1.0 discovery of that card from a statement's URL)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from service.errors import BadRequest, NotFound, error_response
from service.extensions import db_session
from service.store import queries
from service.web.views import _statement_view

embed = Blueprint("embed", __name__, template_folder="templates")

ID = "int(max=9223372036854775807)"
EMBED_JS = Path(__file__).with_name("static") / "embed.js"
STATEMENT_PATH = re.compile(r"^/(?:embed/)?statements/(\d{1,19})/?$")
CARD_WIDTH, CARD_HEIGHT = 560, 320


@embed.get("/embed.js")
def embed_js() -> Response:
    """The embed script. Include it with one tag; see the README for the options."""
    response = Response(EMBED_JS.read_text(encoding="utf-8"), mimetype="text/javascript")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@embed.get(f"/embed/statements/<{ID}:statement_id>")
def statement_card(statement_id: int) -> Response:
    """A compact card for one statement and its sources, made to sit in an ``<iframe>``."""
    found = queries.get_statement(db_session(), statement_id)
    if found is None:
        raise NotFound(f"No statement with id {statement_id}.")
    html = render_template("web/embed_card.html", statement=_statement_view(found))
    response = Response(html, mimetype="text/html")
    # Meant to be framed by any site: say so explicitly.
    response.headers["Content-Security-Policy"] = "frame-ancestors *"
    return response


@embed.get("/oembed")
def oembed() -> Response:
    """oEmbed for statement URLs (``/statements/<id>`` or ``/embed/statements/<id>``): a ``rich``
    response whose ``html`` is the iframe card. Only ``format=json`` is offered (else 501)."""
    url = (request.args.get("url") or "").strip()
    fmt = request.args.get("format", "json")
    if fmt != "json":
        return error_response(501, "Only format=json is supported.")
    match = STATEMENT_PATH.match(urlsplit(url).path) if url else None
    if not match:
        raise NotFound("The url is not a statement of this service (…/statements/<id>).")
    statement_id = int(match.group(1))
    found = queries.get_statement(db_session(), statement_id) if statement_id <= queries.MAX_ID else None
    if found is None:
        raise NotFound(f"No statement with id {statement_id}.")
    width = _dimension("maxwidth", CARD_WIDTH)
    height = _dimension("maxheight", CARD_HEIGHT)
    src = url_for("embed.statement_card", statement_id=statement_id, _external=True)
    title = f"{found['speaker']['name']}: “{_short(found['text'])}”"
    payload: dict[str, Any] = {
        "version": "1.0",
        "type": "rich",
        "provider_name": "Quote Desk",
        "provider_url": url_for("web.search", _external=True),
        "title": title,
        "author_name": found["speaker"]["name"],
        "author_url": url_for("web.speaker", speaker_id=found["speaker"]["id"], _external=True),
        "width": width,
        "height": height,
        "html": (
            f'<iframe src="{src}" width="{width}" height="{height}" style="border:0" '
            f'title="{_attr(title)}" loading="lazy"></iframe>'
        ),
        "cache_age": 3600,
    }
    response = Response(_json(payload), mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _dimension(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise BadRequest(
            f"{name} must be a positive integer.", {"query": {name: ["Not a positive integer."]}}
        )
    return min(default, int(raw))


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _json(payload: dict[str, Any]) -> str:
    import json

    return json.dumps(payload, ensure_ascii=False)


@embed.errorhandler(HTTPException)
def _card_error(error: HTTPException) -> Response:
    """The card answers with a small HTML page; the other embed URLs with the API's JSON errors."""
    code = error.code or 500
    if request.endpoint == "embed.statement_card":
        return Response(
            render_template("web/embed_card.html", statement=None, message=error.description),
            status=code,
            mimetype="text/html",
        )
    return error_response(code, error.description or "")
