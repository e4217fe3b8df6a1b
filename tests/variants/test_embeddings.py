"""Sentence embeddings (the packaged all-MiniLM-L6-v2) and the semantic signal of placement."""

from __future__ import annotations

import numpy as np

from service.variants.embeddings import DIM, cosine, embed, from_bytes, pseudo_embed, to_bytes
from service.variants.grouping import SEMANTIC_MIN, Candidate, idf_weight, label, place
from service.variants.similarity import features

UNCERTAIN = "It is unclear whether the troops will take part in combat"
DONT_KNOW = "We do not yet know whether these troops will enter into combat soon"
UNRELATED = "The ministry will publish its annual budget figures for agriculture in March"


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def test_embed_is_normalised_batched_and_round_trips_as_bytes() -> None:
    vecs = embed([UNCERTAIN, DONT_KNOW, UNRELATED], batch_size=2)
    assert vecs.shape == (3, DIM) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(from_bytes(to_bytes(vecs[0])), vecs[0])
    assert embed([]).shape == (0, DIM)
    assert from_bytes(None) is None and from_bytes(b"\0" * 8) is None


def test_paraphrase_scores_above_an_unrelated_statement() -> None:
    a, b, c = embed([UNCERTAIN, DONT_KNOW, UNRELATED])
    para, other = cosine(a, b), cosine(a, c)
    assert para is not None and other is not None
    assert para >= SEMANTIC_MIN > other
    assert para > other + 0.3


def test_pseudo_embeddings_are_deterministic_and_normalised() -> None:
    a, b = pseudo_embed(["bada kelo", "bada kelo"])
    assert np.array_equal(a, b) and abs(float(np.linalg.norm(a)) - 1.0) < 1e-5


def _place(new: str, stored: list[tuple[int, str, np.ndarray]], vec: np.ndarray) -> int | None:
    cands = [Candidate(sid, features(t), 1, e) for sid, t, e in stored]
    return place(features(new), 2, cands, idf_weight({}, len(cands)), vec).statement_id


def test_clearly_nearest_statement_by_meaning_groups_a_paraphrase() -> None:
    base = _unit(np.arange(1, DIM + 1, dtype=np.float32))
    other = _unit(np.roll(base, 7) * -1)
    near = _unit(base + 0.3 * _unit(np.ones(DIM, dtype=np.float32)))
    stored = [(1, UNCERTAIN, base), (2, UNRELATED, other)]
    assert _place(DONT_KNOW, stored, near) == 1
    assert label(DONT_KNOW, UNCERTAIN) == "paraphrase"
    assert _place(DONT_KNOW, stored, None) is None  # lexically too far apart without embeddings


def test_no_semantic_grouping_without_a_clear_margin() -> None:
    base = _unit(np.arange(1, DIM + 1, dtype=np.float32))
    near = _unit(base + 0.3 * _unit(np.ones(DIM, dtype=np.float32)))
    rival = "It is unclear whether the soldiers will be moved to the front soon"
    assert _place(DONT_KNOW, [(1, UNCERTAIN, base), (2, rival, base)], near) is None


def test_numbers_that_disagree_never_group_even_with_the_same_embedding() -> None:
    v = _unit(np.ones(DIM, dtype=np.float32))
    stored = [(1, "North Korea moved at least 3,000 soldiers into eastern Russia", v)]
    assert _place("North Korea moved at least 8,000 soldiers into eastern Russia", stored, v) is None
    negated = "It is certain that the troops will take part in combat"
    assert _place(negated, [(1, UNCERTAIN, v)], v) is None


def test_batches_cover_every_row_once_within_the_limits() -> None:
    from service.variants.embeddings import batches

    lengths = [300, 12, 40, 40, 7, 256, 90, 12, 1, 60] * 7
    got = batches(lengths, batch_size=8, max_tokens=512)
    assert sorted(i for b in got for i in b) == list(range(len(lengths)))
    for b in got:
        assert len(b) <= 8
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 512
    flat = [lengths[i] for b in got for i in b]
    assert flat == sorted(flat)  # similar lengths together: little padding
