"""The web pages' pure helpers: word diffs, article marks, speaker colours, shown verdicts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from service.web.marks import (
    Segment,
    article_paragraphs,
    changed_words,
    differences,
    elide_ends,
    speaker_colours,
    verdict_text,
    word_diff,
)


def _own(segments: Sequence[Segment]) -> str:
    return "".join(s.text for s in segments if s.op in ("=", "+"))


def test_word_diff_marks_changed_words_and_keeps_the_text() -> None:
    ref = "we believe North Korea moved at least 3,000 troops to eastern Russia."
    text = "We assess that North Korea moved at least 30,000 soldiers to eastern Russia"
    segments = word_diff(ref, text)
    assert _own(segments) == text
    inserted = [s.text for s in segments if s.op == "+"]
    deleted = [s.text for s in segments if s.op == "-"]
    assert "30,000 soldiers" in inserted and "3,000 troops" in deleted
    assert any("assess that" in s for s in inserted) and "believe" in deleted
    assert not any(s.text.startswith("We") and s.op != "=" for s in segments)  # case aside
    assert changed_words(segments) == 7  # believe, assess, that, 3,000, troops, 30,000, soldiers


def test_word_diff_of_identical_wordings_has_no_changes() -> None:
    text = "“We are ready,” he said."
    assert word_diff(text, text) == (Segment("=", text, False),)
    assert changed_words(word_diff("We are ready.", "we are ready")) == 0  # case and punctuation


def test_elide_ends_turns_context_around_an_excerpt_into_ellipses() -> None:
    segments = elide_ends(word_diff("Afterward, the troops moved to Russia and trained.", "the troops moved"))
    assert segments[0].op == "~" and segments[-1].op == "~"
    assert _own(segments) == "the troops moved"


@given(st.text(max_size=60), st.text(max_size=60))
def test_word_diff_always_rebuilds_the_given_text(ref: str, text: str) -> None:
    segments = word_diff(ref, text)
    assert _own(segments) == text
    assert all(s.text for s in segments)


def test_differences_report_changed_numbers_and_negation() -> None:
    d = differences("moved at least 30,000 soldiers", "moved at least 3,000 soldiers")
    assert d.numbers and d.numbers_given == ("30,000",) and d.numbers_recorded == ("3,000",)
    assert not d.negation
    n = differences("North Korea did not move troops", "North Korea moved troops")
    assert n.negation and n.negation_given and not n.negation_recorded
    assert not differences("We are ready", "we are ready.")


def test_every_verdict_has_plain_words() -> None:
    for verdict in (
        "verbatim",
        "excerpt",
        "close",
        "paraphrase",
        "contradicts",
        "other_speaker",
        "not_found",
    ):
        headline, explanation, tone = verdict_text(verdict)
        assert headline and explanation and tone in ("good", "warn", "bad", "none")
    assert verdict_text("something_new")[0] == "Something new"


def _quote(qid: int, start: int, end: int, speaker: int | None, **spans: Any) -> dict[str, Any]:
    return {
        "id": qid,
        "parts": [(start, end)],
        "speaker": {"id": speaker} if speaker else None,
        "cue_span": spans.get("cue"),
        "mention_span": spans.get("mention"),
    }


def test_article_paragraphs_cut_at_quote_cue_and_mention() -> None:
    text = 'Intro line.\n\n"We are ready," Kirby said. Austin agreed.'
    start = text.index("We")
    cue, mention = text.index("said"), text.index("Kirby")
    q = _quote(1, start, start + 12, 7, cue=(cue, cue + 4), mention=(mention, mention + 5))
    paragraphs = article_paragraphs(text, [q])
    assert [p.start for p in paragraphs] == [0, 13]
    pieces = paragraphs[1].pieces
    assert "".join(p.text for p in pieces) == text[13:]
    quoted = [p for p in pieces if p.quote]
    assert [p.text for p in quoted] == ["We are ready"] and quoted[0].first
    assert [p.text for p in pieces if p.cue] == ["said"]
    assert [p.text for p in pieces if p.mention] == ["Kirby"]


def test_article_paragraphs_ignore_spans_outside_the_text() -> None:
    paragraphs = article_paragraphs("Short.", [_quote(1, 3, 99, 1, cue=(50, 60))])
    assert [p.text for p in paragraphs[0].pieces] == ["Short."]


@given(st.text(alphabet='ab \n"', max_size=40), st.lists(st.tuples(st.integers(0, 45), st.integers(0, 45))))
def test_article_paragraphs_keep_every_non_blank_line(text: str, spans: list[tuple[int, int]]) -> None:
    quotes = [_quote(i, s, e, i % 3 or None) for i, (s, e) in enumerate(spans)]
    paragraphs = article_paragraphs(text, quotes)
    assert ["".join(p.text for p in para.pieces) for para in paragraphs] == [
        line for line in text.split("\n") if line.strip()
    ]


def test_speaker_colours_follow_first_appearance() -> None:
    quotes = [{"speaker": {"id": 9}}, {"speaker": None}, {"speaker": {"id": 3}}, {"speaker": {"id": 9}}]
    assert speaker_colours(quotes) == {9: 0, 3: 1}
