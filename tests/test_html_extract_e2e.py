"""Raw HTML pages through `python -m service extract FILE.html` with the real model (slow):
quotes found with their speakers, offsets into the returned text, no metadata as quotes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from service.cli import cli
from tests.fixtures.html_pages import HTML_DIR, big_page

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    big = tmp_path_factory.mktemp("big") / "big_page.html"
    big.write_text(big_page(), encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(HTML_DIR), str(big)])
    assert result.exit_code == 0, result.output
    return {x["id"]: x for x in map(json.loads, result.output.splitlines())}


def _by_fragment(line: dict[str, Any], fragment: str) -> dict[str, Any]:
    found = [q for q in line["quotes"] if fragment in q["text"]]
    assert found, f"no quote with {fragment!r}: {[q['text'] for q in line['quotes']]}"
    return found[0]


def test_offsets_index_the_returned_text(pages: dict[str, dict[str, Any]]) -> None:
    for line in pages.values():
        for q in line["quotes"]:
            assert line["text"][q["start"] : q["end"]] == q["text"]
            assert "schema.org" not in q["text"] and "articleChangeDateShort" not in (
                q["speaker"]["name"] or ""
            )


@pytest.mark.parametrize(
    ("page", "fragment", "speaker"),
    [
        ("jsonld_body.html", "Those goats were so smart", "Shanna Challenger"),
        ("jsonld_body.html", "A crew of eight", "Tom Whitfield"),
        ("jsonld_body.html", "for people to marvel", "Shanna Challenger"),
        ("jsonld_body.html", "Goats reduce the fuel load", "Lena Park"),
        ("entities_captions.html", "We are seeing the same pattern", "Helena Costa"),
        ("entities_captions.html", "Nobody who destroys the forest", "Carla Reis"),
        ("entities_captions.html", "So you’ve discovered our little secret?", "Raimundo Kayapó"),
        ("entities_captions.html", "It’s a warning we cannot ignore", "Costa"),
        ("big_page.html", "Nobody who destroys the forest", "Carla Reis"),
    ],
)
def test_quotes_and_speakers(
    pages: dict[str, dict[str, Any]], page: str, fragment: str, speaker: str
) -> None:
    q = _by_fragment(pages[page], fragment)
    assert speaker in (q["speaker"]["name"] or "")


def test_unnamed_source_is_a_description(pages: dict[str, dict[str, Any]]) -> None:
    q = _by_fragment(pages["jsonld_body.html"], "grazing alone will not stop")
    assert q["speaker"]["kind"] == "description" and q["speaker"]["name"] is None
    assert "Scientists" in q["speaker"]["mention"]["text"]


def test_no_furniture_quotes(pages: dict[str, dict[str, Any]]) -> None:
    for line in pages.values():
        for q in line["quotes"]:
            for furniture in ("Header Image", "Urged to Remain", "Hospital parking fees", "Officials Urge"):
                if furniture.lower() in q["text"].lower():
                    # a letter citing the headline it answers: the letter's words, its signer's
                    assert furniture == "Hospital parking fees" and q["speaker"]["name"] == "Dr Anil Mehta"
    letters = pages["letters.html"]
    for signature in ("Margaret Holloway", "Derek Sutcliffe", "Dr Anil Mehta"):
        assert signature in letters["text"].split("\n")
