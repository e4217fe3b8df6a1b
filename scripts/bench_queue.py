"""Benchmark queue workers: articles/s with 1 and with 2 `python -m service worker` processes.

For each worker count: a fresh PostgreSQL schema (Alembic head) and a fresh Redis queue; the
workers are started and given time to load the model (they register with Redis only once loaded);
then the articles are enqueued at once, and the time from the enqueue to the last finished job
gives articles/s. Prints both rates and the 2-worker/1-worker ratio (same articles, same run).

Input: ``--input`` JSON lines ``{"id", "text", ...}`` (default: the dev set beside the project,
``../shared/eval/dev.jsonl``, when present; else the seed articles), the first ``--articles``.

    .venv/bin/python scripts/bench_queue.py [--articles 60] [--postgres URL] [--redis URL]
        [--session-nice N]

The workers are processes of this session: with Linux's autogroup scheduler the cores are shared
between sessions first, so while other sessions keep the cores busy, 2 workers get no more CPU
than 1 and the ratio measures the machine's other load. ``--session-nice -10`` (root) gives this
session's autogroup (the benchmark and its workers) priority; the load average before each
measurement is printed.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from session_nice import set_session_nice  # scripts/ is on sys.path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def load_articles(path: Path | None, n: int) -> list:  # type: ignore[type-arg]
    from service.store.sources import read_inputs

    paths = [path] if path else ([DEV] if DEV.exists() else [ROOT / "seeds"])
    articles = []
    for article in read_inputs(paths):
        articles.append(article)
        if len(articles) == n:
            break
    return articles


def run(workers: int, articles: list, pg: str, redis_url: str, log: Path) -> float:  # type: ignore[type-arg]
    """Seconds for ``workers`` workers to ingest ``articles`` into a fresh schema."""
    from sqlalchemy import create_engine, func, select, text

    from models import Article
    from service.db import get_engine
    from service.jobs.queue import enqueue_articles, get_queue

    schema = f"benchq_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg else "?"
    url = f"{pg}{sep}options={quote(f'-csearch_path={schema}')}"
    engine = get_engine(url)  # migrated here, before the workers start
    queue = get_queue(redis_url, f"bench-{schema}")
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "QUEUE_NAME": queue.name}
    procs = []
    try:
        with log.open("ab") as fh:
            for i in range(workers):
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "service", "worker", "--name", f"{schema}-{i}"],
                        cwd=ROOT,
                        env=env,
                        stdout=fh,
                        stderr=fh,
                    )  # fmt: skip
                )
        from rq import Worker

        deadline = time.monotonic() + 600
        while len(Worker.all(queue=queue)) < workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise SystemExit(f"workers did not start; see {log}")
            time.sleep(0.5)
        load = os.getloadavg()[0]
        t0 = time.monotonic()
        jobs = enqueue_articles(articles, queue)
        while len(queue.finished_job_registry) + len(queue.failed_job_registry) < len(jobs):
            time.sleep(0.2)
        elapsed = time.monotonic() - t0
        failed = len(queue.failed_job_registry)
        with engine.connect() as conn:
            stored = conn.scalar(select(func.count()).select_from(Article))
        print(f"  {workers} worker(s): {len(jobs)} jobs in {elapsed:.1f}s, {stored} stored, {failed} failed "
          f"(load average before: {load:.1f})")  # fmt: skip
        return elapsed
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
        queue.delete(delete_jobs=True)
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--input", type=Path, help="JSON lines or a folder of article files")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--session-nice", type=int, help="autogroup nice of this session (-10: priority)")
    args = parser.parse_args()
    if args.session_nice is not None:
        set_session_nice(args.session_nice)
    articles = load_articles(args.input, args.articles)
    words = sum(len(a.text.split()) for a in articles)
    print(f"{len(articles)} articles, {words:,} words; PostgreSQL {args.postgres}, Redis {args.redis}")
    log = Path(tempfile.mkdtemp(prefix="bench-queue-")) / "workers.log"
    one = run(1, articles, args.postgres, args.redis, log)
    two = run(2, articles, args.postgres, args.redis, log)
    r1, r2 = len(articles) / one, len(articles) / two
    print(f"{'workers':10} {'articles/s':>11} {'words/s':>9}")
    print(f"{1:<10} {r1:11.2f} {words / one:9.0f}")
    print(f"{2:<10} {r2:11.2f} {words / two:9.0f}")
    print(f"ratio 2 workers / 1 worker: x{r2 / r1:.2f} (cores: {os.cpu_count()}; worker log {log})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
