"""Process memory habits (`service.memory`): what a bulk command's batches cost the kernel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CYCLES = """
import resource, sys
from service.memory import keep_freed_heap
if sys.argv[1] == "keep":
    keep_freed_heap()

def batch():  # a large buffer, every page written, then freed (as a parse batch's arrays)
    buf = bytearray(100 * 1024 * 1024)
    del buf

batch()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    batch()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", CYCLES, mode], cwd=root, capture_output=True, text=True,
                         check=True, timeout=60)  # fmt: skip
    return int(out.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc and Linux page faults")
def test_freed_heap_kept_means_later_batches_fault_nothing_in() -> None:
    """By default each 100 MB buffer is mapped fresh and unmapped when freed, so every batch
    faults its 25,600 pages in again; with the heap kept, later batches reuse the same memory."""
    assert _faults("default") > 5 * 20_000
    assert _faults("keep") < 1_000
