"""Benchmark `GET /v1/speakers/{id}/statements` beside a bare Flask JSON endpoint.

1. Builds a temporary SQLite database: the seed articles (ingested with `python -m service
   ingest` when that command is available) plus 100,000 synthetic quotes, each with a statement
   unit, grouped four to a statement, bulk-inserted directly (no NLP).
2. Serves the API (`python -m service serve`) and a bare Flask app returning a constant JSON
   object, both under gunicorn with the same settings (`service.api.server.server_options`:
   workers, worker class, recycling, access log to stdout), on loopback ports.
3. Builds the request mix (``--mix``): ``realistic`` (default) cycles through a shuffled list of
   statement pages as readers would ask for them: the first page of a speaker drawn by popularity
   (Zipf over the synthetic speakers, the busiest saying 10% of all quotes) 70% of the time,
   pages 2-5 of one 20%, and a date range, a word (``q``) or an outlet filter 10%; ``single``
   repeats the first page of the busiest speaker (what earlier runs measured).
4. Loads both with `wrk` (installed with apt-get when missing and possible, else a Python
   thread-pool load generator) for a bounded time each, and prints p50/p99 latency, requests/s
   and the API/bare ratio.

    .venv/bin/python scripts/bench_api.py [--quotes 100000] [--duration 10] [--connections 16]
        [--mix realistic|single] [--keep | --db DIR]

``--keep`` keeps the database directory and prints it; ``--db DIR`` reuses one (no rebuild).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from liveserver import ROOT, api_and_bare  # scripts/ is on sys.path

sys.path.insert(0, str(ROOT))

WORDS = (
    "troops army border missile talks sanctions economy growth summit treaty allies election "
    "reform budget market energy climate security defense policy support pressure response "
    "strategy deployment report evidence officials briefing conflict peace agreement region "
    "front soldiers weapons drones training exercises intelligence assessment warning"
).split()


# ---------------------------------------------------------------- data


def ingest_seeds(env: dict[str, str]) -> bool:
    """Ingest seeds/*.txt through the project's CLI; False when the command is not available."""
    seeds = sorted(str(p) for p in (ROOT / "seeds").glob("*.txt"))
    probe = subprocess.run(
        [sys.executable, "-m", "service", "ingest", "--help"], cwd=ROOT, env=env, capture_output=True
    )
    if probe.returncode != 0:
        print("  (no `python -m service ingest` command yet: seeds skipped)")
        return False
    subprocess.run([sys.executable, "-m", "service", "ingest", *seeds], cwd=ROOT, env=env, check=True)
    return True


def insert_synthetic(url: str, n_quotes: int, seed: int = 1) -> int:
    """Bulk-insert ``n_quotes`` synthetic quotes; returns the id of the busiest synthetic speaker."""
    from sqlalchemy import func, insert, select

    from models import Article, Occurrence, Outlet, Quote, Speaker, Statement
    from service.db import get_engine, make_session_factory

    rng = random.Random(seed)
    engine = get_engine(url)
    session = make_session_factory(engine, writer=True)()
    with session.begin():

        def next_id(model: Any) -> int:
            return int(session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1

        o0, a0, s0, q0, st0, oc0 = (
            next_id(m) for m in (Outlet, Article, Speaker, Quote, Statement, Occurrence)
        )
        n_outlets, n_speakers, per_article, per_statement = 50, 1000, 10, 4
        n_articles = n_quotes // per_article
        session.execute(
            insert(Outlet), [{"id": o0 + i, "name": f"Synthetic Outlet {i}"} for i in range(n_outlets)]
        )
        session.execute(
            insert(Speaker),
            [
                {
                    "id": s0 + i,
                    "name": f"Synthetic Speaker {i}",
                    "key": f"synthetic speaker {i}",
                    "kind": "person",
                }
                for i in range(n_speakers)
            ],
        )
        day0 = dt.date(2024, 1, 1)
        articles = []
        for i in range(n_articles):
            text = " ".join(rng.choices(WORDS, k=200))
            articles.append(
                {
                    "id": a0 + i,
                    "external_id": f"synthetic-{i}",
                    "url": f"https://example.org/synthetic/{i}",
                    "headline": f"Synthetic article {i}",
                    "outlet_id": o0 + i % n_outlets,
                    "published_at": day0 + dt.timedelta(days=i % 365),
                    "text": text,
                    "content_hash": hashlib.sha256(f"synthetic-{i}-{text}".encode()).hexdigest(),
                }
            )
        session.execute(insert(Article), articles)
        # Speaker 0 says 10% of everything (the benchmarked speaker); the rest spread evenly.
        speaker_of = [0 if rng.random() < 0.1 else rng.randrange(1, n_speakers) for _ in range(n_quotes)]
        by_speaker: dict[int, list[int]] = {}
        for q, sp in enumerate(speaker_of):
            by_speaker.setdefault(sp, []).append(q)
        statement_of: dict[int, int] = {}
        statements = []
        for sp, qs in by_speaker.items():
            for j in range(0, len(qs), per_statement):
                sid = st0 + len(statements)
                dates = [articles[q // per_article]["published_at"] for q in qs[j : j + per_statement]]
                statements.append(
                    {
                        "id": sid,
                        "speaker_id": s0 + sp,
                        "text": " ".join(rng.choices(WORDS, k=14)),
                        "canonical_type": "direct",
                        "first_seen": min(dates),  # as placement keeps them
                        "last_seen": max(dates),
                        "occurrence_count": len(qs[j : j + per_statement]),
                    }
                )
                for q in qs[j : j + per_statement]:
                    statement_of[q] = sid
        session.execute(insert(Statement), statements)
        quotes, occurrences = [], []
        for q in range(n_quotes):
            art = articles[q // per_article]
            start = (q % per_article) * 100
            text = art["text"][start : start + 90]
            quotes.append(
                {
                    "id": q0 + q,
                    "article_id": art["id"],
                    "start": start,
                    "end": start + 90,
                    "text": text,
                    "type": "direct",
                    "cue": "said",
                    "speaker_id": s0 + speaker_of[q],
                }
            )
            occurrences.append(
                {
                    "id": oc0 + q,
                    "quote_id": q0 + q,
                    "article_id": art["id"],
                    "speaker_id": s0 + speaker_of[q],
                    "statement_id": statement_of[q],
                    "start": start,
                    "end": start + 90,
                    "text": text,
                    "type": "direct",
                    "label": "paraphrase",
                    "similarity": 0.7,
                    "diff": [["=", text]],
                }
            )
        for i in range(0, n_quotes, 10_000):
            session.execute(insert(Quote), quotes[i : i + 10_000])
            session.execute(insert(Occurrence), occurrences[i : i + 10_000])
    session.close()
    return s0


def first_synthetic_speaker(url: str) -> int:
    """The id of synthetic speaker 0 (the busiest) in a database built by `insert_synthetic`."""
    from sqlalchemy import select

    from models import Speaker
    from service.db import get_engine

    with get_engine(url).connect() as conn:
        found = conn.execute(select(Speaker.id).where(Speaker.key == "synthetic speaker 0")).scalar()
    if found is None:
        raise SystemExit(f"no synthetic speakers in {url}")
    return int(found)


# ---------------------------------------------------------------- servers


def bare_app() -> Any:
    """A Flask app with one constant JSON endpoint: the floor any Flask endpoint stands on."""
    from flask import Flask

    app = Flask("bare")

    @app.get("/bare")
    def bare() -> dict[str, Any]:
        return {"items": [], "next_cursor": None}

    return app


def serve_bare(port: int, workers: int) -> None:
    """Run `bare_app` under gunicorn with the API's own server options (`server_options` of the
    default configuration: worker class, recycling, access log), so only the app differs."""
    from service.api.server import GunicornApp, server_options
    from service.config import Config, load_config

    app = bare_app()
    load_config(app, Config)  # defaults and the environment's overrides, as the API reads them
    GunicornApp(app, server_options(app.config, "127.0.0.1", port, workers)).run()


# ---------------------------------------------------------------- load


def ensure_wrk() -> str | None:
    """Path of wrk, installing the Debian package when missing and running as root."""
    path = shutil.which("wrk")
    if path or os.geteuid() != 0 or not shutil.which("apt-get"):
        return path
    print("  installing wrk (apt-get install -y wrk)")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], capture_output=True)
    return shutil.which("wrk")


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", value.strip())
    if not m:
        raise ValueError(value)
    return float(m.group(1)) * _UNITS[m.group(2)]


WRK_SCRIPT = """
local paths = %s
local counter = 0
function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
end
local i = 0
function init(args)
  i = offset or 0
end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def run_wrk(
    wrk: str, base: str, paths: list[str], duration: int, connections: int, threads: int
) -> dict[str, Any]:
    """p50/p99 latency (ms), requests/s and error count from one wrk run cycling through ``paths``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ("{" + ",".join(json.dumps(p) for p in paths) + "}"))
    out = subprocess.run(
        [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script.name, base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    if not (p50 and p99 and rps):
        raise SystemExit("could not parse wrk output:\n" + out)
    return {
        "p50_ms": _ms(p50.group(1)),
        "p99_ms": _ms(p99.group(1)),
        "rps": float(rps.group(1)),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(0) if errors else "",
        "tool": "wrk",
    }


def run_python_load(base: str, paths: list[str], duration: int, connections: int) -> dict[str, Any]:
    """Fallback load generator: ``connections`` threads cycling through ``paths`` for ``duration`` s."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def worker(start: int) -> None:
        nonlocal failures
        local: list[float] = []
        bad = 0
        i = start
        while time.monotonic() < stop:
            i += 1
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(base + paths[i % len(paths)], timeout=10) as resp:
                    resp.read()
                    bad += resp.status != 200
            except OSError:
                bad += 1
            local.append((time.perf_counter() - t0) * 1000)
        with lock:
            latencies.extend(local)
            failures += bad

    threads = [threading.Thread(target=worker, args=(k * 7919,)) for k in range(connections)]
    t_start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t_start
    q = statistics.quantiles(latencies, n=100)
    return {
        "p50_ms": q[49],
        "p99_ms": q[98],
        "rps": len(latencies) / elapsed,
        "non_2xx": failures,
        "socket_errors": "",
        "tool": "python threads",
    }


def load(base: str, paths: list[str], args: argparse.Namespace, wrk: str | None) -> dict[str, Any]:
    """Warm up, then measure ``paths`` of ``base``."""
    for path in paths[:20]:
        urllib.request.urlopen(base + path, timeout=30).read()
    if wrk:
        return run_wrk(wrk, base, paths, args.duration, args.connections, args.threads)
    return run_python_load(base, paths, args.duration, args.connections)


def http_json(base: str) -> Any:
    """GET a path of ``base`` and parse the JSON."""

    def get(path: str) -> Any:
        with urllib.request.urlopen(base + path, timeout=30) as resp:
            return json.loads(resp.read())

    return get


def request_mix(get_json: Any, first_speaker: int, n: int = 1000, seed: int = 5) -> list[str]:
    """``n`` statement-page paths as readers ask for them (see the module docstring), shuffled."""
    rng = random.Random(seed)
    n_speakers = 1000
    cum, total = [], 0.0
    for rank in range(1, n_speakers + 1):
        total += 1 / rank
        cum.append(total)
    cursors: dict[int, list[str]] = {}

    def pages(speaker: int) -> list[str]:
        """Cursors of the speaker's pages 2-5 (fewer when it has fewer pages)."""
        if speaker not in cursors:
            found, cursor = [], None
            for _ in range(4):
                path = f"/v1/speakers/{speaker}/statements" + (f"?cursor={cursor}" if cursor else "")
                cursor = get_json(path)["next_cursor"]
                if not cursor:
                    break
                found.append(cursor)
            cursors[speaker] = found
        return cursors[speaker]

    paths = []
    for _ in range(n):
        speaker = first_speaker + rng.choices(range(n_speakers), cum_weights=cum)[0]
        path = f"/v1/speakers/{speaker}/statements"
        roll = rng.random()
        if roll < 0.2 and pages(speaker):
            path += f"?cursor={rng.choice(pages(speaker))}"
        elif 0.9 <= roll < 0.95:
            month = rng.randrange(12)
            start = dt.date(2024, month + 1, 1)
            path += f"?since={start}&until={start + dt.timedelta(days=30)}"
        elif 0.95 <= roll < 0.98:
            path += f"?q={rng.choice(WORDS)}"
        elif roll >= 0.98:
            path += f"?outlet=Outlet%20{rng.randrange(50)}"
        paths.append(path)
    rng.shuffle(paths)
    return paths


# ---------------------------------------------------------------- in-process profile


def profile(url: str, speaker: int, args: argparse.Namespace) -> None:
    """CPU time per request of the mix in one process, straight through each app's WSGI callable
    (no server, no access log): the API beside the bare app; ``--profile-top`` prints cProfile's
    busiest functions of the API's requests."""
    import cProfile
    import pstats

    from werkzeug.test import EnvironBuilder

    os.environ["DATABASE_URL"] = url
    from service import create_app

    api = create_app()
    client = api.test_client()
    if args.mix == "single":
        paths = [f"/v1/speakers/{speaker}/statements"]
    else:
        paths = request_mix(lambda path: client.get(path).get_json(), speaker)

    def run(app: Any, paths: list[str], n: int) -> float:
        environs = [EnvironBuilder(path=p).get_environ() for p in paths]

        def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
            assert status.startswith(("200", "304")), status

        t0 = time.process_time()
        for i in range(n):
            environ = dict(environs[i % len(environs)])
            body = app(environ, start_response)
            for _ in body:
                pass
            if hasattr(body, "close"):
                body.close()
        return (time.process_time() - t0) / n * 1e6

    n = args.profile
    run(api, paths, min(n, 200))  # warm up
    bare = bare_app()
    bare_us = min(run(bare, ["/bare"], n) for _ in range(5))
    api_us = min(run(api, paths, n) for _ in range(5))
    print(f"CPU per request over {n} requests ({args.mix} mix), best of 5 runs:")
    print(f"  bare Flask {bare_us:8.0f} us\n  API        {api_us:8.0f} us  (x{api_us / bare_us:.1f})")
    if args.profile_top:
        prof = cProfile.Profile()
        prof.runcall(run, api, paths, n)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(args.profile_top)


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    parser.add_argument("--no-seeds", action="store_true")
    parser.add_argument("--mix", choices=("realistic", "single"), default="realistic")
    parser.add_argument("--keep", action="store_true", help="keep the database directory")
    parser.add_argument("--db", type=Path, metavar="DIR", help="reuse a kept database directory")
    parser.add_argument(
        "--profile", type=int, metavar="N", help="with --db: CPU per request in-process over N requests"
    )
    parser.add_argument("--profile-top", type=int, default=0, metavar="K", help="cProfile's top K")
    parser.add_argument("--bare-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        serve_bare(args.bare_server, args.workers)
        return 0

    tmp = args.db or Path(tempfile.mkdtemp(prefix="bench-api-"))
    url = f"sqlite:///{tmp / 'quotes.db'}"
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    env.pop("API_KEYS", None)
    print(f"database: {tmp / 'quotes.db'}")
    if args.db:
        speaker = first_synthetic_speaker(url)
        if args.profile:
            profile(url, speaker, args)
            return 0
    else:
        t0 = time.monotonic()
        seeded = False if args.no_seeds else ingest_seeds(env)
        print(f"  seeds ingested: {seeded} ({time.monotonic() - t0:.1f}s)")
        t0 = time.monotonic()
        speaker = insert_synthetic(url, args.quotes)
        print(f"  {args.quotes:,} synthetic quotes inserted in {time.monotonic() - t0:.1f}s")

    with api_and_bare(env, args.workers, tmp) as (api_port, bare_port):
        api_base, bare_base = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{bare_port}"
        wrk = ensure_wrk()
        if args.mix == "single":
            paths = [f"/v1/speakers/{speaker}/statements"]
        else:
            paths = request_mix(http_json(api_base), speaker)
        sizes = []
        for path in dict.fromkeys(paths):
            with urllib.request.urlopen(api_base + path) as resp:
                sizes.append(len(resp.read()))
        print(
            f"  mix {args.mix}: {len(paths)} requests over {len(sizes)} distinct pages, "
            f"{statistics.mean(sizes):,.0f} bytes per response on average"
        )
        results = {
            "bare Flask JSON (/bare)": load(bare_base, ["/bare"], args, wrk),
            "GET /v1/speakers/{id}/statements": load(api_base, paths, args, wrk),
        }
    print()
    print(
        f"load: {results['bare Flask JSON (/bare)']['tool']}, {args.connections} connections, "
        f"{args.duration}s per endpoint, {args.workers} gunicorn sync workers each, loopback"
    )
    print(f"{'endpoint':36} {'p50 ms':>9} {'p99 ms':>9} {'req/s':>10} {'errors':>7}")
    for name, r in results.items():
        print(f"{name:36} {r['p50_ms']:9.2f} {r['p99_ms']:9.2f} {r['rps']:10.1f} {r['non_2xx']:7d}")
    api, bare = results["GET /v1/speakers/{id}/statements"], results["bare Flask JSON (/bare)"]
    print(
        f"ratio API/bare: p50 x{api['p50_ms'] / bare['p50_ms']:.1f}, "
        f"p99 x{api['p99_ms'] / bare['p99_ms']:.1f}, throughput {api['rps'] / bare['rps']:.1%} of bare"
    )
    if args.keep:
        print(f"kept: --db {tmp}")
    elif not args.db:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
