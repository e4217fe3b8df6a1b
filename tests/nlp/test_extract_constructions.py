"""Extraction of each construction on short real-style texts (real spaCy model)."""

from __future__ import annotations

import pytest

from tests.nlp.quotes import only

pytestmark = pytest.mark.slow


def test_direct_quote_with_cue_after(extract):
    text = "“We are ready to respond,” Defense Secretary Lloyd Austin said on Wednesday."
    q = only(extract(text), "We are ready")
    assert q.type == "direct"
    assert q.text == "We are ready to respond"
    assert q.cue.text == "said"
    assert q.speaker.name == "Lloyd Austin"
    assert "Defense Secretary" in q.speaker.roles


def test_direct_quote_with_colon_intro_and_pronoun(extract):
    text = (
        "John Kirby spoke to reporters on Monday.\n"
        'He explained: "We understand that the troops traveled by ship to Vladivostok."'
    )
    q = only(extract(text), "We understand")
    assert q.type == "direct"
    assert q.cue.text == "explained"
    assert q.speaker.name == "John Kirby"
    assert q.speaker.mention.text == "He"


def test_quote_split_by_attribution_is_one_quote_with_parts(extract):
    text = "“We assess that they moved,” Kirby said. “They are now in training.”"
    quotes = extract(text)
    assert len(quotes) == 1
    q = quotes[0]
    assert len(q.parts) == 2
    assert [p.text for p in q.parts] == ["We assess that they moved", "They are now in training."]
    assert q.start == q.parts[0].start and q.end == q.parts[1].end


def test_indirect_speech_with_that_and_without(extract):
    text = (
        "Kirby said it was too early to assess the impact. "
        "Austin warned that the consequences could be severe and widespread."
    )
    quotes = extract(text)
    a = only(quotes, "too early to assess")
    assert a.type == "indirect" and a.speaker.name == "Kirby" and a.cue.text == "said"
    b = only(quotes, "consequences could be severe")
    assert b.type == "indirect" and b.speaker.name == "Austin" and b.cue.text == "warned"
    assert not b.text.startswith("that")


def test_according_to_names_the_source(extract):
    text = (
        "According to South Korea's National Intelligence Service, about 3,000 troops have moved "
        "to Russia and the total is expected to reach 10,000 by December."
    )
    q = only(extract(text), "3,000 troops have moved")
    assert q.type == "indirect"
    assert "National Intelligence Service" in q.speaker.name
    assert q.cue.text.lower().startswith("according")


def test_mixed_quote_fragment_inside_reported_speech(extract):
    text = (
        "He noted that Russian forces have endured casualties, and the number of troops sent "
        "to Kursk “pales in comparison” to the losses Russia faces."
    )
    q = only(extract(text), "pales in comparison")
    assert q.type == "mixed"
    assert q.text.startswith("Russian forces")


def test_channel_is_via_not_speaker(extract):
    text = (
        "“Allies have confirmed evidence of a troop deployment,” NATO spokeswoman Farah Dakhlallah "
        "told Politico Europe in a statement."
    )
    q = only(extract(text), "Allies have confirmed")
    assert q.speaker.name == "Farah Dakhlallah"
    assert q.via is not None and q.via.text == "Politico Europe"


def test_according_to_channel_with_named_speaker(extract):
    text = (
        "“We assess that they moved,” National Security Council spokesman John Kirby said, according to CNN."
    )
    q = only(extract(text), "We assess")
    assert q.speaker.name == "John Kirby"
    assert q.via is not None and q.via.text == "CNN"


def test_role_noun_resolves_to_the_person_introduced_with_that_role(extract):
    text = (
        "Defense Secretary Lloyd Austin spoke in Rome on Wednesday.\n"
        "If North Korea joins the war, the consequences could be severe, the Defense secretary said."
    )
    q = only(extract(text), "consequences could be severe")
    assert q.speaker.name == "Lloyd Austin"
    assert q.speaker.mention.text.lower().endswith("secretary")


def test_follow_on_paragraph_inherits_the_previous_speaker(extract):
    text = (
        "“We are seeing evidence of troops in Russia,” Austin said.\n"
        "“What exactly they are doing is left to be seen and we will watch it closely.”\n"
    )
    quotes = extract(text)
    assert len(quotes) == 2
    assert quotes[1].speaker.name == "Austin"
    assert quotes[1].cue is None


def test_surname_resolves_to_full_name(extract):
    text = "John Kirby spoke on Wednesday. Kirby said the sanctions would come within days."
    q = only(extract(text), "sanctions would come")
    assert q.speaker.name == "John Kirby"
    assert q.speaker.mention.text == "Kirby"


def test_scare_quotes_without_cue_are_not_quotes(extract):
    text = "The two countries signed a “Comprehensive Strategic Partnership Agreement” in June."
    assert extract(text) == []


def test_offsets_index_the_given_text(extract):
    text = "71.8 F\nLos Angeles\n\n“We will defend ourselves,” the minister, Ana Lopez, said.\n"
    for q in extract(text):
        assert text[q.start : q.end] == q.text
        for p in q.parts:
            assert text[p.start : p.end] == p.text


def test_parenthetical_cue_splits_the_content_into_parts(extract):
    text = (
        "Dr. Martell treats addiction in Halifax. The drugs have a limited set of uses, he says, "
        "and are mostly meant to be taken only short term."
    )
    q = only(extract(text), "limited set of uses")
    assert q.type == "indirect"
    assert q.speaker.name == "Martell"
    assert [p.text for p in q.parts] == [
        "The drugs have a limited set of uses",
        "are mostly meant to be taken only short term",
    ]


def test_headline_name_colon_quote(extract):
    text = "Kirby: “North Korea moved 3,000 troops into eastern Russia”\nJohn Kirby spoke on Wednesday."
    q = only(extract(text), "3,000 troops")
    assert q.type == "direct"
    assert q.speaker.name == "John Kirby"
    assert q.cue.text == ":"


def test_aside_before_its_clause(extract):
    text = "The only problem, Ms. Bigbee said, is that her daughter's hourly pay is one-third less."
    q = only(extract(text), "hourly pay")
    assert q.speaker.name == "Bigbee"
    assert len(q.parts) == 2 and q.parts[0].text == "The only problem"


def test_headline_name_colon_statement(extract):
    text = "McCaul: If elected, Hillary Clinton could be impeached\nRep. Michael McCaul spoke on Fox."
    q = only(extract(text), "could be impeached")
    assert q.type == "indirect"
    assert q.speaker.name == "Michael McCaul"
    assert q.cue.text == ":"


def test_furniture_labels_with_colons_are_not_speakers(extract):
    assert extract("READ MORE: Sextortion scam uses old passwords to extort money") == []


def test_pronoun_skips_a_person_of_the_other_stated_gender(extract):
    text = (
        "Mr. Neil Calder, a friend of the family, spoke at the hearing. Ms. Wendy Golden lost "
        "her son in 2014.\nHe said he had never meant for anyone to die."
    )
    q = only(extract(text), "never meant")
    assert q.speaker.name == "Neil Calder"


def test_speech_act_with_infinitive_content(extract):
    text = "President Volodymyr Zelensky urged South Korea to enhance its support for Ukraine."
    q = only(extract(text), "enhance its support")
    assert q.type == "indirect"
    assert q.speaker.name == "Volodymyr Zelensky"
    assert q.text == "South Korea to enhance its support for Ukraine"


def test_intentions_are_not_speech(extract):
    assert extract("The government plans to expand security support for Ukraine.") == []


def test_adjectival_participles_and_wh_complements_are_not_cues(extract):
    assert extract("Sanders trails Clinton in pledged delegates after the Tuesday primaries.") == []
    assert extract("The golfer Tiger Woods knows exactly what he needs equipment-wise.") == []


def test_paragraph_introduced_by_cue_and_colon_and_pronoun_prefers_the_subject(extract):
    text = (
        "Former governor Jeb Bush did not have kind words for Donald Trump. "
        "In a speech last July, he said:\n\n"
        "Let no one be mistaken – Donald Trump’s candidacy is a cancer on conservatism.\n\nOthers agreed."
    )
    q = only(extract(text), "Let no one be mistaken")
    assert q.type == "indirect"
    assert q.cue.text == "said"
    assert q.speaker.name == "Jeb Bush"
    assert q.speaker.mention.text == "he"


def test_quote_paragraph_after_a_paragraph_ending_with_its_cue(extract):
    text = (
        "“We are watching,” Austin said on Monday.\n"
        "Later, Kirby told reporters:\n"
        "“We assess that the troops moved to eastern Russia.”"
    )
    q = only(extract(text), "We assess")
    assert q.speaker.name == "Kirby"
    assert q.cue.text == "told"


def test_pronoun_uses_first_name_gender_when_the_article_states_none(extract):
    text = (
        "Dorie Greenspan started baking in 1975. Her friend Michael Ruhlman tasted the cake.\n"
        "“I was introduced to someone who worked in the test kitchen,” she says."
    )
    q = only(extract(text), "I was introduced")
    assert q.speaker.name == "Dorie Greenspan"
