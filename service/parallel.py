"""Batches through worker processes, results in input order (`map_batches`).

The workers share what the work needs (the spaCy pipeline) copy-on-write and load nothing
themselves; a worker sends back what the function returns (extracted quotes: small, picklable),
never spaCy Docs. They are forked either

- from this process (``server=False``): the caller loads the model before calling, so it is
  shared, and ``fn`` may be any callable (it is never pickled); or
- from a server process (``server=True``, Python's "forkserver"): `start_server` starts it early
  and it imports the ``preload`` modules (the model) while this process does its own start-up
  (imports, database, input): the two overlap on two cores, where forking from here makes the
  workers wait for this process's whole start-up on one. ``fn`` must then be picklable (a
  module-level function, or a `functools.partial` of one), and this process never loads the model.

``nice``: the workers' priority below this process's. A caller that consumes the results in
order and does real work with them (ingest stores them) should run ahead of its producers:
otherwise, with every core busy extracting, the scheduler gives it only a share of one, results
pile up, and the backlog is worked off alone at the end while the other cores idle.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing import forkserver
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# The function this worker runs (set by `_start` when the worker starts).
_work: list[Callable[[Any], Any]] = []


def start_server(preload: Sequence[str]) -> None:
    """Start the server process that ``map_batches(..., server=True)`` forks its workers from,
    importing the ``preload`` modules there now (in the background). Later calls change nothing:
    one server per process."""
    multiprocessing.get_context("forkserver").set_forkserver_preload(list(preload))
    forkserver.ensure_running()


def _start(fn: Callable[[Any], Any], nice: int) -> None:
    _work[:] = [fn]
    if nice > 0:
        os.nice(nice)


def _run(batch: Any) -> Any:
    return _work[0](batch)


def map_batches(
    fn: Callable[[list[T]], R],
    batches: Iterable[list[T]],
    workers: int,
    *,
    nice: int = 0,
    server: bool = False,
) -> Iterator[R]:
    """``fn(batch)`` for each batch, in order, computed by ``workers`` processes (forked from this
    one, or from the `start_server` process with ``server``) while this one consumes the results;
    the workers run ``nice`` steps below this process's priority."""
    ctx = multiprocessing.get_context("forkserver" if server else "fork")
    with ctx.Pool(workers, initializer=_start, initargs=(fn, nice)) as pool:
        yield from pool.imap(_run, batches)
