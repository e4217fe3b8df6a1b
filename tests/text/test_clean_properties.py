"""Hypothesis properties of clean_text: offsets never move, kept text never changes."""

from __future__ import annotations

import re
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from service.text.clean import clean_text, furniture_spans

NOT_LINE_BREAK = re.compile(r"[^\n\r]")
SEEDS = Path(__file__).resolve().parents[2] / "seeds"

FURNITURE_LINES = [
    "- Advertisement -",
    "71.8 F",
    "Los Angeles",
    "Thursday, October 24, 2024",
    "Go to contents",
    "한국어",
    "Oct 23, 2024 - 16:28",
    " 0  0",
    "Posted October. 25, 2024 08:24",
    "© Example. All rights reserved.",
    "BY JANE DOE [jane@example.com]",
    "What's Your Reaction?",
    "like",
    "READ MORE: Something else",
    "A caption of a photo. [YONHAP]",
    "SOME PROMO IN CAPITALS OCT. 28",
    "North Korea Deploys Troops To Russia, Setting Off Alarms",
    "“We assess that North Korea moved troops,” Kirby said.",
    "He said the talks would resume, officials told reporters on Friday...",
    "He said the talks would resume, officials told reporters on Friday.",
    "",
]

line_texts = st.lists(st.one_of(st.sampled_from(FURNITURE_LINES), st.text(max_size=80)), max_size=30).map(
    "\n".join
)
any_text = st.one_of(st.text(), line_texts)


def check(text: str) -> str:
    """Same length; inside dropped spans only blanks (line breaks kept), elsewhere unchanged."""
    cleaned = clean_text(text)
    assert isinstance(cleaned, str)
    assert len(cleaned) == len(text)
    spans = furniture_spans(text)
    pos = 0
    for s, e in spans:
        assert pos <= s < e <= len(text)
        assert cleaned[pos:s] == text[pos:s]
        assert cleaned[s:e] == NOT_LINE_BREAK.sub(" ", text[s:e])
        pos = e
    assert cleaned[pos:] == text[pos:]
    if len(text) < 10_000:  # the same, char by char, on small inputs
        for a, b in zip(text, cleaned, strict=True):
            assert b == a or (b == " " and a != "\n")
    return cleaned


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_same_length_newlines_kept_chars_unchanged(text: str) -> None:
    check(text)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_idempotent(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert furniture_spans(cleaned) == []


@settings(max_examples=5, deadline=None)
@given(st.text(min_size=1, max_size=200), st.sampled_from(["\n", "\r\n", " ", ""]))
def test_one_megabyte_of_repeated_text(chunk: str, sep: str) -> None:
    text = ((chunk + sep) * (1_000_000 // (len(chunk) + len(sep)) + 1))[:1_000_000]
    check(text)


def test_one_megabyte_article_finishes() -> None:
    article = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    text = (article * (1_000_000 // len(article) + 1))[:1_000_000]
    start = time.perf_counter()
    cleaned = check(text)
    # not a speed test (that is scripts/bench_extract.py's job): a guard against a pattern that
    # backtracks without end, with room for a loaded CI machine (well under a second when quiet)
    assert time.perf_counter() - start < 30.0
    assert clean_text(cleaned) == cleaned
