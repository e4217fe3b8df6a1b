"""Batches through forked worker processes, results in input order (`map_batches`).

The caller loads what the work needs (the spaCy pipeline) before calling, so the workers share it
copy-on-write and load nothing; a worker sends back what the function returns (extracted quotes:
small, picklable), never spaCy Docs.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# The function the workers run, set before the fork (so it is never pickled).
_work: list[Callable[[Any], Any]] = []


def _run(batch: Any) -> Any:
    return _work[0](batch)


def map_batches(fn: Callable[[list[T]], R], batches: Iterable[list[T]], workers: int) -> Iterator[R]:
    """``fn(batch)`` for each batch, in order, computed by ``workers`` forked processes while this
    one consumes the results."""
    _work[:] = [fn]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_run, batches)
    finally:
        _work.clear()
