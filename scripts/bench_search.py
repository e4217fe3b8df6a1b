"""Benchmark full-text quote search (`GET /v1/quotes?q=`) at 1M synthetic quotes.

1. Builds a fresh database (SQLite file, or a new schema in PostgreSQL with ``--postgres URL``),
   migrated by Alembic, and bulk-inserts synthetic quotes: 15-30 words each, drawn from a 20,000
   word vocabulary with a Zipf distribution (as in real text a few words are everywhere and most
   are rare), 10 quotes per article, 50 outlets, 1,000 speakers.
2. Runs a fixed mix of searches through `service.store.queries.search_quotes` (what the endpoint
   calls; limit 20, ranked): single words and word pairs drawn from the same distribution,
   two-word phrases cut from stored quotes, and a quarter of them with a speaker or date filter.
3. Prints p50/p95/p99 latency and, as the baseline of the same run, the word-by-word ``LIKE``
   search that full-text search replaced (on a sample of the same queries).

    .venv/bin/python scripts/bench_search.py [--quotes 1000000] [--queries 400] [--postgres URL]
        [--keep | --reuse URL]

``--keep`` keeps the database (its URL is printed); ``--reuse URL`` searches a kept one again
(the texts are drawn again from the same seed, not inserted).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SYLLABLES = "ka lo mi nu te ra si vo pe da gu zo fi ne ha bu ri sa mo le".split()


def vocabulary(n: int, rng: random.Random) -> list[str]:
    """``n`` distinct made-up words (2-4 syllables)."""
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    out = sorted(words)
    rng.shuffle(out)  # rank in the Zipf distribution: not alphabetical
    return out


def zipf_weights(n: int, s: float = 1.05) -> list[float]:
    return [1 / (rank**s) for rank in range(1, n + 1)]


def build(
    url: str, n_quotes: int, seed: int = 7, insert_rows: bool = True
) -> tuple[list[str], list[float], list[str]]:
    """Fill the database (unless not ``insert_rows``); returns (vocabulary, weights, some stored
    quote texts)."""
    from sqlalchemy import insert

    from models import Article, Outlet, Quote, Speaker
    from service.db import get_engine

    rng = random.Random(seed)
    vocab = vocabulary(20_000, rng)
    weights = zipf_weights(len(vocab))
    cum = list(_accumulate(weights))
    engine = get_engine(url)
    per_article, n_speakers, n_outlets = 10, 1000, 50
    day0 = dt.date(2020, 1, 1)
    samples: list[str] = []
    if not insert_rows:
        for _q in range(n_quotes):
            text = " ".join(rng.choices(vocab, cum_weights=cum, k=rng.randint(15, 30))).capitalize() + "."
            if len(samples) < 5000 and rng.random() < 0.01:
                samples.append(text)
            rng.randrange(n_speakers)
        return vocab, weights, samples
    with engine.begin() as conn:
        conn.execute(insert(Outlet), [{"id": i + 1, "name": f"Outlet {i}"} for i in range(n_outlets)])
        conn.execute(
            insert(Speaker),
            [
                {"id": i + 1, "name": f"Speaker {i}", "key": f"speaker {i}", "kind": "person"}
                for i in range(n_speakers)
            ],
        )
    t0 = time.monotonic()
    chunk = 20_000
    for c0 in range(0, n_quotes, chunk):
        articles, quotes = [], []
        for q in range(c0, min(n_quotes, c0 + chunk)):
            a = q // per_article
            day = day0 + dt.timedelta(days=a % 1500)
            if q % per_article == 0:
                articles.append(
                    {
                        "id": a + 1,
                        "external_id": f"bench-{a}",
                        "outlet_id": a % n_outlets + 1,
                        "published_at": day,
                        "text": "-",
                        "content_hash": f"{a:064d}",
                    }
                )
            words = rng.choices(vocab, cum_weights=cum, k=rng.randint(15, 30))
            text = " ".join(words).capitalize() + "."
            if len(samples) < 5000 and rng.random() < 0.01:
                samples.append(text)
            quotes.append(
                {
                    "id": q + 1,
                    "article_id": a + 1,
                    "start": (q % per_article) * 1000,
                    "end": (q % per_article) * 1000 + len(text),
                    "text": text,
                    "type": "direct",
                    "speaker_id": rng.randrange(n_speakers) + 1,
                    "published_at": day,  # the article's, as ingest writes it (triggers check it)
                }
            )
        with engine.begin() as conn:
            if articles:
                conn.execute(insert(Article), articles)
            conn.execute(insert(Quote), quotes)
        done = min(n_quotes, c0 + chunk)
        print(f"\r  inserted {done:,} quotes ({time.monotonic() - t0:.0f}s)", end="", flush=True)
    print()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE quotes")
            conn.exec_driver_sql("VACUUM ANALYZE articles")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO quotes_fts(quotes_fts) VALUES ('optimize')")
            conn.exec_driver_sql("ANALYZE")
    return vocab, weights, samples


def _accumulate(values: list[float]) -> list[float]:
    out, total = [], 0.0
    for v in values:
        total += v
        out.append(total)
    return out


def query_mix(
    vocab: list[str], weights: list[float], samples: list[str], n: int, seed: int = 11
) -> list[dict[str, Any]]:
    """``n`` searches: words, word pairs, phrases from stored quotes; some with filters."""
    rng = random.Random(seed)
    cum = _accumulate(weights)
    out: list[dict[str, Any]] = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            q = rng.choices(vocab, cum_weights=cum, k=1)[0]
        elif kind in (1, 2):
            q = " ".join(rng.choices(vocab, cum_weights=cum, k=2))
        else:
            words = rng.choice(samples).rstrip(".").lower().split()
            j = rng.randrange(len(words) - 1)
            q = f'"{words[j]} {words[j + 1]}"'
        params: dict[str, Any] = {"q": q}
        if i % 8 == 1:
            params["speaker"] = str(rng.randrange(1000) + 1)
        elif i % 8 == 5:
            params["since"] = dt.date(2021, 1, 1)
            params["until"] = dt.date(2021, 12, 31)
        out.append(params)
    return out


def like_search(session: Any, q: str, limit: int = 20) -> list[int]:
    """The search this replaced: every word as a case-insensitive substring, in id order."""
    from sqlalchemy import select

    from models import Quote
    from service.store.queries import search_terms

    stmt = select(Quote.id)
    for word in " ".join(search_terms(q)).split():
        stmt = stmt.where(Quote.text.icontains(word, autoescape=True))
    return list(session.scalars(stmt.order_by(Quote.id).limit(limit + 1)))


def timed(call: Any) -> float:
    t0 = time.perf_counter()
    call()
    return (time.perf_counter() - t0) * 1000


def percentiles(ms: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return q[49], q[94], q[98]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quotes", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--like-queries", type=int, default=20, help="baseline sample size")
    parser.add_argument(
        "--postgres", metavar="URL", help="PostgreSQL server URL (a schema is made and dropped)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", metavar="URL", help="search a kept database (printed by --keep)")
    parser.add_argument("--slowest", type=int, default=0, metavar="K", help="print the K slowest searches")
    args = parser.parse_args()

    from sqlalchemy import create_engine, text

    from service.db import make_session_factory
    from service.store.queries import search_quotes

    tmp = Path(tempfile.mkdtemp(prefix="bench-search-"))
    schema = None
    if args.reuse:
        url = args.reuse
        args.keep = True
    elif args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(args.postgres.replace("postgresql://", "postgresql+psycopg://", 1))
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in args.postgres else "?"
        url = f"{args.postgres}{sep}options={quote(f'-csearch_path={schema}')}"
    else:
        url = f"sqlite:///{tmp / 'quotes.db'}"
    try:
        t0 = time.monotonic()
        vocab, weights, samples = build(url, args.quotes, insert_rows=not args.reuse)
        print(f"database: {url.split('?')[0]} ({args.quotes:,} quotes in {time.monotonic() - t0:.0f}s)")
        from service.db import get_engine

        engine = get_engine(url)
        mix = query_mix(vocab, weights, samples, args.queries)
        with make_session_factory(engine)() as session:
            for params in mix[:20]:  # warm caches
                search_quotes(session, limit=20, after=None, **params)
            fts_ms, hits = [], []
            for params in mix:
                fts_ms.append(
                    timed(
                        lambda p=params: hits.append(len(search_quotes(session, limit=20, after=None, **p)))
                    )
                )
            like_ms = [timed(lambda p=p: like_search(session, p["q"])) for p in mix[: args.like_queries]]
        p50, p95, p99 = percentiles(fts_ms)
        b50, _b95, b99 = percentiles(like_ms) if len(like_ms) > 1 else (like_ms[0],) * 3
        print(f"backend: {engine.dialect.name}; {len(mix)} searches (limit 20, ranked), "
              f"{sum(1 for h in hits if h):,} with hits; max {max(fts_ms):.1f} ms")  # fmt: skip
        print(f"{'search':32} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}")
        print(f"{'full-text (this)':32} {p50:9.2f} {p95:9.2f} {p99:9.2f}")
        print(f"{'LIKE word by word (baseline)':32} {b50:9.2f} {'':>9} {b99:9.2f}  ({len(like_ms)} queries)")
        print(f"ratio full-text/LIKE: p50 x{p50 / b50:.3f}, p99 x{p99 / b99:.3f}; "
              f"p99 {'<=' if p99 <= 50 else '>'} 50 ms")  # fmt: skip
        for ms, params, n_hits in sorted(zip(fts_ms, mix, hits, strict=True), key=lambda t: -t[0])[
            : args.slowest
        ]:
            print(f"  {ms:8.1f} ms  {n_hits:3d} hits  {params}")
        engine.dispose()
    finally:
        if schema and not args.keep:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept: {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
