"""Statement placement: each stored unit of a quote with a speaker goes into a statement of
that speaker (a new one, or the one whose wording it varies), with its variant label, word diff
and score; MinHash LSH band keys and term counts are kept for later candidates.

Concurrency: placement takes a per-speaker advisory lock (PostgreSQL), speakers in id order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import Article, Occurrence, OccurrenceBand, Speaker, SpeakerTerm, Statement
from service.db import advisory_xact_lock
from service.variants.embeddings import Embedder, cosine, embed, from_bytes, to_bytes
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

# A speaker with at most this many placed units is compared with all of them (blocking by speaker);
# above it, candidates come from the MinHash LSH band index.
SMALL_SPEAKER_UNITS = 400
LSH_CANDIDATES = 200
# Above SMALL_SPEAKER_UNITS, the canonical units of the speaker's latest statements are candidates
# too (a paraphrase may share no LSH band with its statement; the embedding can still match).
RECENT_STATEMENTS = 50


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


def place_unit(session: Session, occ: Occurrence, when: dt.date | None, embed_fn: Embedder = embed) -> bool:
    """Put a stored unit (with a speaker) into a statement of its speaker; True if one was created.

    The caller holds the speaker's statement lock. Candidates: all the speaker's units while it
    has few, else units sharing a MinHash LSH band (indexed SQL lookup) and the canonical units of
    the speaker's ``RECENT_STATEMENTS`` latest statements. The unit's embedding is computed here
    only when ingest did not store one (with ``embed_fn``); candidates' are read from the store. ``when`` (the
    article's date; None when undated) extends the statement's first/last seen dates, which stay
    NULL until a dated article has the statement.
    """
    assert occ.speaker_id is not None
    sp_row = session.execute(select(Speaker.unit_count).where(Speaker.id == occ.speaker_id)).one()
    f = features(occ.text)
    keys = band_keys(f)
    vec = from_bytes(occ.embedding)
    if vec is None:
        vec = embed_fn([occ.text])[0]
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
        found = session.get(Statement, placement.statement_id, with_for_update=False)
        assert found is not None
        st = found
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


def unit_embeddings(texts: Iterable[str], embed_fn: Embedder = embed) -> dict[str, bytes]:
    """Stored embeddings of unit texts, by text, computed in one batch (before the write
    transaction, so that no lock is held while the model runs)."""
    unique = sorted(set(texts))
    return {t: to_bytes(v) for t, v in zip(unique, embed_fn(unique), strict=True)}


def place_units(
    session: Session,
    pending: Mapping[int, Sequence[Occurrence]],
    when: dt.date | None,
    embeddings: Mapping[str, bytes] | None = None,
    embed_fn: Embedder = embed,
) -> int:
    """Place new units (by speaker id), one speaker at a time in id order (the per-speaker lock
    order); units take their stored embedding from ``embeddings`` when it has their text.
    Returns the number of statements created."""
    for occs in pending.values():
        for o in occs:
            o.embedding = (embeddings or {}).get(o.text)
    created = 0
    for sid in sorted(pending):
        advisory_xact_lock(session, "statements", sid)
        for occ in sorted(pending[sid], key=lambda o: o.start):
            created += int(place_unit(session, occ, when, embed_fn))
    return created


def _drop_terms(session: Session, speaker_id: int, stems: Iterable[str]) -> None:
    """Undo `_bump_terms` for one unit: the speaker's term counts without its stems."""
    keys = sorted({s[:100] for s in stems})
    if not keys:
        return
    where = (SpeakerTerm.speaker_id == speaker_id, SpeakerTerm.stem.in_(keys))
    session.execute(update(SpeakerTerm).where(*where).values(df=SpeakerTerm.df - 1))
    session.execute(delete(SpeakerTerm).where(*where, SpeakerTerm.df <= 0))


def unplace_unit(session: Session, occ: Occurrence) -> None:
    """Take a placed unit out of its statement and its speaker's index (the reverse of
    `place_unit`; the caller holds the speaker's statement lock).

    The statement loses one occurrence and is deleted when none is left; when the unit gave its
    canonical wording, the best remaining unit (direct first, then longer) gives it instead and the
    others are relabelled against it. Its first/last seen dates follow the remaining units.
    """
    if occ.statement_id is None or occ.speaker_id is None:
        occ.statement_id = None
        return
    speaker_id, statement_id, was_canonical = occ.speaker_id, occ.statement_id, occ.label == "canonical"
    session.execute(delete(OccurrenceBand).where(OccurrenceBand.occurrence_id == occ.id))
    _drop_terms(session, speaker_id, features(occ.text).stems)
    session.execute(update(Speaker).where(Speaker.id == speaker_id).values(unit_count=Speaker.unit_count - 1))
    occ.statement_id, occ.label, occ.similarity, occ.diff = None, None, None, None
    session.flush()
    st = session.get(Statement, statement_id)
    assert st is not None
    rest = session.scalars(select(Occurrence).where(Occurrence.statement_id == statement_id)).all()
    if not rest:
        session.execute(delete(Statement).where(Statement.id == statement_id))
        return
    st.occurrence_count = len(rest)
    dates = [
        d
        for d in session.scalars(
            select(Article.published_at).where(Article.id.in_({o.article_id for o in rest}))
        )
        if d is not None
    ]
    st.first_seen, st.last_seen = (min(dates), max(dates)) if dates else (None, None)
    if was_canonical:
        best = min(rest, key=lambda o: (canonical_rank(o.type, o.text), o.id))
        st.text, st.canonical_type = best.text, best.type
        best.label, best.diff, best.similarity = "canonical", None, 1.0
        session.flush()
        n = session.execute(select(Speaker.unit_count).where(Speaker.id == speaker_id)).scalar_one()
        stems: set[str] = set()
        for o in rest:
            stems |= features(o.text).stems
        df = dict(
            session.execute(
                select(SpeakerTerm.stem, SpeakerTerm.df).where(
                    SpeakerTerm.speaker_id == speaker_id, SpeakerTerm.stem.in_(sorted(stems))
                )
            ).all()
        )
        _relabel(session, st, idf_weight(df, n), from_bytes(best.embedding))
    session.flush()
