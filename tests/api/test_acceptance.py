"""Issue 5 acceptance on the real seeds: ingested with the real pipeline, then read through the API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.config import TestConfig
from service.extensions import get_db
from service.store.sources import SEEDS_DIR, read_inputs, run_ingest

pytestmark = pytest.mark.slow

TROOPS = "North Korea moved at least 3,000 soldiers into eastern Russia"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = f"sqlite:///{tmp_path_factory.mktemp('seeds') / 'seeds.db'}"
    app = create_app(TestConfig, DATABASE_URL=url)
    with app.app_context():
        summary = run_ingest(read_inputs(sorted(Path(SEEDS_DIR).glob("*.txt"))), get_db().writer_sessions)
    assert summary.added == 5
    yield app
    app.extensions["quotes_db"].engine.dispose()


@pytest.fixture
def api(seeded: Flask) -> FlaskClient:
    return seeded.test_client()


def _kirby(api: FlaskClient) -> dict[str, Any]:
    items = api.get("/v1/speakers?q=Kirby").get_json()["items"]
    kirby: dict[str, Any] = next(s for s in items if s["name"] == "John Kirby")
    return kirby


# "On record in these words" (README, /v1/verify): the query is the wording, a contiguous part of it, or
# the same words with small differences where numbers, negations and names agree.
ON_RECORD = ("verbatim", "excerpt", "close")


def test_kirby_troops_statement_has_variants_from_four_articles(api: FlaskClient) -> None:
    kirby = _kirby(api)
    statements = api.get(f"/v1/speakers/{kirby['id']}/statements?limit=100").get_json()["items"]
    troops = [s for s in statements if "at least 3,000" in s["text"]]
    assert troops, [s["text"] for s in statements]
    best = max(troops, key=lambda s: len({v["article"]["id"] for v in s["variants"]}))
    assert len({v["article"]["id"] for v in best["variants"]}) >= 4
    assert all(v["article"]["outlet"] and v["article"]["published_at"] for v in best["variants"])


def test_verify_finds_the_statement_and_rejects_fabrications(api: FlaskClient) -> None:
    matches = api.post("/v1/verify", json={"text": TROOPS, "speaker": "Kirby"}).get_json()["matches"]
    assert matches and matches[0]["verdict"] in ON_RECORD
    assert "3,000" in matches[0]["statement"]["text"]
    assert len(matches[0]["sources"]) >= 4
    for fabricated in (
        "North Korea moved at least 30,000 soldiers into western Ukraine",
        "North Korea has not sent a single soldier to Russia",
        "Kirby said the troops will be home by Christmas and the war is over",
    ):
        for speaker in ("Kirby", None):
            matches = api.post("/v1/verify", json={"text": fabricated, "speaker": speaker}).get_json()[
                "matches"
            ]
            assert all(m["verdict"] not in ON_RECORD for m in matches), (fabricated, matches)


def test_quote_search_and_articles(api: FlaskClient) -> None:
    quotes = api.get("/v1/quotes?speaker=Kirby&q=3,000").get_json()["items"]
    assert len({q["article"]["id"] for q in quotes}) >= 3
    article = api.get(f"/v1/articles/{quotes[0]['article']['id']}").get_json()
    for q in api.get(f"/v1/articles/{article['id']}/quotes?limit=100").get_json()["items"]:
        assert article["text"][q["start"] : q["end"]] == q["text"]
