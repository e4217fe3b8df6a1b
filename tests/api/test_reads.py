"""Read endpoints on the sample data: shapes, search, filters, pagination, caching headers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from tests.api.conftest import make_app
from tests.api.sample import KIRBY_STATEMENT, OUTLETS


def test_speaker_search_finds_kirby_by_surname(sample_client: FlaskClient, ids: dict[str, Any]) -> None:
    r = sample_client.get("/v1/speakers?q=Kirby")
    assert r.status_code == 200
    body = r.get_json()
    assert body["next_cursor"] is None
    assert [s["name"] for s in body["items"]] == ["John Kirby"]
    kirby = body["items"][0]
    assert set(kirby) == {"id", "name", "kind", "aliases", "roles", "statement_count", "quote_count"}
    assert kirby["id"] == ids["kirby"]
    assert "Kirby" in kirby["aliases"]
    assert kirby["roles"] == ["White House national security spokesman"]
    assert kirby["statement_count"] == 1
    assert kirby["quote_count"] == 4


def test_speaker_search_by_alias_and_case(sample_client: FlaskClient) -> None:
    assert [s["name"] for s in sample_client.get("/v1/speakers?q=john f. KIRBY").get_json()["items"]] == [
        "John Kirby"
    ]
    assert sample_client.get("/v1/speakers?q=nobody-like-this").get_json()["items"] == []
    # LIKE wildcards are matched literally
    assert sample_client.get("/v1/speakers?q=%25").get_json()["items"] == []


def test_statements_with_variants(sample_client: FlaskClient, ids: dict[str, Any]) -> None:
    r = sample_client.get(f"/v1/speakers/{ids['kirby']}/statements")
    assert r.status_code == 200
    (statement,) = r.get_json()["items"]
    assert statement["text"] == KIRBY_STATEMENT
    assert statement["variant_count"] == 4
    assert statement["first_seen"] == "2024-10-23"
    outlets = {v["article"]["outlet"] for v in statement["variants"]}
    assert outlets == set(OUTLETS)
    assert all(v["article"]["published_at"] for v in statement["variants"])
    assert {v["relation"] for v in statement["variants"]} == {"canonical", "verbatim", "trimmed"}
    assert set(statement["variants"][0]) == {
        "quote_id", "text", "type", "relation", "similarity", "diff", "article", "start", "end",
    }  # fmt: skip


def test_statement_filters(sample_client: FlaskClient, ids: dict[str, Any]) -> None:
    url = f"/v1/speakers/{ids['kirby']}/statements"
    assert len(sample_client.get(url + "?q=soldiers eastern").get_json()["items"]) == 1
    assert sample_client.get(url + "?q=bananas").get_json()["items"] == []
    assert len(sample_client.get(url + "?outlet=dong-a").get_json()["items"]) == 1
    assert sample_client.get(url + "?outlet=Nowhere Times").get_json()["items"] == []
    assert len(sample_client.get(url + "?since=2024-10-25").get_json()["items"]) == 1
    assert sample_client.get(url + "?since=2024-11-01").get_json()["items"] == []
    assert sample_client.get(url + "?until=2024-10-01").get_json()["items"] == []


def test_statement_detail_and_unknown_ids(sample_client: FlaskClient, ids: dict[str, Any]) -> None:
    r = sample_client.get(f"/v1/statements/{ids['statement']}")
    assert r.status_code == 200
    assert r.get_json()["speaker"] == {"id": ids["kirby"], "name": "John Kirby", "kind": "person"}
    for url in (
        "/v1/statements/999999",
        "/v1/speakers/999999",
        "/v1/speakers/999999/statements",
        "/v1/articles/999999",
        "/v1/articles/999999/quotes",
        "/v1/speakers/99999999999999999999999",
        "/v1/speakers/-1",
        "/v1/speakers/abc",
    ):
        r = sample_client.get(url)
        assert r.status_code == 404, url
        body = r.get_json()
        assert body["code"] == 404 and body["status"] == "Not Found" and body["message"]


def test_quotes_search(sample_client: FlaskClient, ids: dict[str, Any]) -> None:
    body = sample_client.get("/v1/quotes?speaker=Kirby&q=3,000").get_json()
    assert len(body["items"]) == 4
    assert all(q["speaker"]["name"] == "John Kirby" for q in body["items"])
    assert all(q["statement_ids"] == [ids["statement"]] for q in body["items"])
    assert len(sample_client.get(f"/v1/quotes?speaker={ids['austin']}").get_json()["items"]) == 4
    assert len(sample_client.get("/v1/quotes?outlet=alliance").get_json()["items"]) == 2
    assert len(sample_client.get("/v1/quotes?type=indirect").get_json()["items"]) == 0
    assert len(sample_client.get("/v1/quotes?since=2024-10-25&until=2024-10-25").get_json()["items"]) == 4
    assert sample_client.get("/v1/quotes?type=bogus").status_code == 422


def test_articles(sample_client: FlaskClient, ids: dict[str, Any]) -> None:
    aid = ids["articles"][1]
    article = sample_client.get(f"/v1/articles/{aid}").get_json()
    assert article["outlet"] == OUTLETS[1] and article["quote_count"] == 2 and article["text"]
    quotes = sample_client.get(f"/v1/articles/{aid}/quotes").get_json()["items"]
    assert [article["text"][q["start"] : q["end"]] == q["text"] for q in quotes] == [True, True]


def test_pagination_walks_all_items_once(sample_client: FlaskClient) -> None:
    seen: list[int] = []
    url = "/v1/quotes?limit=3"
    pages = 0
    while url:
        body = sample_client.get(url).get_json()
        seen += [q["id"] for q in body["items"]]
        pages += 1
        url = f"/v1/quotes?limit=3&cursor={body['next_cursor']}" if body["next_cursor"] else ""
    assert pages == 3
    assert len(seen) == 8 == len(set(seen))
    assert seen == sorted(seen)


def test_bad_pagination_arguments(sample_client: FlaskClient) -> None:
    for query in ("limit=0", "limit=101", "limit=abc", "limit=99999999999999999999", "cursor=zz!", "cursor="):
        r = sample_client.get(f"/v1/quotes?{query}")
        assert r.status_code == 422, query
        assert r.get_json()["errors"]["query"]


def test_etag_and_cache_control(sample_client: FlaskClient) -> None:
    r = sample_client.get("/v1/speakers?q=Kirby")
    assert r.headers["ETag"] and r.headers["Cache-Control"].startswith("public")
    again = sample_client.get("/v1/speakers?q=Kirby", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    assert again.headers["ETag"] == r.headers["ETag"]
    assert sample_client.get("/v1/speakers/999999").headers["Cache-Control"] == "no-store"


def test_healthz(client: FlaskClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok", "database": "ok"}
    assert r.headers["Cache-Control"] == "no-store"


def test_cors_for_configured_origins(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'cors.db'}", CORS_ORIGINS=["https://cms.example.org"])
    client = app.test_client()
    r = client.get("/v1/speakers", headers={"Origin": "https://cms.example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "https://cms.example.org"
    r = client.get("/v1/speakers", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in r.headers
    pre = client.options(
        "/v1/verify",
        headers={"Origin": "https://cms.example.org", "Access-Control-Request-Method": "POST"},
    )
    assert pre.headers["Access-Control-Allow-Origin"] == "https://cms.example.org"
    # no origins configured: no CORS headers
    plain = make_app(f"sqlite:///{tmp_path / 'plain.db'}").test_client()
    assert (
        "Access-Control-Allow-Origin"
        not in plain.get("/v1/speakers", headers={"Origin": "https://x.org"}).headers
    )


def test_settings_from_the_environment(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("API_KEYS", "one, two,")
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "1234")
    monkeypatch.setenv("CORS_ORIGINS", "https://cms.example.org")
    monkeypatch.setenv("QUOTES_CACHE_MAX_AGE", "7")
    monkeypatch.setenv("QUOTES_WORKERS", "3")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    from service import create_app

    app = create_app()
    assert app.config["API_KEYS"] == ["one", "two"]
    assert app.config["MAX_CONTENT_LENGTH"] == 1234
    assert app.config["CORS_ORIGINS"] == ["https://cms.example.org"]
    assert app.config["CACHE_MAX_AGE"] == 7 and app.config["WORKERS"] == 3
    assert app.config["DATABASE_URL"].endswith("env.db")
    r = app.test_client().get("/v1/speakers")
    assert r.headers["Cache-Control"] == "public, max-age=7"


def _sql_of(app: Flask, call: Callable[[], Any]) -> list[str]:
    """The SQL statements that ``call`` runs on the app's engine."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    engine = app.extensions["quotes_db"].engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_quote_lists_do_not_read_article_texts(sample_app: Flask, ids: dict[str, Any]) -> None:
    client = sample_app.test_client()
    aid = ids["articles"][1]
    for url in ("/v1/quotes?speaker=Kirby", f"/v1/articles/{aid}/quotes"):
        sql = _sql_of(sample_app, lambda url=url: client.get(url))
        assert sql and not [s for s in sql if "articles.text" in s], url
    assert client.get("/v1/articles/999999/quotes").status_code == 404


def test_verify_reads_a_small_speakers_units_once(sample_app: Flask) -> None:
    client = sample_app.test_client()
    text = f"{KIRBY_STATEMENT}. The troops will train for several weeks near the border."
    sql = _sql_of(sample_app, lambda: client.post("/v1/verify", json={"text": text, "speaker": "Kirby"}))
    assert len([s for s in sql if "occurrences.embedding" in s]) == 1
