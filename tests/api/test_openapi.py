"""The generated OpenAPI document: valid structure, every route, error shape, security."""

from __future__ import annotations

import re
from pathlib import Path

from flask.testing import FlaskClient

from tests.api.conftest import dispose, make_app

EXPECTED = {
    "/healthz": {"get"},
    "/v1/speakers": {"get"},
    "/v1/speakers/{speaker_id}": {"get"},
    "/v1/speakers/{speaker_id}/statements": {"get"},
    "/v1/statements/{statement_id}": {"get"},
    "/v1/quotes": {"get"},
    "/v1/articles": {"post"},
    "/v1/articles/{article_id}": {"get"},
    "/v1/articles/{article_id}/quotes": {"get"},
    "/v1/jobs/{job_id}": {"get"},
    "/v1/extract": {"post"},
    "/v1/verify": {"post"},
}


def test_openapi_document(client: FlaskClient) -> None:
    r = client.get("/v1/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    spec = r.get_json()
    assert spec["openapi"].startswith("3.")
    assert {p: set(ops) - {"parameters"} for p, ops in spec["paths"].items()} == EXPECTED
    schemas = spec["components"]["schemas"]
    assert set(schemas["Error"]["properties"]) == {"code", "status", "message", "errors"}
    assert set(schemas["Speaker"]["properties"]) == {
        "id", "name", "kind", "aliases", "roles", "statement_count", "quote_count",
    }  # fmt: skip
    assert set(schemas["StatementPage"]["properties"]) == {"items", "next_cursor"}
    verdicts = ["verbatim", "excerpt", "close", "paraphrase", "contradicts", "other_speaker", "not_found"]
    assert schemas["Match"]["properties"]["verdict"]["enum"] == verdicts
    assert "`close`: the same statement" in schemas["Match"]["properties"]["verdict"]["description"]
    assert set(schemas["VerifyResult"]["properties"]) == {"verdict", "speakers", "parts", "matches"}
    assert {"parts", "conflicts", "attributed_to", "recorded_verdict", "best_variant"} <= set(
        schemas["Match"]["properties"]
    )
    post = spec["paths"]["/v1/articles"]["post"]
    assert post["security"] == [{"bearerAuth": []}]
    assert {"200", "201", "default"} <= set(post["responses"])
    assert schemas["ArticleIn"]["additionalProperties"] is False
    path = spec["paths"]["/v1/speakers/{speaker_id}/statements"]
    params = {p["name"]: p for p in path["parameters"] + path["get"]["parameters"]}
    assert {"speaker_id", "q", "outlet", "since", "until", "limit", "cursor"} == set(params)
    assert params["limit"]["schema"]["maximum"] == 100
    for url, ops in spec["paths"].items():
        for method in EXPECTED[url]:
            assert ops[method].get("summary"), url
            assert "default" in ops[method]["responses"], url


def test_docs_page_is_self_contained(client: FlaskClient) -> None:
    r = client.get("/v1/docs", follow_redirects=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "/v1/openapi.json" in html
    assert "http://" not in html and "https://" not in html  # no CDN: works offline
    assert '"validatorUrl": null' in html  # the public validator badge is never fetched
    for asset in re.findall(r'(?:src|href)="(/v1/docs/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset


def test_each_app_serves_its_own_document(tmp_path: Path) -> None:
    first = make_app(f"sqlite:///{tmp_path / 'a.db'}", API_TITLE="First")
    second = make_app(f"sqlite:///{tmp_path / 'b.db'}", API_TITLE="Second")
    try:
        for app, title in ((first, "First"), (second, "Second")):
            spec = app.test_client().get("/v1/openapi.json").get_json()
            assert spec["info"]["title"] == title
            assert {p: set(ops) - {"parameters"} for p, ops in spec["paths"].items()} == EXPECTED
    finally:
        dispose(first)
        dispose(second)
