"""The project's word lists, loaded from ``lexicons/*.json`` once (one loader for all of them).

- ``cue_lexicon()``: reporting verbs, source prepositions, media words (quote detection).
- ``speaker_lexicon()``: titles, honorifics, organisation words, document nouns, gendered words,
  country forms (in-article resolution in ``service.nlp.speakers`` and cross-article resolution in
  ``service.registry.names`` read the same lists, so the two never disagree about a title).
- ``first_name_genders()``: common first names with the gender they usually signal.

Plain data only: no spaCy, Flask or database import, so any layer may use it.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LEXICON_DIR = Path(__file__).parent / "lexicons"


@functools.cache
def load_lexicon(name: str) -> dict[str, Any]:
    """The parsed JSON of ``lexicons/<name>.json`` (cached; callers must not mutate it)."""
    data: dict[str, Any] = json.loads((LEXICON_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def _words(data: dict[str, Any], key: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in data[key])


@dataclass(frozen=True)
class CueLexicon:
    speech_verbs: frozenset[str]
    cognition_verbs: frozenset[str]
    speech_nouns: frozenset[str]
    media_heads: frozenset[str]
    quote_verbs: frozenset[str] = frozenset()  # attribute an adjacent quotation only
    object_verbs: frozenset[str] = frozenset()  # speech acts whose object is what was said
    object_needs_as: frozenset[str] = frozenset()  # ... only with an "as" complement
    object_not_person: frozenset[str] = frozenset()  # ... only when the object is no person
    object_also_physical: frozenset[str] = frozenset()  # ... only when the object is definite
    act_objects: frozenset[str] = frozenset()  # objects that make object_not_person verbs acts

    def is_cue_lemma(self, lemma: str) -> bool:
        return lemma in self.speech_verbs or lemma in self.cognition_verbs


@functools.lru_cache(maxsize=1)
def cue_lexicon() -> CueLexicon:
    """The reporting-cue lexicon shipped in ``lexicons/cues.json``."""
    data = load_lexicon("cues")
    return CueLexicon(
        speech_verbs=_words(data, "speech_verbs"),
        cognition_verbs=_words(data, "cognition_verbs"),
        speech_nouns=_words(data, "speech_nouns"),
        media_heads=_words(data, "media_heads"),
        quote_verbs=_words(data, "quote_verbs"),
        object_verbs=_words(data, "object_speech_verbs"),
        object_needs_as=_words(data, "object_needs_as"),
        object_not_person=_words(data, "object_not_person"),
        object_also_physical=_words(data, "object_also_physical"),
        act_objects=_words(data, "act_objects"),
    )


@dataclass(frozen=True)
class SpeakerLexicon:
    """Word lists about speakers' names (``lexicons/speakers.json``), lower-case.

    ``title_words`` is everything that may precede a name as (part of) a title and is stripped
    from it: honorifics, titles, title qualifiers ("foreign", "former") and connectives ("of").
    ``name_particles``: lower-case words inside surnames ("van", "de", "bin"); any other
    lower-case word ("of", "and") marks a capitalised phrase as a title, not a name.
    ``page_furniture``: words of photo credits, captions and page labels that get glued to names.
    ``description_heads``: nouns that head an unnamed source ("researchers", "officials").
    ``human_suffixes``: endings of nouns for people ("-er", "-ist", "-person"), evidence that a
    role noun can be a pronoun's antecedent.
    """

    honorifics: frozenset[str]
    single_name_honorifics: frozenset[str]
    titles: frozenset[str]
    title_qualifiers: frozenset[str]
    title_connectives: frozenset[str]
    name_suffixes: frozenset[str]
    name_particles: frozenset[str]
    feminine_words: frozenset[str]
    masculine_words: frozenset[str]
    organisation_heads: frozenset[str]
    organisation_name_words: frozenset[str]
    organisation_classes: tuple[frozenset[str], ...]
    document_nouns: frozenset[str]
    page_furniture: frozenset[str]
    description_heads: frozenset[str]
    human_suffixes: tuple[str, ...]
    role_word_folds: dict[str, str]
    role_filler: frozenset[str]
    countries: dict[str, tuple[str, ...]]

    @property
    def title_words(self) -> frozenset[str]:
        return self.honorifics | self.titles | self.title_qualifiers | self.title_connectives

    @property
    def organisation_words(self) -> frozenset[str]:
        """Words that mark a name as an organisation's (heads and other name words)."""
        return self.organisation_heads | self.organisation_name_words


@functools.lru_cache(maxsize=1)
def speaker_lexicon() -> SpeakerLexicon:
    """The speaker-name lexicon shipped in ``lexicons/speakers.json``."""
    data = load_lexicon("speakers")
    return SpeakerLexicon(
        honorifics=_words(data, "honorifics"),
        single_name_honorifics=_words(data, "single_name_honorifics"),
        titles=_words(data, "titles"),
        title_qualifiers=_words(data, "title_qualifiers"),
        title_connectives=_words(data, "title_connectives"),
        name_suffixes=_words(data, "name_suffixes"),
        name_particles=_words(data, "name_particles"),
        feminine_words=_words(data, "feminine_words"),
        masculine_words=_words(data, "masculine_words"),
        organisation_heads=_words(data, "organisation_heads"),
        organisation_name_words=_words(data, "organisation_name_words"),
        organisation_classes=tuple(frozenset(c) for c in data["organisation_classes"]),
        document_nouns=_words(data, "document_nouns"),
        page_furniture=_words(data, "page_furniture"),
        description_heads=_words(data, "description_heads"),
        human_suffixes=tuple(data["human_suffixes"]),
        role_word_folds=dict(data["role_word_folds"]),
        role_filler=_words(data, "role_filler"),
        countries={k: tuple(v) for k, v in data["countries"].items()},
    )


@functools.lru_cache(maxsize=1)
def first_name_genders() -> dict[str, str]:
    """Lower-case first name -> "f" or "m", from ``lexicons/first_names.json``."""
    data = load_lexicon("first_names")
    return {**{n: "f" for n in data["female"]}, **{n: "m" for n in data["male"]}}
