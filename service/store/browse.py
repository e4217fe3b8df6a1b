"""Reads of the web pages (session I/O only, no Flask): a speaker's page, an article with its marks.

The API lists are keyset-paginated in id order (`service.store.queries`); a reader of a speaker's
page wants the newest statements first and numbered pages, so these reads order by date and use
a page number. Statement and quote dicts are the API's own shapes (`queries.statements_by_ids`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from models import Article, Occurrence, Outlet, Quote, Speaker, SpeakerRole, Statement
from service.store import queries

MAX_PAGE = 10_000  # deeper pages are refused (an OFFSET that large is a crawler, not a reader)


@dataclass(frozen=True)
class StatementFilters:
    """What a speaker page is filtered by (all optional)."""

    q: str | None = None
    outlet: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def active(self) -> bool:
        """Whether any filter is set."""
        return bool(self.q or self.outlet or self.since or self.until)


def _statement_conditions(speaker_id: int, f: StatementFilters) -> list[ColumnElement[bool]]:
    """The WHERE clause of a speaker's statements under ``f`` (the same meaning as the API's filters)."""
    conds: list[ColumnElement[bool]] = [Statement.speaker_id == speaker_id]
    for word in (f.q or "").split()[:20]:
        in_variant = exists().where(
            Occurrence.statement_id == Statement.id, Occurrence.text.icontains(word, autoescape=True)
        )
        conds.append(or_(Statement.text.icontains(word, autoescape=True), in_variant))
    if f.outlet or f.since or f.until:
        occ: list[ColumnElement[bool]] = [Occurrence.statement_id == Statement.id]
        if f.outlet:
            occ.append(Outlet.name == f.outlet)
        if f.since:
            occ.append(Article.published_at >= f.since)
        if f.until:
            occ.append(Article.published_at <= f.until)
        conds += queries.seen_between(f.since, f.until)
        conds.append(
            exists(
                select(Occurrence.id)
                .join(Article, Article.id == Occurrence.article_id)
                .outerjoin(Outlet, Outlet.id == Article.outlet_id)
                .where(and_(*occ))
            )
        )
    return conds


def speaker_statements_page(
    session: Session, speaker_id: int, filters: StatementFilters, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of a speaker's statements, newest first (by last date seen; on one day the most
    widely reported first), and the total count."""
    conds = _statement_conditions(speaker_id, filters)
    page = max(1, min(page, MAX_PAGE))
    newest = func.coalesce(Statement.last_seen, Statement.first_seen)
    # One query for the page and the total (a window count), so filters are evaluated once.
    rows = session.execute(
        select(Statement.id, func.count().over().label("total"))
        .where(*conds)
        .order_by(newest.desc().nulls_last(), Statement.occurrence_count.desc(), Statement.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    ids = [row.id for row in rows]
    if rows:
        total = int(rows[0].total)
    else:  # past the last page: count on its own
        total = session.scalar(select(func.count()).select_from(Statement).where(*conds)) or 0
    by_id = queries.statements_by_ids(session, ids)
    return [by_id[i] for i in ids if i in by_id], total


def speaker_roles(session: Session, speaker_id: int) -> list[dict[str, Any]]:
    """A speaker's roles with their dates, the current or latest first."""
    rows = session.execute(
        select(SpeakerRole.title, SpeakerRole.start_date, SpeakerRole.end_date, SpeakerRole.source)
        .where(SpeakerRole.speaker_id == speaker_id)
        .order_by(
            SpeakerRole.end_date.desc().nulls_first(),
            SpeakerRole.start_date.desc().nulls_last(),
            SpeakerRole.id,
        )
    ).all()
    seen: set[tuple[str, dt.date | None, dt.date | None]] = set()
    out = []
    for title, start, end, source in rows:
        if (title, start, end) in seen:
            continue
        seen.add((title, start, end))
        out.append({"title": title, "start": start, "end": end, "source": source})
    return out


def speaker_outlets(
    session: Session, speaker_id: int
) -> tuple[list[tuple[str, int]], tuple[dt.date | None, dt.date | None]]:
    """Outlets that reported a speaker's statements with how many statements each (most first), and
    the first and last publication dates of those reports."""
    n = func.count(func.distinct(Occurrence.statement_id))
    rows = session.execute(
        select(Outlet.name, n, func.min(Article.published_at), func.max(Article.published_at))
        .select_from(Occurrence)
        .join(Article, Article.id == Occurrence.article_id)
        .outerjoin(Outlet, Outlet.id == Article.outlet_id)
        .where(Occurrence.speaker_id == speaker_id, Occurrence.statement_id.is_not(None))
        .group_by(Outlet.name)
    ).all()
    firsts = [r[2] for r in rows if r[2] is not None]
    lasts = [r[3] for r in rows if r[3] is not None]
    named = sorted(((r[0], int(r[1])) for r in rows if r[0] is not None), key=lambda o: (-o[1], o[0]))
    return named, (min(firsts, default=None), max(lasts, default=None))


def article_quote_marks(session: Session, article_id: int) -> list[dict[str, Any]]:
    """Every quote of an article with the offsets the article page marks: the quote (and its
    parts), the cue and the speaker mention, and the resolved speaker (id, name, kind)."""
    rows = session.execute(
        select(Quote, Speaker.name, Speaker.kind)
        .outerjoin(Speaker, Speaker.id == Quote.speaker_id)
        .where(Quote.article_id == article_id)
        .order_by(Quote.start, Quote.id)
    ).all()
    statement_ids: dict[int, int] = {}
    for quote_id, statement_id in session.execute(
        select(Occurrence.quote_id, Occurrence.statement_id)
        .join(Quote, Quote.id == Occurrence.quote_id)
        .where(Quote.article_id == article_id, Occurrence.statement_id.is_not(None))
        .order_by(Occurrence.quote_id, Occurrence.start)
    ):
        if statement_id is not None:
            statement_ids.setdefault(quote_id, statement_id)
    out = []
    for quote, speaker_name, speaker_kind in rows:
        parts = [pair for p in quote.parts or [] if (pair := _pair(p))] or [(quote.start, quote.end)]
        out.append(
            {
                "id": quote.id,
                "start": quote.start,
                "end": quote.end,
                "parts": parts,
                "text": quote.text,
                "type": quote.type,
                "cue": quote.cue,
                "cue_span": _span(quote.cue_start, quote.cue_end),
                "mention": quote.mention,
                "mention_span": _span(quote.mention_start, quote.mention_end),
                "speaker": (
                    {"id": quote.speaker_id, "name": speaker_name, "kind": speaker_kind}
                    if quote.speaker_id
                    else None
                ),
                "speaker_name": quote.speaker_name,
                "statement_id": statement_ids.get(quote.id),
            }
        )
    return out


def _pair(p: Any) -> tuple[int, int] | None:
    """A stored quote part (``{"start", "end"}``) as a pair, or None when malformed."""
    if isinstance(p, dict) and isinstance(p.get("start"), int) and isinstance(p.get("end"), int):
        return (p["start"], p["end"]) if p["end"] > p["start"] else None
    return None


def _span(start: int | None, end: int | None) -> tuple[int, int] | None:
    return (start, end) if start is not None and end is not None and end > start else None


def recent_articles(session: Session, limit: int = 8) -> list[dict[str, Any]]:
    """The latest stored articles (by publication date, then id) with their quote counts."""
    n = select(func.count()).where(Quote.article_id == Article.id).correlate(Article).scalar_subquery()
    rows = session.execute(
        select(*queries.ARTICLE_REF_COLUMNS, n.label("quote_count"))
        .outerjoin(Outlet, Outlet.id == Article.outlet_id)
        .order_by(Article.published_at.desc().nulls_last(), Article.id.desc())
        .limit(limit)
    ).all()
    return [{**queries._article_ref(r), "quote_count": r.quote_count} for r in rows]


def top_speakers(session: Session, limit: int = 8) -> list[dict[str, Any]]:
    """The most quoted named speakers, with counts, aliases and roles."""
    n = func.count(Quote.id)
    ids = list(
        session.scalars(
            select(Speaker.id)
            .join(Quote, Quote.speaker_id == Speaker.id)
            .where(Speaker.kind.in_(("person", "organization")))
            .group_by(Speaker.id)
            .order_by(n.desc(), Speaker.id)
            .limit(limit)
        )
    )
    return [s for i in ids if (s := queries.get_speaker(session, i))]


def totals(session: Session) -> dict[str, int]:
    """How much is stored: articles, quotes, speakers, statements."""
    return {
        "articles": session.scalar(select(func.count()).select_from(Article)) or 0,
        "quotes": session.scalar(select(func.count()).select_from(Quote)) or 0,
        "speakers": session.scalar(select(func.count()).select_from(Speaker)) or 0,
        "statements": session.scalar(select(func.count()).select_from(Statement)) or 0,
    }
