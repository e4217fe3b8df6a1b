"""POST /v1/verify: the fact-check look-up."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.api.sample import KIRBY_STATEMENT


def _verify(client: FlaskClient, **body: Any) -> list[dict[str, Any]]:
    r = client.post("/v1/verify", json=body)
    assert r.status_code == 200, r.get_json()
    matches: list[dict[str, Any]] = r.get_json()["matches"]
    return matches


def test_exact_quote_is_verbatim(sample_client: FlaskClient, ids: dict[str, Any]) -> None:
    (match, *_) = _verify(sample_client, text=KIRBY_STATEMENT, speaker="Kirby")
    assert match["verdict"] == "verbatim"
    assert match["statement"]["id"] == ids["statement"]
    assert match["speaker"] == {"id": ids["kirby"], "name": "John Kirby"}
    assert len(match["sources"]) == 4
    assert match["best_variant"]["text"] in (KIRBY_STATEMENT, KIRBY_STATEMENT + ".")


def test_slightly_reworded_quote_is_close_or_verbatim(sample_client: FlaskClient) -> None:
    (match, *_) = _verify(
        sample_client, text="“North Korea moved at least 3,000 troops into eastern Russia.”"
    )
    assert match["verdict"] in ("verbatim", "close")


def test_fabricated_quotes_get_no_verbatim_or_close_match(sample_client: FlaskClient) -> None:
    for text in (
        "North Korea moved at least 8,000 soldiers into eastern Russia",
        "North Korea did not move soldiers into eastern Russia",
        "We will send ten thousand troops to Kursk next week",
        "The price of rice doubled in Pyongyang markets",
    ):
        for speaker in ("Kirby", None):
            matches = _verify(sample_client, text=text, speaker=speaker)
            assert all(m["verdict"] in ("paraphrase", "different") for m in matches), (text, matches)


def test_other_or_unknown_speaker_filters_out(sample_client: FlaskClient) -> None:
    matches = _verify(sample_client, text=KIRBY_STATEMENT, speaker="Lloyd Austin")
    assert all(m["speaker"]["name"] == "Lloyd Austin" and m["verdict"] == "different" for m in matches)
    assert _verify(sample_client, text=KIRBY_STATEMENT, speaker="Nobody Known") == []


def test_verify_bad_input(sample_client: FlaskClient) -> None:
    for body in (
        {},
        {"text": ""},
        {"text": "   "},
        {"text": 5},
        {"text": "x", "speaker": 3},
        {"text": "x", "y": 1},
    ):
        r = sample_client.post("/v1/verify", json=body)
        assert r.status_code == 422, body
        assert r.get_json()["errors"]["json"]
