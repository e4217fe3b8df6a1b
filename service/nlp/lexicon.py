"""Cue lexicons (reporting verbs, source prepositions, media words), loaded from JSON once."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

LEXICON_DIR = Path(__file__).parent / "lexicons"


@dataclass(frozen=True)
class CueLexicon:
    speech_verbs: frozenset[str]
    cognition_verbs: frozenset[str]
    speech_nouns: frozenset[str]
    media_heads: frozenset[str]

    def is_cue_lemma(self, lemma: str) -> bool:
        return lemma in self.speech_verbs or lemma in self.cognition_verbs


@functools.lru_cache(maxsize=1)
def cue_lexicon() -> CueLexicon:
    """The reporting-cue lexicon shipped in ``lexicons/cues.json``."""
    data = json.loads((LEXICON_DIR / "cues.json").read_text(encoding="utf-8"))
    return CueLexicon(
        speech_verbs=frozenset(data["speech_verbs"]),
        cognition_verbs=frozenset(data["cognition_verbs"]),
        speech_nouns=frozenset(data["speech_nouns"]),
        media_heads=frozenset(data["media_heads"]),
    )


@functools.lru_cache(maxsize=1)
def first_name_genders() -> dict[str, str]:
    """Lower-case first name -> "f" or "m", from ``lexicons/first_names.json``."""
    data = json.loads((LEXICON_DIR / "first_names.json").read_text(encoding="utf-8"))
    return {**{n: "f" for n in data["female"]}, **{n: "m" for n in data["male"]}}
