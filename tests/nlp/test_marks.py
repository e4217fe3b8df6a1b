"""Quotation-mark pairing on plain strings."""

from service.nlp.marks import find_quoted_spans


def contents(text: str) -> list[str]:
    return [text[s.start : s.end] for s in find_quoted_spans(text) if s.depth == 0]


def test_straight_and_curly_double_quotes():
    assert contents('He said "we are ready." Then “we left,” she said.') == ["we are ready.", "we left,"]


def test_apostrophes_are_not_quotes():
    text = "Korea’s troops, they’re ready and the soldiers’ families don't know."
    assert contents(text) == []


def test_single_quotes_as_quotation_marks_and_nested():
    text = "He warned, “they will be considered ‘fair game,’” and left. The ‘Am I Racist?’ film"
    spans = find_quoted_spans(text)
    top = [text[s.start : s.end] for s in spans if s.depth == 0]
    nested = [text[s.start : s.end] for s in spans if s.depth == 1]
    assert top[0] == "they will be considered ‘fair game,’"
    assert nested == ["fair game,"]
    assert "Am I Racist?" in top


def test_multi_paragraph_quote_continues_when_next_paragraph_reopens():
    text = "He said: “First part.\n“Second part,” he added.\nNext paragraph."
    spans = find_quoted_spans(text)
    assert len(spans) == 1
    s = spans[0]
    assert len(s.pieces) == 2
    assert [text[a:b] for a, b in s.pieces] == ["First part.", "Second part,"]


def test_multi_paragraph_quote_in_single_marks_continues_when_next_paragraph_reopens():
    # the British convention: each paragraph of the quote opens with a single mark
    text = (
        "A source said: 'Kayleigh is in pieces - everything was booked.\n"
        "'She saw some messages. There's no coming back from this.'\n"
        "The friend added that it was over.\n"
        "He said: ‘One.\n‘Two, still going.\n‘Three,’ he added."
    )
    spans = [s for s in find_quoted_spans(text) if s.depth == 0]
    assert [[text[a:b] for a, b in s.pieces] for s in spans] == [
        [
            "Kayleigh is in pieces - everything was booked.",
            "She saw some messages. There's no coming back from this.",
        ],
        ["One.", "Two, still going.", "Three,"],
    ]


def test_an_unclosed_single_mark_not_reopened_is_no_quote():
    # it may be an apostrophe ('em, 'cause): dropped, not run to the end of the paragraph
    text = "They told 'em to leave.\nNext paragraph without marks.\nSay 'cause\n'Tis the season."
    assert contents(text) == []


def test_unclosed_quote_ends_at_its_paragraph():
    text = "He said “this never closes\nAnother paragraph without marks."
    spans = find_quoted_spans(text)
    assert [text[s.start : s.end] for s in spans] == ["this never closes"]


def test_empty_and_mark_only_texts():
    assert find_quoted_spans("") == []
    assert find_quoted_spans('"""') == []
    assert contents("“”") == []


def test_typewriter_double_quotes():
    text = "''The middle class is getting clobbered,'' Mr. Biden told reporters. He can't wait."
    assert contents(text) == ["The middle class is getting clobbered,"]
