"""Verdicts of the fact-check look-up (pure: no database, no model)."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from service.variants.similarity import atoms, disagreements, features, numbers, pack_stems, unpack_stems
from service.variants.verify import Recorded, align, claim_parts, judge, names_compatible, near_enough
from service.vocab import Verdict

ON_RECORD_OR_PARAPHRASE = {Verdict.VERBATIM, Verdict.EXCERPT, Verdict.CLOSE, Verdict.PARAPHRASE}
RECORDED = "The procedure can take up to eight hours to complete, the hospital said on Monday."


def test_numbers_in_digits_and_words_are_one_quantity() -> None:
    assert numbers("3,000 troops") == numbers("three thousand troops") == numbers("3 thousand troops")
    assert numbers("eight hours") != numbers("eighteen hours")
    assert numbers("eight hours") != numbers("eight days")
    assert numbers("10 percent") == numbers("10%") == numbers("ten per cent")
    assert numbers("$5 million") == numbers("five million dollars")
    assert numbers("half of them") != numbers("a third of them")
    assert numbers("two thirds") == {"2/3"}
    assert numbers("dozens of people") != numbers("hundreds of people")
    assert numbers("three hundred and fifty") == {"350"}
    assert numbers("twenty-five") == {"25"}
    assert numbers("the third time") != numbers("a third of it")


def test_disagreements_name_what_differs() -> None:
    def dis(a: str, b: str) -> tuple[str, ...]:
        return disagreements(atoms(a), atoms(b))

    assert dis("We will win", "We will win") == ()
    assert dis("We won't win", "We will not win") == ()
    assert dis("We will not win", "We will win") == ("negation",)
    assert dis("We never lost", "We lost") == ("negation",)
    assert dis("We will win", "We may win") == ("modality",)
    assert dis("We might win", "We may win") == ()
    assert dis("We met Putin in Moscow", "We met Xi in Moscow") == ("name",)
    assert dis("We sent 8 ships", "We sent eight ships") == ()
    assert dis("We sent 8 ships", "We sent 18 ships") == ("number",)


def test_part_verdicts() -> None:
    assert align(RECORDED, RECORDED).verdict == Verdict.VERBATIM
    assert align(RECORDED.upper().replace(",", ""), RECORDED).verdict == Verdict.VERBATIM
    assert align("can take up to eight hours to complete", RECORDED).verdict == Verdict.EXCERPT
    assert align("take up to eight", RECORDED).verdict == Verdict.EXCERPT
    assert align("up to eight", RECORDED).verdict != Verdict.EXCERPT  # too short
    modal = "The procedure may take up to eight hours to finish, the hospital said on Monday."
    close = align(modal, RECORDED)
    assert close.verdict == Verdict.CONTRADICTS and close.conflicts == ("modality",)
    close = align("The procedure can take up to 8 hours to finish, the hospital said on Monday.", RECORDED)
    assert close.verdict == Verdict.CLOSE
    wrong = align("The procedure can take up to eighteen hours to complete", RECORDED)
    assert wrong.verdict == Verdict.CONTRADICTS and wrong.conflicts == ("number",)


def test_short_recorded_units_do_not_make_a_longer_part_close() -> None:
    assert align("And that is very important", "was important").verdict == Verdict.NOT_FOUND
    assert align("It is", "It is").verdict == Verdict.VERBATIM
    assert align("That is very important", "And that is very important").verdict == Verdict.EXCERPT


def test_paraphrase_by_meaning_needs_agreement() -> None:
    recorded = "North Korea moved at least 3,000 soldiers into eastern Russia"
    para = align("Pyongyang sent 3,000 soldiers or more to Russia's east", recorded, cos=0.9)
    assert para.verdict == Verdict.PARAPHRASE
    assert align("Pyongyang sent 8,000 soldiers or more to Russia's east", recorded, cos=0.9).verdict == (
        Verdict.CONTRADICTS
    )
    assert align("Pyongyang sent soldiers to Russia's east", recorded, cos=0.5).verdict == Verdict.NOT_FOUND


def _rec(i: int, statement: int, speaker: int, text: str) -> Recorded:
    return Recorded(i, statement, speaker, text)


def test_the_whole_claim_is_judged() -> None:
    s1 = "We will not send troops to Ukraine."
    s2 = "The war must end in 2024."
    recs = [_rec(1, 10, 1, s1), _rec(2, 11, 1, s2), _rec(3, 12, 2, "We will send troops to Ukraine.")]
    (best, *_rest) = judge(claim_parts(f"{s1} {s2}"), recs)
    assert (best.verdict, [p.verdict for p in best.parts]) == (Verdict.VERBATIM, [Verdict.VERBATIM] * 2)
    mixed = {j.statement_id: j for j in judge(claim_parts(f"{s1} Prices doubled in every market."), recs)}
    assert mixed[10].verdict == Verdict.NOT_FOUND
    assert [p.verdict for p in mixed[10].parts] == [Verdict.VERBATIM, Verdict.NOT_FOUND]
    assert mixed[12].verdict == Verdict.CONTRADICTS and mixed[12].conflicts == ("negation",)
    changed = judge(claim_parts(f"{s1} The war must end in 2025."), recs[:2])
    assert {j.verdict for j in changed} == {Verdict.CONTRADICTS}


def test_someone_elses_words_are_other_speaker() -> None:
    recs = [_rec(1, 10, 1, "We will not send troops to Ukraine.")]
    (j,) = judge(claim_parts("We will not send troops to Ukraine."), recs, speakers={2})
    assert (j.verdict, j.recorded_verdict) == (Verdict.OTHER_SPEAKER, Verdict.VERBATIM)
    assert judge(claim_parts("We will send troops to Ukraine."), recs, speakers={2}) == []


def test_names_compatible() -> None:
    assert names_compatible("Hillary Clinton", "Hillary Rodham Clinton")
    assert names_compatible("Hillary Clinton", "Clinton")
    assert not names_compatible("Hillary Clinton", "Bill Clinton")
    assert not names_compatible("Clinton", "Trump")
    assert names_compatible("Michael Greenspan", "Michael")


# ---------------------------------------------------------------- properties

WORDS = st.sampled_from(
    "the troops officials said border city army we they will should moved sent across into near "
    "report talks a of to and from weapons ships people hospital patients were was is are".split()
)
NUMBER_FORMS = {
    2: ("2", "two"), 3: ("3", "three"), 8: ("8", "eight"), 18: ("18", "eighteen"), 12: ("12", "twelve"),
    20: ("20", "twenty"), 300: ("300", "three hundred"), 3000: ("3,000", "three thousand"),
    45: ("45", "forty-five"), 1_000_000: ("1,000,000", "one million"),
}  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    st.lists(WORDS, min_size=3, max_size=25),
    st.lists(WORDS, min_size=0, max_size=8),
    st.sampled_from(sorted(NUMBER_FORMS)),
    st.sampled_from(sorted(NUMBER_FORMS)),
    st.integers(0, 1),
    st.integers(0, 1),
    st.sampled_from(["", "percent", "hours", "troops"]),
)
def test_a_changed_number_is_never_on_record_or_a_paraphrase(
    head: list[str], tail: list[str], old: int, new: int, f1: int, f2: int, unit: str
) -> None:
    assume(old != new)
    recorded = " ".join([*head, NUMBER_FORMS[old][f1], unit, *tail])
    claim = " ".join([*head, NUMBER_FORMS[new][f2], unit, *tail])
    for cos in (None, 0.8, 0.99):
        assert align(claim, recorded, cos).verdict not in ON_RECORD_OR_PARAPHRASE, (claim, recorded)
    judgements = judge(claim_parts(claim), [_rec(1, 1, 1, recorded)])
    assert all(j.verdict not in ON_RECORD_OR_PARAPHRASE for j in judgements)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(WORDS, min_size=2, max_size=25),
    st.lists(WORDS, min_size=1, max_size=10),
    st.sampled_from(["not", "never", "n't", "no"]),
    st.booleans(),
)
def test_a_flipped_negation_is_never_on_record_or_a_paraphrase(
    head: list[str], tail: list[str], negation: str, into_claim: bool
) -> None:
    negated = " ".join([*head[:-1], head[-1] + negation if negation == "n't" else head[-1], *tail])
    if negation != "n't":
        negated = " ".join([*head, negation, *tail])
    plain = " ".join([*head, *tail])
    claim, recorded = (negated, plain) if into_claim else (plain, negated)
    for cos in (None, 0.8, 0.99):
        assert align(claim, recorded, cos).verdict not in ON_RECORD_OR_PARAPHRASE, (claim, recorded)


@settings(max_examples=100, deadline=None)
@given(st.lists(WORDS, min_size=4, max_size=30), st.data())
def test_an_excerpt_of_a_recorded_wording_is_on_record(words: list[str], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(words) - 4))
    j = data.draw(st.integers(i + 4, len(words)))
    verdict = align(" ".join(words[i:j]), " ".join(words)).verdict
    assert verdict in (Verdict.VERBATIM, Verdict.EXCERPT)


def test_stored_stems_stand_for_the_text() -> None:
    stems = features(RECORDED).stems
    assert unpack_stems(pack_stems(stems)) == stems
    assert unpack_stems(pack_stems(frozenset())) == frozenset() and unpack_stems(None) is None
    assert pack_stems(frozenset({"a\nb"})) is None  # cannot be stored: the text is analysed instead
    part = features("The procedure takes eight hours, the hospital said.").stems
    assert near_enough(part, RECORDED, stems) == near_enough(part, RECORDED)
    assert not near_enough(part, RECORDED, frozenset({"gardening", "tool"}))  # the stored stems decide
    rec = Recorded(1, 1, 1, RECORDED, stems=stems)
    (j,) = judge(claim_parts(RECORDED), [rec])
    assert j.verdict == Verdict.VERBATIM
