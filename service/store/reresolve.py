"""Re-resolving the speakers of stored articles after the resolution rules change.

For each stored article, in id order and each in its own transaction: extract its quotes again,
match them to the stored quotes (same span, else the extracted quote overlapping most, Dice >= 0.5;
an unmatched stored quote keeps its stored speaker name and kind), resolve the article's speakers
with the current rules and move every quote whose speaker changed, with its units: out of their
old statements (`unplace_unit`) and into statements of the new speaker (`place_unit`). Nothing
stored is deleted but statements left empty and speakers left with nothing (no quote, statement
or registry data). Running it again changes nothing.

Concurrency: the same locks as ingest (article, every name key, each speaker's statements in id
order), so it may run next to ingest processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import Session, sessionmaker

from models import Article, Occurrence, Quote, Speaker, SpeakerAlias, SpeakerRole, SpeakerTerm, Statement
from service.db import advisory_xact_lock
from service.nlp.types import Quote as ExtractedQuote
from service.nlp.types import Speaker as ExtractedSpeaker
from service.nlp.types import TextSpan
from service.store.speakers import Resolution, resolve_article_speakers, speaker_key
from service.store.statements import place_unit, unplace_unit
from service.store.transactions import run_with_retry
from service.variants.embeddings import Embedder, embed
from service.vocab import SpeakerKind

ExtractMany = Callable[[list[str]], Iterable[list[Any]]]
MIN_DICE = 0.5


@dataclass
class ReresolveSummary:
    """Counts of one run."""

    articles: int = 0
    quotes_moved: int = 0
    speakers_created: int = 0
    speakers_removed: int = 0
    changed_articles: list[str] = field(default_factory=list)


def _dice(a: tuple[int, int], b: tuple[int, int]) -> float:
    overlap = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return 2 * overlap / ((a[1] - a[0]) + (b[1] - b[0]) or 1)


def match_quotes(stored: Sequence[Quote], extracted: Sequence[ExtractedQuote]) -> dict[int, ExtractedQuote]:
    """Stored quote id -> the extracted quote that is the same quote (same span, else the one
    overlapping it most with Dice >= `MIN_DICE`); one-to-one, exact spans first."""
    out: dict[int, ExtractedQuote] = {}
    by_span = {(q.start, q.end): q for q in extracted}
    used: set[tuple[int, int]] = set()
    for s in stored:
        q = by_span.get((s.start, s.end))
        if q is not None:
            out[s.id] = q
            used.add((q.start, q.end))
    pairs = sorted(
        (
            (_dice((s.start, s.end), (q.start, q.end)), s.id, (q.start, q.end))
            for s in stored
            if s.id not in out
            for q in extracted
            if (q.start, q.end) not in used
        ),
        reverse=True,
    )
    for score, sid, span in pairs:
        if score < MIN_DICE:
            break
        if sid in out or span in used:
            continue
        out[sid] = by_span[span]
        used.add(span)
    return out


def _stored_as_extracted(quote: Quote, kind: str | None) -> ExtractedQuote:
    """A stored quote whose extraction no longer finds it, with its stored speaker."""
    mention = (
        TextSpan(quote.mention_start, quote.mention_end or quote.mention_start, quote.mention)
        if quote.mention is not None and quote.mention_start is not None
        else None
    )
    speaker = ExtractedSpeaker(quote.speaker_name, mention, kind or SpeakerKind.UNKNOWN.value)  # type: ignore[arg-type]
    return ExtractedQuote(quote.start, quote.end, quote.text, quote.type, speaker=speaker)  # type: ignore[arg-type]


def _article_quotes(
    session: Session, article_id: int, extracted: Sequence[ExtractedQuote]
) -> list[tuple[Quote, ExtractedQuote]]:
    rows = session.execute(
        select(Quote, Speaker.kind)
        .outerjoin(Speaker, Speaker.id == Quote.speaker_id)
        .where(Quote.article_id == article_id)
        .order_by(Quote.start, Quote.id)
    ).all()
    stored = [r.Quote for r in rows]
    matched = match_quotes(stored, extracted)
    return [
        (r.Quote, matched.get(r.Quote.id) or _stored_as_extracted(r.Quote, r.Quote.speaker_kind or r.kind))
        for r in rows
    ]


def _only_here(session: Session, speaker_id: int, article_id: int) -> bool:
    """Whether every quote of the speaker is in this article."""
    elsewhere = session.scalar(
        select(exists().where(Quote.speaker_id == speaker_id, Quote.article_id != article_id))
    )
    return not elsewhere


def _keep_short_speakers(
    session: Session,
    article_id: int,
    pairs: Sequence[tuple[Quote, ExtractedQuote]],
    resolved: dict[Any, Resolution],
) -> None:
    """A speaker known only by a short form that this article alone uses stays its speaker (so a
    second run does not trade it for a new one): a new short-form speaker is swapped back for it
    and deleted."""
    current: dict[Any, set[int | None]] = {}
    for quote, x in pairs:
        current.setdefault(speaker_key(x), set()).add(quote.speaker_id)
    swap: dict[int, Resolution] = {}
    for key, res in resolved.items():
        old = current.get(key, set())
        if not res.created or res.speaker_id is None or res.speaker_id in swap or len(old) != 1:
            continue
        (old_id,) = old
        if old_id is None or old_id == res.speaker_id:
            continue
        row = session.get(Speaker, old_id)
        if row is None or row.key is not None or not _only_here(session, old_id, article_id):
            continue
        swap[res.speaker_id] = Resolution(old_id, False, row.kind)
    for key, res in list(resolved.items()):
        if res.speaker_id in swap:
            resolved[key] = swap[res.speaker_id]
    session.flush()
    if swap:
        _delete_speakers(session, sorted(swap))


def _move(
    session: Session,
    pairs: Sequence[tuple[Quote, ExtractedQuote]],
    resolved: dict[Any, Resolution],
    embed_fn: Embedder,
) -> int:
    """Give each quote its resolved speaker; its units follow. Returns the number of quotes moved."""
    changes = []
    for quote, x in pairs:
        res = resolved[speaker_key(x)]
        sp = x.speaker
        quote.speaker_name = (sp.name or None) and sp.name[:300]
        quote.speaker_kind = res.kind
        if sp.mention is not None:
            quote.mention = sp.mention.text[:300]
            quote.mention_start, quote.mention_end = sp.mention.start, sp.mention.end
        if quote.speaker_id != res.speaker_id:
            changes.append((quote, res.speaker_id))
    if not changes:
        session.flush()
        return 0
    ids = {q.speaker_id for q, _ in changes} | {n for _, n in changes}
    for sid in sorted(i for i in ids if i is not None):
        advisory_xact_lock(session, "statements", sid)
    when = session.scalar(select(Article.published_at).where(Article.id == changes[0][0].article_id))
    for quote, new_id in changes:
        occs = session.scalars(
            select(Occurrence).where(Occurrence.quote_id == quote.id).order_by(Occurrence.start)
        ).all()
        for occ in occs:
            unplace_unit(session, occ, embed_fn)
            occ.speaker_id = new_id
        quote.speaker_id = new_id
        session.flush()
        if new_id is not None:
            for occ in occs:
                place_unit(session, occ, when, embed_fn)
    return len(changes)


def _reresolve_article(
    session: Session, article_id: int, extracted: Sequence[ExtractedQuote], embed_fn: Embedder
) -> tuple[int, int]:
    """Re-resolve one article's speakers; (quotes moved, speakers created)."""
    article = session.get(Article, article_id)
    if article is None:
        return 0, 0  # deleted meanwhile
    advisory_xact_lock(session, "article", article.content_hash)
    pairs = _article_quotes(session, article_id, extracted)
    resolved = resolve_article_speakers(session, [x for _, x in pairs], article.published_at)
    _keep_short_speakers(session, article_id, pairs, resolved)
    moved = _move(session, pairs, resolved, embed_fn)
    used = {r.speaker_id for r in resolved.values()}
    created = sum(1 for r in resolved.values() if r.created and r.speaker_id in used)
    return moved, created


def _article_work(
    article_id: int, quotes: Sequence[ExtractedQuote], embed_fn: Embedder
) -> Callable[[Session], tuple[int, int]]:
    def work(session: Session) -> tuple[int, int]:
        return _reresolve_article(session, article_id, quotes, embed_fn)

    return work


def remove_orphan_speakers(session: Session) -> int:
    """Delete speakers left with nothing: no quote, unit or statement, and no registry data
    (registry roles, Wikidata id, description). Returns how many."""
    orphans = session.scalars(
        select(Speaker.id).where(
            ~exists().where(Quote.speaker_id == Speaker.id),
            ~exists().where(Occurrence.speaker_id == Speaker.id),
            ~exists().where(Statement.speaker_id == Speaker.id),
            ~exists().where(SpeakerRole.speaker_id == Speaker.id, SpeakerRole.source == "registry"),
            Speaker.wikidata_id.is_(None),
            or_(Speaker.description.is_(None), Speaker.description == ""),
        )
    ).all()
    for sid in orphans:
        advisory_xact_lock(session, "statements", sid)
    _delete_speakers(session, orphans)
    return len(orphans)


def _delete_speakers(session: Session, ids: Sequence[int]) -> None:
    if ids:
        for model in (SpeakerAlias, SpeakerRole, SpeakerTerm):
            session.execute(delete(model).where(model.speaker_id.in_(ids)))
        session.execute(delete(Speaker).where(Speaker.id.in_(ids)))


def reresolve_all(
    session_factory: sessionmaker[Session],
    *,
    extract_many: ExtractMany | None = None,
    batch_size: int = 16,
    embed_fn: Embedder = embed,
    progress: Callable[[str, int], None] | None = None,
) -> ReresolveSummary:
    """Re-resolve the speakers of every stored article (see the module docstring)."""
    if extract_many is None:
        from service.nlp.pipeline import get_extractor

        extractor = get_extractor()

        def extract_many(texts: list[str]) -> Iterable[list[Any]]:
            return extractor.extract_many(texts, batch_size=batch_size)

    summary = ReresolveSummary()
    with session_factory() as s:
        ids = list(s.scalars(select(Article.id).order_by(Article.id)))
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        with session_factory() as s:
            rows = s.execute(
                select(Article.id, Article.external_id, Article.text).where(Article.id.in_(chunk))
            )
            articles = sorted(rows, key=lambda r: r.id)
        for row, quotes in zip(articles, extract_many([r.text for r in articles]), strict=True):
            moved, created = run_with_retry(session_factory, _article_work(row.id, quotes, embed_fn))
            summary.articles += 1
            summary.quotes_moved += moved
            summary.speakers_created += created
            if moved:
                summary.changed_articles.append(row.external_id)
            if progress:
                progress(row.external_id, moved)
    summary.speakers_removed = run_with_retry(session_factory, remove_orphan_speakers)
    return summary
