"""POST /v1/articles (ingest, duplicates, API keys) and POST /v1/extract."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from tests.api.conftest import make_app

ARTICLE = {
    "text": 'Officials met on Monday. "We are watching this very closely," Lloyd Austin said.',
    "title": "Austin on the deployment",
    "outlet": "Test Gazette",
    "url": "https://example.org/austin",
    "published_at": "2024-10-24",
}


def test_ingest_then_duplicate(client: FlaskClient) -> None:
    r = client.post("/v1/articles", json=ARTICLE)
    assert r.status_code == 201, r.get_json()
    article = r.get_json()
    assert article["outlet"] == "Test Gazette" and article["published_at"] == "2024-10-24"
    assert article["quote_count"] == 1
    again = client.post("/v1/articles", json=ARTICLE)
    assert again.status_code == 200
    assert again.get_json()["id"] == article["id"]
    quotes = client.get(f"/v1/articles/{article['id']}/quotes").get_json()["items"]
    assert [q["text"] for q in quotes] == ["We are watching this very closely,"]


def test_html_article(client: FlaskClient) -> None:
    html = "<html><body><article><p>" + ARTICLE["text"] + "</p></article></body></html>"
    r = client.post("/v1/articles", json={"text": html, "external_id": "html-1"})
    assert r.status_code == 201, r.get_json()
    assert "<p>" not in r.get_json()["text"]
    r = client.post("/v1/articles", json={"text": "<html><body></body></html>"})
    assert r.status_code == 422


def test_writes_need_a_key_when_keys_are_set(tmp_path: Path) -> None:
    client = make_app(f"sqlite:///{tmp_path / 'keys.db'}", API_KEYS=["k1", "k2"]).test_client()
    for headers in (
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic k1"},
        {"Authorization": "Bearer"},
    ):
        r = client.post("/v1/articles", json=ARTICLE, headers=headers)
        assert r.status_code == 401, headers
        assert r.get_json()["code"] == 401
    # the key is checked before the body: no key + bad body is still 401
    assert client.post("/v1/articles", data="{", content_type="application/json").status_code == 401
    assert client.get("/v1/quotes").get_json()["items"] == []
    r = client.post("/v1/articles", json=ARTICLE, headers={"Authorization": "Bearer k2"})
    assert r.status_code == 201
    # reads stay open
    assert client.get("/v1/quotes").status_code == 200


def test_extract_is_stateless(client: FlaskClient) -> None:
    text = 'He said "one thing" and then "another."'
    r = client.post("/v1/extract", json={"text": text})
    assert r.status_code == 200
    quotes = r.get_json()["quotes"]
    assert [text[q["start"] : q["end"]] for q in quotes] == ["one thing", "another."]
    assert set(quotes[0]) == {"start", "end", "text", "parts", "type", "cue", "speaker", "via"}
    assert client.get("/v1/quotes").get_json()["items"] == []
    assert client.post("/v1/extract", json={"text": ""}).get_json() == {"quotes": []}
