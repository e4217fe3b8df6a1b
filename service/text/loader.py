"""Article input for every path (API, CLI files, JSON lines): plain text or HTML, one way.

`prepare_input(raw, fmt)` decides the format (declared ``"text"``/``"html"``, else detected) and
returns a `PreparedInput`: the text quote offsets index into, whether it differs from what the
caller sent (``converted``: callers then hand that text back), and the page metadata.

- Plain text is used as given, so offsets point into the caller's text. Undeclared text holding
  HTML character references (``&ldquo;``) is decoded first (converted), so quotation marks pair.
- HTML (declared, a ``.html``/``.htm`` file, or sniffed: ``<html``, ``<body``, ``<p>`` near the
  start) goes through `service.text.html.convert_html`: article body, one paragraph a line,
  JSON-LD body when the markup is short of it, and headline/author/date/outlet/canonical URL.

Files are decoded as UTF-8 (BOM dropped, undecodable bytes replaced by U+FFFD).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, Literal

from service.text.html import PageMetadata, convert_html, decode_entities, has_entities

__all__ = [
    "FORMATS",
    "PreparedInput",
    "decode_bytes",
    "html_to_text",
    "looks_like_html",
    "prepare_input",
    "read_article_file",
]

Format = Literal["text", "html"]
FORMATS: tuple[Format, ...] = ("text", "html")

log = logging.getLogger(__name__)

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
_SNIFF_CHARS = 4096
_HTML_SNIFF = re.compile(
    r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<(?:p|div|article)(?:>|\s+[\w-]+\s*=)", re.IGNORECASE
)


def decode_bytes(data: bytes) -> str:
    """UTF-8 text of ``data``: a leading BOM is dropped, undecodable bytes become U+FFFD."""
    return data.decode("utf-8-sig", errors="replace")


def looks_like_html(text: str) -> bool:
    """Whether ``text`` starts like an HTML page or fragment."""
    return bool(_HTML_SNIFF.search(text[:_SNIFF_CHARS]))


@dataclass(frozen=True)
class PreparedInput:
    """An article ready for extraction: ``text`` is what quote offsets index into."""

    text: str
    format: Format = "text"
    converted: bool = False  # ``text`` differs from the input: hand it back to the caller
    metadata: PageMetadata = field(default_factory=PageMetadata)


def detect_format(raw: str, name: str | None = None) -> Format:
    """``"html"`` for a ``.html``/``.htm`` name or a text that starts like HTML, else ``"text"``."""
    if name is not None and Path(name).suffix.lower() in HTML_SUFFIXES:
        return "html"
    return "html" if looks_like_html(raw) else "text"


def prepare_input(raw: str, fmt: str | None = None, *, name: str | None = None) -> PreparedInput:
    """The text to extract from ``raw``: as given (``fmt="text"``), converted from HTML
    (``fmt="html"``), or either as detected (``fmt=None``; see `detect_format`)."""
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    declared = fmt
    fmt = fmt or detect_format(raw, name)
    if fmt == "html":
        page = convert_html(raw)
        return PreparedInput(page.text, "html", page.text != raw, page.metadata)
    if declared is None and has_entities(raw):
        text = decode_entities(raw)
        return PreparedInput(text, "text", text != raw)
    return PreparedInput(raw)


def html_to_text(html: str) -> str:
    """Article text of an HTML page, one paragraph a line; never None (may be "")."""
    return convert_html(html).text


def read_article_file(path: str | PathLike[str]) -> str:
    """The article text of a file: decoded plain text, or the extracted text of an HTML page."""
    return read_input_file(path).text


def read_input_file(path: str | PathLike[str], fmt: str | None = None) -> PreparedInput:
    """A file prepared for extraction (see `prepare_input`; ``.html``/``.htm`` names are HTML)."""
    p = Path(path)
    data = p.read_bytes()
    raw = decode_bytes(data)
    if "\ufffd" in raw and (fmt == "html" or detect_format(raw, p.name) == "html"):
        raw = _decode_page(data, raw)
    return prepare_input(raw, fmt, name=p.name)


def _decode_page(data: bytes, fallback: str) -> str:
    """A page that is not UTF-8, decoded by its declared or detected charset (trafilatura's)."""
    try:
        from trafilatura.utils import decode_file

        text = decode_file(data)
    except Exception:  # charset detection is best effort
        return fallback
    return text if isinstance(text, str) and text.count("\ufffd") < fallback.count("\ufffd") else fallback


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
