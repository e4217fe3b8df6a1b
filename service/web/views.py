"""The web app's pages: thin views that read through ``service.store`` and render Jinja templates."""

from __future__ import annotations

import datetime as dt
import hmac
import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException, NotFound

from service.extensions import db_session
from service.store import browse, queries
from service.store.ingest import date_in_range
from service.web.marks import (
    Segment,
    article_paragraphs,
    differences,
    elide_ends,
    speaker_colours,
    verdict_text,
    word_diff,
)

web = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)

PER_PAGE = 20
SEARCH_LIMIT = 20
MAX_QUERY = 500  # characters of a search box that are used
MAX_FACTCHECK = 5000  # characters of a pasted quote
ID = "int(max=9223372036854775807)"


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@web.app_template_filter("date")
def format_date(value: dt.date | None, missing: str = "undated") -> str:
    """``24 Oct 2024`` (in English whatever the locale)."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}" if value else missing


# Links repeated dozens of times on a page are built directly (url_for costs ~0.2 ms a call);
# the paths are those of the routes below.
@web.app_template_global()
def article_href(article_id: int, quote_id: int | None = None) -> str:
    """Path of an article page, at a quote's anchor when given."""
    anchor = f"#q-{quote_id}" if quote_id is not None else ""
    return f"{request.script_root}/articles/{int(article_id)}{anchor}"


@web.app_template_global()
def speaker_href(speaker_id: int) -> str:
    """Path of a speaker page."""
    return f"{request.script_root}/speakers/{int(speaker_id)}"


@web.app_template_global()
def statement_href(statement_id: int) -> str:
    """Path of a statement's permalink."""
    return f"{request.script_root}/statements/{int(statement_id)}"


@web.app_template_filter("diff")
def diff_html(segments: Sequence[Segment] | None, text: str = "") -> Markup:
    """A word diff as HTML: ``<ins>`` for words only in this wording, ``<del>`` for the
    reference's missing words, ``…`` for the reference's words around an excerpt.
    (Built here rather than in a macro: a page holds dozens of diffs.)"""
    if segments is None:
        return Markup(escape(text))
    out: list[str] = []
    for s in segments:
        piece = escape(s.text)
        punct = ' class="punct"' if s.punct else ""
        if s.op == "=":
            out.append(piece)
        elif s.op == "+":
            out.append(f'<ins{punct} title="Not in the reference wording">{piece}</ins>')
        elif s.op == "-":
            out.append(
                f'<del{punct} title="In the reference wording, missing here"><span class="sr-only"> '
                f'[missing: </span>{piece}<span class="sr-only">] </span></del>'
            )
        else:
            out.append(f'<span class="elided" title="More words on record">{piece}</span>')
    return Markup("".join(out))


@web.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "page_url": page_url,
        "verdict_text": verdict_text,
        "write_needs_key": bool(current_app.config["API_KEYS"]),
    }


def page_url(endpoint: str, _drop: tuple[str, ...] = (), **changes: Any) -> str:
    """The current page's URL with some query arguments changed (None or "" removes one)."""
    args = {k: v for k, v in request.args.items() if k not in _drop}
    args.update(changes)
    args = {k: v for k, v in args.items() if v not in (None, "")}
    view_args = request.view_args or {}
    base = url_for(endpoint, **view_args)
    return f"{base}?{urlencode(args)}" if args else base


def _arg(name: str, limit: int = MAX_QUERY) -> str:
    return (request.args.get(name) or "").strip()[:limit]


def _date_arg(name: str, errors: list[str]) -> dt.date | None:
    raw = _arg(name, 20)
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(f"“{raw}” is not a date (use YYYY-MM-DD); the filter is ignored.")
        return None
    return day


def _int_arg(name: str, default: int, lo: int = 1, hi: int = browse.MAX_PAGE) -> int:
    raw = request.args.get(name, "")
    return max(lo, min(int(raw), hi)) if raw.isascii() and raw.isdigit() and len(raw) < 10 else default


# ---------------------------------------------------------------- search (home)


@web.get("/")
def search() -> str:
    """Search speakers by name or alias and quotes by their words; without a query, an overview."""
    q = _arg("q")
    session = db_session()
    if not q:
        return render_template(
            "web/home.html",
            q="",
            totals=browse.totals(session),
            speakers=browse.top_speakers(session),
            articles=browse.recent_articles(session),
        )
    after_q = _int_arg("quotes_after", 0, 0, queries.MAX_ID)
    speakers = queries.search_speakers(session, q, 50, None)
    more_speakers = len(speakers) > 50
    speakers = sorted(speakers[:50], key=lambda s: (-s["quote_count"], s["name"]))
    quotes = queries.search_quotes(session, q=q, limit=SEARCH_LIMIT, after=after_q or None)
    next_quotes = quotes[SEARCH_LIMIT - 1]["id"] if len(quotes) > SEARCH_LIMIT else None
    return render_template(
        "web/search.html",
        q=q,
        speakers=speakers,
        more_speakers=more_speakers,
        quotes=quotes[:SEARCH_LIMIT],
        next_quotes=next_quotes,
        after_q=after_q,
    )


# ---------------------------------------------------------------- speakers and statements


@web.get(f"/speakers/<{ID}:speaker_id>")
def speaker(speaker_id: int) -> Response:
    """A speaker: names, kind, roles, and their statements newest first with each wording variant.

    Like the API's statement lists, the page is validated by the speaker's data version (one
    lookup): an unchanged page is a 304 or comes from the app's body cache.
    """
    from service.api.fastjson import body_cache, etag_for, not_modified

    session = db_session()
    version = queries.statements_version(session, speaker_id)
    if version is None:
        raise NotFound(f"No speaker with id {speaker_id}.")
    etag = etag_for("speaker-page", speaker_id, version)
    unchanged = not_modified(etag)
    if unchanged is not None:
        return unchanged
    body = body_cache().get(etag)
    if body is None:
        body = _render_speaker(speaker_id).encode("utf-8")
        body_cache().put(etag, body)
    response = Response(body, mimetype="text/html")
    response.set_etag(etag)
    return response


def _render_speaker(speaker_id: int) -> str:
    session = db_session()
    person = queries.get_speaker(session, speaker_id)
    if person is None:
        raise NotFound(f"No speaker with id {speaker_id}.")
    errors: list[str] = []
    filters = browse.StatementFilters(
        q=_arg("q") or None,
        outlet=_arg("outlet", 300) or None,
        since=_date_arg("since", errors),
        until=_date_arg("until", errors),
    )
    page = _int_arg("page", 1)
    statements, total = browse.speaker_statements_page(session, speaker_id, filters, page, PER_PAGE)
    pages = max(1, math.ceil(total / PER_PAGE))
    outlets, span = browse.speaker_outlets(session, speaker_id)
    return render_template(
        "web/speaker.html",
        speaker=person,
        roles=browse.speaker_roles(session, speaker_id),
        outlets=outlets,
        span=span,
        filters=filters,
        errors=errors,
        statements=[_statement_view(s) for s in statements],
        total=total,
        page=page,
        pages=pages,
    )


def _statement_view(statement: dict[str, Any]) -> dict[str, Any]:
    """A statement with each variant's word diff against the canonical wording, outlets counted."""
    canonical = statement["text"]
    variants = []
    for v in statement["variants"]:
        same = v["relation"] in ("canonical",) or v["text"] == canonical
        variants.append({**v, "segments": None if same else word_diff(canonical, v["text"])})
    outlets = {v["article"]["outlet"] for v in statement["variants"] if v["article"]["outlet"]}
    return {**statement, "variants": variants, "outlet_count": len(outlets)}


@web.get(f"/statements/<{ID}:statement_id>")
def statement(statement_id: int) -> str:
    """Permalink of one statement with all its wording variants and sources."""
    found = queries.get_statement(db_session(), statement_id)
    if found is None:
        raise NotFound(f"No statement with id {statement_id}.")
    return render_template("web/statement.html", statement=_statement_view(found))


# ---------------------------------------------------------------- fact-check


@web.get("/factcheck")
def factcheck() -> str:
    """Paste a quote (and optionally a speaker): the verdict, the nearest statements and sources."""
    from service.store.verify import verify_claim
    from service.variants.embeddings import get_embedder

    text = _arg("text", MAX_FACTCHECK)
    who = _arg("speaker", 300)
    result = None
    if text:
        embedder = get_embedder(current_app.config.get("EMBEDDINGS"))
        result = _factcheck_view(text, verify_claim(db_session(), text, who or None, 5, embedder))
    return render_template("web/factcheck.html", text=text, who=who, result=result)


CONFLICT_WORDS = {
    "number": "Number changed",
    "negation": "Negation flipped",
    "name": "Name changed",
    "modality": "Certainty changed (will / may)",
}


def _factcheck_view(text: str, answer: dict[str, Any]) -> dict[str, Any]:
    """`verify_claim`'s answer with what the page shows: plain words, diffs, conflict notes."""
    shown = []
    for m in answer["matches"]:
        if m["statement"] is None:
            continue  # a wording whose speaker is not known: the page lists statements
        best = m.get("best_variant") or {}
        recorded = best.get("text") or m["statement"]["text"]
        verdict = m.get("verdict") or "not_found"
        near = verdict not in ("not_found",)
        flags = []
        for c in m.get("conflicts") or []:
            note = {
                "title": CONFLICT_WORDS.get(c["kind"], c["kind"]),
                "query": c["query"],
                "recorded": c["recorded"],
            }
            if c["kind"] == "number" and c.get("recorded"):
                d = differences(c["query"], c["recorded"])
                note["detail"] = (
                    f"your quote says {', '.join(d.numbers_given) or 'no number'}; "
                    f"the record says {', '.join(d.numbers_recorded) or 'no number'}"
                )
            flags.append(note)
        parts = [
            {
                **p,
                "segments": elide_ends(word_diff(p["variant"]["text"], p["text"]))
                if p.get("variant")
                else None,
            }
            for p in m.get("parts") or []
        ]
        shown.append(
            {
                **m,
                "verdict_words": verdict_text(verdict),
                "recorded": recorded,
                "segments": elide_ends(word_diff(recorded, text)) if near else None,
                "flags": flags,
                "part_rows": parts if len(parts) > 1 else [],
                "statement": _statement_view(m["statement"]),
            }
        )
    top = answer.get("verdict") or (shown[0]["verdict"] if shown else "not_found")
    flags = shown[0]["flags"] if shown and top == "contradicts" else []
    return {"verdict": top, "words": verdict_text(top), "matches": shown, "flags": flags}


# ---------------------------------------------------------------- articles


@web.get(f"/articles/<{ID}:article_id>")
def article(article_id: int) -> str:
    """An article with each quote highlighted in its speaker's colour, cues and mentions marked."""
    session = db_session()
    found = queries.get_article(session, article_id)
    if found is None:
        raise NotFound(f"No article with id {article_id}.")
    quotes = browse.article_quote_marks(session, article_id)
    colours = speaker_colours(quotes)
    legend: dict[int | None, dict[str, Any]] = {}
    for q in quotes:
        sid = (q["speaker"] or {}).get("id")
        entry = legend.setdefault(
            sid,
            {
                "speaker": q["speaker"],
                "name": (q["speaker"] or {}).get("name") or "Unattributed",
                "colour": colours.get(sid) if sid is not None else None,
                "count": 0,
            },
        )
        entry["count"] += 1
    return render_template(
        "web/article.html",
        article=found,
        quotes=quotes,
        colours=colours,
        legend=sorted(legend.values(), key=lambda e: (-e["count"], e["name"])),
        paragraphs=article_paragraphs(found["text"], quotes),
        added=request.args.get("added"),
    )


def _key_ok(given: str) -> bool:
    keys: list[str] = current_app.config["API_KEYS"]
    if not keys:
        return True
    token = given.strip().encode("utf-8", "surrogateescape")
    return bool(token) and any(hmac.compare_digest(token, k.encode()) for k in keys)


@web.route("/articles/new", methods=["GET", "POST"])
def add_article() -> Any:
    """Paste text or HTML, or upload a file; the article is stored and its quotes shown."""
    if request.method == "GET":
        return render_template("web/add.html", form={}, errors={})
    form = {k: (request.form.get(k) or "").strip() for k in ("title", "outlet", "url", "published_at")}
    form["text"] = request.form.get("text") or ""
    errors: dict[str, str] = {}
    if not _key_ok(request.form.get("api_key") or ""):
        errors["api_key"] = (
            "This API key is not valid." if request.form.get("api_key") else "Enter your API key."
        )
    upload = request.files.get("file")
    text, name = form["text"], None
    if upload and upload.filename:
        from service.text.loader import decode_bytes

        text, name = decode_bytes(upload.read()), upload.filename
    published = None
    if form["published_at"]:
        try:
            published = dt.date.fromisoformat(form["published_at"])
        except ValueError:
            errors["published_at"] = "Use a date such as 2024-10-24."
    if not text.strip():
        errors["text"] = "Paste the article text or HTML, or choose a file."
    if errors:
        return render_template("web/add.html", form=form, errors=errors), 422
    if published is not None and not date_in_range(published):
        errors["published_at"] = "The publication date is out of range."
        return render_template("web/add.html", form=form, errors=errors), 422
    article_id, status = _ingest(text, form, published, name)
    if article_id is None:
        errors["text"] = status
        return render_template("web/add.html", form=form, errors=errors), 422
    return redirect(url_for("web.article", article_id=article_id, added=status), code=303)


def _ingest(
    text: str, form: dict[str, str], published: dt.date | None, name: str | None
) -> tuple[int | None, str]:
    """Store one article as ``POST /v1/articles`` does (HTML converted, page metadata used where the
    form leaves a field empty): (article id, "added"/"duplicate") or (None, why not)."""
    from service.api.extraction import ingest_in_request
    from service.api.schemas import MAX_ARTICLE_CHARS
    from service.store.sources import InputError, article_input
    from service.text.loader import prepare_input

    prepared = prepare_input(text, None, name=name)
    given: dict[str, Any] = {k: v for k, v in form.items() if k != "text" and v}
    given["published_at"] = published
    if len(prepared.text) > MAX_ARTICLE_CHARS:
        return None, f"The article text is longer than {MAX_ARTICLE_CHARS:,} characters."
    try:
        article = article_input("", prepared, given, "form")
    except InputError:
        return None, f"The {prepared.format} has no article text."
    article.external_id = article.url or f"web-{article.content_hash[:16]}"
    result = ingest_in_request(article)
    return result.article_id, result.status


# ---------------------------------------------------------------- errors


@web.errorhandler(HTTPException)
def _page_error(error: HTTPException) -> Response:
    """HTML error pages for the web app's views (the API keeps its JSON errors)."""
    code = error.code or 500
    return Response(
        render_template("web/error.html", code=code, message=error.description or ""),
        status=code,
        headers={"Cache-Control": "no-store"},
    )
