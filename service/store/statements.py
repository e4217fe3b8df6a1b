"""Statement placement: each stored unit of a quote with a speaker goes into a statement of
that speaker (a new one, or the one whose wording it varies), with its variant label, word diff
and score; MinHash LSH band keys and term counts are kept for later candidates.

Concurrency: placement takes a per-speaker advisory lock (PostgreSQL), speakers in id order.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections import Counter, defaultdict
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
    Comparison,
    band_keys,
    canonical_rank,
    compare,
    idf_weight,
    label,
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
    speaker_id: int


_ROW_COLS = (
    Occurrence.id,
    Occurrence.statement_id,
    Occurrence.text,
    Occurrence.article_id,
    Occurrence.embedding,
)


# Placement's statements, built once (building one costs about as much as SQLite takes to run it).
_SPEAKER: Any = bindparam("speaker")
_SPEAKERS: Any = bindparam("speakers", expanding=True)
_PLACED_UNITS = (
    select(Occurrence.speaker_id, *_ROW_COLS)
    .where(Occurrence.speaker_id.in_(_SPEAKERS), Occurrence.statement_id.is_not(None))
    .order_by(Occurrence.speaker_id, Occurrence.id)
)
_TERMS = select(SpeakerTerm.speaker_id, SpeakerTerm.stem, SpeakerTerm.df).where(
    SpeakerTerm.speaker_id.in_(_SPEAKERS)
)
_TERMS_OF = select(SpeakerTerm.stem, SpeakerTerm.df).where(
    SpeakerTerm.speaker_id == _SPEAKER, SpeakerTerm.stem.in_(bindparam("stems", expanding=True))
)
_UNIT_COUNTS = select(Speaker.id, Speaker.unit_count).where(Speaker.id.in_(_SPEAKERS))
_ADD_UNITS = (
    update(Speaker).where(Speaker.id == _SPEAKER).values(unit_count=Speaker.unit_count + bindparam("added"))
)
_NEW_BANDS = insert(OccurrenceBand.__table__)  # type: ignore[arg-type]
_STATEMENT_COLS = ("speaker_id", "text", "canonical_type", "first_seen", "last_seen", "occurrence_count")
_NEW_STATEMENTS = insert(Statement.__table__).returning(  # type: ignore[arg-type]
    Statement.__table__.c.id,
    *(Statement.__table__.c[k] for k in _STATEMENT_COLS),
)
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


def _row(r: Any) -> _Row:
    return _Row(r.id, r.statement_id, r.text, r.article_id, features(r.text), from_bytes(r.embedding))


def _rows(result: Iterable[Any]) -> list[_Row]:
    return [_row(r) for r in result]


class _Writes:
    """What placement changed in one transaction and has not written yet, for every speaker placed
    (`write` writes it in one statement per table).

    A new statement has a provisional (negative) id until `write` inserts it; `write` then gives
    every placer, unit and candidate row its real id."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.statements: dict[int, _Statement] = {}  # statements touched, by id
        self.new: list[int] = []  # provisional ids of statements to insert, in creation order
        self.changed: set[int] = set()  # stored statements to update
        self.units: list[Unit] = []  # placed units to write
        self.vectors: dict[int, bytes] = {}  # stored units given an embedding here
        self.bands: list[dict[str, int]] = []
        self.terms: dict[int, Counter[str]] = {}  # units per stem, by speaker
        self.added: Counter[int] = Counter()  # units placed, by speaker, not yet in its stored count
        self.placers: list[_SpeakerPlacer] = []
        self._provisional = itertools.count(-1, -1)

    def new_statement(self, speaker_id: int, unit: Unit, when: dt.date | None) -> int:
        sid = next(self._provisional)
        self.statements[sid] = _Statement(sid, unit.text, unit.type, when, when, 1, speaker_id)
        self.new.append(sid)
        return sid

    def statement(self, statement_id: int) -> _Statement:
        st = self.statements.get(statement_id)
        if st is None:
            cols = (Statement.text, Statement.canonical_type, Statement.first_seen, Statement.last_seen)
            r = self.session.execute(
                select(*cols, Statement.occurrence_count, Statement.speaker_id).where(
                    Statement.id == statement_id
                )
            ).one()
            st = _Statement(
                statement_id, r.text, r.canonical_type, r.first_seen, r.last_seen, r.occurrence_count or 0,
                r.speaker_id,
            )  # fmt: skip
            self.statements[statement_id] = st
        return st

    def _insert_statements(self) -> None:
        """Insert the new statements (one statement) and replace their provisional ids."""
        sts = [self.statements.pop(i) for i in self.new]
        self.new = []
        rows = [
            dict(zip(_STATEMENT_COLS, (st.speaker_id, st.text, st.canonical_type, st.first_seen, st.last_seen,
                                       st.occurrence_count), strict=True))
            for st in sts
        ]  # fmt: skip
        # Rows that are equal in every column are interchangeable: each takes the next id of its kind.
        ids: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        for r in self.session.connection().execute(_NEW_STATEMENTS, rows):
            ids[tuple(r[1:])].append(r[0])
        for got in ids.values():
            got.sort(reverse=True)
        real = {
            st.id: ids[tuple(row[c] for c in _STATEMENT_COLS)].pop()
            for st, row in zip(sts, rows, strict=True)
        }
        self.changed -= set(real)
        for st in sts:
            st.id = real[st.id]
            self.statements[st.id] = st
        for u in self.units:
            if u.statement_id in real:
                u.statement_id = real[u.statement_id]
        for placer in self.placers:
            placer.renumber(real)

    def write(self) -> None:
        """Write what placement changed so far (statements, units, bands, term counts, counts)."""
        session = self.session
        if self.new:
            self._insert_statements()
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
            _bump_terms(session, self.terms)
            self.terms = {}
        if self.added:
            rows = [{"speaker": sid, "added": n} for sid, n in sorted(self.added.items())]
            session.connection().execute(_ADD_UNITS, rows)
            self.added = Counter()


class _SpeakerPlacer:
    """Places one speaker's new units within one transaction (the caller holds the speaker's
    statement lock, so nothing else changes the speaker's units meanwhile).

    While the speaker has few units (``SMALL_SPEAKER_UNITS``) its placed units and term counts are
    read once (``rows`` and ``df``, read for all the article's speakers at once by `place_units`)
    and kept up to date here, and the rows are written in bulk by `_Writes.write`; above it every
    unit's candidates come from SQL look-ups, so everything before is written first. Embeddings
    are computed only when they can change a placement (`Comparison.meaning_candidates`), for the
    unit and the candidates compared."""

    def __init__(
        self,
        writes: _Writes,
        speaker_id: int,
        count: int,
        embed_fn: Embedder,
        rows: list[_Row] | None = None,
        df: dict[str, int] | None = None,
    ) -> None:
        self.session, self.writes, self.embed_fn = writes.session, writes, embed_fn
        self.speaker_id, self.count = speaker_id, count
        small = count <= SMALL_SPEAKER_UNITS
        self.rows: list[_Row] | None = rows if small else None  # the placed units, while small
        self.df: dict[str, int] | None = df if small else None  # the term counts, while small
        writes.placers.append(self)

    def renumber(self, ids: Mapping[int, int]) -> None:
        """Replace provisional statement ids (`_Writes.write`)."""
        for r in self.rows or ():
            r.statement_id = ids.get(r.statement_id, r.statement_id)

    def place(self, unit: Unit, when: dt.date | None) -> bool:
        """Place ``unit`` (module docstring of `place_unit`); True if it made a new statement."""
        f = features(unit.text)
        keys = band_keys(f)
        small = self.count <= SMALL_SPEAKER_UNITS
        if not small:
            self.writes.write()  # the SQL look-ups below must see every unit placed before
        rows = self._small_rows() if small else _lsh_rows(self.session, self.speaker_id, keys)
        stems = set(f.stems)
        for r in rows:
            stems |= r.features.stems
        weight = idf_weight(self._df(stems, small), self.count)
        cands = [Candidate(r.statement_id, r.features, r.article_id, r.embedding) for r in rows]
        comparison = compare(f, cands, weight)
        vec = self._meaning(unit, rows, cands, comparison)
        if vec is not None:  # the candidates compared by meaning have their embeddings now
            cands = [Candidate(r.statement_id, r.features, r.article_id, r.embedding) for r in rows]
            comparison = comparison.with_candidates(cands)
        placement = comparison.place(unit.article_id, vec)
        created = placement.statement_id is None
        if created:
            sid = self.writes.new_statement(self.speaker_id, unit, when)
            unit.statement_id, unit.label, unit.similarity, unit.diff = sid, "canonical", 1.0, None
        else:
            assert placement.statement_id is not None
            self._join(unit, placement.statement_id, placement.score, when, weight, vec)
        self.writes.bands += [
            {"occurrence_id": unit.id, "band_no": i, "speaker_id": self.speaker_id, "band": k}
            for i, k in enumerate(keys)
        ]
        terms = self.writes.terms.setdefault(self.speaker_id, Counter())
        for s in sorted(set(f.stems)):
            terms[s[:100]] += 1
            if self.df is not None:
                self.df[s[:100]] = self.df.get(s[:100], 0) + 1
        self.count += 1
        self.writes.added[self.speaker_id] += 1
        self.writes.units.append(unit)
        if self.rows is not None:
            assert unit.statement_id is not None
            self.rows.append(_Row(unit.id, unit.statement_id, unit.text, unit.article_id, f, vec))
        return created

    def _small_rows(self) -> list[_Row]:
        if self.rows is None:
            result = self.session.connection().execute(_PLACED_UNITS, {"speakers": [self.speaker_id]})
            self.rows = _rows(result)
        return self.rows

    def _df(self, stems: set[str], small: bool) -> dict[str, int]:
        """Stored term counts of the speaker (all of them while it is small, else of ``stems``)."""
        conn = self.session.connection()
        if small:
            if self.df is None:
                result = conn.execute(_TERMS, {"speakers": [self.speaker_id]})
                self.df = {stem: n for _, stem, n in result}
            return self.df
        params = {"speaker": self.speaker_id, "stems": sorted(stems)}
        return {stem: n for stem, n in conn.execute(_TERMS_OF, params)}

    def _meaning(
        self, unit: Unit, rows: Sequence[_Row], cands: Sequence[Candidate], comparison: Comparison
    ) -> np.ndarray | None:
        """The unit's embedding when embeddings can change its placement (then the candidates
        compared have theirs too), else None; computed ones are kept for writing."""
        wanted = {id(c) for c in comparison.meaning_candidates(unit.article_id)}
        if not wanted:
            return None
        missing = [r for r, c in zip(rows, cands, strict=True) if id(c) in wanted and r.embedding is None]
        vec = from_bytes(unit.embedding)
        texts = [r.text for r in missing] + ([unit.text] if vec is None else [])
        computed = self.embed_fn(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        for r, v in zip(missing, computed, strict=False):
            r.embedding = v
            self.writes.vectors[r.id] = to_bytes(v)
        if vec is None:
            vec = computed[-1]
            unit.embedding = to_bytes(vec)
        return vec

    def _join(
        self,
        unit: Unit,
        statement_id: int,
        score: float,
        when: dt.date | None,
        weight: Callable[[str], float],
        vec: np.ndarray | None,
    ) -> None:
        st = self.writes.statement(statement_id)
        unit.statement_id, unit.similarity = st.id, score
        st.occurrence_count += 1
        if when is not None:
            st.first_seen = min(st.first_seen or when, when)
            st.last_seen = max(st.last_seen or when, when)
        if st.id > 0:
            self.writes.changed.add(st.id)
        if canonical_rank(unit.type, unit.text)[0] < canonical_rank(st.canonical_type, st.text)[0]:
            # A direct quote replaces an indirect wording as the canonical one: the statement's
            # other units are relabelled against it (rare; through the ORM).
            self.writes.write()
            unit.statement_id = st.id  # its real id, if the statement was new
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


def _bump_terms(session: Session, counts: Mapping[int, Mapping[str, int]]) -> None:
    """Add ``counts`` (by speaker: units per stored stem) to the speakers' term counts."""
    rows = [
        {"speaker_id": sid, "stem": s, "df": n}
        for sid in sorted(counts)
        for s, n in sorted(counts[sid].items())
    ]
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
    writes = _Writes(session)
    ((_, count),) = session.connection().execute(_UNIT_COUNTS, {"speakers": [occ.speaker_id]})
    created = _SpeakerPlacer(writes, occ.speaker_id, count, embed_fn).place(unit, when)
    writes.write()
    session.expire_all()
    return created


def place_units(
    session: Session, pending: Mapping[int, Sequence[Unit]], when: dt.date | None, embed_fn: Embedder = embed
) -> int:
    """Place new units (by speaker id), one speaker at a time in id order (the per-speaker lock
    order, every lock taken first), each speaker's in text order. Returns the number of statements
    created. The speakers' counts, and the placed units and term counts of those with few units,
    are read in one query each; the rows are written in one statement per table at the end."""
    ids = sorted(pending)
    for sid in ids:
        advisory_xact_lock(session, "statements", sid)
    conn = session.connection()
    counts = {sid: n for sid, n in conn.execute(_UNIT_COUNTS, {"speakers": ids})}
    small = [sid for sid in ids if counts[sid] <= SMALL_SPEAKER_UNITS]
    rows: dict[int, list[_Row]] = {sid: [] for sid in small}
    df: dict[int, dict[str, int]] = {sid: {} for sid in small}
    if small:
        for r in conn.execute(_PLACED_UNITS, {"speakers": small}):
            rows[r.speaker_id].append(_row(r))
        for sid, stem, n in conn.execute(_TERMS, {"speakers": small}):
            df[sid][stem] = n
    writes = _Writes(session)
    created = 0
    for sid in ids:
        placer = _SpeakerPlacer(writes, sid, counts[sid], embed_fn, rows.get(sid), df.get(sid))
        for unit in sorted(pending[sid], key=lambda u: u.start):
            created += int(placer.place(unit, when))
    writes.write()
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
