"""BM25 in Python agrees with SQLite FTS5's tokenizer and its ``bm25()`` (in-memory FTS5 tables)."""

from __future__ import annotations

import sqlite3

import pytest

from service.text.ranking import (
    CLOSE,
    OPEN,
    CorpusStats,
    bm25,
    contains_all,
    frequencies,
    marked_frequencies,
    phrase_stems,
    stems,
)

TOKENIZE = "porter unicode61 remove_diacritics 2"
TEXTS = [
    "We moved 3,000 soldiers to the east, officials said.",
    "The talks were useful; the talks were long. Talking helps.",
    "Généralement, les réunions sont utiles: naïve café owners agreed.",
    "Happy, happier, happiest: relational relations relate to it.",
    "He's hoping the hoped-for hope holds as ageing troops retire.",
    "snake_case and CamelCase tokens, e-mail, U.S. and A.I. x y z",
    "talks talks talks about talks",
]


@pytest.fixture
def fts() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(text, tokenize='{TOKENIZE}')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
    db.executemany("INSERT INTO t(rowid, text) VALUES (?, ?)", enumerate(TEXTS, 1))
    return db


def test_stems_are_the_index_tokens(fts: sqlite3.Connection) -> None:
    for doc, text in enumerate(TEXTS, 1):
        indexed = [
            term for (term,) in fts.execute("SELECT term FROM v WHERE doc = ? ORDER BY offset", (doc,))
        ]
        assert stems(text) == indexed, text


def test_bm25_equals_fts5_bm25_with_exact_document_frequencies(fts: sqlite3.Connection) -> None:
    documents, tokens = len(TEXTS), sum(len(stems(t)) for t in TEXTS)
    for parts in (["talks"], ["talks", "useful"], ["the talks"], ["hope", "troops"]):
        query = " ".join(f'"{p}"' for p in parts)
        expected = dict(fts.execute("SELECT rowid, bm25(t) FROM t WHERE t MATCH ?", (query,)).fetchall())
        phrases = [phrase_stems(p) for p in parts]
        df = tuple(
            float(fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (f'"{p}"',)).fetchone()[0])
            for p in parts
        )
        stats = CorpusStats(documents, tokens / documents, df)
        ids = sorted(expected)
        docs = [stems(TEXTS[i - 1]) for i in ids]
        assert all(contains_all(d, phrases) for d in docs)
        got = bm25([(len(d), frequencies(d, phrases)) for d in docs], stats)
        assert got == pytest.approx([expected[i] for i in ids], rel=1e-9), parts
        marked = dict(
            fts.execute("SELECT rowid, highlight(t, 0, ?, ?) FROM t WHERE t MATCH ?", (OPEN, CLOSE, query))
        )
        for i, d in zip(ids, docs, strict=True):
            assert marked_frequencies(marked[i], phrases) == frequencies(d, phrases)


def test_a_phrase_counts_once_when_not_found_here() -> None:
    stats = CorpusStats(100, 10.0, (5.0,))
    assert bm25([(10, [0])], stats) == bm25([(10, [1])], stats)
    assert bm25([(10, [3])], stats)[0] < bm25([(10, [1])], stats)[0]  # more often: better (lower)


def test_common_phrases_weigh_almost_nothing() -> None:
    stats = CorpusStats(100, 10.0, (90.0, 2.0))
    common, rare = bm25([(10, [3, 1]), (10, [1, 3])], stats)
    assert rare < common
