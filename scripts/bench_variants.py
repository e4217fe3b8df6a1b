#!/usr/bin/env python3
"""Benchmark: placing a new statement unit among 1k / 10k / 100k stored units of one speaker.

Builds synthetic units (pseudo-word sentences with a Zipf vocabulary; every stored statement has
a few wording variants), bulk-loads them into a temporary SQLite file (or ``--url``) with their
MinHash LSH band keys and term counts, and times `service.store.statements.place_unit`, the function
ingest uses: candidate lookup by band key in SQL, similarity, placement, writes. Each probe runs
in a transaction that is rolled back, so the store keeps its size. One speaker holds every unit
(the worst case for blocking by speaker). Time per unit should stay nearly flat as the store grows
(the band index makes the lookup cost depend on the matches, not on the number stored).
Units carry deterministic pseudo-embeddings (`service.variants.embeddings.pseudo_embed`, hashed
words): the real model would take tens of minutes for 100k units on two cores, and the
pseudo-words mean nothing to it anyway; the placement code path (cosines, semantic pick) is the same.

    .venv/bin/python scripts/bench_variants.py [--sizes 1000,10000,100000] [--probes 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing import Pool
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from models import Article, Occurrence, OccurrenceBand, Quote, Speaker, SpeakerTerm, Statement  # noqa: E402
from service.db import make_engine, make_session_factory, upgrade_db  # noqa: E402
from service.store import statements as st_mod  # noqa: E402
from service.variants.embeddings import pseudo_embed, to_bytes  # noqa: E402
from service.variants.grouping import band_keys  # noqa: E402
from service.variants.similarity import features  # noqa: E402

SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


def vocabulary(n: int, rnd: random.Random) -> list[str]:
    """``n`` distinct pseudo-words of 2-4 syllables."""
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4))))
    return sorted(words)


class Generator:
    """Statements as random sentences; variants drop, swap or add a word or two."""

    def __init__(self, seed: int = 1, vocab: int = 20_000) -> None:
        self.rnd = random.Random(seed)
        self.vocab = vocabulary(vocab, self.rnd)
        weights = [1 / (i + 1) ** 0.9 for i in range(vocab)]  # Zipf-like: a few words are common
        self.cum = list(_accumulate(weights))

    def sentence(self) -> list[str]:
        n = self.rnd.randint(8, 18)
        return self.rnd.choices(self.vocab, cum_weights=self.cum, k=n)

    def variant(self, words: list[str]) -> list[str]:
        w = list(words)
        for _ in range(self.rnd.randint(1, 2)):
            op = self.rnd.random()
            i = self.rnd.randrange(len(w))
            if op < 0.4 and len(w) > 6:
                del w[i]
            elif op < 0.7:
                w[i] = self.rnd.choices(self.vocab, cum_weights=self.cum)[0]
            else:
                w.insert(i, self.rnd.choices(self.vocab, cum_weights=self.cum)[0])
        return w


def _accumulate(xs: list[float]) -> list[float]:
    out, s = [], 0.0
    for x in xs:
        s += x
        out.append(s)
    return out


def _text(words: list[str]) -> str:
    return " ".join(words).capitalize() + "."


def _index(t: str) -> tuple[list[str], list[int], bytes]:
    """Content stems, LSH band keys and (pseudo-)embedding of a unit (run in worker processes)."""
    f = features(t)
    return sorted(f.stems), band_keys(f), to_bytes(pseudo_embed([t])[0])


def load(
    session: Session, gen: Generator, speaker_id: int, start: int, stop: int, df: Counter[str], pool: Pool
) -> None:
    """Bulk-insert units ``start..stop`` (statements of 4 variants each) with bands and term counts."""
    per_article = 50
    occ_rows: list[dict[str, object]] = []
    band_rows: list[dict[str, object]] = []
    stmt_rows: list[dict[str, object]] = []
    texts: list[str] = []
    base: list[str] = []
    for i in range(start, stop):
        if i % 4 == 0:
            base = gen.sentence()
            words = base
            stmt = {
                "id": i // 4 + 1,
                "speaker_id": speaker_id,
                "text": _text(base),
                "canonical_type": "direct",
            }
            stmt_rows.append(stmt | {"occurrence_count": 4})
        else:
            words = gen.variant(base)
        texts.append(_text(words))
    for i, t, (stems, keys, vec) in zip(
        range(start, stop), texts, pool.imap(_index, texts, chunksize=500), strict=True
    ):
        df.update(stems)
        art = i // per_article + 1
        occ = {"id": i + 1, "quote_id": art, "article_id": art, "speaker_id": speaker_id}
        occ |= {"statement_id": i // 4 + 1, "start": i, "end": i + len(t), "text": t, "type": "direct"}
        occ |= {"embedding": vec}
        occ_rows.append(occ | {"label": "canonical" if i % 4 == 0 else "paraphrase"})
        band_rows.extend(
            {"occurrence_id": i + 1, "band_no": b, "speaker_id": speaker_id, "band": k}
            for b, k in enumerate(keys)
        )
    conn = session.connection()
    arts = range(start // per_article + 1, (stop - 1) // per_article + 2)
    have = {r[0] for r in conn.execute(text("SELECT id FROM articles"))}
    new_arts = [a for a in arts if a not in have]
    if new_arts:
        conn.execute(
            insert(Article),
            [{"id": a, "external_id": f"a{a}", "text": "x", "content_hash": f"h{a}"} for a in new_arts],
        )
        quote = {"start": 0, "end": 1, "text": "x", "type": "direct", "speaker_id": speaker_id}
        conn.execute(insert(Quote), [quote | {"id": a, "article_id": a} for a in new_arts])
    conn.execute(insert(Statement), stmt_rows)
    conn.execute(insert(Occurrence), occ_rows)
    conn.execute(insert(OccurrenceBand), band_rows)
    conn.execute(text("DELETE FROM speaker_terms"))
    conn.execute(insert(SpeakerTerm), [{"speaker_id": speaker_id, "stem": s, "df": n} for s, n in df.items()])
    conn.execute(text("UPDATE speakers SET unit_count = :n WHERE id = :id"), {"n": stop, "id": speaker_id})


@dataclass
class ProbeStats:
    """Timings of one round of placements."""

    total_ms: list[float] = field(default_factory=list)
    lookup_ms: list[float] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)
    variants_found: int = 0
    variants_probed: int = 0


def probe(session_factory: sessionmaker[Session], gen: Generator, stored: int, n: int) -> ProbeStats:
    """Time ``n`` placements (half variants of stored statements, half new units); rolled back."""
    rnd = random.Random(stored)
    stats = ProbeStats()
    original = st_mod._candidates

    def timed(*args: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        out = original(*args, **kw)
        stats.lookup_ms.append((time.perf_counter() - t0) * 1000)
        stats.candidates.append(len(out))
        return out

    st_mod._candidates = timed
    try:
        for j in range(n):
            with session_factory() as s:
                sid: int | None = None
                if j % 2 == 0:
                    sid = rnd.randrange(stored // 4) + 1
                    base = s.execute(
                        text("SELECT text FROM statements WHERE id = :i"), {"i": sid}
                    ).scalar_one()
                    words = gen.variant(base.rstrip(".").lower().split())
                else:
                    words = gen.sentence()
                pos = 10**7 + j
                occ = Occurrence(
                    quote_id=1, article_id=PROBE_ARTICLE, speaker_id=1, start=pos, end=pos + 1,
                    text=_text(words), type="direct", embedding=to_bytes(pseudo_embed([_text(words)])[0]),
                )  # fmt: skip
                s.add(occ)
                s.flush()
                t0 = time.perf_counter()
                st_mod.place_unit(s, occ, dt.date(2024, 1, 1))
                stats.total_ms.append((time.perf_counter() - t0) * 1000)
                if sid is not None:
                    stats.variants_probed += 1
                    stats.variants_found += int(occ.statement_id == sid)
                s.rollback()
    finally:
        st_mod._candidates = original
    return stats


PROBE_ARTICLE = 10**6


def main() -> None:
    """Run the benchmark and print one line per store size."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--probes", type=int, default=200)
    ap.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    a = ap.parse_args()
    sizes = sorted(int(x) for x in a.sizes.split(","))
    with tempfile.TemporaryDirectory() as d, Pool(max(1, min(4, os.cpu_count() or 1))) as pool:
        engine = make_engine(a.url or f"sqlite:///{d}/bench.db")
        upgrade_db(engine)
        factory = make_session_factory(engine, writer=True)
        gen = Generator()
        with factory() as s, s.begin():
            conn = s.connection()
            speaker = {"id": 1, "name": "Synthetic Speaker", "key": "synthetic speaker", "kind": "person"}
            conn.execute(insert(Speaker), [speaker | {"unit_count": 0}])
            conn.execute(
                insert(Article), [{"id": PROBE_ARTICLE, "external_id": "p", "text": "x", "content_hash": "p"}]
            )
        df: Counter[str] = Counter()
        stored = 0
        medians: dict[int, float] = {}
        print(
            f"{'stored':>8} {'load s':>7} {'ms/unit':>8} {'p90':>7} {'lookup ms':>9} "
            f"{'candidates':>10} {'found':>6}"
        )
        for size in sizes:
            t0 = time.perf_counter()
            with factory() as s, s.begin():
                for lo in range(stored, size, 10_000):
                    load(s, gen, 1, lo, min(size, lo + 10_000), df, pool)
            stored = size
            load_s = time.perf_counter() - t0
            if engine.dialect.name == "sqlite":
                with engine.begin() as conn:
                    conn.exec_driver_sql("ANALYZE")
            st = probe(factory, gen, stored, a.probes)
            ms = sorted(st.total_ms)
            medians[size] = statistics.median(ms)
            print(
                f"{stored:>8} {load_s:>7.1f} {medians[size]:>8.2f} {ms[int(0.9 * (len(ms) - 1))]:>7.2f} "
                f"{statistics.median(st.lookup_ms):>9.2f} {statistics.mean(st.candidates):>10.1f} "
                f"{st.variants_found / max(1, st.variants_probed):>6.0%}"
            )
        lo, hi = sizes[0], sizes[-1]
        print(
            f"time per unit grew x{medians[hi] / medians[lo]:.2f} while the store grew x{hi / lo:.0f} "
            "(one speaker holds every unit; candidates come from the LSH band index and the speaker's "
            f"{st_mod.RECENT_STATEMENTS} latest statements; embeddings: deterministic pseudo-embeddings)"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
