"""BM25 ranking of full-text matches in Python, as SQLite FTS5's ``bm25()`` computes it (pure).

FTS5's ``bm25()`` counts, on its first call in a query, every document that contains each phrase
(its inverse document frequency): a full walk of the phrase's index entries, ~150 ms for a word
found in most of a million quotes, whatever the ``LIMIT``. Ranking the newest matches here instead
takes the document frequencies from the caller (estimated cheaply, see
`service.store.queries`), and the term frequencies and lengths from the texts themselves,
tokenised like the index (unicode61 without diacritics, Porter stems).

Scores follow FTS5: ``-sum(idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen)))`` with
``idf = log((N - df + 0.5) / (df + 0.5))`` (1e-6 when not positive); lower is better.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import snowballstemmer

K1 = 1.2
B = 0.75
MIN_IDF = 1e-6
_TOKEN = re.compile(r"[^\W_]+")
# PyStemmer's C stemmer when installed (snowballstemmer picks it; the same algorithm, ~50 times
# faster: a search filtered to a speaker's quotes stems thousands of words it has not seen).
_stemmer = snowballstemmer.stemmer("porter")


# FTS5's porter tokenizer leaves tokens shorter or longer than these as they are.
_STEM_MIN, _STEM_MAX = 3, 64


@functools.lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """The index's form of a lower-cased token: diacritics removed, Porter stem."""
    if not token.isascii():
        token = "".join(c for c in unicodedata.normalize("NFKD", token) if not unicodedata.combining(c))
    if not _STEM_MIN <= len(token) <= _STEM_MAX:
        return token
    return str(_stemmer.stemWord(token))


def stems(text: str) -> list[str]:
    """The text's tokens as the index stores them."""
    return [stem(t) for t in _TOKEN.findall(text.lower())]


def phrase_stems(phrase: str) -> tuple[str, ...]:
    """A search part (words joined by spaces) as the sequence of stems it matches."""
    return tuple(stems(phrase))


@dataclass(frozen=True)
class CorpusStats:
    """What BM25 needs from the whole index: documents, average length, and per phrase the
    number of documents containing it."""

    documents: int
    average_length: float
    document_frequency: tuple[float, ...]


def idf(documents: int, df: float) -> float:
    value = math.log((documents - df + 0.5) / (df + 0.5)) if documents > 0 else 0.0
    return value if value > 0 else MIN_IDF


def contains_all(tokens: Sequence[str], phrases: Sequence[tuple[str, ...]]) -> bool:
    """Whether every phrase occurs in the tokens (what the index's ``MATCH`` of all parts finds)."""
    return all(_count(tokens, phrase) for phrase in phrases)


def _count(tokens: Sequence[str], phrase: tuple[str, ...]) -> int:
    if not phrase:
        return 0
    if len(phrase) == 1:
        return tokens.count(phrase[0])
    n = len(phrase)
    return sum(1 for i in range(len(tokens) - n + 1) if tuple(tokens[i : i + n]) == phrase)


def frequencies(tokens: Sequence[str], phrases: Sequence[tuple[str, ...]]) -> tuple[int, ...]:
    """How often each phrase occurs in a document's tokens."""
    return tuple(_count(tokens, phrase) for phrase in phrases)


OPEN, CLOSE = "\x02", "\x03"
_MARKED = re.compile(f"{OPEN}([^{CLOSE}]*){CLOSE}")


def marked_frequencies(marked: str, phrases: Sequence[tuple[str, ...]]) -> tuple[int, ...]:
    """How often each phrase occurs in a text whose matches the index marked (FTS5's
    ``highlight(..., OPEN, CLOSE)``): with one phrase, the marks; with more, the phrases found
    in the marked spans (adjacent matches share one span). A tuple: thousands are kept per
    search, and tuples of numbers are no work for the garbage collector, lists are."""
    if len(phrases) == 1:
        return (marked.count(OPEN),)
    key = phrases if isinstance(phrases, tuple) else tuple(phrases)
    counts = [0] * len(key)
    for span in _MARKED.findall(marked):
        for i, n in enumerate(_span_counts(span, key)):
            counts[i] += n
    return tuple(counts)


@functools.lru_cache(maxsize=4096)
def _span_counts(span: str, phrases: tuple[tuple[str, ...], ...]) -> tuple[int, ...]:
    tokens = stems(span)
    return tuple(_count(tokens, phrase) for phrase in phrases)


def bm25(documents: Sequence[tuple[int, Sequence[int]]], stats: CorpusStats) -> list[float]:
    """The FTS5-style BM25 rank of each document, given as (its length in tokens, the frequency
    of each phrase in it). Every document matched every phrase: a phrase counts at least once
    even if a frequency found here is 0 (a tokenisation that differs from the index's)."""
    weights = [idf(stats.documents, df) for df in stats.document_frequency]
    average = stats.average_length or 1.0
    norm_base, norm_length = K1 * (1 - B), K1 * B / average
    out = []
    for length, counts in documents:
        norm = norm_base + norm_length * length
        score = 0.0
        for weight, count in zip(weights, counts, strict=True):
            tf = count or 1
            score += weight * tf * (K1 + 1) / (tf + norm)
        out.append(-score)
    return out
