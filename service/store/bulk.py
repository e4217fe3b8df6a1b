"""Bulk ingest at parse speed: the stages of `run_ingest` for many articles.

An article goes through two stages: extraction (clean + spaCy parse + our components) and storage
(speakers, quotes, units, statement placement with the few sentence embeddings it needs:
`ingest_article`, one transaction per article, in input order). Bulk runs overlap them:

- ``workers=1``: one process. The calling thread extracts batch k+1 while a thread stores
  batch k (SQLite and onnxruntime release the GIL while they work).
- ``workers=N>1``: N worker processes extract whole batches; the calling process only stores, in
  input order. The workers share one loaded model copy-on-write: they are forked from this process
  (a caller's own extraction function, loaded before) or, for the default extraction, from a
  server process that loads the model while this one starts up (`service.parallel`). They
  run at a lower priority (`WORKER_NICE`) so that storage keeps up with them: at equal priority
  it got a share of a core, fell a few batches behind, and stored them alone at the end (about
  2 s of a 45 s run with one core idle).

Storage is the same in every mode (same order, same transactions), so the stored result does not
depend on the mode.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from service.nlp.types import Quote as ExtractedQuote
from service.parallel import map_batches
from service.store.articles import ArticleInput, IngestResult
from service.store.ingest import ingest_article
from service.variants.embeddings import Embedder

T = TypeVar("T")
ExtractMany = Callable[[list[str]], Iterable[list[Any]]]
# Batches stored behind extraction at most (bounds the memory held by finished batches).
MAX_PENDING = 2
# How far below the storing process the extraction workers run (`map_batches`).
WORKER_NICE = 5
# The last TAIL_BATCHES_PER_WORKER x workers batches are cut into pieces of TAIL_PIECE articles.
TAIL_BATCHES_PER_WORKER = 2
TAIL_PIECE = 2


def _store_batch(
    session_factory: sessionmaker[Session],
    batch: Sequence[ArticleInput],
    quotes: Sequence[Sequence[ExtractedQuote]],
    embed_fn: Embedder,
    report: Callable[[IngestResult], None],
) -> None:
    for article, qs in zip(batch, quotes, strict=True):
        report(ingest_article(session_factory, article, qs, embed_fn=embed_fn))


def run_threaded(
    batches: Iterable[list[ArticleInput]],
    session_factory: sessionmaker[Session],
    extract_many: ExtractMany,
    embed_fn: Embedder,
    report: Callable[[IngestResult], None],
) -> None:
    """One process: extraction here, storage on a thread of its own."""
    with ThreadPoolExecutor(1, thread_name_prefix="store") as storer:
        pending: deque[Future[None]] = deque()
        for batch in batches:
            quotes = list(extract_many([a.text for a in batch]))
            pending.append(storer.submit(_store_batch, session_factory, batch, quotes, embed_fn, report))
            while len(pending) > MAX_PENDING:
                pending.popleft().result()
        while pending:
            pending.popleft().result()


def split_tail(batches: Sequence[list[T]], workers: int) -> list[list[T]]:
    """``batches`` with the last few cut into small pieces, in the same order: the workers then
    finish within a piece of each other, and the storage left after the last extraction, while
    the cores idle, is one small piece rather than a whole batch (about 1 s of a 45 s run)."""
    cut = len(batches) - TAIL_BATCHES_PER_WORKER * workers
    head, tail = list(batches[: max(0, cut)]), batches[max(0, cut) :]
    return head + [b[i : i + TAIL_PIECE] for b in tail for i in range(0, len(b), TAIL_PIECE)]


def run_processes(
    batches: Iterable[list[ArticleInput]],
    session_factory: sessionmaker[Session],
    extract: Callable[[list[str]], list[list[ExtractedQuote]]],
    embed_fn: Embedder,
    report: Callable[[IngestResult], None],
    workers: int,
    *,
    server: bool = False,
) -> None:
    """``workers`` processes ``extract`` the batches' texts; this process stores, in input order.
    ``server``: the workers fork from the `service.parallel.start_server` process (``extract``
    must then be picklable), else from this one."""
    batches = split_tail(list(batches), workers)
    texts = [[a.text for a in b] for b in batches]
    results = map_batches(extract, texts, workers, nice=WORKER_NICE, server=server)
    for batch, quotes in zip(batches, results, strict=True):
        _store_batch(session_factory, batch, quotes, embed_fn, report)
