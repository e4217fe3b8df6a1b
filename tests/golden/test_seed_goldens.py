"""Golden tests: the quotes of each seed article (hand-reviewed expected files).

The expected files list every quote with offsets, type, cue and speaker. After a deliberate
change, rewrite them with ``UPDATE_GOLDEN=1 pytest tests/golden`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from service.nlp.pipeline import get_extractor

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
GOLDEN = Path(__file__).parent

pytestmark = pytest.mark.slow


def summarise(text: str) -> list[dict]:
    return [
        {
            "start": q.start,
            "end": q.end,
            "type": q.type,
            "speaker": q.speaker.name,
            "cue": q.cue.text if q.cue else None,
            "via": q.via.text if q.via else None,
            "parts": len(q.parts),
            "text": q.text[:80],
        }
        for q in get_extractor().extract(text)
    ]


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem[:3])
def test_seed_article_quotes_match_golden(path: Path) -> None:
    expected_path = GOLDEN / f"{path.stem}.expected.json"
    got = summarise(path.read_text(encoding="utf-8"))
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert expected_path.exists(), (
        f"no golden file {expected_path.name}: write it with UPDATE_GOLDEN=1 and review it"
    )
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert got == expected


def test_seed_key_statements_are_attributed() -> None:
    """Hand-checked facts that must hold whatever the golden files say."""
    text = (ROOT / "seeds" / "002_57623772aa3dea69.txt").read_text(encoding="utf-8")
    quotes = get_extractor().extract(text)
    kirby = [q for q in quotes if "at least 3,000 soldiers" in q.text]
    assert kirby and kirby[0].speaker.name == "John Kirby" and kirby[0].via.text == "CNN"
    austin = [q for q in quotes if "co-belligerent" in q.text]
    assert austin and austin[0].speaker.name == "Lloyd Austin"
    nato = [q for q in quotes if "actively consulting" in q.text]
    assert nato and nato[0].speaker.name == "Farah Dakhlallah"
