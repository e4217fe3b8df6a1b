"""Batches through forked worker processes (`service.parallel.map_batches`)."""

from __future__ import annotations

import os

import pytest

from service.parallel import map_batches

pytestmark = pytest.mark.forks


def test_results_come_back_in_input_order_from_the_workers() -> None:
    seen_in = {os.getpid()}
    loaded = {"model": "loaded before the fork"}  # shared with the workers, never pickled

    def work(batch: list[int]) -> tuple[list[int], int, str]:
        return [x * x for x in batch], os.getpid(), loaded["model"]

    batches = [list(range(i, i + 3)) for i in range(0, 30, 3)]
    out = list(map_batches(work, batches, workers=2))
    assert [r[0] for r in out] == [[x * x for x in b] for b in batches]
    assert {r[2] for r in out} == {"loaded before the fork"}
    assert not {r[1] for r in out} & seen_in  # computed in the workers, not here


def test_workers_can_run_below_the_consumers_priority() -> None:
    here = os.nice(0)

    def niceness(batch: list[int]) -> int:
        return os.nice(0)

    assert set(map_batches(niceness, [[1], [2], [3]], workers=2, nice=3)) == {here + 3}
    assert set(map_batches(niceness, [[1], [2]], workers=2)) == {here}
