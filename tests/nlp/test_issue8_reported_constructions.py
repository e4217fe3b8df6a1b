"""Reported speech without a clause of its own (issue 8: quotes of named speakers we missed).

Covered, each a general construction: a speech act whose object is what was said ("accused X
of Y", "described X as Y"); directives whose infinitive hangs off the object or reads "for X
to Y"; a source in an "as" aside ("As the Guardian reported, S"); a person calling something a
quoted name; a headline "Name: statement" with quoted words; a clause whose subject is a
gerund. And what stays out: a bare name as object, an act not done, a subject that cannot
speak, "as expected", a naming participle.

Real spaCy model (slow).
"""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from service.nlp.syntax import subject_of
from tests.nlp.quotes import only

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        (
            "Senator Maria Lopez accused the governor of mishandling the flood response.",
            "the governor of mishandling the flood response",
            "Maria Lopez",
        ),
        (
            "Mayor Tom Becker described the new stadium deal as a gift to developers.",
            "the new stadium deal as a gift to developers",
            "Tom Becker",
        ),
        (
            "Union leader Sara Quinn is calling for the company to reopen talks before the holidays.",
            "the company to reopen talks before the holidays",
            "Sara Quinn",
        ),
        (
            "Fire Chief Alan Ruiz urged all residents living near the river to leave their homes.",
            "all residents living near the river to leave their homes",
            "Alan Ruiz",
        ),
        (
            "Fire Chief Alan Ruiz urged all drivers heading to the coast to avoid Highway 4.",
            "all drivers heading to the coast to avoid Highway 4",
            "Alan Ruiz",
        ),
        (
            "Senator Ana Ruiz promised to fight the bill, calling it a betrayal of working families.",
            "it a betrayal of working families",
            "Ana Ruiz",
        ),
        (
            "Last week, Governor Lise Marchand announced new measures that make it harder to evict tenants.",
            "new measures that make it harder to evict tenants",
            "Lise Marchand",
        ),
        (
            "Coach Mia Larsen said having her captain back on the ice was a huge lift.",
            "having her captain back on the ice was a huge lift",
            "Mia Larsen",
        ),
    ],
)
def test_speech_acts_without_a_that_clause(extract, text, content, speaker):
    q = only(extract(text), content)
    assert q.type == "indirect"
    assert q.text == content
    assert q.speaker.name == speaker


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        (
            "As the Guardian reported last week, the ministry had quietly shelved the plan.",
            "the ministry had quietly shelved the plan",
            "Guardian",
        ),
        (
            "As reported by Reuters, the two companies had held merger talks in the spring.",
            "the two companies had held merger talks in the spring",
            "Reuters",
        ),
        (
            "Invoking hyperinflation is a classic scare tactic, as the economist Dan Ortiz noted in print.",
            "Invoking hyperinflation is a classic scare tactic",
            "Dan Ortiz",
        ),
        (
            "As the economist Lena Park puts it, the recovery is real but uneven.",
            "the recovery is real but uneven",
            "Lena Park",
        ),
    ],
)
def test_source_in_an_as_aside(extract, text, content, speaker):
    q = only(extract(text), content)
    assert q.text == content
    assert q.speaker.name == speaker


def test_a_person_calling_something_a_quoted_name_is_speaking(extract):
    text = "Senator Paul Grady called the proposal a “reckless giveaway” to insurers."
    q = only(extract(text), "reckless giveaway")
    assert q.type == "mixed"
    assert q.speaker.name == "Paul Grady"


def test_headline_name_colon_with_quoted_words(extract):
    text = "Jane Ortiz: City Hall Is a ‘Broken Machine’ on Housing\nThe councillor spoke on Monday."
    q = only(extract(text), "Broken Machine")
    assert q.type == "mixed"
    assert q.speaker.name == "Jane Ortiz"
    assert q.cue.text == ":"


@pytest.mark.parametrize(
    "text",
    [
        "The council member praised Johnson.",  # a bare name: no words reported
        "The mayor did not dismiss the possibility of a second vote next month.",  # not done
        "The report underscores the need for a new approach to housing policy.",  # cannot speak
        "As expected, the council approved the budget on Tuesday.",  # no source
        "The drug, called “Molly” on the street, is sold in small tablets.",  # naming, not saying
        "The painter painted the old barn in bright red colours.",
        "The union called a meeting for Friday night.",  # "call" reports words with a name only
        "Prices fell sharply, as the company agreed to the merger terms.",  # an "as" clause of its own
    ],
)
def test_not_reported_speech(extract, text):
    assert extract(text) == []


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        (
            "“The market will recover by spring,” according to economist Jane Holt.",
            "The market will recover by spring",
            "Jane Holt",
        ),
        (
            "Critics seized on Senator Dana Whitfield's claim that she had opposed the war from the start.",
            "she had opposed the war from the start",
            "Dana Whitfield",
        ),
        (
            "The book includes an admission from Mayor Ken Oduya that the budget had been padded for years.",
            "the budget had been padded for years",
            "Ken Oduya",
        ),
    ],
)
def test_source_of_a_quotation_or_a_speech_noun(extract, text, content, speaker):
    q = only(extract(text), content)
    assert q.text == content
    assert q.speaker.name == speaker


def test_continue_to_is_no_cue(extract):
    text = (
        "According to analyst Omar Reyes, the outage was a “warning shot” and prices will continue to rise."
    )
    q = only(extract(text), "warning shot")
    assert q.speaker.name == "Omar Reyes"
    assert q.cue.text.lower().startswith("according")


def test_a_claim_without_its_source_is_not_a_quote(extract):
    assert extract("The claim that the vaccine causes autism has been debunked.") == []


def test_a_belief_reported_in_someones_words_is_theirs(extract):
    text = (
        "The mayor thinks the provincial government collects too many fees from small towns, "
        "former premier Joan Haldane said this week at a forum."
    )
    q = only(extract(text), "too many fees")
    assert q.speaker.name == "Joan Haldane"
    assert q.cue.text == "said"
    assert not [q for q in extract(text) if "Haldane said" in q.text]


def test_a_belief_under_a_name_and_colon_is_the_named_speakers(extract):
    text = "Joan Haldane: the mayor thinks towns pay too many fees.\n\nThe former premier spoke in Regina."
    q = only(extract(text), "too many fees")
    assert q.speaker.name == "Joan Haldane"
    assert q.cue.text == ":"


def test_a_long_title_case_phrase_before_a_colon_is_no_speaker(extract):
    text = (
        "Budget Office Rebuts Mayor: Only ‘Two or Three Items’ Were Cut\n\nThe office published its review."
    )
    assert not [q for q in extract(text) if q.speaker.name and "Rebuts" in q.speaker.name]


def test_a_surname_with_its_particle_is_the_full_named_person(extract):
    text = (
        "Mayor Bill de Blasio on Thursday visited the precinct.\n\n"
        "De Blasio said the decision was made by the police commissioner.\n\n"
        "“We are safe,” De Blasio added."
    )
    quotes = extract(text)
    assert {q.speaker.name for q in quotes} == {"Bill de Blasio"}
    assert len(quotes) == 2


def test_a_name_after_the_cue_parsed_as_the_subject_of_what_follows(extract):
    text = "“I fix things better than I write about them,” said Carla Mendes, half joking."
    q = only(extract(text), "fix things")
    assert q.speaker.name == "Carla Mendes"


def test_a_subject_the_parser_split_from_its_cue():
    # the parser ended a sentence after "Vickers" and began the next with "said"
    words = ["Vickers", "said", "he", "left", "."]
    doc = Doc(
        spacy.blank("en").vocab,
        words=words,
        spaces=[True, True, True, False, False],
        pos=["PROPN", "VERB", "PRON", "VERB", "PUNCT"],
        heads=[0, 1, 3, 1, 1],
        deps=["ROOT", "ROOT", "nsubj", "ccomp", "punct"],
    )
    subj = subject_of(doc[1])
    assert subj is not None and subj.i == 0


@pytest.mark.parametrize(
    "text",
    [
        "Defending champion Lena Kovac defended the title she won last year in Melbourne.",
        "The judge dismissed the charges against the former county treasurer.",
        "Mayor Ruth Alder, who championed the riverfront project for two decades, died on Sunday.",
        "The Orioles welcomed the Blue Jays to Camden Yards for a four-game series.",
        "The defense lawyer questioned the officer about the traffic stop for two hours.",
        "The actor portrayed a detective in the hit series for six seasons.",
        "Alvarez blasted a home run over the left-field wall in the ninth inning.",
        "Okafor slammed a dunk over two defenders late in the fourth quarter.",
        "Manager Tim Hale praised the staff.",
    ],
)
def test_acts_that_are_no_speech_in_other_senses(extract, text):
    assert extract(text) == []


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        (
            "Councilwoman Tara Mendes dismissed the audit as a political stunt.",
            "the audit as a political stunt",
            "Tara Mendes",
        ),
        (
            "Senator Ana Ruiz slammed the governor's decision to close three rural hospitals.",
            "the governor's decision to close three rural hospitals",
            "Ana Ruiz",
        ),
        (
            "Coach Dan Pruitt welcomed the league's decision to shorten the season.",
            "the league's decision to shorten the season",
            "Dan Pruitt",
        ),
    ],
)
def test_the_same_acts_reporting_words(extract, text, content, speaker):
    q = only(extract(text), content)
    assert q.speaker.name == speaker


@pytest.mark.parametrize(
    "text",
    [
        "As the name suggests, the diner on Fifth Street serves only breakfast.",
        "Bears: Fields; Montgomery, Herbert; Moore, Kmet, Mooney.",
        "Final score: Rangers 4, Bruins 2",
        "Forecast: Cloudy, with a high of 58 and light winds from the east.",
        "Location: The fair will be held on the county showground this weekend.",
        "Verdict: This is the most comfortable running shoe we tested this year.",
        "Director: Greta Lindqvist. Running time: 1 hour 52 minutes.",
        "Where: The old rail depot, with parking on Elm Street after six.",
    ],
)
def test_asides_and_labels_that_report_nobody(extract, text):
    assert extract(text) == []


def test_a_report_in_an_as_aside_is_a_source(extract):
    text = "As the inspector general's report noted, the agency lost track of 4,000 laptops."
    q = only(extract(text), "4,000 laptops")
    assert q.cue.text == "noted"


def test_a_name_and_colon_over_a_verbless_statement_is_still_a_quote(extract):
    text = (
        "Budget talks stall in the capital\n\n"
        "Governor Alvarez: No new taxes on working families\n\nMore to come."
    )
    q = only(extract(text), "No new taxes")
    assert q.speaker.name == "Alvarez"


def test_a_role_with_its_agency_before_a_colon_is_a_source_not_a_field_label(extract):
    text = "Inquiry latest\n\nFBI Director: The agency will cooperate fully with the review\n\nMore soon."
    q = only(extract(text), "The agency will cooperate")
    assert q.speaker.mention.text.endswith("Director")
