"""Fuzz the served API with schemathesis against its own OpenAPI document.

Starts `python -m service serve` on a free loopback port over a temporary SQLite database (or
the empty database given with ``--database-url``) with the seed articles ingested, runs
`schemathesis run --checks all` (every phase: examples, coverage, fuzzing, stateful) and prints
how many requests were generated, how many server errors (5xx) and schema violations it found.
Exit code 0 only when there are none (and no other check failed) and at least
``--min-requests`` test cases ran.

    .venv/bin/python scripts/schemathesis_run.py [--max-examples 100] [--min-requests 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from liveserver import ROOT, free_port, running, serve_command  # scripts/ is on sys.path

API_KEY = "schemathesis-key"
# A body over MAX_CONTENT_LENGTH is rejected before it is parsed, with 413, and a URL over
# MAX_URL_LENGTH with 414 (both the schema's default error response): schemathesis's oversized
# negative requests must count as rejected.
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = [
    "400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422", "428", "429", "5xx",
]
"""
# Failure codes (`schemathesis explain --list`): server errors, and responses that break the schema.
SERVER_ERROR_CODES = {"ST101", "ST102", "ST113"}
SCHEMA_CODES = {f"ST1{n:02d}" for n in range(3, 16)} - SERVER_ERROR_CODES - {"ST112"}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--max-examples", type=int, default=100, help="per operation and phase")
    parser.add_argument("--min-requests", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--seed", type=int, help="schemathesis random seed")
    parser.add_argument("--no-seeds", action="store_true", help="do not ingest the seed articles")
    parser.add_argument(
        "--database-url", help="an empty database to use instead of a temporary SQLite file (e.g. PostgreSQL)"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="schemathesis-"))
    database_url = args.database_url or f"sqlite:///{tmp / 'quotes.db'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "API_KEYS": API_KEY,
        "QUOTES_PRELOAD_MODEL": "true",
        # jobs made by fuzzed `POST /v1/articles?async=true` go to a queue of this run's own
        "QUEUE_NAME": f"schemathesis-{tmp.name}",
        # Thousands of requests from one client: the rate limits (tested in tests/api) would turn
        # most of them into 429s.
        "QUOTES_RATELIMIT_ENABLED": "false",
    }
    py = sys.executable
    if not args.no_seeds:
        seeds = sorted(str(p) for p in (ROOT / "seeds").glob("*.txt"))
        print(f"ingesting {len(seeds)} seed articles into {database_url}", flush=True)
        subprocess.run([py, "-m", "service", "ingest", *seeds], cwd=ROOT, env=env, check=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp / "server.log"
    with running(serve_command(port, args.workers), env=env, health_url=f"{base}/healthz", log_path=log_path):
        report_dir = tmp / "report"
        config = tmp / "schemathesis.toml"
        config.write_text(CONFIG)
        cmd = [
            str(Path(py).with_name("schemathesis")),
            "--config-file",
            str(config),
            "run",
            f"{base}/v1/openapi.json",
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {API_KEY}",
            "--max-examples",
            str(args.max_examples),
            "--request-timeout",
            "60",
            "--report",
            "json",
            "--report-dir",
            str(report_dir),
        ]
        if args.seed is not None:
            cmd += ["--seed", str(args.seed)]
        print("$", " ".join(cmd), flush=True)
        run = subprocess.run(cmd, cwd=tmp)
        report = json.loads(next(report_dir.glob("*.json")).read_text())
    return summarize(report, run.returncode, args.min_requests, log_path)


def summarize(report: dict, exit_code: int, min_requests: int, server_log: Path) -> int:
    """Print the figures; 0 when there are no server errors or schema violations."""
    generated = report["test_cases"]["generated"]
    by_code: dict[str, int] = {}
    for failure in report.get("failures", []):
        key = f"{failure.get('code')} {failure.get('title')} ({', '.join(failure.get('operations', []))})"
        by_code[key] = by_code.get(key, 0) + int(failure.get("count", 1))
    server_errors = sum(n for k, n in by_code.items() if k.split()[0] in SERVER_ERROR_CODES)
    schema_violations = sum(n for k, n in by_code.items() if k.split()[0] in SCHEMA_CODES)
    other = sum(by_code.values()) - server_errors - schema_violations
    log_text = server_log.read_text(errors="replace")
    logged_5xx = sum(1 for line in log_text.splitlines() if '" 5' in line and "HTTP/1.1" in line)
    print()
    print(f"test cases generated:      {generated}")
    print(f"requests logged by server: {sum(1 for line in log_text.splitlines() if 'HTTP/1.1' in line)}")
    print(f"server errors (5xx):       {server_errors} (5xx lines in server log: {logged_5xx})")
    print(f"schema violations:         {schema_violations}")
    print(f"other check failures:      {other}")
    for key, n in sorted(by_code.items()):
        print(f"  {n:4d}  {key}")
    print(f"errors:                    {len(report.get('errors', []))}")
    print(f"schemathesis exit code:    {exit_code}")
    ok = (
        server_errors == 0
        and schema_violations == 0
        and logged_5xx == 0
        and other == 0
        and generated >= min_requests
    )
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
