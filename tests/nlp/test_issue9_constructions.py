"""Detection constructions seen on real news pages (issue 9), each a general rule.

Covered: a work title in quotation marks inside the speaker's phrase; scare quotes and foreign
terms after "so-called"/"known as"; caption lines ("Header Image: ...") and title-case headlines
are not quotes; cues "remembers", "whispers", "posit", "..., the paper states"; a speaker after
the cue ("remembers Shanna Challenger", "whispers the old man"); a quote ending in a question
mark; a reporting aside inside the content ("It's easy, she says, for ...").

The unit tests of the pure rules run without a model; the extraction tests load the real spaCy
model (slow).
"""

from __future__ import annotations

import pytest

from service.nlp.detect import headline_paragraphs, is_headline
from service.nlp.direct import is_named_term
from service.nlp.marks import find_quoted_spans
from service.nlp.syntax import paragraph_index
from service.text.clean import clean_text


@pytest.mark.parametrize(
    "line",
    [
        "Users Urged to Remain Cautious",
        "Officials Urge Calm After Storm in the Valley",
        "Goats Clear Brush on a Ridge",
    ],
)
def test_title_case_lines_are_headlines(line: str) -> None:
    assert is_headline(line)


@pytest.mark.parametrize(
    "line",
    [
        "The agency said phishing messages were circulating.",
        "Users urged to remain cautious",  # sentence case: could be a clause
        "NASA",
        "“We Will Win,” Says Mayor",  # a quotation: left to the quote rules
        "Margaret Holloway",  # a signature, not a headline (two words)
        "UN SECURITY COUNCIL MEETS",  # all caps: page furniture, handled by clean.py
    ],
)
def test_other_lines_are_not_headlines(line: str) -> None:
    assert not is_headline(line)


def test_headline_paragraphs_by_index() -> None:
    text = "Users Urged to Remain Cautious\nThe agency said phishing messages were circulating."
    assert headline_paragraphs(text, paragraph_index(text)) == {0}


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Farmers signed so-called ‘Schutzverträge’ with buyers.", True),
        ("the border fence, known as “the Wall”, was finished", True),
        ("a study titled 'Fire and Grazing' appeared", True),
        ("Rubio, whom he dubbed 'the little senator'", False),  # a naming by the speaker: quoted
        ("He said “we are ready” on Monday.", False),
    ],
)
def test_named_terms(text: str, named: bool) -> None:
    (q,) = find_quoted_spans(text)
    assert is_named_term(text, q) is named


def test_caption_lines_are_blanked() -> None:
    text = "Header Image: People have lived along the Tapajós for centuries.\n“We stay,” she said.\nPhoto: AP"
    cleaned = clean_text(text)
    assert cleaned.split("\n")[0].strip() == "" and cleaned.split("\n")[2].strip() == ""
    assert cleaned.split("\n")[1] == "“We stay,” she said."


# ---------------------------------------------------------------- with the real model


def _texts(quotes):  # type: ignore[no-untyped-def]
    return [q.text for q in quotes]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("“Parasite” director Bong Joon Ho said the film was about class.", "Bong Joon Ho"),
        ("‘Mrs Maisel’ actress Alex Borstein said she was thrilled with the award.", "Alex Borstein"),
        ("'Mrs Maisel' actress Alex Borstein said she was thrilled with the award.", "Alex Borstein"),
    ],
)
def test_work_title_in_the_speaker_phrase_is_not_a_quote(extract, text: str, speaker: str) -> None:  # type: ignore[no-untyped-def]
    quotes = extract(text)
    assert "Parasite" not in _texts(quotes) and "Mrs Maisel" not in _texts(quotes)
    (q,) = quotes
    assert q.speaker.name == speaker and q.text.startswith(("the film", "she was"))


@pytest.mark.slow
def test_scare_quoted_foreign_term_is_not_a_quote(extract) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Klaus Berger, the trade minister, spoke on Monday about the new rules.\n"
        "The farms changed their buyers last year.\n"
        "Many farmers signed so-called ‘Schutzverträge’ with buyers in 2019."
    )
    assert not [q for q in extract(text) if "Schutzverträge" in q.text]


@pytest.mark.slow
def test_captions_and_headlines_are_not_quotes(extract) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Users Urged to Remain Cautious\n"
        "Header Image: People have lived along the river for thousands of years.\n"
        "The agency said phishing messages were circulating."
    )
    quotes = extract(text)
    assert _texts(quotes) == ["phishing messages were circulating"]


@pytest.mark.slow
def test_inverted_subject_after_remembers(extract) -> None:  # type: ignore[no-untyped-def]
    text = "“Those goats were so smart,” remembers Shanna Challenger, coordinator of the county’s program."
    (q,) = extract(text)
    assert q.type == "direct" and q.text == "Those goats were so smart"
    assert q.cue.text == "remembers" and q.speaker.name == "Shanna Challenger"


@pytest.mark.slow
def test_whispers_with_inverted_subject_and_question_mark(extract) -> None:  # type: ignore[no-untyped-def]
    (q,) = extract("“Come closer,” whispers the old man.")
    assert q.cue.text == "whispers" and q.speaker.mention.text.endswith("old man")
    text = "Raimundo Kayapó leads the village council. He whispers, “So you’ve discovered our little secret?”"
    (q,) = extract(text)
    assert q.text == "So you’ve discovered our little secret?"
    assert q.cue.text == "whispers" and q.speaker.name == "Raimundo Kayapó"


@pytest.mark.slow
def test_posit_and_the_paper_states(extract) -> None:  # type: ignore[no-untyped-def]
    (q,) = extract("Scientists posit that grazing alone will not stop a wind-driven fire.")
    assert q.text == "grazing alone will not stop a wind-driven fire" and q.cue.text == "posit"
    (q,) = extract("The program’s budget doubled this year to $1.2 million, the paper states.")
    assert q.text == "The program’s budget doubled this year to $1.2 million"
    assert q.speaker.mention.text.endswith("paper")


@pytest.mark.slow
def test_reporting_aside_inside_the_content_keeps_the_speaker(extract) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Shanna Challenger runs the county’s program. "
        "It’s easy, Challenger says, for people to marvel at the animals and forget the work behind them."
    )
    quotes = extract(text)
    (q,) = [q for q in quotes if "marvel" in q.text]
    assert q.speaker.name == "Shanna Challenger" and q.cue.text == "says"
    assert q.text.startswith("It’s easy") and [p.text for p in q.parts][0] == "It’s easy"
