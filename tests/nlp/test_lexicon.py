"""One copy of each word list: the lexicon loader and its users agree."""

from __future__ import annotations

from service.nlp import speakers
from service.nlp.lexicon import cue_lexicon, load_lexicon, speaker_lexicon
from service.registry import names


def test_speaker_lexicon_is_loaded_once_and_lower_case() -> None:
    lex = speaker_lexicon()
    assert lex is speaker_lexicon()
    assert "president" in lex.titles and "mr" in lex.honorifics
    assert all(w == w.casefold() for w in lex.title_words | lex.organisation_words)
    assert load_lexicon("speakers")["countries"]["united states"][0] == "united states"


def test_in_article_and_cross_article_resolution_share_the_word_lists() -> None:
    lex = speaker_lexicon()
    assert speakers.TITLE_WORDS == names.TITLE_WORDS == lex.title_words
    assert speakers.ORG_HEADS <= names.ORG_WORDS
    assert names.COUNTRY_FORMS["south korean"] == "south korea"
    assert names.HONORIFIC_SINGLE == lex.single_name_honorifics


def test_object_speech_verbs_are_speech_verbs() -> None:
    # detection visits speech verbs only: an object verb outside them would never be tried
    lex = cue_lexicon()
    assert lex.object_verbs and lex.object_verbs <= lex.speech_verbs
