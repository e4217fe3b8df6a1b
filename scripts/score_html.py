#!/usr/bin/env python3
"""Scores quote extraction on raw HTML pages, the way a newsroom scraper sends them.

Runs ``python -m service extract DIR`` (the CLI converts each ``.html`` file and returns the
text its offsets index into), then compares each page with its hand-made ``<page>.gold.json``:

- ``statements``: quotes that must be found, each with its speaker and a ``fragment`` that must
  lie (80% or more) inside one detected quote;
- ``optional``: borderline reported speech, neither required nor counted as a false positive;
- ``metadata``: headline, author, date, outlet and canonical URL the page carries.

Prints recall with the right speaker, precision (a detected quote that touches no gold or
optional content is spurious) and metadata accuracy, per page and in all.

Usage (from the project root):
    python scripts/score_html.py [DIR] [--show N] [--json]
DIR defaults to tests/fixtures/html_eval.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "tests" / "fixtures" / "html_eval"

_IGNORED = {
    "mr", "mrs", "ms", "dr", "sir", "dame", "lord", "the", "a", "an", "of", "s", "jr", "sr",
    "he", "she", "they", "it", "we", "i", "him", "her", "them", "his", "their", "who",
}  # fmt: skip
_QUOTES = str.maketrans({c: '"' for c in "“”„‟«»"} | {c: "'" for c in "‘’‚‛`´"})


def name_tokens(name: str | None) -> set[str]:
    ascii_name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", ascii_name.casefold())
    return {w for w in words if w not in _IGNORED}


def speaker_matches(gold: str, speaker: dict[str, Any] | None) -> bool:
    """The gold name (or description) agrees with the predicted name, an alias or the mention:
    one's words are a subset of the other's, titles and pronouns aside."""
    if not speaker:
        return False
    mention = speaker.get("mention") or {}
    cands = [speaker.get("name"), mention.get("text"), *(speaker.get("aliases") or [])]
    g = name_tokens(gold)
    for c in cands:
        p = name_tokens(c)
        if g and p and (g <= p or p <= g):
            return True
    return False


def _normalised(text: str) -> tuple[str, list[int]]:
    """``text`` with quotes straightened and whitespace runs collapsed, and each output
    character's index in ``text``."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text.translate(_QUOTES)):
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            ch = " "
        out.append(ch)
        index.append(i)
    return "".join(out), index


def locate(text: str, fragment: str) -> tuple[int, int] | None:
    """Where ``fragment`` is in ``text``: exactly, or up to quote styles and whitespace."""
    fragment = fragment.strip()
    if not fragment:
        return None
    at = text.find(fragment)
    if at >= 0:
        return at, at + len(fragment)
    norm, index = _normalised(text)
    frag, _ = _normalised(fragment)
    at = norm.find(frag)
    if at < 0:
        return None
    return index[at], index[at + len(frag) - 1] + 1


def content_spans(text: str, item: dict[str, Any]) -> list[tuple[int, int]]:
    """The spans of an annotation's content (its parts, for a split quote) and fragment."""
    spans = []
    for part in re.split(r"\s*(?:\.\.\.|…)\s*", item.get("content") or ""):
        if len(part) >= 8 and (span := locate(text, part)):
            spans.append(span)
    if span := locate(text, item.get("fragment") or ""):
        spans.append(span)
    return spans


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


@dataclass
class PageScore:
    page: str
    gold: int = 0
    found: int = 0
    found_with_speaker: int = 0
    predicted: int = 0
    spurious: int = 0
    metadata_ok: int = 0
    metadata_total: int = 0
    notes: list[str] = field(default_factory=list)


# gold key: the key of the page metadata that ``extract`` prints
_META_FIELDS = {
    "headline": "title",
    "author": "author",
    "published": "published_at",
    "outlet": "outlet",
    "canonical_url": "url",
}


def _metadata_matches(key: str, gold: str, got: Any) -> bool:
    if not gold:
        return True
    got = "" if got is None else str(got)
    if key == "published":
        return got[:10] == gold[:10]
    if key == "canonical_url":
        return got.rstrip("/") == gold.rstrip("/")
    if key == "author":
        return name_tokens(gold) <= name_tokens(got) and bool(name_tokens(got))
    return _normalised(got.casefold())[0].strip() == _normalised(gold.casefold())[0].strip()


def score_page(name: str, line: dict[str, Any], gold: dict[str, Any]) -> PageScore:
    text = line.get("text") or ""
    quotes = line.get("quotes") or []
    score = PageScore(page=name, predicted=len(quotes))
    used: set[int] = set()
    allowed: list[tuple[int, int]] = []
    for g in gold.get("statements", []):
        score.gold += 1
        allowed.extend(content_spans(text, g))
        span = locate(text, g["fragment"])
        if span is None:
            score.notes.append(f"not in text: {g['fragment'][:60]!r} ({g['speaker']})")
            continue
        need = 0.8 * (span[1] - span[0])
        best = None
        for i, q in enumerate(quotes):
            if overlap(span, (q["start"], q["end"])) >= need:
                best = (i, q)
                if speaker_matches(g["speaker"], q.get("speaker")):
                    break
        if best is None:
            score.notes.append(f"missed {g['type']} by {g['speaker']}: {g['fragment'][:60]!r}")
            continue
        score.found += 1
        used.add(best[0])
        if speaker_matches(g["speaker"], best[1].get("speaker")):
            score.found_with_speaker += 1
        else:
            got = (best[1].get("speaker") or {}).get("name")
            score.notes.append(f"wrong speaker {got!r} for {g['speaker']}: {g['fragment'][:60]!r}")
    for o in gold.get("optional", []):
        allowed.extend(content_spans(text, o))
    for i, q in enumerate(quotes):
        if i in used or any(overlap(a, (q["start"], q["end"])) > 0 for a in allowed):
            continue
        score.spurious += 1
        who = (q.get("speaker") or {}).get("name")
        score.notes.append(f"spurious ({who}): {text[q['start'] : q['end']][:70]!r}")
    meta = line.get("metadata") or {}
    for key, got_key in _META_FIELDS.items():
        want = (gold.get("metadata") or {}).get(key)
        if want:
            score.metadata_total += 1
            if _metadata_matches(key, want, meta.get(got_key)):
                score.metadata_ok += 1
            else:
                score.notes.append(f"metadata {key}: {meta.get(got_key)!r}, gold {want!r}")
    return score


def run_extractor(directory: Path) -> dict[str, dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, "-m", "service", "extract", "--format", "html", str(directory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = (json.loads(x) for x in out.stdout.splitlines() if x.strip())
    return {x["id"]: x for x in lines}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--show", type=int, default=0, help="list up to N misses per page")
    ap.add_argument("--json", action="store_true", help="print the totals as one JSON object")
    args = ap.parse_args()
    golds = {
        p.name.removesuffix(".gold.json") + ".html": p for p in sorted(args.directory.glob("*.gold.json"))
    }
    if not golds:
        ap.error(f"no *.gold.json in {args.directory}")
    lines = run_extractor(args.directory)
    scores = []
    for page, gold_path in golds.items():
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        scores.append(score_page(page, lines.get(page, {}), gold))
    total = PageScore(page="all")
    for s in scores:
        for key in (
            "gold",
            "found",
            "found_with_speaker",
            "predicted",
            "spurious",
            "metadata_ok",
            "metadata_total",
        ):
            setattr(total, key, getattr(total, key) + getattr(s, key))
    if not args.json:
        for s in [*scores, total]:
            recall = s.found_with_speaker / s.gold if s.gold else 0.0
            precision = (s.predicted - s.spurious) / s.predicted if s.predicted else 0.0
            print(
                f"{s.page:32} gold {s.gold:3}  found {s.found:3}  with speaker {s.found_with_speaker:3}"
                f" ({recall:.3f})  predicted {s.predicted:3}  spurious {s.spurious:2} ({precision:.3f})"
                f"  metadata {s.metadata_ok}/{s.metadata_total}"
            )
            for note in s.notes[: args.show]:
                print("    " + note)
    figures = {
        "pages": len(scores),
        "gold": total.gold,
        "recall_with_speaker": round(total.found_with_speaker / total.gold, 3) if total.gold else 0.0,
        "recall_span": round(total.found / total.gold, 3) if total.gold else 0.0,
        "predicted": total.predicted,
        "precision": round((total.predicted - total.spurious) / total.predicted, 3)
        if total.predicted
        else 0.0,
        "metadata": round(total.metadata_ok / total.metadata_total, 3) if total.metadata_total else 0.0,
    }
    print(json.dumps(figures) if args.json else " ".join(f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
