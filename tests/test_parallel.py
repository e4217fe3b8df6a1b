"""Batches through worker processes (`service.parallel.map_batches`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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


def probe(batch: list[int]) -> tuple[list[int], int, bool]:
    """A worker's answer: the batch doubled, its pid, and whether ``colorsys`` is loaded there."""
    return [2 * x for x in batch], os.getpid(), "colorsys" in sys.modules


SERVER_RUN = """
import json, os, sys
sys.path.insert(0, sys.argv[1])
from service.parallel import map_batches, start_server
from test_parallel import probe

start_server(["colorsys"])  # loaded in the server, never here
out = list(map_batches(probe, [[1, 2], [3], [4, 5, 6], [7]], workers=2, server=True))
print(json.dumps({"out": out, "here": os.getpid(), "loaded_here": "colorsys" in sys.modules}))
"""


def test_workers_fork_from_a_server_that_preloads_what_they_share() -> None:
    """`start_server` loads the shared modules in its own process (here: while the caller does
    its start-up); the workers forked from it have them, and the caller never loads them."""
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-c", SERVER_RUN, str(Path(__file__).parent)], cwd=root,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert [r[0] for r in got["out"]] == [[2, 4], [6], [8, 10, 12], [14]]  # in input order
    assert all(r[2] for r in got["out"])  # the workers have the preloaded module ...
    assert not got["loaded_here"]  # ... which the caller never imported
    assert got["here"] not in {r[1] for r in got["out"]}
