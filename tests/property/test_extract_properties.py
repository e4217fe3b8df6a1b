"""Hypothesis properties of the extractor: never raises, every offset in bounds and round-trips.

Contract (service/nlp/types.py): each Quote has 0 <= start <= end <= len(text) and
text == article[start:end]; its parts lie within [start, end]; cue, speaker mention and via
spans are in bounds and their text is the article's text at those offsets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.nlp.pipeline import Extractor, get_extractor
from service.nlp.types import Quote, TextSpan

pytestmark = pytest.mark.slow

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
MARKS = ["“", "”", '"', "‘", "’", "'"]
WORDS = [
    "Kirby",
    "said",
    "he",
    "she",
    "they",
    "the",
    "White",
    "House",
    "North",
    "Korea",
    "troops",
    "told",
    "reporters",
    "according",
    "to",
    "We",
    "will",
    "not",
    "It",
    "is",
    "a",
    "very",
    "serious",
    "issue",
    "added",
    "warned",
    "Austin",
    "Mr.",
    "Blinken",
    "stated",
    "that",
]
PUNCT = [",", ".", "?", "!", ":", ";", " ", " ", "\n", "\n\n", " — ", "..."]
SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return get_extractor()


def check_span(span: TextSpan | None, article: str, lo: int = 0, hi: int | None = None) -> None:
    if span is None:
        return
    hi = len(article) if hi is None else hi
    assert lo <= span.start <= span.end <= hi, (span, lo, hi)
    assert span.text == article[span.start : span.end]


def check_quotes(quotes: list[Quote], article: str) -> None:
    assert isinstance(quotes, list)
    for q in quotes:
        assert isinstance(q, Quote)
        assert 0 <= q.start <= q.end <= len(article), q
        assert q.text == article[q.start : q.end]
        assert q.type in ("direct", "indirect", "mixed")
        for part in q.parts:
            assert q.start <= part.start <= part.end <= q.end, (part, q.start, q.end)
            assert part.text == article[part.start : part.end]
        check_span(q.cue, article)
        check_span(q.speaker.mention, article)
        check_span(q.via, article)
        json.dumps(q.to_dict())


def extract_and_check(extractor: Extractor, article: str) -> list[Quote]:
    quotes = extractor.extract(article)
    check_quotes(quotes, article)
    return quotes


token = st.one_of(st.sampled_from(WORDS), st.sampled_from(MARKS), st.sampled_from(PUNCT))
quoted_text = st.lists(token, max_size=80).map(" ".join) | st.lists(token, max_size=80).map("".join)


@st.composite
def marks_inserted(draw: st.DrawFn) -> str:
    """A seed paragraph with quote marks inserted at random places (often unbalanced)."""
    seed = draw(st.sampled_from(SEED_PARAGRAPHS))
    positions = draw(st.lists(st.integers(0, len(seed)), max_size=6))
    marks = draw(st.lists(st.sampled_from(MARKS), min_size=len(positions), max_size=len(positions)))
    out = seed
    for pos, mark in sorted(zip(positions, marks, strict=True), reverse=True):
        out = out[:pos] + mark + out[pos:]
    return out


@st.composite
def marks_removed(draw: st.DrawFn) -> str:
    """A quote-bearing seed paragraph with some of its quote marks deleted (unbalanced)."""
    seed = draw(st.sampled_from(SEED_QUOTE_PARAGRAPHS))
    idx = [i for i, c in enumerate(seed) if c in '“”"']
    drop = set(draw(st.lists(st.sampled_from(idx), min_size=1, max_size=3))) if idx else set()
    return "".join(c for i, c in enumerate(seed) if i not in drop)


def _seed_paragraphs() -> list[str]:
    out = []
    for p in sorted(SEEDS.glob("*.txt")):
        out += [line for line in p.read_text(encoding="utf-8").split("\n") if len(line.split()) > 5]
    return out


SEED_PARAGRAPHS = _seed_paragraphs()
SEED_QUOTE_PARAGRAPHS = [p for p in SEED_PARAGRAPHS if "“" in p or '"' in p]


def test_empty_and_blank_texts(extractor: Extractor) -> None:
    for article in ["", " ", "\n", "\n\n\n", "“", "”", '"', "“”", "' '", "\u2028", "\x00"]:
        extract_and_check(extractor, article)


@SETTINGS
@given(article=st.text(max_size=300))
def test_arbitrary_unicode_text(extractor: Extractor, article: str) -> None:
    extract_and_check(extractor, article)


@SETTINGS
@given(article=quoted_text)
def test_words_and_random_quote_marks(extractor: Extractor, article: str) -> None:
    extract_and_check(extractor, article)


@SETTINGS
@given(article=marks_inserted())
def test_quote_marks_inserted_into_prose(extractor: Extractor, article: str) -> None:
    extract_and_check(extractor, article)


@SETTINGS
@given(article=marks_removed())
def test_unbalanced_quote_marks(extractor: Extractor, article: str) -> None:
    extract_and_check(extractor, article)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(articles=st.lists(st.one_of(quoted_text, marks_inserted()), min_size=1, max_size=4))
def test_extract_many_matches_extract(extractor: Extractor, articles: list[str]) -> None:
    many = list(extractor.extract_many(articles, batch_size=2))
    assert many == [extractor.extract(a) for a in articles]


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_seed_articles(extractor: Extractor, name: str) -> None:
    article = (SEEDS / name).read_text(encoding="utf-8")
    assert extract_and_check(extractor, article)  # every seed article carries quotes


def test_one_megabyte_article(extractor: Extractor) -> None:
    seed = (SEEDS / "001_7ec3531b599a895f.txt").read_text(encoding="utf-8")
    article = "\n\n".join([seed] * (1_000_000 // (len(seed) + 2) + 1))[:1_000_000]
    quotes = extract_and_check(extractor, article)
    assert quotes
