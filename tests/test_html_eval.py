"""The real-page evaluation set (tests/fixtures/html_eval: 18 pages written in the markup and
house styles of wire services, broadsheets, broadcasters, local and tabloid sites, magazines, a
letters page and a JavaScript-rendered page, with hand-made gold) through
`python -m service extract DIR`, scored as `scripts/score_html.py` does. The bars are the
real-page bars of issue 9: recall with the right speaker >= 0.85, precision >= 0.90."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.score_html import DEFAULT_DIR, PageScore, score_page
from service.cli import cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scores() -> list[PageScore]:
    result = CliRunner().invoke(cli, ["extract", "--format", "html", str(DEFAULT_DIR)])
    assert result.exit_code == 0, result.output
    lines = {x["id"]: x for x in map(json.loads, result.output.splitlines())}
    out = []
    for gold_path in sorted(Path(DEFAULT_DIR).glob("*.gold.json")):
        page = gold_path.name.removesuffix(".gold.json") + ".html"
        out.append(score_page(page, lines[page], json.loads(gold_path.read_text(encoding="utf-8"))))
    return out


def test_every_page_is_scored(scores: list[PageScore]) -> None:
    assert len(scores) == 18 and all(s.predicted > 0 for s in scores)


def test_recall_with_speaker_and_precision(scores: list[PageScore]) -> None:
    gold = sum(s.gold for s in scores)
    recall = sum(s.found_with_speaker for s in scores) / gold
    predicted = sum(s.predicted for s in scores)
    precision = (predicted - sum(s.spurious for s in scores)) / predicted
    assert recall >= 0.85, recall
    assert precision >= 0.90, precision


def test_page_metadata(scores: list[PageScore]) -> None:
    assert sum(s.metadata_ok for s in scores) / sum(s.metadata_total for s in scores) >= 0.95
