"""Placing a unit among a speaker's statements, variant labels and word diffs (pure).

Similarity is weighted by how specific a word is to this speaker: ``weight(stem)`` is an inverse
document frequency over the speaker's stored units (the store keeps the counts), so words the
speaker uses all the time ("North Korean troops" for a briefer on that deployment) count less
than the words that make a statement.

Rules (thresholds below): a unit joins the statement of its best-scoring candidate when they
`agree` (numbers, negation, named entities) and either the weighted Dice is high, or one unit is
largely contained in the other (a trimmed quote) and the Dice is fair. Units of the same article
need a higher Dice: one article rarely repeats a statement in other words. Meaning: with sentence
embeddings (service.variants.embeddings), a paraphrase sharing few words joins the statement that is
clearly its nearest by cosine (thresholds below; the agreement checks still apply).
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from service.variants.embeddings import cosine
from service.variants.similarity import Features, agree

if TYPE_CHECKING:
    from datasketch import MinHash

DICE_MIN = 0.5  # weighted Dice that groups on its own (across articles)
CONTAIN_MIN = 0.65  # weighted containment that groups with ...
CONTAIN_DICE_MIN = 0.3  # ... at least this weighted Dice
SAME_ARTICLE_DICE_MIN = 0.6  # within one article
MIN_CONTAIN_STEMS = 4  # containment counts only for units with this many content stems
MIN_STEMS = 2  # units with fewer content stems group only when worded the same
# Meaning (embedding cosine, all-MiniLM-L6-v2): one speaker's statements on one topic are close
# (0.7-0.85 between different statements is common), so a cosine alone never groups. A unit may
# join the nearest agreeing statement by cosine when its best unit of another article has at
# least SEMANTIC_MIN and SEMANTIC_DICE_MIN weighted Dice, and every other agreeing statement of
# the candidates is at least SEMANTIC_MARGIN further away. Set on the seed articles, where
# 0.55-0.6 / 0.3-0.35 / 0.1-0.15 group alike; a Dice floor of 0.2 let a same-topic statement of a
# speaker with few units join (the margin means little among few candidates).
SEMANTIC_MIN = 0.6
SEMANTIC_DICE_MIN = 0.3
SEMANTIC_MARGIN = 0.1

NUM_PERM = 60
BANDS = 20
ROWS = NUM_PERM // BANDS
_SEED = 7


@dataclass(frozen=True)
class Candidate:
    """A stored unit that may report the same statement as a new one."""

    statement_id: int
    features: Features
    article_id: int
    embedding: np.ndarray | None = None


@dataclass(frozen=True)
class Placement:
    """Where a new unit goes: an existing statement (with its score) or a new one (None)."""

    statement_id: int | None
    score: float


def idf_weight(df: Mapping[str, int], n_units: int) -> Callable[[str], float]:
    """Smoothed inverse document frequency over ``n_units`` stored units with per-stem counts
    ``df`` (the new unit not counted): near-uniform while a speaker has few units. Each stem's
    weight is computed once (placing one unit weighs the same stems against every candidate), so
    ``df`` must not change while the function is in use."""
    known: dict[str, float] = {}

    def weight(stem: str) -> float:
        w = known.get(stem)
        if w is None:
            w = known[stem] = math.log(1 + (n_units + 1) / (df.get(stem, 0) + 1))
        return w

    return weight


def weighted_overlap(a: Features, b: Features, weight: Callable[[str], float]) -> tuple[float, float]:
    """(weighted Dice, weighted containment of the smaller unit) over content stems."""
    return _overlap(a, sum(weight(s) for s in a.stems), b, weight)


def _overlap(a: Features, wa: float, b: Features, weight: Callable[[str], float]) -> tuple[float, float]:
    """`weighted_overlap` with ``a``'s total weight ``wa`` given (one unit against many)."""
    wb = sum(weight(s) for s in b.stems)
    if wa <= 0 or wb <= 0:
        return (1.0, 1.0) if a.norm == b.norm and a.norm else (0.0, 0.0)
    inter = sum(weight(s) for s in a.stems & b.stems)
    small = min(len(a.stems), len(b.stems))
    contain = inter / min(wa, wb) if small >= MIN_CONTAIN_STEMS else 0.0
    return 2 * inter / (wa + wb), contain


def matches(dice: float, contain: float, same_article: bool) -> bool:
    """Whether scores this high put two agreeing units into one statement."""
    if same_article:
        return dice >= SAME_ARTICLE_DICE_MIN
    return dice >= DICE_MIN or (contain >= CONTAIN_MIN and dice >= CONTAIN_DICE_MIN)


def semantic_score(cos: float) -> float:
    """A semantic match's embedding cosine on the lexical score scale (``SEMANTIC_MIN`` maps to
    ``DICE_MIN``, 1 to 1)."""
    return DICE_MIN + (1 - DICE_MIN) * (cos - SEMANTIC_MIN) / (1 - SEMANTIC_MIN)


def semantic_pick(
    near: Mapping[int, float], across: Mapping[int, tuple[float, float]], vetoed: Container[int]
) -> tuple[int, float] | None:
    """The statement a unit matches by meaning: the nearest agreeing statement by embedding cosine
    (``near``: best cosine per statement), when its best unit of another article (``across``:
    cosine, weighted Dice) is close enough, shares a few words, and no other agreeing statement
    comes within ``SEMANTIC_MARGIN`` (a speaker says related things; only a clear nearest counts)."""
    ranked = sorted(((c, sid) for sid, c in near.items() if sid not in vetoed), key=lambda x: (-x[0], x[1]))
    if not ranked or ranked[0][1] not in across:
        return None
    sid = ranked[0][1]
    cos, dice = across[sid]
    runner_up = ranked[1][0] if len(ranked) > 1 else -1.0
    if cos < SEMANTIC_MIN or dice < SEMANTIC_DICE_MIN or runner_up > cos - SEMANTIC_MARGIN:
        return None
    return sid, semantic_score(cos)


def unit_score(
    unit: Features,
    canonical: Features,
    weight: Callable[[str], float],
    cos: float | None = None,
) -> float:
    """A unit's similarity to its statement's canonical wording on `place`'s scale: 1 for the same
    words, else the lexical score (weighted Dice, or containment discounted by 0.9) or, when higher
    and ``cos`` (embedding cosine) reaches ``SEMANTIC_MIN``, its `semantic_score`."""
    if unit.norm == canonical.norm:
        return 1.0
    dice, contain = weighted_overlap(unit, canonical, weight)
    score = max(dice, contain * 0.9)
    if cos is not None and cos >= SEMANTIC_MIN:
        score = max(score, semantic_score(cos))
    return round(min(1.0, max(0.0, score)), 4)


def _contradicts(new: Features, f: Features) -> bool:
    """Whether two units disagree on negation or numbers (never one statement)."""
    return f.negated != new.negated or bool(
        f.numbers and new.numbers and (f.numbers - new.numbers) and (new.numbers - f.numbers)
    )


def _comparable(new: Features, f: Features) -> bool:
    """Whether `place` scores a (not contradicting) candidate at all."""
    if not agree(new, f):
        return False
    # "I hope so": too little to tell statements apart
    return min(len(new.stems), len(f.stems)) >= MIN_STEMS or new.norm == f.norm


@dataclass(frozen=True)
class Scored:
    """A candidate that ``new`` does not contradict and can be compared with, and their scores."""

    candidate: Candidate
    dice: float
    contain: float
    at: int  # the candidate's position in the list compared


@dataclass(frozen=True)
class Comparison:
    """A new unit against its candidates (`compare`): the statements it contradicts (a unit of
    theirs disagrees on negation or numbers) and the comparable candidates, scored once for both
    `meaning_candidates` and `place`."""

    vetoed: frozenset[int]
    scored: tuple[Scored, ...]

    def meaning_candidates(self, article_id: int) -> list[Candidate]:
        """The candidates whose embeddings `place` compares the unit's with, or [] when embeddings
        cannot change where it goes: a match by meaning (`semantic_pick`) needs a comparable
        candidate of another article with at least ``SEMANTIC_DICE_MIN`` weighted Dice, so without
        one no embedding needs computing."""
        usable = [s for s in self.scored if s.candidate.statement_id not in self.vetoed]
        if any(s.candidate.article_id != article_id and s.dice >= SEMANTIC_DICE_MIN for s in usable):
            return [s.candidate for s in usable]
        return []

    def with_candidates(self, candidates: Sequence[Candidate]) -> Comparison:
        """The same scores over ``candidates``: the list compared, in the same order, with
        embeddings added since (the scores do not depend on them)."""
        scored = tuple(Scored(candidates[s.at], s.dice, s.contain, s.at) for s in self.scored)
        return Comparison(self.vetoed, scored)

    def place(self, article_id: int, embedding: np.ndarray | None = None) -> Placement:
        """`place` on these scores."""
        best: dict[int, float] = {}
        near: dict[int, float] = {}
        across: dict[int, tuple[float, float]] = {}
        for s in self.scored:
            c, dice, contain = s.candidate, s.dice, s.contain
            same_article = c.article_id == article_id
            if matches(dice, contain, same_article):
                score = max(dice, contain * 0.9)
                if score > best.get(c.statement_id, -1.0):
                    best[c.statement_id] = score
            cos = cosine(embedding, c.embedding)
            if cos is not None:
                near[c.statement_id] = max(cos, near.get(c.statement_id, -1.0))
                if not same_article and cos > across.get(c.statement_id, (-1.0, 0.0))[0]:
                    across[c.statement_id] = (cos, dice)
        pick = semantic_pick(near, across, self.vetoed)
        if pick is not None and pick[1] > best.get(pick[0], -1.0):
            best[pick[0]] = pick[1]
        ranked = sorted(
            ((s, sid) for sid, s in best.items() if sid not in self.vetoed), key=lambda x: (-x[0], x[1])
        )
        if not ranked:
            return Placement(None, 0.0)
        return Placement(ranked[0][1], round(ranked[0][0], 4))


def compare(new: Features, candidates: Iterable[Candidate], weight: Callable[[str], float]) -> Comparison:
    """Score ``new`` against ``candidates`` (units of the same speaker) once."""
    wa = sum(weight(s) for s in new.stems)
    vetoed: set[int] = set()
    scored: list[Scored] = []
    for at, c in enumerate(candidates):
        f = c.features
        if _contradicts(new, f):
            vetoed.add(c.statement_id)
        elif _comparable(new, f):
            scored.append(Scored(c, *_overlap(new, wa, f, weight), at))
    return Comparison(frozenset(vetoed), tuple(scored))


def meaning_candidates(
    new: Features, article_id: int, candidates: Iterable[Candidate], weight: Callable[[str], float]
) -> list[Candidate]:
    """The candidates whose embeddings `place` compares ``new``'s with, or []
    (`Comparison.meaning_candidates`)."""
    return compare(new, candidates, weight).meaning_candidates(article_id)


def place(
    new: Features,
    article_id: int,
    candidates: Iterable[Candidate],
    weight: Callable[[str], float],
    embedding: np.ndarray | None = None,
) -> Placement:
    """Choose the statement for ``new`` among ``candidates`` (units of the same speaker).

    A statement is ruled out when ``new`` contradicts any of its units on numbers or negation;
    otherwise it scores the best Dice of its agreeing units that match. With embeddings (``new``'s
    and the candidates'), the clearly nearest agreeing statement by meaning may match too
    (`semantic_pick`): a paraphrase sharing few words.
    """
    return compare(new, candidates, weight).place(article_id, embedding)


# --- MinHash LSH band keys (stored per unit; candidates are looked up by key in SQL) ---


# Built on first use: importing datasketch (its package imports SciPy) costs ~0.5 s of start-up
# that every process would pay before its first article, and only storage needs it.
_TEMPLATE: list[MinHash] = []


def band_keys(f: Features) -> list[int]:
    """The ``BANDS`` LSH band keys of a unit's content stems, as signed 64-bit integers."""
    if not f.stems:
        return []
    if not _TEMPLATE:  # the permutations are fixed by the seed: build them once per process
        from datasketch import MinHash

        _TEMPLATE.append(MinHash(num_perm=NUM_PERM, seed=_SEED))
    m = _TEMPLATE[0].copy()
    m.update_batch([s.encode() for s in sorted(f.stems)])
    hv = list(map(str, m.hashvalues.tolist()))
    bands = (f"{b}:{','.join(hv[b * ROWS : (b + 1) * ROWS])}" for b in range(BANDS))
    return [
        int.from_bytes(hashlib.blake2b(band.encode(), digest_size=8).digest(), "big", signed=True)
        for band in bands
    ]


# --- labels and diffs ---

_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")


def _plain_words(text: str) -> list[str]:
    return [t.casefold().replace("’", "'") for t in _TOKEN.findall(text) if t[0].isalnum()]


def label(variant: str, canonical: str) -> str:
    """How ``variant`` relates to the ``canonical`` wording: verbatim, punctuation (casing or
    punctuation only), trimmed (a contiguous part of it, or it a part of the variant) or paraphrase."""
    if variant.strip() == canonical.strip():
        return "verbatim"
    a, b = _plain_words(variant), _plain_words(canonical)
    if a == b:
        return "punctuation"
    if a and b:
        short, long_ = (a, b) if len(a) <= len(b) else (b, a)
        n = len(short)
        if any(long_[i : i + n] == short for i in range(len(long_) - n + 1)):
            return "trimmed"
    return "paraphrase"


def word_diff(canonical: str, variant: str) -> list[list[str]]:
    """Word-level diff from ``canonical`` to ``variant``: ``[["=", "same words"], ["-", "dropped"],
    ["+", "added"], ...]`` (difflib over word tokens; punctuation kept as tokens)."""
    a = _TOKEN.findall(canonical)
    b = _TOKEN.findall(variant)
    out: list[list[str]] = []
    sm = difflib.SequenceMatcher(a=[t.casefold() for t in a], b=[t.casefold() for t in b], autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            out.append(["=", " ".join(b[j1:j2])])
            continue
        if i2 > i1:
            out.append(["-", " ".join(a[i1:i2])])
        if j2 > j1:
            out.append(["+", " ".join(b[j1:j2])])
    return out


def canonical_rank(unit_type: str, text: str) -> tuple[int, int]:
    """Sort key for choosing a statement's canonical wording: direct quotes first, then longer."""
    return (0 if unit_type == "direct" else 1 if unit_type == "mixed" else 2, -len(text))
