"""Stems are Snowball English's, whichever implementation computes them: stored stems and band
keys must not change with the stemmer's implementation."""

from __future__ import annotations

import re
from pathlib import Path

from snowballstemmer.english_stemmer import EnglishStemmer

from service.variants.similarity import IRREGULAR, stem

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_stems_are_snowball_english_on_the_seed_vocabulary() -> None:
    reference = EnglishStemmer()  # the pure-Python implementation
    words = {w.lower() for p in SEEDS.glob("*.txt") for w in re.findall(r"[A-Za-z]+", p.read_text())}
    words -= set(IRREGULAR)
    assert len(words) > 700
    differ = {w: (stem(w), reference.stemWord(w)) for w in words if not stem(w).startswith("=")}
    assert {w: pair for w, pair in differ.items() if pair[0] != pair[1]} == {}
    assert stem("deployed") == stem("deploying") == "deploy" and stem("went") == stem("go")
