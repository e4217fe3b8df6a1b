"""Read article files as text, converting HTML pages to their article text.

Plain-text files are returned as decoded (UTF-8, BOM dropped, undecodable bytes replaced by
U+FFFD), so quote offsets point into the file's text. HTML pages (by extension ``.html``/``.htm``
or by sniffing ``<html``, ``<body`` or ``<p>`` near the start) are converted with trafilatura:
paragraphs become lines, comments and tables are left out. For HTML the offsets therefore point
into the *extracted* text, which is what callers must store as the article text.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from os import PathLike
from pathlib import Path
from typing import Any

import trafilatura

__all__ = ["decode_bytes", "html_to_text", "looks_like_html", "read_article_file"]

log = logging.getLogger(__name__)

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
_SNIFF_CHARS = 4096
_HTML_SNIFF = re.compile(
    r"<!doctype\s+html|<html[\s>]|<body[\s>]|<(?:p|div|article)(?:>|\s+[\w-]+\s*=)", re.IGNORECASE
)


def decode_bytes(data: bytes) -> str:
    """UTF-8 text of ``data``: a leading BOM is dropped, undecodable bytes become U+FFFD."""
    return data.decode("utf-8-sig", errors="replace")


def looks_like_html(text: str) -> bool:
    """Whether ``text`` starts like an HTML page or fragment."""
    return bool(_HTML_SNIFF.search(text[:_SNIFF_CHARS]))


def html_to_text(html: str) -> str:
    """Article text of an HTML page, one paragraph a line; never None (may be "")."""
    if not html.strip():
        return ""
    try:
        text = trafilatura.extract(
            html,
            output_format="txt",
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            include_formatting=False,
            favor_recall=True,
        )
    except Exception:  # trafilatura/lxml raise assorted errors on broken markup
        log.warning("trafilatura.extract failed; falling back to html2txt", exc_info=True)
        text = None
    if not text:
        text = _plain_text(html)
    return _tidy(text or "")


def _plain_text(html: str) -> str:
    """All visible text of the page (trafilatura's html2txt; fragments are wrapped in a body)."""
    try:
        text = trafilatura.html2txt(html)
        if not text.strip() and not re.search(r"<body[\s>]", html, re.IGNORECASE):
            text = trafilatura.html2txt(f"<html><body>{html}</body></html>")
    except Exception:
        log.warning("html2txt failed; returning no text", exc_info=True)
        text = ""
    return text


def _tidy(text: str) -> str:
    """Normalise line ends and drop trailing spaces of lines (nothing inside a line changes)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def read_article_file(path: str | PathLike[str]) -> str:
    """The article text of a file: decoded plain text, or the extracted text of an HTML page."""
    p = Path(path)
    text = decode_bytes(p.read_bytes())
    if p.suffix.lower() in HTML_SUFFIXES or looks_like_html(text):
        return html_to_text(text)
    return text


def iter_json_lines(lines: Iterable[str], label: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, object)`` for each non-blank line of JSON lines; ``where`` is ``label:N``.

    Raises ValueError naming the line when a line is not a JSON object.
    """
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{label}:{n}"
        try:
            rec = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{where}: not JSON: {exc}") from exc
        if not isinstance(rec, dict):
            raise ValueError(f"{where}: expected a JSON object")
        yield where, rec
