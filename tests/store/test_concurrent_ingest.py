"""Two `python -m service ingest` processes at once on the seeds leave no duplicates (both backends)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from service.db import make_engine

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted(str(p) for p in (ROOT / "seeds").glob("*.txt"))

DUPLICATE_CHECKS = {
    "articles": "SELECT count(*) - count(DISTINCT content_hash) FROM articles",
    "speakers": "SELECT count(*) - count(DISTINCT key) FROM speakers",
    "full-name aliases": (
        "SELECT count(*) - count(DISTINCT unique_key) FROM speaker_aliases WHERE unique_key IS NOT NULL"
    ),
    "quotes": (
        'SELECT count(*) FROM (SELECT 1 FROM quotes GROUP BY article_id, start, "end" HAVING count(*) > 1) d'
    ),
    "statements": (
        "SELECT count(*) FROM (SELECT 1 FROM statements GROUP BY speaker_id, text HAVING count(*) > 1) d"
    ),
    "units": (
        "SELECT count(*) FROM (SELECT 1 FROM occurrences GROUP BY article_id, start HAVING count(*) > 1) d"
    ),
}


def _ingest(db_url: str, files: list[str]) -> subprocess.Popen[str]:
    env = dict(os.environ, DATABASE_URL=db_url)
    return subprocess.Popen(
        [sys.executable, "-m", "service", "ingest", "-q", *files],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.slow
def test_two_processes_at_once_then_reingest(db_url: str) -> None:
    """Both start on an empty database, so they also race to create the schema."""
    procs = [_ingest(db_url, SEEDS), _ingest(db_url, SEEDS[::-1])]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-2000:]
    added = sum(int(out.strip().splitlines()[-1].split()[0]) for out, _ in outs)
    assert added == len(SEEDS)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        for what, sql in DUPLICATE_CHECKS.items():
            assert conn.execute(text(sql)).scalar() == 0, f"duplicate {what}"
        counts = [
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("articles", "quotes", "statements")
        ]
        assert counts[0] == len(SEEDS) and counts[1] > 0 and counts[2] > 0
    again = _ingest(db_url, SEEDS)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err[-2000:]
    assert out.strip().splitlines()[-1].startswith(f"0 added, {len(SEEDS)} unchanged")
    with engine.connect() as conn:
        after = [
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("articles", "quotes", "statements")
        ]
    assert after == counts
    engine.dispose()
