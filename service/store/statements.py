"""Statement placement: each stored unit of a quote with a speaker goes into a statement of
that speaker (a new one, or the one whose wording it varies), with its variant label, word diff
and score; MinHash LSH band keys and term counts are kept for later candidates.

Concurrency: placement takes a per-speaker advisory lock (PostgreSQL), speakers in id order.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import Article, Occurrence, OccurrenceBand, Speaker, SpeakerTerm, Statement
from service.db import advisory_xact_lock
from service.store.idlists import in_list
from service.variants.embeddings import Embedder, cosine, embed, from_bytes, to_bytes
from service.variants.grouping import (
    Candidate,
    band_keys,
    canonical_rank,
    idf_weight,
    label,
    meaning_candidates,
    place,
    unit_score,
    word_diff,
)
from service.variants.similarity import Features, features

# A speaker with at most this many placed units is compared with all of them (blocking by speaker);
# above it, candidates come from the MinHash LSH band index.
SMALL_SPEAKER_UNITS = 400
LSH_CANDIDATES = 200
# Above SMALL_SPEAKER_UNITS, the canonical units of the speaker's latest statements are candidates
# too (a paraphrase may share no LSH band with its statement; the embedding can still match).
RECENT_STATEMENTS = 50


@dataclass
class Unit:
    """A stored unit to place (its row exists): placement sets ``statement_id``, ``label``,
    ``similarity`` and ``diff``, and ``embedding`` when it had to compute it."""

    id: int
    speaker_id: int
    article_id: int
    start: int
    text: str
    type: str
    embedding: bytes | None = None
    statement_id: int | None = None
    label: str | None = None
    similarity: float | None = None
    diff: list[list[str]] | None = None


@dataclass
class _Row:
    """A placed unit of the speaker, as a candidate (``embedding`` None: not computed yet)."""

    id: int
    statement_id: int
    text: str
    article_id: int
    features: Features
    embedding: np.ndarray | None


@dataclass
class _Statement:
    """A statement this transaction touched: its row as it will be written."""

    id: int
    text: str
    canonical_type: str
    first_seen: dt.date | None
    last_seen: dt.date | None
    occurrence_count: int


_ROW_COLS = (
    Occurrence.id,
    Occurrence.statement_id,
    Occurrence.text,
    Occurrence.article_id,
    Occurrence.embedding,
)


# Placement's statements, built once (building one costs about as much as SQLite takes to run it).
_SPEAKER: Any = bindparam("speaker")
_PLACED_UNITS = select(*_ROW_COLS).where(
    Occurrence.speaker_id == _SPEAKER, Occurrence.statement_id.is_not(None)
)
_TERMS = select(SpeakerTerm.stem, SpeakerTerm.df).where(SpeakerTerm.speaker_id == _SPEAKER)
_TERMS_OF = _TERMS.where(SpeakerTerm.stem.in_(bindparam("stems", expanding=True)))
_UNIT_COUNT = select(Speaker.unit_count).where(Speaker.id == _SPEAKER)
_ADD_UNITS = (
    update(Speaker).where(Speaker.id == _SPEAKER).values(unit_count=Speaker.unit_count + bindparam("added"))
)
_NEW_STATEMENT = insert(Statement.__table__).returning(Statement.__table__.c.id)  # type: ignore[arg-type]
_NEW_BANDS = insert(OccurrenceBand.__table__)  # type: ignore[arg-type]
_BAND_HITS_TOP = (
    select(OccurrenceBand.occurrence_id, func.count().label("n"))
    .where(OccurrenceBand.speaker_id == _SPEAKER, in_list(OccurrenceBand.band, "keys"))
    .group_by(OccurrenceBand.occurrence_id)
    .order_by(func.count().desc(), OccurrenceBand.occurrence_id)
    .limit(LSH_CANDIDATES)
    .subquery()
)
_BAND_HITS = select(*_ROW_COLS).join(_BAND_HITS_TOP, _BAND_HITS_TOP.c.occurrence_id == Occurrence.id)
_RECENT = (
    select(Statement.id)
    .where(Statement.speaker_id == _SPEAKER)
    .order_by(Statement.id.desc())
    .limit(RECENT_STATEMENTS)
    .scalar_subquery()
)
_RECENT_CANONICAL = select(*_ROW_COLS).where(
    Occurrence.statement_id.in_(_RECENT), Occurrence.label == "canonical"
)


def _rows(result: Iterable[Any]) -> list[_Row]:
    return [
        _Row(r.id, r.statement_id, r.text, r.article_id, features(r.text), from_bytes(r.embedding))
        for r in result
    ]


class _SpeakerPlacer:
    """Places one speaker's new units within one transaction (the caller holds the speaker's
    statement lock, so nothing else changes the speaker's units meanwhile).

    While the speaker has few units (``SMALL_SPEAKER_UNITS``) its placed units and term counts are
    read once and kept up to date here, and the rows (units, statements, LSH bands, term counts,
    the speaker's unit count) are written in bulk by `write`; above it every unit's candidates come
    from SQL look-ups, so everything before is written first. Embeddings are computed only when
    they can change a placement (`meaning_candidates`), for the unit and the candidates compared."""

    def __init__(self, session: Session, speaker_id: int, embed_fn: Embedder) -> None:
        self.session, self.speaker_id, self.embed_fn = session, speaker_id, embed_fn
        self.count: int = session.connection().execute(_UNIT_COUNT, {"speaker": speaker_id}).scalar_one()
        self.rows: list[_Row] | None = None  # the placed units, while the speaker is small
        self.df: dict[str, int] | None = None  # the term counts, while the speaker is small
        self.statements: dict[int, _Statement] = {}
        self.changed: set[int] = set()  # statements to write
        self.units: list[Unit] = []  # placed units to write
        self.vectors: dict[int, bytes] = {}  # stored units given an embedding here
        self.bands: list[dict[str, int]] = []
        self.terms: Counter[str] = Counter()
        self.added = 0  # units placed, not yet in the speaker's stored unit count

    def place(self, unit: Unit, when: dt.date | None) -> bool:
        """Place ``unit`` (module docstring of `place_unit`); True if it made a new statement."""
        f = features(unit.text)
        keys = band_keys(f)
        small = self.count <= SMALL_SPEAKER_UNITS
        if not small:
            self.write()  # the SQL look-ups below must see every unit placed before
        rows = self._small_rows() if small else _lsh_rows(self.session, self.speaker_id, keys)
        stems = set(f.stems)
        for r in rows:
            stems |= r.features.stems
        weight = idf_weight(self._df(stems, small), self.count)
        vec = self._meaning(unit, f, rows, weight)
        cands = [Candidate(r.statement_id, r.features, r.article_id, r.embedding) for r in rows]
        placement = place(f, unit.article_id, cands, weight, vec)
        created = placement.statement_id is None
        if created:
            self._new_statement(unit, when)
        else:
            assert placement.statement_id is not None
            self._join(unit, placement.statement_id, placement.score, when, weight, vec)
        self.bands += [
            {"occurrence_id": unit.id, "band_no": i, "speaker_id": self.speaker_id, "band": k}
            for i, k in enumerate(keys)
        ]
        for s in sorted(set(f.stems)):
            self.terms[s[:100]] += 1
            if self.df is not None:
                self.df[s[:100]] = self.df.get(s[:100], 0) + 1
        self.count += 1
        self.added += 1
        self.units.append(unit)
        if self.rows is not None:
            assert unit.statement_id is not None
            self.rows.append(_Row(unit.id, unit.statement_id, unit.text, unit.article_id, f, vec))
        return created

    def _small_rows(self) -> list[_Row]:
        if self.rows is None:
            self.rows = _rows(self.session.connection().execute(_PLACED_UNITS, {"speaker": self.speaker_id}))
        return self.rows

    def _df(self, stems: set[str], small: bool) -> dict[str, int]:
        """Stored term counts of the speaker (all of them while it is small, else of ``stems``)."""
        conn = self.session.connection()
        if small:
            if self.df is None:
                self.df = {stem: n for stem, n in conn.execute(_TERMS, {"speaker": self.speaker_id})}
            return self.df
        params = {"speaker": self.speaker_id, "stems": sorted(stems)}
        return {stem: n for stem, n in conn.execute(_TERMS_OF, params)}

    def _meaning(
        self, unit: Unit, f: Features, rows: Sequence[_Row], weight: Callable[[str], float]
    ) -> np.ndarray | None:
        """The unit's embedding when embeddings can change its placement (then the candidates
        compared have theirs too), else None; computed ones are kept for writing."""
        cands = [Candidate(r.statement_id, r.features, r.article_id, r.embedding) for r in rows]
        wanted = {id(c) for c in meaning_candidates(f, unit.article_id, cands, weight)}
        if not wanted:
            return None
        missing = [r for r, c in zip(rows, cands, strict=True) if id(c) in wanted and r.embedding is None]
        vec = from_bytes(unit.embedding)
        texts = [r.text for r in missing] + ([unit.text] if vec is None else [])
        computed = self.embed_fn(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        for r, v in zip(missing, computed, strict=False):
            r.embedding = v
            self.vectors[r.id] = to_bytes(v)
        if vec is None:
            vec = computed[-1]
            unit.embedding = to_bytes(vec)
        return vec

    def _new_statement(self, unit: Unit, when: dt.date | None) -> None:
        row = {
            "speaker_id": self.speaker_id,
            "text": unit.text,
            "canonical_type": unit.type,
            "first_seen": when,
            "last_seen": when,
            "occurrence_count": 1,
        }
        sid = self.session.connection().execute(_NEW_STATEMENT, row).scalar_one()
        self.statements[sid] = _Statement(sid, unit.text, unit.type, when, when, 1)
        unit.statement_id, unit.label, unit.similarity, unit.diff = sid, "canonical", 1.0, None

    def _statement(self, statement_id: int) -> _Statement:
        st = self.statements.get(statement_id)
        if st is None:
            cols = (Statement.text, Statement.canonical_type, Statement.first_seen, Statement.last_seen)
            r = self.session.execute(
                select(*cols, Statement.occurrence_count).where(Statement.id == statement_id)
            ).one()
            st = _Statement(
                statement_id, r.text, r.canonical_type, r.first_seen, r.last_seen, r.occurrence_count or 0
            )
            self.statements[statement_id] = st
        return st

    def _join(
        self,
        unit: Unit,
        statement_id: int,
        score: float,
        when: dt.date | None,
        weight: Callable[[str], float],
        vec: np.ndarray | None,
    ) -> None:
        st = self._statement(statement_id)
        unit.statement_id, unit.similarity = st.id, score
        st.occurrence_count += 1
        if when is not None:
            st.first_seen = min(st.first_seen or when, when)
            st.last_seen = max(st.last_seen or when, when)
        self.changed.add(st.id)
        if canonical_rank(unit.type, unit.text)[0] < canonical_rank(st.canonical_type, st.text)[0]:
            # A direct quote replaces an indirect wording as the canonical one: the statement's
            # other units are relabelled against it (rare; through the ORM).
            self.write()
            orm_st = self.session.get(Statement, st.id)
            assert orm_st is not None
            old = self.session.scalars(
                select(Occurrence).where(Occurrence.statement_id == st.id, Occurrence.label == "canonical")
            ).all()
            for o in old:
                o.label = None
            orm_st.text, orm_st.canonical_type = st.text, st.canonical_type = unit.text, unit.type
            unit.label, unit.diff, unit.similarity = "canonical", None, 1.0
            self.session.flush()
            relabelled = _relabel(self.session, orm_st, weight, vec, self.embed_fn, skip=unit.id)
            self.session.flush()
            for obj in [orm_st, *old, *relabelled]:
                self.session.expire(obj)
        else:
            unit.label = label(unit.text, st.text)
            unit.diff = word_diff(st.text, unit.text)

    def write(self) -> None:
        """Write what placement changed so far (units, statements, bands, term counts, count)."""
        session = self.session
        if self.units:
            rows = [
                {"id": u.id, "statement_id": u.statement_id, "label": u.label, "similarity": u.similarity,
                 "diff": u.diff}
                for u in self.units
            ]  # fmt: skip
            _update_by_id(session, core_table(Occurrence), rows)
            for u in self.units:
                if u.embedding is not None and u.id not in self.vectors:
                    self.vectors[u.id] = u.embedding
            self.units = []
        if self.vectors:
            vectors: list[dict[str, Any]] = [{"id": i, "embedding": v} for i, v in self.vectors.items()]
            _update_by_id(session, core_table(Occurrence), vectors)
            self.vectors = {}
        if self.changed:
            statements: list[dict[str, Any]] = [
                {"id": st.id, "occurrence_count": st.occurrence_count, "first_seen": st.first_seen,
                 "last_seen": st.last_seen}
                for st in (self.statements[i] for i in sorted(self.changed))
            ]  # fmt: skip
            _update_by_id(session, core_table(Statement), statements)
            self.changed = set()
        if self.bands:
            session.connection().execute(_NEW_BANDS, self.bands)
            self.bands = []
        if self.terms:
            _bump_terms(session, self.speaker_id, self.terms)
            self.terms = Counter()
        if self.added:
            session.connection().execute(_ADD_UNITS, {"speaker": self.speaker_id, "added": self.added})
            self.added = 0


def core_table(model: type[Any]) -> Table:
    """The Core table of a mapped class (for bulk statements without the ORM's bookkeeping)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _update_by_id(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """``UPDATE table SET ... WHERE id = ...`` for each row (one executemany; the rows share keys)."""
    cols = tuple(k for k in rows[0] if k != "id")
    stmt = _update_statement(table, cols)
    session.connection().execute(stmt, [{"row_id": r["id"]} | {f"new_{c}": r[c] for c in cols} for r in rows])


@functools.cache
def _update_statement(table: Table, cols: tuple[str, ...]) -> Any:
    """`_update_by_id`'s statement for these columns (built once: building costs as much as running)."""
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({c: bindparam(f"new_{c}", type_=table.c[c].type) for c in cols})
    )


def _bump_terms(session: Session, speaker_id: int, counts: Mapping[str, int]) -> None:
    """Add ``counts`` (units per stored stem) to the speaker's term counts."""
    rows = [{"speaker_id": speaker_id, "stem": s, "df": n} for s, n in sorted(counts.items())]
    if not rows:
        return
    session.connection().execute(_bump_statement(session.get_bind().dialect.name), rows)


@functools.cache
def _bump_statement(dialect: str) -> Any:
    ins = postgresql.insert(SpeakerTerm) if dialect == "postgresql" else sqlite.insert(SpeakerTerm)
    return ins.on_conflict_do_update(
        index_elements=["speaker_id", "stem"], set_={"df": SpeakerTerm.df + ins.excluded.df}
    )


def _lsh_rows(session: Session, speaker_id: int, keys: list[int]) -> list[_Row]:
    """The candidates of a unit of a speaker with many units: the units sharing the most LSH bands
    with it, and the canonical units of the speaker's ``RECENT_STATEMENTS`` latest statements."""
    conn = session.connection()
    results = [list(conn.execute(_BAND_HITS, {"speaker": speaker_id, "keys": keys}))] if keys else []
    results.append(list(conn.execute(_RECENT_CANONICAL, {"speaker": speaker_id})))
    seen: dict[int, Any] = {}
    for result in results:
        for r in result:
            seen.setdefault(r.id, r)
    return _rows(seen.values())


def _relabel(
    session: Session,
    statement: Statement,
    weight: Callable[[str], float],
    canonical_vec: np.ndarray | None,
    embed_fn: Embedder = embed,
    skip: int | None = None,
) -> list[Occurrence]:
    """Label, diff and score the statement's units against its (new) canonical wording (``skip``:
    a unit not written yet); units without an embedding get one. Returns the units changed."""
    canonical = features(statement.text)
    occs = [
        o
        for o in session.scalars(select(Occurrence).where(Occurrence.statement_id == statement.id))
        if o.id != skip and not (o.text == statement.text and o.label == "canonical")
    ]
    missing = [o for o in occs if from_bytes(o.embedding) is None]
    texts = [o.text for o in missing] + ([statement.text] if canonical_vec is None and occs else [])
    computed = embed_fn(texts) if texts else np.zeros((0, 0), dtype=np.float32)
    for o, v in zip(missing, computed, strict=False):
        o.embedding = to_bytes(v)
    if canonical_vec is None and occs:
        canonical_vec = computed[-1]
    for occ in occs:
        occ.label = label(occ.text, statement.text)
        occ.diff = word_diff(statement.text, occ.text)
        cos = cosine(from_bytes(occ.embedding), canonical_vec)
        occ.similarity = unit_score(features(occ.text), canonical, weight, cos)
    return occs


def place_unit(session: Session, occ: Occurrence, when: dt.date | None, embed_fn: Embedder = embed) -> bool:
    """Put a stored unit (with a speaker) into a statement of its speaker; True if one was created.

    The caller holds the speaker's statement lock. Candidates: all the speaker's units while it
    has few, else units sharing a MinHash LSH band (indexed SQL lookup) and the canonical units of
    the speaker's ``RECENT_STATEMENTS`` latest statements. Embeddings (``embed_fn``) are computed
    only when they can change the placement, and stored with the units. ``when`` (the article's
    date; None when undated) extends the statement's first/last seen dates, which stay NULL until a
    dated article has the statement. ORM objects of the session are expired afterwards (the rows
    are written in bulk).
    """
    assert occ.speaker_id is not None
    session.flush()
    unit = Unit(occ.id, occ.speaker_id, occ.article_id, occ.start, occ.text, occ.type, occ.embedding)
    placer = _SpeakerPlacer(session, occ.speaker_id, embed_fn)
    created = placer.place(unit, when)
    placer.write()
    session.expire_all()
    return created


def place_units(
    session: Session, pending: Mapping[int, Sequence[Unit]], when: dt.date | None, embed_fn: Embedder = embed
) -> int:
    """Place new units (by speaker id), one speaker at a time in id order (the per-speaker lock
    order), each speaker's in text order. Returns the number of statements created."""
    created = 0
    for sid in sorted(pending):
        advisory_xact_lock(session, "statements", sid)
        placer = _SpeakerPlacer(session, sid, embed_fn)
        for unit in sorted(pending[sid], key=lambda u: u.start):
            created += int(placer.place(unit, when))
        placer.write()
    return created


def _drop_terms(session: Session, speaker_id: int, stems: Iterable[str]) -> None:
    """Undo `_bump_terms` for one unit: the speaker's term counts without its stems."""
    keys = sorted({s[:100] for s in stems})
    if not keys:
        return
    where = (SpeakerTerm.speaker_id == speaker_id, SpeakerTerm.stem.in_(keys))
    session.execute(update(SpeakerTerm).where(*where).values(df=SpeakerTerm.df - 1))
    session.execute(delete(SpeakerTerm).where(*where, SpeakerTerm.df <= 0))


def unplace_unit(session: Session, occ: Occurrence, embed_fn: Embedder = embed) -> None:
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
        _relabel(session, st, idf_weight(df, n), from_bytes(best.embedding), embed_fn)
    session.flush()
