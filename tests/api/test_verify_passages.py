"""POST /v1/verify's fallback: a claim that is no recorded quote but is word for word in a stored
article's text (service.store.passages). The article is made up and ingested through the API with
the fake extractor (one quote per pair of straight double quotes, said by "Someone")."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

ON_RECORD = ("verbatim", "excerpt", "close")
FILLER = " ".join(["The weather stayed mild and the market opened late that week."] * 12)
TEXT = (
    "Mayor Calls Budget Plan a ‘Reckless Gamble’ for the City\n\n"
    "Mayor Jane Doerr said on Monday that the plan would cut 40 jobs from the transit office. "
    'She was blunt. "We will not accept these cuts from the province," she said.\n\n'
    f"{FILLER}\n\n"
    "Budget director Paul Quist disagreed with the council and asked for a second review."
)
ARTICLE = {
    "text": TEXT,
    "title": "Budget plan",
    "outlet": "Test Gazette",
    "url": "https://example.org/budget",
    "published_at": "2024-10-24",
}


@pytest.fixture
def stored(client: FlaskClient) -> dict[str, Any]:
    r = client.post("/v1/articles", json=ARTICLE)
    assert r.status_code == 201, r.get_json()
    article: dict[str, Any] = r.get_json()
    return article


def _answer(client: FlaskClient, **body: Any) -> dict[str, Any]:
    r = client.post("/v1/verify", json=body)
    assert r.status_code == 200, r.get_json()
    answer: dict[str, Any] = r.get_json()
    return answer


def test_headline_is_found_in_the_article_text_unattributed(
    client: FlaskClient, stored: dict[str, Any]
) -> None:
    claim = "Mayor Calls Budget Plan a 'Reckless Gamble' for the City"
    answer = _answer(client, text=claim)
    assert answer["verdict"] == "excerpt"
    (match,) = answer["matches"]
    assert match["found_in"] == "article_text"
    assert match["statement"] is None and match["speaker"] is None and match["attributed_to"] is None
    assert match["speaker_check"] is None and match["conflicts"] == []
    variant = match["best_variant"]
    assert variant["quote_id"] is None
    # What is null here is documented as nullable (schemathesis checks answers against the document).
    spec = client.get("/v1/openapi.json").get_json()["components"]["schemas"]["Variant"]["properties"]
    assert all(spec[k].get("nullable") for k, v in variant.items() if v is None)
    assert variant["article"] == {
        "id": stored["id"],
        "title": "Budget plan",
        "outlet": "Test Gazette",
        "url": "https://example.org/budget",
        "published_at": "2024-10-24",
    }
    assert TEXT[variant["start"] : variant["end"]] == variant["text"]
    assert variant["text"] == "Mayor Calls Budget Plan a ‘Reckless Gamble’ for the City"
    assert match["sources"] == [variant["article"]]
    assert [p["verdict"] for p in match["parts"]] == ["excerpt"]


def test_changed_number_or_negation_is_not_on_record(client: FlaskClient, stored: dict[str, Any]) -> None:
    for claim in (
        "the plan would cut 400 jobs from the transit office",
        "the plan would not cut 40 jobs from the transit office",
        "the plan would cut forty jobs from the transit office",
        "Mayor Calls Budget Plan a 'Reckless Gamble' for the Province",
    ):
        for speaker in (None, "Jane Doerr"):
            answer = _answer(client, text=claim, speaker=speaker)
            assert all(m["verdict"] not in ON_RECORD for m in answer["matches"]), (claim, answer)
            assert answer["verdict"] not in ON_RECORD


def test_named_speaker_nearby_keeps_the_verdict(client: FlaskClient, stored: dict[str, Any]) -> None:
    claim = "the plan would cut 40 jobs from the transit office"
    for speaker in ("Jane Doerr", "Doerr"):
        answer = _answer(client, text=claim, speaker=speaker)
        assert answer["verdict"] == "excerpt", speaker
        match = answer["matches"][0]
        assert match["speaker_check"] == "named_nearby" and match["found_in"] == "article_text"
        assert match["speaker"] is None and match["attributed_to"] is None


def test_speaker_not_named_nearby_is_other_speaker(client: FlaskClient, stored: dict[str, Any]) -> None:
    claim = "the plan would cut 40 jobs from the transit office"
    for speaker in ("Paul Quist", "Nobody Known"):  # Quist is named, but far from the passage
        answer = _answer(client, text=claim, speaker=speaker)
        assert answer["verdict"] == "other_speaker", speaker
        (match,) = answer["matches"]
        assert match["speaker_check"] == "not_named" and match["recorded_verdict"] == "excerpt"
        assert match["attributed_to"] is None


def test_words_of_a_quote_of_someone_else_stay_other_speaker(
    client: FlaskClient, stored: dict[str, Any]
) -> None:
    claim = "She was blunt. We will not accept these cuts from the province"
    answer = _answer(client, text=claim, speaker="Jane Doerr")
    assert answer["verdict"] == "other_speaker"
    assert all(m["verdict"] not in ON_RECORD for m in answer["matches"])
    match = next(m for m in answer["matches"] if m["found_in"] == "article_text")
    assert match["speaker_check"] == "quoted_other" and match["attributed_to"]["name"] == "Someone"
    # without a speaker, the wording spanning narration and quote is in the article's text
    answer = _answer(client, text=claim)
    assert answer["verdict"] == "excerpt" and answer["matches"][0]["found_in"] == "article_text"


def test_a_recorded_quote_needs_no_article_text(client: FlaskClient, stored: dict[str, Any]) -> None:
    answer = _answer(client, text="We will not accept these cuts from the province")
    assert answer["verdict"] == "verbatim"
    assert [m["found_in"] for m in answer["matches"]] == ["quote"]
    answer = _answer(client, text="We will not accept these cuts from the province", speaker="Someone")
    assert answer["verdict"] == "verbatim" and answer["matches"][0]["speaker_check"] is None


def test_short_or_unknown_claims_find_nothing(client: FlaskClient, stored: dict[str, Any]) -> None:
    for claim in (
        "the plan would",
        "Completely unrelated words about gardening tools",
        "to be or not to be",  # stop words only
        'a "quoted" * NEAR(x, y) ^ claim -- with OR AND NOT',  # full-text query syntax is words here
        "$ % $ % $",
    ):
        assert _answer(client, text=claim)["matches"] == []
