"""HTML pages to article text and page metadata.

`convert_html(page)` returns the article body as plain text (one paragraph a line) with the
page's metadata: headline, author, publication date, outlet (site name) and canonical URL.

- The visible body comes from trafilatura (boilerplate, navigation, scripts, styles, comments
  and tables left out); entities are decoded by the HTML parser, and entities escaped twice
  ("&amp;ldquo;", common in CMS exports) are decoded in the result, so quotation marks pair.
- Structured data: a JSON-LD ``articleBody`` replaces the visible body when the visible
  extraction is clearly short of it (pages that render their text with JavaScript leave only a
  caption in the markup), or when it holds the same words with the paragraph breaks the visible
  extraction lost.
- Metadata: trafilatura's (JSON-LD, OpenGraph, ``<meta>`` tags, ``<link rel=canonical>``),
  completed from the JSON-LD article object where trafilatura found nothing.

Script, style and JSON-LD contents never reach the text. Pure functions over ``str``: no I/O.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import trafilatura
from lxml import html as lxml_html  # type: ignore[import-untyped]

__all__ = ["Page", "PageMetadata", "convert_html", "decode_entities", "has_entities"]

log = logging.getLogger(__name__)

# The JSON-LD body replaces the visible text when the visible text has less than this share of
# its words (and the JSON-LD body has at least MIN_JSONLD_WORDS words).
SHORT_SHARE = 0.6
MIN_JSONLD_WORDS = 40
MAX_META_CHARS = 2000
_ARTICLE_TYPES = re.compile(r"article|posting|report|newsarticle|blog|liveblog", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TAG = re.compile(r"<(?:p|br|div|h[1-6]|li|blockquote)\b[^>]*>", re.IGNORECASE)
_PARA_BREAK = re.compile(r"\n\s*\n|\r\n\s*\r\n")
_SPACES = re.compile(r"[ \t\u00a0\u2009\u202f]+")
_LD_BODY_RE = re.compile(r'"articleBody"\s*:\s*"((?:[^"\\]|\\.)*)"', re.DOTALL)


@dataclass(frozen=True)
class PageMetadata:
    """What a page says about itself; every field may be None."""

    title: str | None = None
    author: str | None = None
    published_at: dt.date | None = None
    outlet: str | None = None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "author": self.author,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "outlet": self.outlet,
            "url": self.url,
        }


@dataclass(frozen=True)
class Page:
    """The article of an HTML page: its text, where the text came from, and the metadata."""

    text: str
    metadata: PageMetadata = field(default_factory=PageMetadata)
    body_source: str = "html"  # "html" (visible markup), "json-ld" (articleBody), "plain" (all text)


def has_entities(text: str) -> bool:
    """Whether ``text`` holds HTML character references (``&ldquo;``, ``&#8220;``)."""
    return "&" in text and _ENTITY.search(text) is not None


def decode_entities(text: str) -> str:
    """``text`` with HTML character references decoded (unchanged when it has none)."""
    return html_lib.unescape(text) if has_entities(text) else text


def convert_html(page: str) -> Page:
    """Article text and metadata of an HTML page or fragment; never raises."""
    if not page.strip():
        return Page("")
    tree = _parse(page)
    ld_objects = list(_json_ld_objects(tree, page)) if tree is not None else []
    document = _extract(tree if tree is not None else page)
    visible = _tidy(decode_entities(document.text or "")) if document is not None else ""
    source = "html"
    if not visible:
        visible, source = _tidy(decode_entities(_plain_text(page))), "plain"
    ld_body = _longest_body(ld_objects)
    text = visible
    if ld_body and _prefer_json_ld(visible, ld_body):
        text, source = ld_body, "json-ld"
    metadata = _metadata(document, ld_objects)
    return Page(_drop_headline(text, metadata.title), metadata, source)


def _drop_headline(text: str, title: str | None) -> str:
    """``text`` without a first line that repeats the headline (kept in the metadata)."""
    first, sep, rest = text.partition("\n")
    if title and sep and _words(first) == _words(title):
        return rest
    return text


def _parse(page: str) -> Any:
    try:
        return trafilatura.load_html(page)
    except Exception:  # lxml raises assorted errors on broken markup
        log.warning("HTML parse failed", exc_info=True)
        return None


def _extract(source: Any) -> Any:
    """trafilatura's document (text + metadata), or None."""
    try:
        return trafilatura.bare_extraction(
            source,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            include_formatting=False,
            favor_recall=True,
        )
    except Exception:  # trafilatura/lxml raise assorted errors on broken markup
        log.warning("trafilatura extraction failed", exc_info=True)
        return None


def _plain_text(page: str) -> str:
    """All visible text of the page (trafilatura's html2txt; fragments are wrapped in a body)."""
    try:
        text = trafilatura.html2txt(page)
        if not text.strip() and not re.search(r"<body[\s>]", page, re.IGNORECASE):
            text = trafilatura.html2txt(f"<html><body>{page}</body></html>")
    except Exception:
        log.warning("html2txt failed; no text", exc_info=True)
        text = ""
    return text


def _tidy(text: str) -> str:
    """Line ends normalised, runs of spaces inside a line collapsed, blank lines dropped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out = [_SPACES.sub(" ", line).strip() for line in lines]
    return "\n".join(line for line in out if line)


# ---------------------------------------------------------------- JSON-LD


def _json_ld_objects(tree: Any, page: str) -> Iterator[dict[str, Any]]:
    """Every JSON object (nested ones and ``@graph`` members included) of the page's JSON-LD."""
    try:
        scripts = tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]')
    except Exception:
        return
    for script in scripts:
        raw = (script.text or "").strip()
        data = _load_json(raw)
        if data is None:
            match = _LD_BODY_RE.search(raw)  # broken JSON: at least its articleBody string
            if match is None:
                continue
            try:
                data = {"@type": "Article", "articleBody": json.loads(f'"{match.group(1)}"', strict=False)}
            except ValueError:
                continue
        yield from _walk(data, 0)


def _load_json(raw: str) -> Any:
    raw = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$|^\s*<!--|-->\s*$", "", raw).strip()
    if not raw:
        return None
    try:
        return json.loads(raw, strict=False)
    except (ValueError, RecursionError):
        return None


def _walk(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 8:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _walk(value, depth + 1)


def _is_article(obj: dict[str, Any]) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds)


def _body_text(value: Any) -> str:
    """An ``articleBody`` as text: HTML inside it converted, entities decoded, paragraphs kept."""
    if not isinstance(value, str) or not value.strip():
        return ""
    if _TAG.search(value):
        value = re.sub(r"(?i)<br\s*/?>|</(?:p|div|h[1-6]|li|blockquote)>", "\n", value)
        try:
            value = lxml_html.fromstring(f"<div>{value}</div>").text_content()
        except Exception:
            value = re.sub(r"<[^>]+>", " ", value)
    value = decode_entities(value)
    return _tidy(_PARA_BREAK.sub("\n", value.replace("\\n", "\n")))


def _longest_body(objects: list[dict[str, Any]]) -> str:
    bodies = [_body_text(o.get("articleBody")) for o in objects if "articleBody" in o]
    return max(bodies, key=len, default="")


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _prefer_json_ld(visible: str, ld_body: str) -> bool:
    """Whether the JSON-LD body should replace the visible extraction: the visible text is
    clearly short of it, or holds the same words on fewer lines."""
    ld_words = _words(ld_body)
    vis_words = _words(visible)
    if len(ld_words) >= MIN_JSONLD_WORDS and len(vis_words) < SHORT_SHARE * len(ld_words):
        return True
    return vis_words == ld_words and ld_body.count("\n") > visible.count("\n")


# ---------------------------------------------------------------- metadata


def _metadata(document: Any, ld_objects: list[dict[str, Any]]) -> PageMetadata:
    article = next((o for o in ld_objects if _is_article(o)), {})
    title = _meta_str(getattr(document, "title", None)) or _meta_str(article.get("headline"))
    author = _meta_str(getattr(document, "author", None)) or _ld_names(article.get("author"))
    outlet = _meta_str(getattr(document, "sitename", None)) or _ld_names(article.get("publisher"))
    url = _meta_str(getattr(document, "url", None)) or _ld_url(article)
    published = _date(getattr(document, "date", None)) or _date(article.get("datePublished"))
    if url is not None and not re.match(r"https?://[^\s/]+", url):
        url = None
    return PageMetadata(title=title, author=author, published_at=published, outlet=outlet, url=url)


def _meta_str(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = _SPACES.sub(" ", decode_entities(value)).strip()
    return value[:MAX_META_CHARS] or None


def _ld_names(value: Any) -> str | None:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return _meta_str("; ".join(names)) if names else None


def _ld_url(article: dict[str, Any]) -> str | None:
    main = article.get("mainEntityOfPage")
    if isinstance(main, dict):
        main = main.get("@id") or main.get("url")
    return _meta_str(article.get("url")) or _meta_str(main)


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
