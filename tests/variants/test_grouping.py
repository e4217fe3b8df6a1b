"""Similarity, agreement checks, placement, labels and diffs (pure)."""

from __future__ import annotations

import itertools
import random

from service.variants.embeddings import pseudo_embed
from service.variants.grouping import (
    Candidate,
    band_keys,
    idf_weight,
    label,
    meaning_candidates,
    place,
    word_diff,
)
from service.variants.similarity import agree, entities, features, numbers

KIRBY = [
    "we believe North Korea moved at least 3,000 troops to eastern Russia in early to mid-October.",
    "We assess that between early to mid-October, North Korea moved at least 3,000 soldiers into "
    "eastern Russia",
    "at least 3,000 North Korean soldiers were moved to eastern Russia in early to mid-October",
]


def test_numbers_parsed() -> None:
    assert numbers("at least 3,000 troops and 10 thousand more, three ships") == {"3000", "10000", "3"}


def test_numbers_must_agree() -> None:
    a = features("North Korea moved at least 3,000 soldiers into eastern Russia")
    b = features("North Korea moved at least 8,000 soldiers into eastern Russia")
    assert not agree(a, b)
    assert agree(a, features("North Korea moved at least 3,000 soldiers into eastern Russia by October"))


def test_negation_must_agree() -> None:
    a = features("The troops will enter combat")
    assert not agree(a, features("The troops will not enter combat"))
    assert agree(a, features("The troops will enter the combat"))


def test_entities_must_agree() -> None:
    assert entities("They traveled from Wonsan to Vladivostok") == {"wonsan", "vladivostok"}
    a = features("Troops traveled by ship from Wonsan to Vladivostok")
    assert not agree(a, features("Troops traveled by ship from Nampo to Vladivostok"))
    assert agree(a, features("Troops traveled by ship from the Wonsan area"))


def test_wording_variants_are_placed_together() -> None:
    cands: list[Candidate] = []
    df: dict[str, int] = {}
    ids = []
    for i, t in enumerate(KIRBY):
        f = features(t)
        p = place(f, i, cands, idf_weight(df, len(cands)))
        sid = p.statement_id if p.statement_id is not None else 100 + i
        ids.append(sid)
        cands.append(Candidate(sid, f, i))
        for s in f.stems:
            df[s] = df.get(s, 0) + 1
    assert len(set(ids)) == 1


def test_different_statements_stay_apart() -> None:
    f1 = features("North Korean troops traveled by ship from Wonsan")
    f2 = features("North Korean troops could move to western Russia")
    p = place(f2, 2, [Candidate(1, f1, 1)], idf_weight({}, 0))
    assert p.statement_id is None


def test_placement_ignores_candidate_order() -> None:
    stored = [features(t) for t in KIRBY[:2]] + [features("They will be fair game for Ukraine")]
    new = features(KIRBY[2])
    results = set()
    for perm in itertools.permutations(range(3)):
        cands = [Candidate(10 + i, stored[i], i) for i in perm]
        results.add(place(new, 9, cands, idf_weight({}, 0)).statement_id)
    assert len(results) == 1


def test_labels() -> None:
    canon = "We do not yet know whether these soldiers will enter into combat."
    assert label(canon, canon) == "verbatim"
    assert label("we do not yet know whether these soldiers will enter into combat", canon) == "punctuation"
    assert label("whether these soldiers will enter into combat", canon) == "trimmed"
    assert label("It is uncertain whether North Korean troops will engage in combat", canon) == "paraphrase"


def test_word_diff() -> None:
    d = word_diff("North Korea moved 3,000 soldiers", "North Korea moved 3,000 troops")
    assert ["-", "soldiers"] in d and ["+", "troops"] in d and d[0] == ["=", "North Korea moved 3 , 000"]


def test_band_keys_deterministic_and_shared_by_near_duplicates() -> None:
    a = band_keys(features(KIRBY[1]))
    assert a == band_keys(features(KIRBY[1]))
    b = band_keys(features(KIRBY[1] + " this month"))
    assert len(a) == 20 and set(a) & set(b)
    rnd = random.Random(1)
    words = [f"w{i}" for i in range(5000)]
    other = band_keys(features(" ".join(rnd.sample(words, 12))))
    assert not set(a) & set(other)


def test_meaning_candidates_only_when_an_embedding_can_decide() -> None:
    new = features("North Korea moved at least 3,000 soldiers into eastern Russia")
    near_words = features("At least 3,000 North Korean troops are now training in eastern Russia")
    other_topic = features("The weather in Seoul was pleasant during the summit")
    contradicting = features("North Korea moved at least 8,000 soldiers into eastern Russia")
    weight = idf_weight({}, 0)
    # Another article's unit sharing some words: the embeddings are compared (same-article ones too).
    same = Candidate(2, near_words, 7)
    cands = [Candidate(1, near_words, 3), same, Candidate(3, other_topic, 3)]
    got = meaning_candidates(new, 7, cands, weight)
    assert {(c.statement_id, c.article_id) for c in got} == {(1, 3), (2, 7)}
    # Only the same article, only other topics, or only contradictions: embeddings change nothing.
    assert meaning_candidates(new, 7, [same], weight) == []
    assert meaning_candidates(new, 7, [Candidate(3, other_topic, 3)], weight) == []
    assert meaning_candidates(new, 7, [Candidate(4, contradicting, 3)], weight) == []


def test_placement_without_embeddings_when_meaning_candidates_is_empty() -> None:
    """Withholding embeddings where `meaning_candidates` finds none never changes a placement."""
    texts = KIRBY + [
        "North Korean troops are training in eastern Russia",
        "The soldiers could be sent to the front within weeks",
        "We do not know whether they will fight",
        "We do know whether they will fight",
        "They will be fair game for Ukraine",
        "Russia received thousands of North Korean soldiers in October",
    ]
    feats = [features(t) for t in texts]
    vecs = pseudo_embed(texts)
    rng = random.Random(3)
    for _ in range(200):
        picked = rng.sample(range(len(texts)), 4)
        cands = [Candidate(10 + i, feats[i], rng.choice([1, 2]), vecs[i]) for i in picked[1:]]
        weight = idf_weight({}, len(cands))
        full = place(feats[picked[0]], 1, cands, weight, vecs[picked[0]])
        if not meaning_candidates(feats[picked[0]], 1, cands, weight):
            assert place(feats[picked[0]], 1, cands, weight, None) == full
