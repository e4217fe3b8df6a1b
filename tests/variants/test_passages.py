"""A claim found word for word in an article's text (service.variants.passages): plain strings, and
properties that a changed number or negation is never found."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from service.variants.passages import Passage, find_passages, named_near, words

ARTICLE = (
    "Mayor Calls Budget Plan a ‘Reckless Gamble’ for the City\n\n"
    "Mayor Jane Doerr said on Monday that the plan would cut 40 jobs and $1.5 million. "
    "“When people say, ‘Hey Jane, fix the roads’ — it means they still trust us,” she said. "
    "The council wasn’t told. It meets every second Tuesday."
)


def _found(claim: str, text: str = ARTICLE) -> list[str]:
    return [text[p.start : p.end] for p in find_passages(claim, text)]


def test_words_keep_offsets_and_fold_case_and_apostrophes() -> None:
    text = "The Council WASN’T told: $5, 1.5% and 1,000 in the ’80s."
    expected = "the council wasn't told $ 5 1.5 % and 1,000 in the 80s".split()
    toks = words(text)
    assert [w for w, _, _ in toks] == expected
    assert all(text[s:e].replace("’", "'").casefold() == w for w, s, e in toks)


def test_headline_found_whatever_the_quotation_marks_and_case() -> None:
    assert _found("Mayor Calls Budget Plan a 'Reckless Gamble' for the City") == [
        "Mayor Calls Budget Plan a ‘Reckless Gamble’ for the City"
    ]
    assert _found("mayor calls budget plan a reckless gamble") == [
        "Mayor Calls Budget Plan a ‘Reckless Gamble"
    ]


def test_nested_quotes_dashes_and_sentences_are_punctuation() -> None:
    claim = "When people say, 'Hey Jane, fix the roads' -- it means they still trust us"
    (found,) = _found(claim)
    assert found.startswith("When people say, ‘Hey Jane") and found.endswith("still trust us")
    assert _found("The council wasn't told it meets every second Tuesday") == [
        "The council wasn’t told. It meets every second Tuesday"
    ]


def test_an_excerpt_is_found_with_its_offsets() -> None:
    (p,) = find_passages("the plan would cut 40 jobs", ARTICLE)
    assert p == Passage(ARTICLE.index("the plan"), ARTICLE.index("40 jobs") + len("40 jobs"))


def test_changed_words_numbers_signs_and_negations_are_not_found() -> None:
    for claim in (
        "the plan would cut 400 jobs",
        "the plan would cut forty jobs",
        "the plan would not cut 40 jobs",
        "the plan would cut 40 jobs and $15 million",
        "the plan would cut 40 jobs and €1.5 million",
        "The council was told. It meets every second Tuesday",
        "the plan will cut 40 jobs",
        "the plan would cut 40",  # a word too few still matches as a run ...
    )[:-1]:
        assert _found(claim) == [], claim
    assert _found("the plan would cut 40")  # ... an excerpt of the article


def test_short_claims_and_partial_words_are_not_found() -> None:
    assert _found("would cut 40") == []  # fewer than MIN_PASSAGE_WORDS words
    assert _found("ayor Calls Budget Plan") == []  # not from a word's start
    assert _found("Calls Budget Plan a ‘Reckless Gam") == []


def test_every_place_up_to_the_limit() -> None:
    text = "one two three four. x " * 5
    assert len(find_passages("one two three four", text)) == 3
    assert len(find_passages("one two three four", text, limit=5)) == 5


def test_text_whose_case_folding_changes_its_length() -> None:
    text = "Die Straße ist lang. The plan would cut 40 jobs."
    assert _found("THE PLAN WOULD CUT 40 JOBS", text) == ["The plan would cut 40 jobs"]


def test_named_near() -> None:
    far = ARTICLE + " Filler words here." * 60 + " Budget director Paul Quist disagreed."
    passage = find_passages("the plan would cut 40 jobs", far)[0]
    assert named_near(far, passage, ["Jane Doerr"])
    assert named_near(far, passage, ["Mrs. Doerr"])  # by surname
    assert not named_near(far, passage, ["Paul Quist"])  # too far away
    assert not named_near(far, passage, ["Jane Smith"])  # a first name is not enough
    assert not named_near(far, passage, [])


# ---------------------------------------------------------------- properties

VOCAB = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda"]
SEPARATORS = [" ", ", ", ". ", " — ", "; ", " ‘", "’ ", "\n\n", " “", "” "]
words_st = st.lists(st.sampled_from(VOCAB), min_size=6, max_size=40)


def _article(tokens: list[str], seps: list[int]) -> str:
    return "".join(t + SEPARATORS[seps[i % len(seps)]] for i, t in enumerate(tokens))


@settings(max_examples=200, deadline=None)
@given(words_st, st.lists(st.integers(0, len(SEPARATORS) - 1), min_size=1), st.data())
def test_any_run_of_words_is_found_whatever_its_case_and_punctuation(
    tokens: list[str], seps: list[int], data: st.DataObject
) -> None:
    text = _article(tokens, seps)
    i = data.draw(st.integers(0, len(tokens) - 4))
    j = data.draw(st.integers(i + 4, len(tokens)))
    claim = " ".join(tokens[i:j]).upper()
    found = find_passages(claim, text, limit=100)
    assert found
    for p in found:  # what is found is the claim's words, in order, and nothing else
        assert [w for w, _, _ in words(text[p.start : p.end])] == [w for w, _, _ in words(claim)]


@settings(max_examples=200, deadline=None)
@given(words_st, st.integers(0, 10_000), st.integers(0, 10_000), st.data())
def test_a_changed_number_is_never_found(
    tokens: list[str], number: int, other: int, data: st.DataObject
) -> None:
    if number == other:
        other += 1
    at = data.draw(st.integers(0, len(tokens)))
    tokens = tokens[:at] + [f"{number:,}"] + tokens[at:]
    text = _article(tokens, [0])
    i = data.draw(st.integers(max(0, at - 10), at))
    j = data.draw(st.integers(at + 1, min(len(tokens), at + 10)))
    claim = tokens[i:j]
    claim[at - i] = data.draw(st.sampled_from([str(other), f"{other:,}", f"{number}.5", f"${number}"]))
    assert find_passages(" ".join(claim), text) == []


@settings(max_examples=200, deadline=None)
@given(words_st, st.data())
def test_a_negation_put_in_or_taken_out_is_never_found_there(tokens: list[str], data: st.DataObject) -> None:
    at = data.draw(st.integers(1, len(tokens) - 1))
    negated = tokens[:at] + ["not"] + tokens[at:]
    text = _article(negated, [0])
    # put in: the article has no other "not", so the claim is nowhere
    plain = _article(tokens, [0])
    i = data.draw(st.integers(max(0, at - 8), at - 1))
    j = data.draw(st.integers(at + 1, min(len(tokens), at + 8)))
    claim_in = tokens[i:at] + ["not"] + tokens[at:j]
    assert find_passages(" ".join(claim_in), plain) == []
    # taken out: whatever is found is not the negated place
    claim_out = tokens[i:j]
    where = text.index(" not ")
    for p in find_passages(" ".join(claim_out), text, limit=100):
        assert not p.start <= where < p.end
    for contraction in ("isn't", "isn’t"):
        assert find_passages(" ".join([*tokens[i:at], contraction, *tokens[at:j]]), plain) == []
