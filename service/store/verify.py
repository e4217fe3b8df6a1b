"""The fact-check look-up's reads (session I/O only): speakers named in a claim, the recorded
wordings to compare the claim with, and the answer in the API's shape. The verdicts themselves are
`service.variants.verify`'s.

Candidates are found as grouping finds them: all units of the named speakers while they have few
(``SMALL_SPEAKER_UNITS``), else the units sharing the most MinHash LSH band keys with a part
(``VERIFY_LSH_CANDIDATES`` per part), through the band index (by speaker, or by band alone when
anyone may have said it), and the quotes holding all of a part's longest content words, through
the full-text index (a short excerpt of a long quote shares few bands with it). When the named
speakers have no wording on record in these words, everyone's candidates are read too, so that a
quote on record under someone else comes back as ``other_speaker`` instead of nothing.

Speed (100,000 stored quotes, `scripts/bench_verify.py`): the full-text look-up is a conjunction per
part, unranked (a disjunction of common words ranked by bm25 scored most of the index: bm25 counts
every term's documents), and it is skipped when all units of the named speakers are read anyway;
the band indexes cover the LSH query; candidates are filtered by their stored content stems
(``occurrences.stems``) as their rows are read, before any object is built or text analysed; the
named speakers' full-text candidates are filtered in Python (SQLite would walk all of a large
speaker's units through the speaker index); the statements are built once and run on the session's
connection. The embedding of the claim (about 10 ms of CPU) is the largest cost left: it is computed
only when some candidate is near enough in words to be a paraphrase and none is on record in these
words.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from models import Article, Occurrence, OccurrenceBand, Outlet, Quote, Speaker, SpeakerAlias
from service.registry.names import name_key, strip_titles
from service.store.idlists import in_list, not_in_list
from service.store.passages import passage_matches, with_passages
from service.store.queries import MAX_ID, resolve_speaker_ids, statements_by_ids
from service.store.statements import SMALL_SPEAKER_UNITS
from service.variants.embeddings import Embedder, embed, from_bytes
from service.variants.grouping import band_keys
from service.variants.similarity import STOPWORDS, atoms, features, unpack_stems
from service.variants.verify import (
    ACCEPTED,
    Judgement,
    Part,
    PartResult,
    Recorded,
    claim_parts,
    judge,
    names_compatible,
    near_enough,
    overall,
)
from service.vocab import FoundIn, Verdict

WORD_FOR_WORD = (Verdict.VERBATIM, Verdict.EXCERPT)  # no passage of an article's text can do better
MAX_NAMESAKES = 200  # speakers sharing a surname that are checked for a compatible full name
# Units sharing the most LSH band keys with a part that are compared with it. Fewer than grouping's
# LSH_CANDIDATES: a wording on record in these words shares most of its bands, and those sharing one
# band of twenty (about a fifth of the words in common) only make the comparison slow.
VERIFY_LSH_CANDIDATES = 30


# The statements of a look-up are built once (building a select costs about as much as SQLite
# takes to run it); lists are expanding parameters.
_NAMESAKES = (
    select(Speaker.id, Speaker.name)
    .where(
        or_(
            Speaker.key.like(bindparam("pattern"), escape="/"),
            Speaker.id.in_(
                select(SpeakerAlias.speaker_id).where(SpeakerAlias.key.like(bindparam("pattern"), escape="/"))
            ),
        )
    )
    .order_by(Speaker.id)
    .limit(MAX_NAMESAKES)
)


def resolve_speakers(session: Session, name: str) -> list[int]:
    """The speakers a claim's speaker refers to: those the speaker pages find for it (an id, an exact
    name or alias, else a partial match), and every speaker whose name is a compatible form of it
    ("Hillary Clinton" ~ "Hillary Rodham Clinton" ~ "Clinton"; `names_compatible`)."""
    ids = resolve_speaker_ids(session, name)
    bare = strip_titles(name)[0]
    if bare != name:  # "Mr. John Kirby"
        ids += resolve_speaker_ids(session, bare)
        name = bare
    key = name_key(name)
    if not key or (name.isascii() and name.isdigit()):
        return ids
    surname = key.split()[-1]
    pattern = "%" + surname.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
    rows = session.connection().execute(_NAMESAKES, {"pattern": pattern}).all()
    extra = [sid for sid, stored in rows if names_compatible(name, stored)]
    return list(dict.fromkeys(ids + extra))


_COLS = (Occurrence.id, Occurrence.statement_id, Occurrence.speaker_id, Occurrence.text, Occurrence.stems)
_PLACED = Occurrence.statement_id.is_not(None)
_UNIT_COUNT = select(func.sum(Speaker.unit_count)).where(in_list(Speaker.id, "speakers"))
_ALL_UNITS = select(*_COLS).where(in_list(Occurrence.speaker_id, "speakers"), _PLACED)


def _band_select(scope: str) -> Any:
    """The units sharing the most band keys (``keys``) with a part: of the ``speakers`` (scope
    "of"), of anyone but them ("but"), or of anyone ("any")."""
    hits = select(OccurrenceBand.occurrence_id).where(in_list(OccurrenceBand.band, "keys"))
    if scope == "of":
        hits = hits.where(in_list(OccurrenceBand.speaker_id, "speakers"))
    elif scope == "but":
        hits = hits.where(not_in_list(OccurrenceBand.speaker_id, "speakers"))
    top = (
        hits.group_by(OccurrenceBand.occurrence_id)
        .order_by(func.count().desc(), OccurrenceBand.occurrence_id)
        .limit(VERIFY_LSH_CANDIDATES)
        .subquery()
    )
    return select(*_COLS).join(top, top.c.occurrence_id == Occurrence.id).where(_PLACED)


_BANDS = {scope: _band_select(scope) for scope in ("of", "but", "any")}


def _unit_count(session: Session, speaker_ids: Sequence[int]) -> int:
    return int(session.connection().scalar(_UNIT_COUNT, {"speakers": list(speaker_ids)}) or 0)


def _recorded(
    session: Session, stmt: Any, params: dict[str, Any], near: Sequence[frozenset[str]] | None
) -> list[Recorded]:
    """The rows of ``stmt`` as recorded wordings (`_as_recorded`)."""
    return _as_recorded(session.connection().execute(stmt, params), near)


def _as_recorded(rows: Iterable[Any], near: Sequence[frozenset[str]] | None) -> list[Recorded]:
    """Unit rows (`_COLS`) as recorded wordings (a statement id of None: a unit whose speaker is not
    known, statement id ``-unit id``, speaker ``UNKNOWN_SPEAKER``); with ``near`` (the parts' content
    stems), only those `near_enough` to one part: `judge` compares no other."""
    out = []
    for r in rows:
        stems = unpack_stems(r.stems)
        if near is not None and not any(near_enough(s, r.text, stems) for s in near):
            continue
        if r.statement_id is None:
            out.append(Recorded(r.id, -r.id, UNKNOWN_SPEAKER, r.text, stems=stems))
        else:
            out.append(Recorded(r.id, r.statement_id, r.speaker_id, r.text, stems=stems))
    return out


def all_units(session: Session, speaker_ids: Sequence[int] | None) -> bool:
    """Whether the named speakers have so few units that all of them are compared."""
    return speaker_ids is not None and _unit_count(session, speaker_ids) <= SMALL_SPEAKER_UNITS


def candidates(
    session: Session,
    parts: Sequence[Part],
    speaker_ids: Sequence[int] | None,
    exclude: Sequence[int] = (),
    *,
    every_unit: bool | None = None,
    keys: Sequence[Sequence[int]] | None = None,
    near: Sequence[frozenset[str]] | None = None,
) -> list[Recorded]:
    """Recorded wordings to compare the parts with (module docstring); ``speaker_ids`` None: anyone's
    (but those of ``exclude``). ``every_unit``: `all_units` of the speakers, ``keys``: the parts'
    `band_keys`, when the caller has them; ``near``: see `_recorded`."""
    if every_unit is None:
        every_unit = all_units(session, speaker_ids)
    if every_unit:
        assert speaker_ids is not None
        return _recorded(session, _ALL_UNITS, {"speakers": list(speaker_ids)}, near)
    if speaker_ids is not None:
        stmt, params = _BANDS["of"], {"speakers": list(speaker_ids)}
    elif exclude:
        stmt, params = _BANDS["but"], {"speakers": list(exclude)}
    else:
        stmt, params = _BANDS["any"], {}
    seen: dict[int, Recorded] = {}
    for part_keys in keys if keys is not None else part_band_keys(parts):
        if not part_keys:
            continue
        for rec in _recorded(session, stmt, {**params, "keys": list(part_keys)}, near):
            seen.setdefault(rec.id, rec)
    return list(seen.values())


def part_band_keys(parts: Sequence[Part]) -> list[list[int]]:
    """Each part's LSH band keys (`band_keys`)."""
    return [band_keys(features(part.text)) for part in parts]


FTS_CANDIDATES = 30  # quotes found by full-text search, per claim
FTS_TERMS = 12  # a part's longest content words searched for (all of them)
UNKNOWN_SPEAKER = 0  # the speaker id of recorded wordings whose speaker is not known


def _search_terms(parts: Sequence[Part]) -> list[list[str]]:
    """Per part (those with any), its ``FTS_TERMS`` longest distinct content words."""
    out = []
    for p in parts:
        words = {a.word for a in atoms(p.text) if a.word.isalpha() and a.word not in STOPWORDS}
        if words:
            out.append(sorted(words, key=lambda w: (-len(w), w))[:FTS_TERMS])
    return out


def _fulltext_top(dialect: str) -> Any:
    """The ids of the quotes matching the full-text query ``query`` (a subquery)."""
    query: Any = bindparam("query")
    if dialect == "postgresql":
        tsq = func.to_tsquery(literal_column("'english'::regconfig"), query)
        vector: Any = literal_column("quotes.search")
        return (
            select(Quote.id)
            .where(vector.op("@@")(tsq))
            .order_by(func.ts_rank(vector, tsq).desc())
            .limit(FTS_CANDIDATES)
        )
    # Unranked: bm25 would count the documents of every term, common ones too.
    return _SQLITE_FTS.order_by(literal_column("rowid").desc()).limit(FTS_CANDIDATES)


_SQLITE_FTS: Any = (
    select(literal_column("rowid"))
    .select_from(text("quotes_fts"))
    .where(literal_column("quotes_fts").op("MATCH")(bindparam("query")))
)
# FTS5 reads a match in rowid order much faster than newest first (about 0.6 against 1.1 ms on 100k
# quotes): when no more than FTS_CANDIDATES quotes match, which is most look-ups, that read is all.
_SQLITE_FTS_FIRST = _SQLITE_FTS.limit(FTS_CANDIDATES + 1)


def _sqlite_fulltext_ids(session: Session, query: str) -> list[int]:
    """The ids of the quotes `_fulltext_top` finds on SQLite (the newest ``FTS_CANDIDATES``)."""
    ids = list(session.connection().scalars(_SQLITE_FTS_FIRST, {"query": query}))
    if len(ids) > FTS_CANDIDATES:
        ids = list(session.connection().scalars(_fulltext_top("sqlite"), {"query": query}))
    return [int(i) for i in ids]


def _fulltext_select(dialect: str, scope: str) -> Any:
    """The units of the quotes `_fulltext_top` finds (on SQLite: of the quotes ``quotes``, found
    first by `_sqlite_fulltext_ids`): of anyone but the ``speakers`` or of no known speaker (scope
    "but"), or all ("any")."""
    if dialect == "sqlite":
        stmt = select(*_COLS).where(in_list(Occurrence.quote_id, "quotes"))
    else:
        stmt = select(*_COLS).where(Occurrence.quote_id.in_(_fulltext_top(dialect).scalar_subquery()))
    if scope == "but":
        others = not_in_list(Occurrence.speaker_id, "speakers")
        stmt = stmt.where(or_(Occurrence.speaker_id.is_(None), others))
    return stmt


_FULLTEXT = {
    (dialect, scope): _fulltext_select(dialect, scope)
    for dialect in ("postgresql", "sqlite")
    for scope in ("but", "any")
}


def fulltext_candidates(
    session: Session,
    parts: Sequence[Part],
    speaker_ids: Sequence[int] | None,
    exclude: Sequence[int] = (),
    *,
    every_unit: bool | None = None,
    near: Sequence[frozenset[str]] | None = None,
) -> list[Recorded]:
    """Units of the quotes holding all of some part's longest content words (the full-text index:
    SQLite FTS5 or PostgreSQL tsvector), also units whose speaker is not known (statement id
    ``-unit id``, speaker ``UNKNOWN_SPEAKER``): LSH bands miss a short excerpt of a long quote.
    Nothing when all units of the named speakers are compared anyway (`candidates`; ``every_unit``:
    `all_units` of the speakers, when the caller has it). ``near``: see `_recorded`."""
    terms = _search_terms(parts)
    if not terms:
        return []
    if every_unit is None:
        every_unit = all_units(session, speaker_ids)
    if every_unit:
        return []
    params: dict[str, Any]
    if session.get_bind().dialect.name == "postgresql":
        dialect, query = "postgresql", " | ".join("(" + " & ".join(words) + ")" for words in terms)
        params = {"query": query}
    else:
        query = " OR ".join("(" + " AND ".join(f'"{w}"' for w in words) + ")" for words in terms)
        dialect, params = "sqlite", {"quotes": _sqlite_fulltext_ids(session, query)}
        if not params["quotes"]:
            return []
    if speaker_ids is not None:
        # Filtered here: given the speakers in SQL, SQLite reads all their units through the speaker
        # index (a speaker with 10,000 units: 13 ms) instead of the matched quotes' few units. In
        # the order that plan gave (speaker, unit), which decides between equal alignments.
        wanted = set(speaker_ids)
        rows = session.connection().execute(_FULLTEXT[dialect, "any"], params)
        mine = [r for r in rows if r.speaker_id in wanted and r.statement_id is not None]
        return _as_recorded(sorted(mine, key=lambda r: (r.speaker_id, r.id)), near)
    if exclude:
        return _recorded(session, _FULLTEXT[dialect, "but"], {**params, "speakers": list(exclude)}, near)
    return _recorded(session, _FULLTEXT[dialect, "any"], params, near)


def _merge(*groups: Sequence[Recorded]) -> list[Recorded]:
    seen: dict[int, Recorded] = {}
    for group in groups:
        for rec in group:
            seen.setdefault(rec.id, rec)
    return list(seen.values())


_EMBEDDINGS = select(Occurrence.id, Occurrence.embedding).where(in_list(Occurrence.id, "ids"))
_PLACES = select(Occurrence.id, Occurrence.quote_id, Occurrence.start).where(in_list(Occurrence.id, "ids"))
_NAMES = select(Speaker.id, Speaker.name).where(in_list(Speaker.id, "ids"))


def _with_embeddings(
    session: Session, parts: Sequence[Part], recs: Sequence[Recorded], embedder: Embedder
) -> list[Recorded]:
    """The candidates with their embeddings: stored ones, else (ingest embeds a unit only when its
    placement needs it) computed here for the candidates near enough in words to any part."""
    stored = dict(session.connection().execute(_EMBEDDINGS, {"ids": [r.id for r in recs]}).all())
    vecs = {i: from_bytes(v) for i, v in stored.items()}
    stems = [features(p.text).stems for p in parts]
    missing = [
        r for r in recs if vecs.get(r.id) is None and any(near_enough(s, r.text, r.stems) for s in stems)
    ]
    if missing:
        vecs.update(zip([r.id for r in missing], embedder([r.text for r in missing]), strict=True))
    return [dataclasses.replace(r, embedding=vecs.get(r.id)) for r in recs]


def _worth_embedding(parts: Sequence[Part], recs: Sequence[Recorded]) -> bool:
    """Whether any candidate is near enough in words to be a paraphrase (the model is not run for
    nothing)."""
    return any(near_enough(features(p.text).stems, r.text, r.stems) for p in parts for r in recs)


def verify_claim(
    session: Session, text: str, speaker: str | None, limit: int, embedder: Embedder = embed
) -> dict[str, Any]:
    """The answer of ``POST /v1/verify``: the claim's verdict, the speakers its ``speaker`` names, its
    parts, and the nearest statements (``limit``) with the whole claim's verdict against each."""
    parts = claim_parts(text)
    speaker_ids = resolve_speakers(session, speaker) if speaker else None
    judgements: list[Judgement] = []
    if parts:
        keys = part_band_keys(parts)
        near = [features(p.text).stems for p in parts]
        recs = []
        if speaker_ids != []:
            every = all_units(session, speaker_ids)
            recs = _merge(
                candidates(session, parts, speaker_ids, every_unit=every, keys=keys, near=near),
                fulltext_candidates(session, parts, speaker_ids, every_unit=every, near=near),
            )
        judgements = judge(parts, recs, speakers=set(speaker_ids) if speaker_ids is not None else None)
        if not any(j.verdict in ACCEPTED for j in judgements) and _worth_embedding(parts, recs):
            # Meaning: a paraphrase shares few words; embed the parts only when words do not settle it.
            recs = _with_embeddings(session, parts, recs, embedder)
            vecs = list(embedder([p.text for p in parts]))
            judgements = judge(parts, recs, vecs, set(speaker_ids) if speaker_ids is not None else None)
        if speaker_ids is not None and not any(j.verdict in ACCEPTED for j in judgements):
            others = _merge(
                candidates(session, parts, None, exclude=speaker_ids, every_unit=False, keys=keys, near=near),
                fulltext_candidates(session, parts, None, exclude=speaker_ids, every_unit=False, near=near),
            )
            judgements += [
                j
                for j in judge(parts, others, speakers=set(speaker_ids))
                if j.verdict == Verdict.OTHER_SPEAKER
            ]
    judgements = judgements[:limit]
    matches = _render(session, judgements)
    if parts and not any(j.verdict in WORD_FOR_WORD for j in judgements):
        # Not in a recorded quote word for word: perhaps in an article's text (a headline, a missed quote).
        matches = with_passages(
            matches, passage_matches(session, text, parts, speaker, speaker_ids, limit), limit
        )
    return {
        "verdict": matches[0]["verdict"] if matches else overall(judgements),
        "speakers": _speaker_refs(session, speaker_ids or []),
        "parts": [{"start": p.start, "end": p.end, "text": p.text} for p in parts],
        "matches": matches,
    }


def _speaker_refs(session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    ids = [i for i in ids if 0 < i <= MAX_ID]
    if not ids:
        return []
    names = dict(session.connection().execute(_NAMES, {"ids": ids}).all())
    return [{"id": i, "name": names[i]} for i in ids if i in names]


def _unattributed_variants(session: Session, occ_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Variants (the API's shape) of units whose speaker is not known, by unit id."""
    if not occ_ids:
        return {}
    rows = session.execute(
        select(
            Occurrence.id,
            Occurrence.quote_id,
            Occurrence.text,
            Occurrence.type,
            Occurrence.start,
            Occurrence.end,
            Article.id.label("article_id"),
            Article.headline,
            Article.url,
            Article.published_at,
            Outlet.name.label("outlet_name"),
        )
        .join(Article, Article.id == Occurrence.article_id)
        .outerjoin(Outlet, Outlet.id == Article.outlet_id)
        .where(Occurrence.id.in_(occ_ids))
    )
    return {
        r.id: {
            "quote_id": r.quote_id,
            "text": r.text,
            "type": r.type,
            "relation": None,
            "similarity": None,
            "diff": None,
            "article": {
                "id": r.article_id,
                "title": r.headline,
                "outlet": r.outlet_name,
                "url": r.url,
                "published_at": r.published_at,
            },
            "start": r.start,
            "end": r.end,
        }
        for r in rows
    }


def _render(session: Session, judgements: Sequence[Judgement]) -> list[dict[str, Any]]:
    """Judgements in the API's shape, with statements, variants and article references. A recorded
    wording whose speaker is not known has no statement: its match has ``statement`` and
    ``speaker`` null."""
    recorded = [p.recorded for j in judgements for p in j.parts if p.recorded] + [j.best for j in judgements]
    placed = sorted({r.id for r in recorded if r.statement_id > 0})
    where = (
        {r.id: (r.quote_id, r.start) for r in session.connection().execute(_PLACES, {"ids": placed})}
        if placed
        else {}
    )
    loose = _unattributed_variants(session, sorted({r.id for r in recorded if r.statement_id < 0}))
    statements = statements_by_ids(session, sorted({r.statement_id for r in recorded if r.statement_id > 0}))

    def variant(rec: Recorded) -> dict[str, Any] | None:
        if rec.statement_id < 0:
            return loose.get(rec.id)
        quote_id, start = where.get(rec.id, (None, None))
        st = statements.get(rec.statement_id)
        if st is None:
            return None
        return next((v for v in st["variants"] if v["quote_id"] == quote_id and v["start"] == start), None)

    def part_dict(p: PartResult) -> dict[str, Any]:
        return {
            "start": p.part.start,
            "end": p.part.end,
            "text": p.part.text,
            "verdict": p.verdict,
            "score": round(p.score, 4),
            "conflicts": list(p.conflicts),
            "statement_id": p.recorded.statement_id if p.recorded and p.recorded.statement_id > 0 else None,
            "variant": variant(p.recorded) if p.recorded else None,
            "diff": p.diff(),
        }

    out = []
    for j in judgements:
        st = statements.get(j.statement_id)
        best = variant(j.best)
        variants = st["variants"] if st else [best] if best else []
        sources = list({v["article"]["id"]: v["article"] for v in variants}.values())
        speaker = st["speaker"] if st else None
        out.append(
            {
                "statement": st,
                "speaker": speaker,
                "score": j.score,
                "verdict": j.verdict,
                "recorded_verdict": j.recorded_verdict,
                "attributed_to": speaker if j.verdict == Verdict.OTHER_SPEAKER else None,
                "conflicts": [
                    {"kind": kind, "query": p.part.text, "recorded": p.recorded.text if p.recorded else None}
                    for p in j.parts
                    if p.verdict == Verdict.CONTRADICTS
                    for kind in p.conflicts
                ],
                "found_in": FoundIn.QUOTE,
                "speaker_check": None,
                "best_variant": best,
                "sources": sources,
                "parts": [part_dict(p) for p in j.parts],
            }
        )
    return out
