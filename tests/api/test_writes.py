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


# ---------------------------------------------------------------- HTML input (issue 9)

HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>Harbour reopens | Coast Times</title>"
    '<meta property="og:site_name" content="Coast Times">'
    '<meta name="author" content="Ruth Okafor">'
    '<meta property="article:published_time" content="2024-05-07T09:00:00Z">'
    '<link rel="canonical" href="https://coasttimes.example/2024/05/07/harbour-reopens">'
    '<script type="application/ld+json">{"@context": "http://schema.org", "@type": "NewsArticle",'
    ' "headline": "Harbour reopens", "articleChangeDateShort": "20240507"}</script>'
    "</head><body><nav><a href='/'>Home</a></nav><article><h1>Harbour reopens</h1>"
    "<p>The harbour reopened on Tuesday after three weeks of repairs to the sea wall.</p>"
    "<p>&quot;We are open for business again,&quot; said harbour master Ian Rowe.</p>"
    "</article><footer>&copy; Coast Times</footer></body></html>"
)


def test_extract_html_returns_the_text_its_offsets_index(client: FlaskClient) -> None:
    for body in ({"text": HTML_PAGE}, {"text": HTML_PAGE, "format": "html"}):
        r = client.post("/v1/extract", json=body)
        assert r.status_code == 200, r.get_json()
        out = r.get_json()
        text = out["text"]
        assert "<p>" not in text and "schema.org" not in text and "20240507" not in text
        assert [q["text"] for q in out["quotes"]] == ["We are open for business again,"]
        q = out["quotes"][0]
        assert text[q["start"] : q["end"]] == q["text"]
        assert out["metadata"] == {
            "title": "Harbour reopens",
            "author": "Ruth Okafor",
            "published_at": "2024-05-07",
            "outlet": "Coast Times",
            "url": "https://coasttimes.example/2024/05/07/harbour-reopens",
        }


def test_extract_declared_text_is_not_converted(client: FlaskClient) -> None:
    r = client.post("/v1/extract", json={"text": '<p>"Hi there," she said.</p>', "format": "text"})
    out = r.get_json()
    assert r.status_code == 200 and "text" not in out and "metadata" not in out
    assert out["quotes"][0]["start"] == 4
    r = client.post("/v1/extract", json={"text": "x", "format": "pdf"})
    assert r.status_code == 422 and "format" in r.get_json()["errors"]["json"]


def test_extract_entity_text_is_decoded_and_returned(client: FlaskClient) -> None:
    out = client.post("/v1/extract", json={"text": "&quot;Fine,&quot; he said."}).get_json()
    assert out["text"] == '"Fine," he said.'
    assert out["quotes"][0]["text"] == "Fine,"


def test_big_html_page_is_within_the_html_limit(client: FlaskClient) -> None:
    from tests.fixtures.html_pages import big_page

    html = big_page(850_000)
    r = client.post("/v1/extract", json={"text": html})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["text"].startswith("Satellite alerts of forest loss")
    # the same size of plain text is over the text limit
    r = client.post("/v1/extract", json={"text": "word " * 50_000})
    assert r.status_code == 422 and "text" in r.get_json()["errors"]["json"]
    # and HTML whose extracted text is over it is refused after conversion
    paragraphs = "<p>A sentence of words here.</p>" * 8000
    long_html = f"<html><body><article>{paragraphs}</article></body></html>"
    r = client.post("/v1/extract", json={"text": long_html})
    assert r.status_code == 422 and "longer than 200000" in r.get_json()["message"]


def test_html_article_stores_page_metadata(client: FlaskClient) -> None:
    r = client.post("/v1/articles", json={"text": HTML_PAGE})
    assert r.status_code == 201, r.get_json()
    article = r.get_json()
    assert article["title"] == "Harbour reopens" and article["author"] == "Ruth Okafor"
    assert article["outlet"] == "Coast Times" and article["published_at"] == "2024-05-07"
    assert article["url"] == "https://coasttimes.example/2024/05/07/harbour-reopens"
    assert article["text"].startswith("The harbour reopened")
    quotes = client.get(f"/v1/articles/{article['id']}/quotes").get_json()["items"]
    assert [article["text"][q["start"] : q["end"]] for q in quotes] == ["We are open for business again,"]
    assert client.get(f"/v1/articles/{article['id']}").get_json()["author"] == "Ruth Okafor"


def test_given_fields_win_over_page_metadata(client: FlaskClient) -> None:
    body = {"text": HTML_PAGE, "format": "html", "title": "Mine", "outlet": "Wire", "author": "Desk"}
    article = client.post("/v1/articles", json=body).get_json()
    assert (article["title"], article["outlet"], article["author"]) == ("Mine", "Wire", "Desk")
