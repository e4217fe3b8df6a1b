"""Writing articles, speakers, quotes and statements: the only session I/O for writes.

Each article is stored in one transaction (`ingest_article`). Concurrency between processes:

- the database is the only state; nothing is cached across transactions;
- unique constraints back every identity (article content hash and URL, speaker key, full-name
  alias, statement placement per unit), and a transaction that loses a race is retried and then
  finds the other's rows;
- PostgreSQL: transaction-scoped advisory locks on the article hash/URL, on every speaker name key
  the article uses (taken in sorted order) and on each speaker's statements (sorted by id), so
  two processes never create the same speaker or statement twice;
- SQLite: writers take the database write lock at BEGIN (``BEGIN IMMEDIATE``), so they are serial.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from models import (
    Article,
    Occurrence,
    OccurrenceBand,
    Outlet,
    Quote,
    Speaker,
    SpeakerAlias,
    SpeakerRole,
    SpeakerTerm,
    Statement,
)
from service.db import advisory_xact_lock
from service.nlp.types import Quote as ExtractedQuote
from service.registry.names import NameProfile, alias_rows, initials_compatible, org_parts, profile, role_key
from service.variants.embeddings import cosine, embed, from_bytes, to_bytes
from service.variants.grouping import (
    Candidate,
    band_keys,
    canonical_rank,
    idf_weight,
    label,
    place,
    unit_score,
    word_diff,
)
from service.variants.similarity import features
from service.variants.units import split_units

log = logging.getLogger(__name__)

# A speaker with at most this many placed units is compared with all of them (blocking by speaker);
# above it, candidates come from the MinHash LSH band index.
SMALL_SPEAKER_UNITS = 400
LSH_CANDIDATES = 200
# Above SMALL_SPEAKER_UNITS, the canonical units of the speaker's latest statements are candidates
# too (a paraphrase may share no LSH band with its statement; the embedding can still match).
RECENT_STATEMENTS = 50
# Observed roles ("Defense Secretary" in an article of 2024-10-24) resolve role-only mentions
# this many days around the dates they were seen.
OBSERVED_ROLE_SLACK = dt.timedelta(days=45)
MAX_ATTEMPTS = 6
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


def _shift(day: dt.date, delta: dt.timedelta) -> dt.date:
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


# ---------------------------------------------------------------- duplicates


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


# ---------------------------------------------------------------- outlets


def _get_outlet(session: Session, name: str | None, url: str | None) -> int | None:
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


# ---------------------------------------------------------------- speakers


def _lock_names(session: Session, profiles: Iterable[NameProfile]) -> None:
    keys: set[str] = set()
    for p in profiles:
        keys.update(k for k in (p.key, *p.full_keys) if k)
        keys.update(p.short_keys)
        keys.update("~" + k for k in p.short_keys)
        keys.update("role:" + k for k in p.role_keys)
    for k in sorted(keys):
        advisory_xact_lock(session, "speaker", k)


def _add_aliases(session: Session, speaker_id: int, prof: NameProfile) -> None:
    rows = alias_rows(prof)
    if not rows:
        return
    keys = {k for _, k, _ in rows}
    have = set(
        session.execute(
            select(SpeakerAlias.speaker_id, SpeakerAlias.key, SpeakerAlias.unique_key).where(
                SpeakerAlias.key.in_(keys)
            )
        ).all()
    )
    mine = {k for sid, k, _ in have if sid == speaker_id}
    taken = {u for _, _, u in have if u}
    for text, key, kind in rows:
        if key in mine:
            continue
        unique = key if kind in ("name", "variant") else None
        if unique and unique in taken:
            continue  # another speaker already holds this full name
        session.add(
            SpeakerAlias(speaker_id=speaker_id, alias=text[:300], key=key[:300], unique_key=unique, kind=kind)
        )
        mine.add(key)
    session.flush()


def _observe_roles(
    session: Session, speaker_id: int, prof: NameProfile, roles: Sequence[str], when: dt.date
) -> None:
    """Record that the speaker held these titles on ``when`` ("observed" rows, one per title).

    (speaker, key, start_date) is unique across sources: a registry row that starts on ``when``
    already covers that date, so no observed row is created on it or moved onto it.
    """
    titles = {role_key(r): r for r in roles if role_key(r)}
    for key in prof.role_keys:
        titles.setdefault(key, key)
    for key, title in titles.items():
        rows = session.scalars(
            select(SpeakerRole).where(SpeakerRole.speaker_id == speaker_id, SpeakerRole.key == key)
        ).all()
        starts = {r.start_date for r in rows}
        role = next((r for r in rows if r.source == "observed"), None)
        if role is None:
            if when not in starts:
                session.add(
                    SpeakerRole(
                        speaker_id=speaker_id,
                        title=title[:300],
                        key=key[:300],
                        start_date=when,
                        end_date=when,
                        source="observed",
                    )
                )
        else:
            start = min(role.start_date or when, when)
            if start != role.start_date and start not in starts:
                role.start_date = start
            role.end_date = max(role.end_date or when, when)
    session.flush()


def _by_role(session: Session, prof: NameProfile, when: dt.date) -> int | None:
    """The one speaker who held one of ``prof``'s titles on ``when``, if exactly one did.

    One-word titles ("the president", "the secretary") are too vague to resolve across articles.
    """
    keys = [k for k in prof.role_keys if len(k.split()) >= 2]
    if not keys:
        return None
    dated = and_(
        SpeakerRole.source == "registry",
        SpeakerRole.start_date.is_not(None),
        SpeakerRole.start_date <= when,
        or_(SpeakerRole.end_date.is_(None), SpeakerRole.end_date >= when),
    )
    observed = and_(
        SpeakerRole.source == "observed",
        SpeakerRole.start_date <= _shift(when, OBSERVED_ROLE_SLACK),
        SpeakerRole.end_date >= _shift(when, -OBSERVED_ROLE_SLACK),
    )
    ids = set(
        session.scalars(
            select(SpeakerRole.speaker_id).where(SpeakerRole.key.in_(keys), or_(dated, observed))
        ).all()
    )
    return ids.pop() if len(ids) == 1 else None


def _by_short(session: Session, prof: NameProfile, keys: Sequence[str]) -> int | None:
    if not keys:
        return None
    ids = set(
        session.scalars(
            select(SpeakerAlias.speaker_id)
            .join(Speaker, Speaker.id == SpeakerAlias.speaker_id)
            .where(SpeakerAlias.key.in_(keys), SpeakerAlias.kind == "surname", Speaker.kind == prof.kind)
        ).all()
    )
    ids |= set(session.scalars(select(Speaker.id).where(Speaker.key.in_(["~" + k for k in keys]))).all())
    return ids.pop() if len(ids) == 1 else None


def _bare_org(session: Session, prof: NameProfile) -> int | None:
    """A country-qualified organisation ("South Korean National Intelligence Service") found as an
    organisation stored under its bare name, if exactly one has it and no other country's form."""
    country, bare = org_parts(prof.display)
    if country is None:
        return None
    ids = set(
        session.scalars(
            select(SpeakerAlias.speaker_id)
            .join(Speaker, Speaker.id == SpeakerAlias.speaker_id)
            .where(SpeakerAlias.unique_key == bare, Speaker.kind == prof.kind)
        ).all()
    )
    if len(ids) != 1:
        return None
    sid = ids.pop()
    names = session.scalars(
        select(SpeakerAlias.alias).where(SpeakerAlias.speaker_id == sid, SpeakerAlias.kind == "name")
    ).all()
    countries = {org_parts(n)[0] for n in names} - {None}
    return sid if countries <= {country} else None


def resolve_speaker(
    session: Session,
    prof: NameProfile | None,
    when: dt.date | None,
    context: dict[str, set[int]] | None = None,
    roles: Sequence[str] = (),
) -> tuple[int | None, bool]:
    """The canonical speaker id for ``prof`` (creating one if needed) and whether it was created.

    Order: full names (unique aliases) -> short forms that this article's already resolved
    speakers use (``context``) -> a short form held by exactly one known speaker of the same
    kind (surname-only persons, bare organisation names) -> a title held by exactly one speaker
    on that date (role-only mentions; never creates a speaker) -> a new speaker.

    ``when`` is the article's date; None (undated) resolves no role-only mention and records
    no observed role, since either would need a date.
    """
    if prof is None:
        return None, False
    context = context if context is not None else {}
    if not prof.key:
        return (_by_role(session, prof, when) if when is not None else None), False
    sid: int | None = None
    if prof.full_keys:
        rows = session.execute(
            select(SpeakerAlias.speaker_id, SpeakerAlias.unique_key).where(
                SpeakerAlias.unique_key.in_(prof.full_keys)
            )
        ).all()
        rows += session.execute(select(Speaker.id, Speaker.key).where(Speaker.key.in_(prof.full_keys))).all()
        if rows and prof.kind == "person":
            # "George W. Bush" is not "George H. W. Bush" although both fold to "george bush".
            ids = {r[0] for r in rows}
            names = dict(session.execute(select(Speaker.id, Speaker.name).where(Speaker.id.in_(ids))).all())
            rows = [r for r in rows if initials_compatible(prof.display, names[r[0]])]
        if rows:
            exact = [r[0] for r in rows if r[1] == prof.key]
            sid = exact[0] if exact else min(r[0] for r in rows)
    bare_org_keys = [k for k in prof.full_keys if prof.kind != "person" and " " in k]
    if sid is None:
        lookup = list(prof.short_keys) if not prof.full_keys else []
        lookup += bare_org_keys
        in_article = {i for k in lookup for i in context.get(k, set())}
        if len(in_article) == 1:
            sid = next(iter(in_article))
        elif not in_article:
            sid = _by_short(session, prof, lookup)
    if sid is None and prof.kind != "person":
        sid = _bare_org(session, prof)
    if sid is None and prof.kind == "person" and prof.full_keys:
        # An earlier surname-only speaker ("Kirby") becomes this full-named one.
        olds = session.scalars(
            select(Speaker).where(Speaker.key.in_(["~" + k for k in prof.short_keys]))
        ).all()
        # Only while no other known person has that surname (else "Kim" could be any Kim).
        others = session.scalar(
            select(func.count(func.distinct(SpeakerAlias.speaker_id)))
            .join(Speaker, Speaker.id == SpeakerAlias.speaker_id)
            .where(
                SpeakerAlias.key.in_(prof.short_keys),
                SpeakerAlias.kind == "surname",
                Speaker.kind == "person",
                Speaker.key.not_like("~%"),
            )
        )
        if len(olds) == 1 and not others:
            old = olds[0]
            old.name, old.key = prof.display[:300], prof.key[:300]
            session.flush()
            sid = old.id
    created = False
    if sid is None:
        try:
            with session.begin_nested():
                sp = Speaker(name=prof.display[:300], key=prof.key[:300], kind=prof.kind)
                session.add(sp)
                session.flush()
                sid, created = sp.id, True
        except IntegrityError:
            sid = session.scalar(select(Speaker.id).where(Speaker.key == prof.key))
            if sid is None:
                raise
    _add_aliases(session, sid, prof)
    if (roles or prof.role_keys) and when is not None:
        _observe_roles(session, sid, prof, roles, when)
    for k in (*prof.short_keys, *bare_org_keys, *prof.full_keys):
        context.setdefault(k, set()).add(sid)
    return sid, created


# ---------------------------------------------------------------- registry file


def load_registry(session_factory: sessionmaker[Session], path: str | Path) -> int:
    """Load known speakers (aliases, dated roles, Wikidata ids) from a JSON registry; idempotent.

    Format: ``{"speakers": [{"name", "kind", "aliases": [...], "description", "wikidata_id",
    "roles": [{"title", "start", "end"}]}]}``. Returns the number of entries read.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    entries = data.get("speakers", []) if isinstance(data, dict) else data

    def work(session: Session) -> int:
        profs = []
        for e in entries:
            p = profile(e["name"], e.get("kind", "person"), tuple(e.get("aliases", ())), trusted=True)
            if p is not None and p.key:
                profs.append((e, p))
        _lock_names(session, [p for _, p in profs])
        for e, p in profs:
            sid, _ = resolve_speaker(session, p, None)
            if sid is None:
                continue
            sp = session.get(Speaker, sid)
            assert sp is not None
            if e.get("description") and not sp.description:
                sp.description = e["description"]
            if e.get("wikidata_id") and not sp.wikidata_id:
                taken = session.scalar(select(Speaker.id).where(Speaker.wikidata_id == e["wikidata_id"]))
                if taken is None:
                    sp.wikidata_id = e["wikidata_id"]
            for r in e.get("roles", ()):
                key = role_key(r["title"])
                start = parse_date(r.get("start"))
                exists = session.scalar(
                    select(SpeakerRole).where(
                        SpeakerRole.speaker_id == sid,
                        SpeakerRole.key == key,
                        SpeakerRole.start_date.is_(None)
                        if start is None
                        else SpeakerRole.start_date == start,
                    )
                )
                if exists is not None and exists.source == "observed":
                    # An article saw the title on the registry's start date: the row becomes the
                    # registry's (same unique key), with the registry's title and end.
                    exists.source, exists.title = "registry", r["title"][:300]
                    exists.end_date = parse_date(r.get("end"))
                elif exists is None:
                    session.add(
                        SpeakerRole(
                            speaker_id=sid,
                            title=r["title"],
                            key=key,
                            start_date=start,
                            end_date=parse_date(r.get("end")),
                            source="registry",
                        )
                    )
            session.flush()
        return len(profs)

    return _run_with_retry(session_factory, work)


# ---------------------------------------------------------------- statements


def _bump_terms(session: Session, speaker_id: int, stems: Iterable[str]) -> None:
    rows = [{"speaker_id": speaker_id, "stem": s[:100], "df": 1} for s in sorted(set(stems))]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    ins = postgresql.insert(SpeakerTerm) if dialect == "postgresql" else sqlite.insert(SpeakerTerm)
    stmt = ins.on_conflict_do_update(index_elements=["speaker_id", "stem"], set_={"df": SpeakerTerm.df + 1})
    session.connection().execute(stmt, rows)


def _candidates(session: Session, speaker_id: int, unit_count: int, keys: list[int]) -> list[Candidate]:
    cols = (
        Occurrence.id,
        Occurrence.statement_id,
        Occurrence.text,
        Occurrence.article_id,
        Occurrence.embedding,
    )
    queries: list[Any] = []
    if unit_count <= SMALL_SPEAKER_UNITS:
        queries.append(
            select(*cols).where(Occurrence.speaker_id == speaker_id, Occurrence.statement_id.is_not(None))
        )
    else:
        if keys:
            hits = (
                select(OccurrenceBand.occurrence_id, func.count().label("n"))
                .where(OccurrenceBand.speaker_id == speaker_id, OccurrenceBand.band.in_(keys))
                .group_by(OccurrenceBand.occurrence_id)
                .order_by(func.count().desc(), OccurrenceBand.occurrence_id)
                .limit(LSH_CANDIDATES)
                .subquery()
            )
            queries.append(select(*cols).join(hits, hits.c.occurrence_id == Occurrence.id))
        recent = (
            select(Statement.id)
            .where(Statement.speaker_id == speaker_id)
            .order_by(Statement.id.desc())
            .limit(RECENT_STATEMENTS)
            .scalar_subquery()
        )
        queries.append(
            select(*cols).where(Occurrence.statement_id.in_(recent), Occurrence.label == "canonical")
        )
    seen: set[int] = set()
    out: list[Candidate] = []
    for q in queries:
        for r in session.execute(q):
            if r.id not in seen:
                seen.add(r.id)
                out.append(Candidate(r.statement_id, features(r.text), r.article_id, from_bytes(r.embedding)))
    return out


def _relabel(
    session: Session, statement: Statement, weight: Callable[[str], float], canonical_vec: np.ndarray | None
) -> None:
    """Label, diff and score the statement's units against its (new) canonical wording."""
    canonical = features(statement.text)
    for occ in session.scalars(select(Occurrence).where(Occurrence.statement_id == statement.id)):
        if occ.text == statement.text and occ.label == "canonical":
            continue
        occ.label = label(occ.text, statement.text)
        occ.diff = word_diff(statement.text, occ.text)
        cos = cosine(from_bytes(occ.embedding), canonical_vec)
        occ.similarity = unit_score(features(occ.text), canonical, weight, cos)


def place_unit(session: Session, occ: Occurrence, when: dt.date | None) -> bool:
    """Put a stored unit (with a speaker) into a statement of its speaker; True if one was created.

    The caller holds the speaker's statement lock. Candidates: all the speaker's units while it
    has few, else units sharing a MinHash LSH band (indexed SQL lookup) and the canonical units of
    the speaker's ``RECENT_STATEMENTS`` latest statements. The unit's embedding is computed here
    only when ingest did not store one; candidates' are read from the store. ``when`` (the
    article's date; None when undated) extends the statement's first/last seen dates, which stay
    NULL until a dated article has the statement.
    """
    assert occ.speaker_id is not None
    sp_row = session.execute(select(Speaker.unit_count).where(Speaker.id == occ.speaker_id)).one()
    f = features(occ.text)
    keys = band_keys(f)
    vec = from_bytes(occ.embedding)
    if vec is None:
        vec = embed([occ.text])[0]
        occ.embedding = to_bytes(vec)
    cands = _candidates(session, occ.speaker_id, sp_row.unit_count, keys)
    stems = set(f.stems)
    for c in cands:
        stems |= c.features.stems
    df = dict(
        session.execute(
            select(SpeakerTerm.stem, SpeakerTerm.df).where(
                SpeakerTerm.speaker_id == occ.speaker_id, SpeakerTerm.stem.in_(sorted(stems))
            )
        ).all()
    )
    weight = idf_weight(df, sp_row.unit_count)
    placement = place(f, occ.article_id, cands, weight, vec)
    created = False
    if placement.statement_id is None:
        st = Statement(
            speaker_id=occ.speaker_id,
            text=occ.text,
            canonical_type=occ.type,
            first_seen=when,
            last_seen=when,
            occurrence_count=1,
        )
        session.add(st)
        session.flush()
        occ.statement_id, occ.label, occ.similarity, occ.diff = st.id, "canonical", 1.0, None
        created = True
    else:
        st = session.get(Statement, placement.statement_id, with_for_update=False)
        assert st is not None
        occ.statement_id = st.id
        occ.similarity = placement.score
        st.occurrence_count = (st.occurrence_count or 0) + 1
        if when is not None:
            st.first_seen = min(st.first_seen or when, when)
            st.last_seen = max(st.last_seen or when, when)
        if canonical_rank(occ.type, occ.text)[0] < canonical_rank(st.canonical_type, st.text)[0]:
            # A direct quote replaces an indirect wording as the canonical one.
            old = session.scalars(
                select(Occurrence).where(Occurrence.statement_id == st.id, Occurrence.label == "canonical")
            ).all()
            for o in old:
                o.label = None
            st.text, st.canonical_type = occ.text, occ.type
            occ.label, occ.diff, occ.similarity = "canonical", None, 1.0
            session.flush()
            _relabel(session, st, weight, vec)
        else:
            occ.label = label(occ.text, st.text)
            occ.diff = word_diff(st.text, occ.text)
    session.add_all(
        OccurrenceBand(occurrence_id=occ.id, band_no=i, speaker_id=occ.speaker_id, band=k)
        for i, k in enumerate(keys)
    )
    _bump_terms(session, occ.speaker_id, f.stems)
    session.execute(
        update(Speaker).where(Speaker.id == occ.speaker_id).values(unit_count=Speaker.unit_count + 1)
    )
    session.flush()
    return created


# ---------------------------------------------------------------- articles


def _unit_embeddings(article: ArticleInput, quotes: Sequence[ExtractedQuote]) -> dict[str, bytes]:
    """Stored embeddings of the units of quotes with a speaker, by text: computed in one batch
    before the write transaction, so that no lock is held while the model runs."""
    texts = sorted(
        {
            u.text
            for q in quotes
            if q.speaker.name
            for u in split_units(article.text, q.start, q.end, [(p.start, p.end) for p in q.parts])
        }
    )
    return {t: to_bytes(v) for t, v in zip(texts, embed(texts), strict=True)}


def _store_article(
    session: Session,
    article: ArticleInput,
    quotes: Sequence[ExtractedQuote],
    embeddings: dict[str, bytes] | None = None,
) -> IngestResult:
    advisory_xact_lock(session, "article", article.content_hash)
    if article.url:
        advisory_xact_lock(session, "article-url", article.url)
    dup = find_duplicate(session, article)
    if dup is not None:
        return IngestResult(article.external_id, "duplicate", dup[0], dup[1])
    when = article.published_at  # None when undated: no date is guessed (not the ingest day)
    outlet_id = _get_outlet(session, article.outlet, article.outlet_url)
    row = Article(
        external_id=article.external_id[:500],
        url=article.url,
        headline=article.headline,
        outlet_id=outlet_id,
        published_at=article.published_at,
        text=article.text,
        content_hash=article.content_hash,
    )
    session.add(row)
    session.flush()
    result = IngestResult(article.external_id, "added", row.id)

    # Speakers: lock every name key first (sorted), then resolve full names before short ones.
    profs: dict[tuple[Any, ...], NameProfile | None] = {}
    for q in quotes:
        sp = q.speaker
        k = (sp.name, sp.kind, sp.aliases, sp.roles)
        if k not in profs:
            profs[k] = (
                profile(sp.name or "", sp.kind, tuple(sp.aliases), tuple(sp.roles)) if sp.name else None
            )
    _lock_names(session, [p for p in profs.values() if p is not None])
    context: dict[str, set[int]] = {}
    resolved: dict[tuple[Any, ...], int | None] = {}
    order = sorted(profs, key=lambda k: (0 if (profs[k] and profs[k].full_keys) else 1, str(k)))  # type: ignore[union-attr]
    for k in order:
        sid, created = resolve_speaker(session, profs[k], when, context, roles=k[3])
        resolved[k] = sid
        result.speakers_created += int(created)

    # Quotes and their units.
    pending: dict[int, list[Occurrence]] = defaultdict(list)
    seen_spans: set[tuple[int, int]] = set()
    seen_quotes: set[tuple[int, int]] = set()
    for q in sorted(quotes, key=lambda q: (q.start, q.end)):
        sp = q.speaker
        sid = resolved.get((sp.name, sp.kind, sp.aliases, sp.roles))
        if (q.start, q.end) in seen_quotes:
            continue  # the article is new in this transaction: its quotes so far are these
        seen_quotes.add((q.start, q.end))
        qrow = Quote(
            article_id=row.id, start=q.start, end=q.end, text=q.text, type=q.type,
            parts=[{"start": p.start, "end": p.end} for p in q.parts] or None,
            cue=q.cue.text[:200] if q.cue else None, cue_start=q.cue.start if q.cue else None,
            cue_end=q.cue.end if q.cue else None,
            mention=sp.mention.text[:300] if sp.mention else None,
            mention_start=sp.mention.start if sp.mention else None,
            mention_end=sp.mention.end if sp.mention else None,
            speaker_name=(sp.name or None) and sp.name[:300], speaker_id=sid,
        )  # fmt: skip
        session.add(qrow)
        session.flush()
        result.quotes += 1
        for u in split_units(article.text, q.start, q.end, [(p.start, p.end) for p in q.parts]):
            if (u.start, u.end) in seen_spans:
                continue  # the same words inside two (nested or repeated) quotes: one unit
            seen_spans.add((u.start, u.end))
            occ = Occurrence(
                quote_id=qrow.id,
                article_id=row.id,
                speaker_id=sid,
                start=u.start,
                end=u.end,
                text=u.text,
                type=q.type,
            )
            session.add(occ)
            result.units += 1
            if sid is not None:
                pending[sid].append(occ)
    session.flush()
    # Embeddings of the units to place (stored with the units; place_unit computes any missing).
    for occs in pending.values():
        for o in occs:
            o.embedding = (embeddings or {}).get(o.text)

    # Statements, one speaker at a time in id order (the per-speaker lock order).
    for sid in sorted(pending):
        advisory_xact_lock(session, "statements", sid)
        for occ in sorted(pending[sid], key=lambda o: o.start):
            result.statements_created += int(place_unit(session, occ, when))
    return result


def _run_with_retry(session_factory: sessionmaker[Session], work: Any) -> Any:
    """Run ``work(session)`` in one write transaction, retrying lost races and lock timeouts."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        session = session_factory()
        try:
            with session.begin():
                return work(session)
        except (IntegrityError, OperationalError) as exc:
            if attempt == MAX_ATTEMPTS:
                raise
            log.info("retrying after %s (attempt %d)", type(exc.orig).__name__ if exc.orig else exc, attempt)
            time.sleep(0.05 * attempt)
        finally:
            session.close()
    raise RuntimeError("unreachable")


def ingest_article(
    session_factory: sessionmaker[Session], article: ArticleInput, quotes: Sequence[ExtractedQuote]
) -> IngestResult:
    """Store one article with its extracted quotes in one transaction (or report a duplicate)."""
    embeddings = _unit_embeddings(article, quotes)
    result: IngestResult = _run_with_retry(
        session_factory, lambda s: _store_article(s, article, quotes, embeddings)
    )
    return result
