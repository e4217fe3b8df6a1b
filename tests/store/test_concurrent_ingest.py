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
    "speakers": "SELECT count(key) - count(DISTINCT key) FROM speakers",
    # Speakers known only by a short form ("U.S.") have no key: the same short form twice is a duplicate
    # here, where both processes ingest the same articles.
    "short-form speakers": (
        "SELECT count(*) FROM (SELECT 1 FROM speakers WHERE key IS NULL"
        " GROUP BY name, kind HAVING count(*) > 1) d"
    ),
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


STRESS_SCRIPT = r"""
import random, sys
from service.db import get_engine, make_session_factory
from service.nlp.types import Quote, Speaker, TextSpan
from service.store.articles import ArticleInput
from service.store.sources import run_ingest
from service.variants.embeddings import pseudo_embed

seed, n = int(sys.argv[1]), int(sys.argv[2])
names = ["Kim Jong-un", "Kim Jong Un", "John Kirby", "Lloyd Austin",
         "Volodymyr Zelenskyy", "Volodymyr Zelensky"]
said = ["We moved 3,000 soldiers to the east.", "We will defend our land.", "The talks were useful.",
        "We moved 3,000 soldiers to the east today.", "The talks were very useful."]
articles, quotes = [], {}
rnd = random.Random(0)
for i in range(n):
    picks = rnd.sample(range(len(said)), 3)
    parts, qs = [], []
    for j in picks:
        name = rnd.choice(names)
        start = sum(len(p) for p in parts) + len(name) + 7
        parts.append(f'{name} said "{said[j]}" ')
        qs.append((start, start + len(said[j]), said[j], name))
    text = "".join(parts) + f"(article {i})"
    articles.append(ArticleInput(f"s{i}", text))
    quotes[text] = [Quote(s, e, t, "direct", (), None, Speaker(nm, None, "person")) for s, e, t, nm in qs]
order = articles[::-1] if seed else articles
run_ingest(order, make_session_factory(get_engine(), writer=True), batch_size=4, registry=None,
           extract_many=lambda texts: [quotes[t] for t in texts], embed_fn=pseudo_embed)
print("ok")
"""


@pytest.mark.parametrize("n_procs", [3])
def test_many_processes_shared_speakers_no_duplicates(db_url: str, n_procs: int) -> None:
    """Fast stress (no spaCy): processes ingest the same 30 articles in different orders."""
    env = dict(os.environ, DATABASE_URL=db_url)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", STRESS_SCRIPT, str(k % 2), "30"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for k in range(n_procs)
    ]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-3000:]
    engine = make_engine(db_url)
    with engine.connect() as conn:
        for what, sql in DUPLICATE_CHECKS.items():
            assert conn.execute(text(sql)).scalar() == 0, f"duplicate {what}"
        assert conn.execute(text("SELECT count(*) FROM articles")).scalar() == 30
        names = set(conn.execute(text("SELECT name FROM speakers")).scalars())
        assert len(names) == 4, names  # Kim Jong-un/Kim Jong Un and Zelenskyy/Zelensky are one each
        per_speaker = conn.execute(
            text("SELECT speaker_id, count(*) FROM statements GROUP BY speaker_id HAVING count(*) > 3")
        ).all()
        assert not per_speaker, per_speaker  # at most 3 statements (3,000 x2, defend, talks x2) each
    engine.dispose()
