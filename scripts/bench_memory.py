"""Memory of the API's gunicorn workers after a load (issue 9, hostile input 11).

Starts `python -m service serve` on a temporary SQLite database, sends a mixed load (article
ingests, extractions of texts up to ``--big`` characters, verifications), then prints each
worker's RSS, PSS and USS (from /proc/PID/smaps_rollup): PSS counts pages shared with the master
and the other workers (the preloaded model, copy-on-write) once, split between them.

    .venv/bin/python scripts/bench_memory.py [--workers 2] [--rounds 20] [--big 90000] [--no-share]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from liveserver import ROOT, free_port, running, serve_command  # scripts/ is on sys.path


def _post(url: str, body: dict[str, Any]) -> int:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=600) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def _memory(pid: int) -> dict[str, int]:
    """RSS, PSS and USS (private) of ``pid`` in MB."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        fields[name] = int(rest.split()[0]) if rest.split() else 0
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return {"rss": fields["Rss"] // 1024, "pss": fields["Pss"] // 1024, "uss": private // 1024}


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--big", type=int, default=90_000, help="characters of the longest text")
    parser.add_argument(
        "--no-share", action="store_true", help="QUOTES_SHARE_MODELS=false: each worker loads its own models"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'quotes.db'}",
        "QUOTES_RATELIMIT_ENABLED": "false",
        "QUOTES_SHARE_MODELS": "false" if args.no_share else "true",
    }
    env.pop("API_KEYS", None)
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    rng = random.Random(1)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp / "server.log"
    with running(
        serve_command(port, args.workers), env=env, health_url=f"{base}/healthz", log_path=log
    ) as proc:
        print("idle workers:", {pid: _memory(pid) for pid in _children(proc.pid)}, flush=True)
        codes: dict[int, int] = {}
        for i in range(args.rounds):
            big = "\n\n".join(rng.sample(seeds, len(seeds)) * (args.big // sum(map(len, seeds)) + 1))
            size = args.big if i % 5 == 0 else rng.randint(2_000, 20_000)
            text = big[:size]
            for path, body in (
                ("/v1/articles", {"text": f"{text}\n\nRound {i}.", "outlet": f"Outlet {i % 3}"}),
                ("/v1/extract", {"text": text[:200_000]}),
                ("/v1/verify", {"text": rng.choice(seeds)[:300]}),
            ):
                status = _post(base + path, body)
                codes[status] = codes.get(status, 0) + 1
        workers = {pid: _memory(pid) for pid in _children(proc.pid)}
        print("status codes:", codes)
        print("master:", _memory(proc.pid))
        print("workers after load:", workers)
        print("max worker RSS MB:", max(m["rss"] for m in workers.values()))
        print("max worker PSS MB:", max(m["pss"] for m in workers.values()))


if __name__ == "__main__":
    main()
