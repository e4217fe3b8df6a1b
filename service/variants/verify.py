"""Fact-check verdicts (pure): how a claim relates to what is on record.

A claim (the text a fact-checker pastes) is split into parts (sentences, as stored quotes are split
into units). Each part is aligned with recorded wordings (stored units, `Recorded`): the words are
matched in order (difflib), and the agreement checks of `service.variants.similarity` compare the
aligned stretch of the recorded wording with the part (`disagreements`: numbers, negation, names,
modality). A part's verdict (`align`):

- ``verbatim``: the same words as a recorded wording (case and punctuation aside);
- ``excerpt``: the same words as a contiguous stretch of a recorded wording (``EXCERPT_MIN_WORDS``
  words or more);
- ``close``: at least ``CLOSE_MIN_WORDS`` words, of which ``CLOSE_MIN_SHARE`` are found in order in
  a stretch of a recorded wording that is itself made of at least that share of them, and every
  agreement check passes;
- ``contradicts``: as near as that (``CONTRADICT_MIN_SHARE``), or near in meaning, but a number,
  negation, name or modal verb differs (which ones: ``conflicts``);
- ``paraphrase``: near in meaning (sentence-embedding cosine ``PARAPHRASE_MIN_COSINE`` and some
  shared content words) or sharing most words, with no number, negation or modal verb the recorded
  wording lacks;
- ``not_found``: none of these.

The claim as a whole (`judge`) is read against one statement at a time: each part takes its best
alignment within that statement when the statement aligns it at all, else its best within the
same speaker's other recorded wordings. The whole is the weakest of its parts: any contradicted
part makes it ``contradicts``, any part not on record makes it ``not_found``, so a claim mixing
recorded and unrecorded sentences is never ``verbatim``, ``excerpt`` or ``close``. When the claim
names a speaker, an accepted verdict (verbatim, excerpt, close) for someone else's statement becomes
``other_speaker``, with the verdict it would have had kept as ``recorded_verdict``.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from service.registry.names import name_key, same_person_forms
from service.variants.embeddings import cosine
from service.variants.grouping import word_diff
from service.variants.similarity import (
    Atom,
    agree,
    atoms,
    disagreements,
    features,
    modal_classes,
    quantities,
)
from service.variants.units import split_units
from service.vocab import Verdict

EXCERPT_MIN_WORDS = 4  # a shorter contiguous match is no evidence of an excerpt
CLOSE_MIN_WORDS = 4  # a shorter part is close only when verbatim
CLOSE_MIN_SHARE = 0.8  # share of the part's words (and of the matched stretch's) found in order
CONTRADICT_MIN_SHARE = 0.6  # lexical nearness of a conflicting wording reported as contradicts
PARAPHRASE_MIN_SHARE = 0.5  # lexical nearness that makes an agreeing wording a paraphrase
PARAPHRASE_MIN_COSINE = 0.75  # meaning: embedding cosine of a paraphrase ...
PARAPHRASE_MIN_STEMS = 0.25  # ... sharing at least this share of the part's content stems
CONTRADICT_MIN_COSINE = 0.85  # meaning: a conflicting wording this near contradicts
MAX_PARTS = 20  # parts of a claim that are looked up
# The least share of a part's words found in order that gives a verdict without the embedding.
LEXICAL_MIN_SHARE = min(CONTRADICT_MIN_SHARE, CLOSE_MIN_SHARE, PARAPHRASE_MIN_SHARE)

ACCEPTED = frozenset({Verdict.VERBATIM, Verdict.EXCERPT, Verdict.CLOSE})
# How good a part's alignment is: on record in these words first, then a contradiction (the nearest
# wording differs in a checked detail), then a paraphrase.
PART_RANK = {
    Verdict.VERBATIM: 0,
    Verdict.EXCERPT: 1,
    Verdict.CLOSE: 2,
    Verdict.CONTRADICTS: 3,
    Verdict.PARAPHRASE: 4,
    Verdict.NOT_FOUND: 5,
}
# The weakest part decides the whole: a contradiction outweighs a part that is not on record.
WHOLE_RANK = {
    Verdict.VERBATIM: 0,
    Verdict.EXCERPT: 1,
    Verdict.CLOSE: 2,
    Verdict.PARAPHRASE: 3,
    Verdict.NOT_FOUND: 4,
    Verdict.CONTRADICTS: 5,
}
# Order of matches in an answer.
MATCH_RANK = {
    Verdict.VERBATIM: 0,
    Verdict.EXCERPT: 1,
    Verdict.CLOSE: 2,
    Verdict.CONTRADICTS: 3,
    Verdict.OTHER_SPEAKER: 4,
    Verdict.PARAPHRASE: 5,
    Verdict.NOT_FOUND: 6,
}


@dataclass(frozen=True)
class Part:
    """One part of a claim: ``text`` at [start, end) of the claim."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Recorded:
    """A recorded wording (a stored unit) as verify sees it."""

    id: int
    statement_id: int
    speaker_id: int
    text: str
    embedding: np.ndarray | None = None
    stems: frozenset[str] | None = None  # `features(text).stems` when the store has them


@dataclass(frozen=True)
class Alignment:
    """How one part relates to one recorded wording."""

    verdict: Verdict
    score: float
    conflicts: tuple[str, ...] = ()


NOTHING = Alignment(Verdict.NOT_FOUND, 0.0)


@dataclass(frozen=True)
class PartResult:
    """A part's best alignment (within a statement, or the speaker's record): ``recorded`` is None
    when the part is not on record."""

    part: Part
    verdict: Verdict
    score: float
    conflicts: tuple[str, ...]
    recorded: Recorded | None

    def diff(self) -> list[list[str]] | None:
        """Word diff from the recorded wording to the part (`grouping.word_diff`)."""
        return word_diff(self.recorded.text, self.part.text) if self.recorded else None


@dataclass(frozen=True)
class Judgement:
    """The claim against one statement."""

    statement_id: int
    speaker_id: int
    verdict: Verdict
    score: float
    parts: tuple[PartResult, ...]
    best: Recorded
    recorded_verdict: Verdict | None = None  # other_speaker: the verdict under the real speaker

    @property
    def conflicts(self) -> tuple[str, ...]:
        """The checks that fail in the contradicted parts."""
        kinds = (c for p in self.parts if p.verdict == Verdict.CONTRADICTS for c in p.conflicts)
        return tuple(dict.fromkeys(kinds))


def names_compatible(given: str, stored: str) -> bool:
    """Whether a stored speaker's name can be the person a claim names: forms of one full name
    (`same_person_forms`: "Hillary Clinton" ~ "Hillary Rodham Clinton") or one of them the other's
    surname or first name alone ("Clinton", "Hillary")."""
    g, s = name_key(given).split(), name_key(stored).split()
    if not g or not s:
        return False
    if len(g) == 1 or len(s) == 1:  # a surname, or a first name the article gave alone
        one, full = (g, s) if len(g) == 1 else (s, g)
        return one[0] in (full[0], full[-1])
    return same_person_forms(given, stored)


def claim_parts(text: str) -> list[Part]:
    """The parts of a claim: its sentences as stored quotes are split (the first ``MAX_PARTS``), or
    the whole text when it has no such sentence."""
    units = split_units(text, 0, len(text))[:MAX_PARTS]
    if units:
        return [Part(u.start, u.end, u.text) for u in units]
    stripped = text.strip()
    return [Part(text.find(stripped), text.find(stripped) + len(stripped), stripped)] if stripped else []


_WORD = re.compile(r"\w+(?:'\w+)*")


@functools.lru_cache(maxsize=4096)  # a claim's part is compared with every candidate
def _plain(text: str) -> str:
    """The words as written, case and punctuation aside, space-separated and padded (so that a
    substring test is a test for contiguous words)."""
    return " " + " ".join(_WORD.findall(text.replace("’", "'").casefold())) + " "


def _common_words(q: Sequence[str], r: Sequence[str]) -> int:
    """How many words ``q`` and ``r`` have in common (as multisets): a bound on any alignment's."""
    counts: dict[str, int] = {}
    for w in q:
        counts[w] = counts.get(w, 0) + 1
    n = 0
    for w in r:
        if counts.get(w, 0) > 0:
            counts[w] -= 1
            n += 1
    return n


def _window(q: Sequence[str], r: Sequence[str]) -> tuple[int, int, int, bool]:
    """Align ``q`` in ``r``: (matched words, start and end of the stretch of ``r`` they span, whether
    they are one contiguous run). Unmatched words before the first and after the last match widen
    the stretch by as many recorded words as the part has there (a changed first or last word)."""
    sm = difflib.SequenceMatcher(None, q, r, autojunk=False)
    blocks = [b for b in sm.get_matching_blocks() if b.size]
    if not blocks:
        return 0, 0, 0, False
    matched = sum(b.size for b in blocks)
    lo = blocks[0].b - min(blocks[0].a, blocks[0].b)
    tail_q = len(q) - (blocks[-1].a + blocks[-1].size)
    hi = blocks[-1].b + blocks[-1].size
    hi += min(tail_q, len(r) - hi)
    return matched, lo, hi, len(blocks) == 1


def align(part: str, recorded: str, cos: float | None = None) -> Alignment:
    """The verdict of one part against one recorded wording (module docstring), with ``cos`` the
    embedding cosine of the two when known."""
    qa, ra = atoms(part), atoms(recorded)
    qw = [a.word for a in qa]
    rw = [a.word for a in ra]
    if not qw or not rw:
        return NOTHING
    plain_part, plain_recorded = _plain(part), _plain(recorded)
    if plain_part == plain_recorded:
        return Alignment(Verdict.VERBATIM, 1.0)
    common = _common_words(qw, rw)  # at least as many as the alignment matches
    if common < LEXICAL_MIN_SHARE * len(qw) and 2 * common < PARAPHRASE_MIN_COSINE * (len(qw) + len(rw)):
        # No lexical verdict is possible, and the lexical score is below any cosine that counts: the
        # alignment below would end in `_by_meaning` with the whole recorded wording.
        return _by_meaning(qa, ra, part, recorded, cos, 0.0)
    matched, lo, hi, contiguous = _window(qw, rw)
    if not matched:
        return _by_meaning(qa, ra, part, recorded, cos, 0.0)
    window = ra[lo:hi]
    share = min(matched / len(qw), matched / max(1, hi - lo))
    lexical = 2 * matched / (len(qw) + len(rw))
    if matched == len(qw) and contiguous and len(qw) >= EXCERPT_MIN_WORDS and hi - lo == len(qw):
        if plain_part in plain_recorded:
            return Alignment(Verdict.EXCERPT, 1.0)
        conflicts = disagreements(qa, window)  # contractions spelled out: the same words
        if not conflicts:
            return Alignment(Verdict.CLOSE, round(share, 4))
    if share >= CONTRADICT_MIN_SHARE:
        conflicts = disagreements(qa, window)
        if conflicts:
            return Alignment(Verdict.CONTRADICTS, round(share, 4), conflicts)
        if share >= CLOSE_MIN_SHARE and len(qw) >= CLOSE_MIN_WORDS:
            return Alignment(Verdict.CLOSE, round(share, 4))
        if share >= PARAPHRASE_MIN_SHARE:
            return Alignment(Verdict.PARAPHRASE, round(share, 4))
    return _by_meaning(qa, window if share >= PARAPHRASE_MIN_SHARE else ra, part, recorded, cos, lexical)


def _by_meaning(
    qa: Sequence[Atom], ra: Sequence[Atom], part: str, recorded: str, cos: float | None, lexical: float
) -> Alignment:
    """A paraphrase or contradiction by meaning: the embedding cosine with some shared words."""
    if cos is None or cos < PARAPHRASE_MIN_COSINE:
        return NOTHING
    qf, rf = features(part), features(recorded)
    if not qf.stems or len(qf.stems & rf.stems) / len(qf.stems) < PARAPHRASE_MIN_STEMS:
        return NOTHING
    conflicts = tuple(c for c in disagreements(qa, ra) if c != "name")
    if not agree(qf, rf):
        conflicts = conflicts or ("name",)
    qwords = {a.word for a in qa}
    # A recorded wording longer than the part may mention numbers and modals the part leaves out.
    kinds = []
    for kind in conflicts:
        if kind in ("number", "modality") and _only_recorded_has(kind, qwords, ra):
            continue
        kinds.append(kind)
    score = round(max(lexical, cos), 4)
    if kinds and cos < CONTRADICT_MIN_COSINE:
        return NOTHING
    if kinds:
        return Alignment(Verdict.CONTRADICTS, score, tuple(kinds))
    return Alignment(Verdict.PARAPHRASE, score)


def _only_recorded_has(kind: str, qwords: set[str], ra: Sequence[Atom]) -> bool:
    """Whether the part's numbers (or modal verbs) all occur in the recorded wording: then the
    recorded wording merely says more."""
    rw = [a.word for a in ra]
    qw = sorted(qwords)
    if kind == "number":
        return quantities(qw) <= quantities(rw)
    return modal_classes(qw) <= modal_classes(rw)


def near_enough(stems: frozenset[str], recorded: str, recorded_stems: frozenset[str] | None = None) -> bool:
    """A cheap filter before `align`: whether a recorded wording shares enough of a part's content
    stems (``PARAPHRASE_MIN_STEMS``) to be anything but ``not_found``; ``recorded_stems``: the
    recorded wording's (`features(recorded).stems`) when known."""
    if len(stems) < 2:
        return True
    if recorded_stems is None:
        recorded_stems = features(recorded).stems
    return len(stems & recorded_stems) >= PARAPHRASE_MIN_STEMS * len(stems)


def _best(results: Iterable[tuple[Alignment, Recorded]]) -> tuple[Alignment, Recorded | None]:
    best: tuple[Alignment, Recorded | None] = (NOTHING, None)
    for al, rec in results:
        if (PART_RANK[al.verdict], -al.score) < (PART_RANK[best[0].verdict], -best[0].score):
            best = (al, rec)
    return best


def _whole(parts: Sequence[PartResult]) -> tuple[Verdict, float]:
    """The weakest part's verdict, and the mean score weighted by part length."""
    verdict = max((p.verdict for p in parts), key=lambda v: WHOLE_RANK[v])
    total = sum(len(p.part.text) for p in parts) or 1
    score = sum(p.score * len(p.part.text) for p in parts) / total
    return verdict, round(score, 4)


def judge(
    parts: Sequence[Part],
    candidates: Sequence[Recorded],
    vectors: Sequence[np.ndarray | None] | None = None,
    speakers: set[int] | None = None,
) -> list[Judgement]:
    """The claim (``parts``, with their embeddings ``vectors`` when known) against every statement
    among ``candidates`` that aligns at least one part; ``speakers``: the speakers the claim is
    attributed to (None: anyone). Sorted best first (`MATCH_RANK`, then score)."""
    vecs = list(vectors) if vectors is not None else [None] * len(parts)
    # part index -> statement -> best alignment there
    per_statement: list[dict[int, tuple[Alignment, Recorded]]] = []
    for part, vec in zip(parts, vecs, strict=True):
        found: dict[int, tuple[Alignment, Recorded]] = {}
        stems = features(part.text).stems
        for rec in candidates:
            if not near_enough(stems, rec.text, rec.stems):
                continue
            al = align(part.text, rec.text, cosine(vec, rec.embedding))
            if al.verdict == Verdict.NOT_FOUND:
                continue
            old = found.get(rec.statement_id)
            if old is None or (PART_RANK[al.verdict], -al.score) < (PART_RANK[old[0].verdict], -old[0].score):
                found[rec.statement_id] = (al, rec)
        per_statement.append(found)
    speaker_of = {rec.statement_id: rec.speaker_id for rec in candidates}
    # speaker -> part index -> best alignment among the speaker's statements
    by_speaker: dict[int, list[tuple[Alignment, Recorded | None]]] = defaultdict(list)
    for sp in set(speaker_of.values()):
        by_speaker[sp] = [
            _best(v for sid, v in found.items() if speaker_of[sid] == sp) for found in per_statement
        ]
    out: list[Judgement] = []
    for sid in sorted({sid for found in per_statement for sid in found}):
        sp = speaker_of[sid]
        results = []
        for i, part in enumerate(parts):
            al, nearest = per_statement[i].get(sid) or by_speaker[sp][i]
            results.append(PartResult(part, al.verdict, al.score, al.conflicts, nearest))
        verdict, score = _whole(results)
        own = [r for r in results if r.recorded is not None and r.recorded.statement_id == sid]
        best = min(own, key=lambda r: (PART_RANK[r.verdict], -r.score)).recorded
        assert best is not None
        recorded_verdict = None
        if speakers is not None and sp not in speakers:
            if verdict not in ACCEPTED:
                continue  # someone else's wording matters only when it is on record in these words
            recorded_verdict, verdict = verdict, Verdict.OTHER_SPEAKER
        out.append(Judgement(sid, sp, verdict, score, tuple(results), best, recorded_verdict))
    out.sort(key=lambda j: (MATCH_RANK[j.verdict], -j.score, j.statement_id))
    return out


def overall(judgements: Sequence[Judgement]) -> Verdict:
    """The answer's verdict: the best match's, else ``not_found``."""
    return judgements[0].verdict if judgements else Verdict.NOT_FOUND
