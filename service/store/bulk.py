"""Bulk ingest at parse speed: the stages of `run_ingest` for many articles.

An article goes through three stages: extraction (clean + spaCy parse + our components), the
sentence embeddings of its units, and storage (speakers, quotes, units, statement placement:
`ingest_article`, one transaction per article, in input order). Bulk runs overlap them:

- ``workers=1``: one process. The calling thread extracts batch k+1 while a thread embeds
  batch k (onnxruntime runs without the GIL) and another stores batch k-1. Embeddings are
  computed in one call per batch, across its articles.
- ``workers=N>1``: N forked worker processes extract and embed whole batches (each process
  with one onnxruntime thread); the calling process only stores, in input order. The model
  loaded before the fork is shared copy-on-write.

Storage is the same in every mode (same order, same transactions), so the stored result does not
depend on the mode.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from service.nlp.types import Quote as ExtractedQuote
from service.store.articles import ArticleInput, IngestResult
from service.store.ingest import embedding_texts, ingest_article
from service.store.statements import unit_embeddings
from service.variants.embeddings import Embedder

ExtractMany = Callable[[list[str]], Iterable[list[Any]]]
# Batches stored behind extraction at most (bounds the memory held by finished batches).
MAX_PENDING = 2


@dataclass
class Prepared:
    """A batch after extraction and embedding: quotes per article, embeddings by unit text."""

    quotes: list[list[ExtractedQuote]]
    embeddings: dict[str, bytes]


def batch_embeddings(
    texts: Sequence[str], quotes: Sequence[Sequence[ExtractedQuote]], embed_fn: Embedder
) -> dict[str, bytes]:
    """The stored embeddings of every unit to place in a batch of articles, in one call."""
    unit_texts = [t for text, qs in zip(texts, quotes, strict=True) for t in embedding_texts(text, qs)]
    return unit_embeddings(unit_texts, embed_fn)


def _store_batch(
    session_factory: sessionmaker[Session],
    batch: Sequence[ArticleInput],
    quotes: Sequence[Sequence[ExtractedQuote]],
    embeddings: dict[str, bytes] | Future[dict[str, bytes]],
    report: Callable[[IngestResult], None],
) -> None:
    emb = embeddings.result() if isinstance(embeddings, Future) else embeddings
    for article, qs in zip(batch, quotes, strict=True):
        report(ingest_article(session_factory, article, qs, embeddings=emb))


def run_threaded(
    batches: Iterable[list[ArticleInput]],
    session_factory: sessionmaker[Session],
    extract_many: ExtractMany,
    embed_fn: Embedder,
    report: Callable[[IngestResult], None],
) -> None:
    """One process: extraction here, embeddings and storage each on a thread of their own."""
    with (
        ThreadPoolExecutor(1, thread_name_prefix="embed") as embedder,
        ThreadPoolExecutor(1, thread_name_prefix="store") as storer,
    ):
        pending: deque[Future[None]] = deque()
        for batch in batches:
            texts = [a.text for a in batch]
            quotes = list(extract_many(texts))
            emb = embedder.submit(batch_embeddings, texts, quotes, embed_fn)
            pending.append(storer.submit(_store_batch, session_factory, batch, quotes, emb, report))
            while len(pending) > MAX_PENDING:
                pending.popleft().result()
        while pending:
            pending.popleft().result()


# The worker processes' extraction and embedding functions, set before the fork.
_worker: dict[str, Any] = {}


def _prepare(texts: list[str]) -> Prepared:
    """In a worker process: extract and embed one batch."""
    quotes = list(_worker["extract_many"](texts))
    return Prepared(quotes, batch_embeddings(texts, quotes, _worker["embed_fn"]))


def run_processes(
    batches: Iterable[list[ArticleInput]],
    session_factory: sessionmaker[Session],
    extract_many: ExtractMany,
    embed_fn: Embedder,
    report: Callable[[IngestResult], None],
    workers: int,
) -> None:
    """``workers`` forked processes extract and embed; this process stores, in input order."""
    batches = list(batches)
    _worker.update(extract_many=extract_many, embed_fn=embed_fn)
    ctx = multiprocessing.get_context("fork")
    try:
        with ctx.Pool(workers) as pool:
            results: Iterator[Prepared] = pool.imap(_prepare, [[a.text for a in b] for b in batches])
            for batch, prepared in zip(batches, results, strict=True):
                _store_batch(session_factory, batch, prepared.quotes, prepared.embeddings, report)
    finally:
        _worker.clear()
