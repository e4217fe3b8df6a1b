"""Article storage: the input type, publication dates, duplicate detection, outlets and the
article row itself (session I/O, no Flask)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import Article, Outlet
from models.article import AUTHOR_CHARS
from service.db import advisory_xact_lock

# Publication dates accepted from inputs (API, files): far dates are typos, and date arithmetic
# near 0001-01-01 / 9999-12-31 overflows.
MIN_PUBLISHED = dt.date(1800, 1, 1)
MAX_PUBLISHED = dt.date(2199, 12, 31)


@dataclass
class ArticleInput:
    """An article to ingest; ``text`` is stored exactly and quote offsets point into it."""

    external_id: str
    text: str
    url: str | None = None
    headline: str | None = None
    author: str | None = None
    outlet: str | None = None
    outlet_url: str | None = None
    published_at: dt.date | None = None

    @property
    def content_hash(self) -> str:
        """sha256 of the text: the article's identity besides its URL."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass
class IngestResult:
    """What ingesting one article did."""

    external_id: str
    status: str  # "added" | "duplicate"
    article_id: int | None = None
    reason: str | None = None
    quotes: int = 0
    units: int = 0
    speakers_created: int = 0
    statements_created: int = 0


def date_in_range(value: dt.date | None) -> bool:
    """Whether ``value`` is None or an acceptable publication date."""
    return value is None or MIN_PUBLISHED <= value <= MAX_PUBLISHED


def shift_date(day: dt.date, delta: dt.timedelta) -> dt.date:
    """``day + delta``, clamped to the representable dates."""
    try:
        return day + delta
    except OverflowError:
        return dt.date.max if delta > dt.timedelta(0) else dt.date.min


def parse_date(value: Any) -> dt.date | None:
    """A date from an ISO string / date / datetime, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def find_duplicate(session: Session, article: ArticleInput) -> tuple[int, str] | None:
    """(article id, reason) of a stored article with the same URL or the same content."""
    conds = [Article.content_hash == article.content_hash]
    if article.url:
        conds.append(Article.url == article.url)
    row = session.execute(select(Article.id, Article.url, Article.content_hash).where(or_(*conds))).first()
    if row is None:
        return None
    reason = "same content" if row.content_hash == article.content_hash else "same URL"
    return row.id, reason


def get_outlet(session: Session, name: str | None, url: str | None) -> int | None:
    """The id of the outlet called ``name`` (created when new), or None without a name."""
    if not name:
        return None
    advisory_xact_lock(session, "outlet", name)
    oid = session.scalar(select(Outlet.id).where(Outlet.name == name))
    if oid is None:
        outlet = Outlet(name=name, url=url)
        session.add(outlet)
        session.flush()
        oid = outlet.id
    return oid


def lock_article(session: Session, article: ArticleInput) -> None:
    """Take the transaction's advisory locks on the article's content hash and URL."""
    advisory_xact_lock(session, "article", article.content_hash)
    if article.url:
        advisory_xact_lock(session, "article-url", article.url)


def add_article(session: Session, article: ArticleInput) -> Article:
    """Insert the article row (and its outlet when new); flushed, so it has an id."""
    row = Article(
        external_id=article.external_id[:500],
        url=article.url,
        headline=article.headline,
        author=article.author[:AUTHOR_CHARS] if article.author else None,
        outlet_id=get_outlet(session, article.outlet, article.outlet_url),
        published_at=article.published_at,
        text=article.text,
        content_hash=article.content_hash,
    )
    session.add(row)
    session.flush()
    return row
