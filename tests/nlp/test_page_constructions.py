"""Attribution constructions found by scoring raw news pages (tests/fixtures/html_eval), each a
general rule tested on written sentences, with the cases that must not match:

- a report whose later part holds a quotation keeps both ("Rogers said the bank was watching the
  tariffs, which she said could have “significant” consequences");
- "he"/"she" never goes to a last speaker of the other stated gender;
- a name beside the cue when the parse gave a description or a word fragment ("said co-author
  Felipe Arancibia", "defence barrister Aidan Moore KC suggested"), but not the name after "for";
- a definite description refers back ("the defender said" after Walsh's words; "the lender
  said" after the bank's results), but a different stated role or an unnamed source does not;
- "the statement said" / "the letter said" is the author of the statement or letter named before;
- on a letters page, each letter's paragraphs are its signer's words;
- "put it" introduces a quotation ("Her office put it bluntly in a statement: “...”").
"""

from __future__ import annotations

import pytest

from service.nlp.letters import letters
from tests.nlp.quotes import only


def _speaker(quotes, part: str) -> str | None:  # type: ignore[no-untyped-def]
    return only(quotes, part).speaker.name


# -- a report before a quotation ------------------------------------------------------------------


@pytest.mark.slow
def test_report_before_a_quotation_keeps_both(extract) -> None:  # type: ignore[no-untyped-def]
    quotes = extract(
        "Senior Deputy Governor Carolyn Rogers said the bank was closely watching the potential "
        "impact of the 25% tariffs threatened by U.S. President-elect Donald Trump, which she said "
        "could have “significant” consequences for Canadian exporters."
    )
    report = only(quotes, "the bank was closely watching")
    assert report.type == "indirect" and "which she said" not in report.text
    assert report.speaker.name == "Carolyn Rogers"
    assert only(quotes, "“significant”").speaker.name == "Carolyn Rogers"


@pytest.mark.slow
def test_report_is_cut_before_the_quotations_own_lead_in(extract) -> None:  # type: ignore[no-untyped-def]
    quotes = extract(
        "Lindgren said most of the new capacity could be repurposed for conventional cloud "
        'workloads, which she described as "the floor under all of this."'
    )
    assert only(quotes, "most of the new capacity").text.endswith("cloud workloads")
    assert any("the floor under all of this" in q.text for q in quotes)


@pytest.mark.slow
def test_quotation_opening_the_report_is_not_duplicated(extract) -> None:  # type: ignore[no-untyped-def]
    quotes = extract('The mayor said "we will rebuild every home" after the storm.')
    assert len([q for q in quotes if "rebuild" in q.text]) == 1


# -- pronouns and gender --------------------------------------------------------------------------


@pytest.mark.slow
def test_she_is_not_the_last_male_speaker(extract) -> None:  # type: ignore[no-untyped-def]
    quotes = extract(
        "Maria Lopez spent six years filming the marsh.\n"
        "“Most of us are terrified of the audience getting bored,” said John Reed, who sat on the "
        "jury.\n"
        "“They’re not wrong,” she says."
    )
    assert _speaker(quotes, "They’re not wrong") == "Maria Lopez"


# -- a name beside the cue ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "part", "speaker"),
    [
        (
            "“We kept rechecking it, because the shift was so large,” said co-author Felipe "
            "Arancibia, a fisheries scientist at the University of Magallanes.",
            "We kept rechecking it",
            "Felipe Arancibia",
        ),
        (
            "Under cross-examination, defence barrister Aidan Moore KC suggested that her view had "
            "been partly blocked by a tree.",
            "her view had been partly blocked",
            "Aidan Moore",
        ),
    ],
)
def test_name_beside_the_cue(extract, text: str, part: str, speaker: str) -> None:  # type: ignore[no-untyped-def]
    assert speaker in (_speaker(extract(text), part) or "")


@pytest.mark.slow
def test_name_after_for_is_whom_the_speaker_speaks_for(extract) -> None:  # type: ignore[no-untyped-def]
    quotes = extract("A spokeswoman for Senator Jane Doe said the bill was dead.")
    assert _speaker(quotes, "the bill was dead") != "Jane Doe"


# -- definite descriptions refer back ----------------------------------------------------------------


@pytest.mark.slow
def test_role_noun_refers_to_the_last_speaker(extract) -> None:  # type: ignore[no-untyped-def]
    quotes = extract(
        "Castleford were level when Luis Ferreira converted a penalty after Danny Walsh clipped "
        "the heels of Shay Doyle.\n"
        "Walsh insisted afterwards that he had got a touch on the ball. “I’ve watched it back "
        "three times,” the defender said."
    )
    assert _speaker(quotes, "watched it back") == "Danny Walsh"


@pytest.mark.slow
def test_organisation_word_refers_to_the_organisation_named_last(extract) -> None:  # type: ignore[no-untyped-def]
    quotes = extract(
        "Dominion Northern Bank, the country's sixth-largest lender, on Wednesday reported a 12% "
        "fall in quarterly profit.\n"
        "The lender set aside C$412 million for potential credit losses, and said delinquencies in "
        "its mortgage book had risen for a fifth straight quarter."
    )
    assert _speaker(quotes, "delinquencies") == "Dominion Northern Bank"


@pytest.mark.slow
def test_a_description_the_story_already_gave_a_person_refers_back(extract) -> None:  # type: ignore[no-untyped-def]
    quotes = extract(
        "Harbridge looked tired at Marsh Lane. Then Kwame Asante took over.\n"
        "The 24-year-old striker, introduced from the bench after the hour, drove in an equaliser "
        "in the 81st minute and headed the winner deep into stoppage time.\n"
        "“This is why you play football,” the striker said."
    )
    assert _speaker(quotes, "This is why you play") == "Kwame Asante"
    quotes = extract(
        "Harbridge looked tired at Marsh Lane. Then Kwame Asante took over.\n"
        "He drove in an equaliser in the 81st minute and headed the winner deep into stoppage time.\n"
        "“We never gave up,” the captain said."
    )
    assert _speaker(quotes, "We never gave up") is None  # no one was described as the captain


@pytest.mark.slow
def test_a_description_after_the_cue_is_the_speaker_when_the_parse_hangs_it_elsewhere(extract) -> None:  # type: ignore[no-untyped-def]
    quotes = extract(
        "Then Kwame Asante took over. The striker scored twice.\n"
        "“This is why you play football,” said the striker, still in his kit and with his voice "
        "gone from shouting. “You sit on the bench.”"
    )
    assert _speaker(quotes, "This is why you play") == "Kwame Asante"
    quotes = extract("“We will appeal,” said the club's statement, issued on Monday.")
    assert _speaker(quotes, "We will appeal") != "Monday"


@pytest.mark.slow
def test_other_role_and_unnamed_sources_do_not_refer_back(extract) -> None:  # type: ignore[no-untyped-def]
    quotes = extract(
        "The prosecutor, Rebecca Stanton, said the two men had argued for months.\n"
        "The judge said the trial would resume on Monday. The official said the court was full."
    )
    assert _speaker(quotes, "the trial would resume") != "Rebecca Stanton"
    assert _speaker(quotes, "the court was full") is None


# -- documents named before ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "part", "speaker"),
    [
        (
            "Linwood Elementary Principal Deborah Kline said in a letter to families that the "
            "school would remain open.\n"
            "“We know this is a hardship for some of you,” the letter said.",
            "hardship",
            "Deborah Kline",
        ),
        (
            "The Oregon Civil Liberties Coalition did not send a speaker but submitted a written "
            "statement.\n"
            "“License plate readers create a permanent record of where people go,” the statement said.",
            "permanent record",
            "Oregon Civil Liberties Coalition",
        ),
    ],
)
def test_document_noun_refers_to_the_document_named_before(
    extract, text: str, part: str, speaker: str
) -> None:  # type: ignore[no-untyped-def]
    assert _speaker(extract(text), part) == speaker


@pytest.mark.slow
def test_statement_with_no_document_before_stays_a_description(extract) -> None:  # type: ignore[no-untyped-def]
    quotes = extract("John Reed visited the plant.\n“We are closing,” the statement said.")
    assert _speaker(quotes, "We are closing") is None


# -- letters pages --------------------------------------------------------------------------------

LETTERS = (
    "Letters to the editor\n"
    "Baths closure is a false economy\n"
    "I was saddened to read that the council intends to close the swimming baths this summer.\n"
    "Mill Lane baths taught three generations of my family to swim. Closing it will cost this "
    "town far more in the long run.\n"
    "Margaret Hollis, Stowbridge\n"
    "The A361 is a disgrace\n"
    "The county council says it is spending record amounts on the roads. Then where is the "
    "money going? It is not going on the roads I drive on.\n"
    "Derek Amos, Hollinfield\n"
)


def test_letters_are_found_with_their_signatures() -> None:
    found = letters(LETTERS)
    assert [LETTERS[slice(*x.signature)] for x in found] == ["Margaret Hollis", "Derek Amos"]
    assert [len(x.paragraphs) for x in found] == [2, 1]
    assert LETTERS[slice(*found[0].paragraphs[0])].startswith("I was saddened")


def test_one_signed_line_is_no_letters_page() -> None:
    text = (
        "The council voted on Tuesday to close the baths at the end of the summer season.\n"
        "Jane Smith, Leeds\n"
    )
    assert letters(text) == []


@pytest.mark.parametrize(
    "line",
    [
        "Article Continued Below",  # furniture: no person's name (checked with the tagger)
        "STEEL INDUSTRY.",  # a section heading in capitals
        'Dean Baker, Center for Economic and Policy Research."',  # a pull quote's credit
        "Unlike Trump, Clinton's supporting civil rights.",  # a clause, not a place
    ],
)
def test_lines_that_are_no_signatures(line: str) -> None:
    prose = "The council voted on Tuesday to close the baths at the end of the summer season.\n"
    text = prose + line + "\n" + prose + line + "\n"
    no_furniture = "Article Continued Below"
    found = letters(text, lambda s, e: text[s:e] != no_furniture)
    assert found == []


@pytest.mark.slow
def test_each_letter_paragraph_is_its_signers_words(extract) -> None:  # type: ignore[no-untyped-def]
    quotes = extract(LETTERS)
    assert _speaker(quotes, "Mill Lane baths") == "Margaret Hollis"
    assert _speaker(quotes, "I was saddened") == "Margaret Hollis"
    assert _speaker(quotes, "roads I drive on") == "Derek Amos"
    assert not any("Baths closure" in q.text or "Stowbridge" in q.text for q in quotes)


# -- "put it" introduces a quotation --------------------------------------------------------------


@pytest.mark.slow
def test_put_it_introduces_a_quotation(extract) -> None:  # type: ignore[no-untyped-def]
    quotes = extract(
        "Her office put it bluntly in a statement on Wednesday: “Senator Hollis will lift her hold "
        "the day the towers reopen. Not one day sooner.”"
    )
    assert only(quotes, "will lift her hold").speaker.mention.text == "Her office"
    assert extract("She put it on the table and left the room without a word.") == []
    # "put it" introduces whole quotations, never a fragment of a clause the parse cannot place
    quotes = extract(
        "President Viktor F. Yanukovych, who owed his election to, as an American diplomat put it, "
        "an ''extreme makeover'' that Mr. Manafort oversaw, bolted the country."
    )
    assert not any(q.text.startswith("it,") for q in quotes)


# -- not statements: anonymity conditions, signs, lists of names ------------------------------------


@pytest.mark.slow
def test_anonymity_condition_is_no_statement(extract) -> None:  # type: ignore[no-untyped-def]
    quotes = extract(
        "A person familiar with the matter said the inquiry was at an early stage. The person "
        "asked not to be identified because the inquiry is not public."
    )
    assert [q.text for q in quotes] == ["the inquiry was at an early stage"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "Outside one café, a hand-painted sign read “We have light inside.”",
        'A sign taped to the window of the flooded Co-op read "Closed until further notice".',
        "Fans unfurled a banner reading “Kwame’s Kingdom” in the Marsh End.",
    ],
)
def test_what_a_sign_reads_is_no_quote(extract, text: str) -> None:  # type: ignore[no-untyped-def]
    assert extract(text) == []


@pytest.mark.slow
def test_a_statement_that_reads_is_still_quoted(extract) -> None:  # type: ignore[no-untyped-def]
    quotes = extract("The statement read: “We regret the decision and will appeal.”")
    assert only(quotes, "We regret the decision")


@pytest.mark.slow
def test_a_list_of_names_after_a_label_is_no_statement(extract) -> None:  # type: ignore[no-untyped-def]
    assert extract("Goals: Ferreira 38 pen, Doyle 57.\nBooked: Ibe, McNulty, Carr.") == []
    assert only(extract("Lynch: No outside influence on FBI probe"), "No outside influence")


@pytest.mark.slow
def test_a_subheading_after_first_person_paragraphs_is_no_signature(extract) -> None:  # type: ignore[no-untyped-def]
    quotes = extract(
        "I have lived on this street for thirty years, and I believe the council has failed every "
        "one of us who pays its taxes.\n"
        "The roads are worse than ever, and the bins go uncollected for weeks at a time in summer.\n"
        "Rising Costs\n"
        "Prices at the market rose again this month, according to traders who spoke to the paper.\n"
    )
    assert _speaker(quotes, "the council has failed") is None
