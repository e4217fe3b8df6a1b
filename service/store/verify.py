"""The fact-check look-up's reads (session I/O only): speakers named in a claim, the recorded
wordings to compare the claim with, and the answer in the API's shape. The verdicts themselves are
`service.variants.verify`'s.

Candidates are found as grouping finds them: all units of the named speakers while they have few
(``SMALL_SPEAKER_UNITS``), else the units sharing the most MinHash LSH band keys with a part
(``LSH_CANDIDATES`` per part), through the band index (by speaker, or by band alone when anyone
may have said it). When the named speakers have no wording on record in these words, everyone's
candidates are read too, so that a quote on record under someone else comes back as
``other_speaker`` instead of nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import Occurrence, OccurrenceBand, Speaker, SpeakerAlias
from service.registry.names import name_key, strip_titles
from service.store.queries import MAX_ID, resolve_speaker_ids, statements_by_ids
from service.store.statements import LSH_CANDIDATES, SMALL_SPEAKER_UNITS
from service.variants.embeddings import Embedder, embed, from_bytes
from service.variants.grouping import band_keys
from service.variants.similarity import features
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
from service.vocab import Verdict

MAX_NAMESAKES = 200  # speakers sharing a surname that are checked for a compatible full name


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
    rows = session.execute(
        select(Speaker.id, Speaker.name)
        .where(
            or_(
                Speaker.key.contains(surname, autoescape=True),
                Speaker.id.in_(
                    select(SpeakerAlias.speaker_id).where(SpeakerAlias.key.contains(surname, autoescape=True))
                ),
            )
        )
        .order_by(Speaker.id)
        .limit(MAX_NAMESAKES)
    ).all()
    extra = [sid for sid, stored in rows if names_compatible(name, stored)]
    return list(dict.fromkeys(ids + extra))


def _unit_count(session: Session, speaker_ids: Sequence[int]) -> int:
    return int(session.scalar(select(func.sum(Speaker.unit_count)).where(Speaker.id.in_(speaker_ids))) or 0)


def _recorded(session: Session, stmt: Any) -> list[Recorded]:
    return [Recorded(r.id, r.statement_id, r.speaker_id, r.text) for r in session.execute(stmt)]


_COLS = (Occurrence.id, Occurrence.statement_id, Occurrence.speaker_id, Occurrence.text)


def candidates(
    session: Session, parts: Sequence[Part], speaker_ids: Sequence[int] | None, exclude: Sequence[int] = ()
) -> list[Recorded]:
    """Recorded wordings to compare the parts with (module docstring); ``speaker_ids`` None: anyone's
    (but those of ``exclude``)."""
    placed = Occurrence.statement_id.is_not(None)
    if speaker_ids is not None and _unit_count(session, speaker_ids) <= SMALL_SPEAKER_UNITS:
        return _recorded(session, select(*_COLS).where(Occurrence.speaker_id.in_(speaker_ids), placed))
    seen: dict[int, Recorded] = {}
    for part in parts:
        keys = band_keys(features(part.text))
        if not keys:
            continue
        hits = select(OccurrenceBand.occurrence_id).where(OccurrenceBand.band.in_(keys))
        if speaker_ids is not None:
            hits = hits.where(OccurrenceBand.speaker_id.in_(speaker_ids))
        elif exclude:
            hits = hits.where(OccurrenceBand.speaker_id.not_in(exclude))
        top = (
            hits.group_by(OccurrenceBand.occurrence_id)
            .order_by(func.count().desc(), OccurrenceBand.occurrence_id)
            .limit(LSH_CANDIDATES)
            .subquery()
        )
        stmt = select(*_COLS).join(top, top.c.occurrence_id == Occurrence.id).where(placed)
        for rec in _recorded(session, stmt):
            seen.setdefault(rec.id, rec)
    return list(seen.values())


def _with_embeddings(session: Session, recs: Sequence[Recorded]) -> list[Recorded]:
    ids = [r.id for r in recs]
    vecs = dict(
        session.execute(select(Occurrence.id, Occurrence.embedding).where(Occurrence.id.in_(ids))).all()
    )
    return [Recorded(r.id, r.statement_id, r.speaker_id, r.text, from_bytes(vecs.get(r.id))) for r in recs]


def _worth_embedding(parts: Sequence[Part], recs: Sequence[Recorded]) -> bool:
    """Whether any candidate is near enough in words to be a paraphrase (the model is not run for
    nothing)."""
    return any(near_enough(features(p.text).stems, r.text) for p in parts for r in recs)


def verify_claim(
    session: Session, text: str, speaker: str | None, limit: int, embedder: Embedder = embed
) -> dict[str, Any]:
    """The answer of ``POST /v1/verify``: the claim's verdict, the speakers its ``speaker`` names, its
    parts, and the nearest statements (``limit``) with the whole claim's verdict against each."""
    parts = claim_parts(text)
    speaker_ids = resolve_speakers(session, speaker) if speaker else None
    judgements: list[Judgement] = []
    if parts:
        recs = candidates(session, parts, speaker_ids) if speaker_ids != [] else []
        judgements = judge(parts, recs, speakers=set(speaker_ids) if speaker_ids is not None else None)
        if not any(j.verdict in ACCEPTED for j in judgements) and _worth_embedding(parts, recs):
            # Meaning: a paraphrase shares few words; embed the parts only when words do not settle it.
            recs = _with_embeddings(session, recs)
            vecs = list(embedder([p.text for p in parts]))
            judgements = judge(parts, recs, vecs, set(speaker_ids) if speaker_ids is not None else None)
        if speaker_ids is not None and not any(j.verdict in ACCEPTED for j in judgements):
            others = candidates(session, parts, None, exclude=speaker_ids)
            judgements += [
                j
                for j in judge(parts, others, speakers=set(speaker_ids))
                if j.verdict == Verdict.OTHER_SPEAKER
            ]
    judgements = judgements[:limit]
    return {
        "verdict": overall(judgements),
        "speakers": _speaker_refs(session, speaker_ids or []),
        "parts": [{"start": p.start, "end": p.end, "text": p.text} for p in parts],
        "matches": _render(session, judgements),
    }


def _speaker_refs(session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    ids = [i for i in ids if 0 < i <= MAX_ID]
    if not ids:
        return []
    names = dict(session.execute(select(Speaker.id, Speaker.name).where(Speaker.id.in_(ids))).all())
    return [{"id": i, "name": names[i]} for i in ids if i in names]


def _render(session: Session, judgements: Sequence[Judgement]) -> list[dict[str, Any]]:
    """Judgements in the API's shape, with statements, variants and article references."""
    occ_ids = {p.recorded.id for j in judgements for p in j.parts if p.recorded} | {
        j.best.id for j in judgements
    }
    where = {
        r.id: (r.quote_id, r.start)
        for r in session.execute(
            select(Occurrence.id, Occurrence.quote_id, Occurrence.start).where(Occurrence.id.in_(occ_ids))
        )
    }
    statement_ids = {j.statement_id for j in judgements} | {
        p.recorded.statement_id for j in judgements for p in j.parts if p.recorded
    }
    statements = statements_by_ids(session, sorted(statement_ids))

    def variant(rec: Recorded) -> dict[str, Any] | None:
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
            "statement_id": p.recorded.statement_id if p.recorded else None,
            "variant": variant(p.recorded) if p.recorded else None,
            "diff": p.diff(),
        }

    out = []
    for j in judgements:
        st = statements[j.statement_id]
        sources = list({v["article"]["id"]: v["article"] for v in st["variants"]}.values())
        out.append(
            {
                "statement": st,
                "speaker": st["speaker"],
                "score": j.score,
                "verdict": j.verdict,
                "recorded_verdict": j.recorded_verdict,
                "attributed_to": st["speaker"] if j.verdict == Verdict.OTHER_SPEAKER else None,
                "conflicts": [
                    {"kind": kind, "query": p.part.text, "recorded": p.recorded.text if p.recorded else None}
                    for p in j.parts
                    if p.verdict == Verdict.CONTRADICTS
                    for kind in p.conflicts
                ],
                "best_variant": variant(j.best),
                "sources": sources,
                "parts": [part_dict(p) for p in j.parts],
            }
        )
    return out
