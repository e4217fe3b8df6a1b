"""Batches through forked worker processes, results in input order (`map_batches`).

The caller loads what the work needs (the spaCy pipeline) before calling, so the workers share it
copy-on-write and load nothing; a worker sends back what the function returns (extracted quotes:
small, picklable), never spaCy Docs.

``nice``: the workers' priority below this process's. A caller that consumes the results in
order and does real work with them (ingest stores them) should run ahead of its producers:
otherwise, with every core busy extracting, the scheduler gives it only a share of one, results
pile up, and the backlog is worked off alone at the end while the other cores idle.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# The function the workers run, set before the fork (so it is never pickled).
_work: list[Callable[[Any], Any]] = []


def _lower_priority(nice: int) -> None:
    if nice > 0:
        os.nice(nice)


def _run(batch: Any) -> Any:
    return _work[0](batch)


def map_batches(
    fn: Callable[[list[T]], R], batches: Iterable[list[T]], workers: int, *, nice: int = 0
) -> Iterator[R]:
    """``fn(batch)`` for each batch, in order, computed by ``workers`` forked processes while this
    one consumes the results; the workers run ``nice`` steps below this process's priority."""
    _work[:] = [fn]
    try:
        with multiprocessing.get_context("fork").Pool(
            workers, initializer=_lower_priority, initargs=(nice,)
        ) as pool:
            yield from pool.imap(_run, batches)
    finally:
        _work.clear()
