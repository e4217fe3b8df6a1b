"""Bad input of every kind gets the JSON error body with the right 4xx code, and nothing stored
changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from models import Article, Occurrence, Quote, Speaker, Statement
from service.extensions import get_db
from tests.api.conftest import make_app


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context(), get_db().sessions() as s:
        return {
            m.__name__: s.scalar(select(func.count()).select_from(m)) or 0
            for m in (Article, Quote, Speaker, Statement, Occurrence)
        }


def _assert_error(r: Any, code: int) -> dict[str, Any]:
    assert r.status_code == code, (r.status_code, r.data[:300])
    assert r.mimetype == "application/json"
    body: dict[str, Any] = r.get_json()
    assert body["code"] == code and isinstance(body["status"], str) and isinstance(body["message"], str)
    assert set(body) <= {"code", "status", "message", "errors"}
    return body


BAD_BODIES: list[tuple[str, dict[str, Any], int]] = [
    ("invalid JSON", {"data": '{"text": "x"', "content_type": "application/json"}, 400),
    ("JSON array", {"json": ["text"]}, 422),
    ("JSON string", {"json": "text"}, 422),
    ("JSON null", {"data": "null", "content_type": "application/json"}, 422),
    ("wrong type", {"json": {"text": 12}}, 422),
    ("wrong type list", {"json": {"text": ["a"]}}, 422),
    ("missing field", {"json": {}}, 422),
    ("unknown field", {"json": {"text": "a b c", "extra": 1}}, 422),
    ("blank text", {"json": {"text": "   \n"}}, 422),
    ("bad date", {"json": {"text": "a b c", "published_at": "24/10/2024"}}, 422),
    ("bad url", {"json": {"text": "a b c", "url": "not a url"}}, 422),
    ("lone surrogate", {"data": '{"text": "bad \\ud800 text"}', "content_type": "application/json"}, 422),
    ("binary", {"data": bytes(range(256)) * 4, "content_type": "application/octet-stream"}, 422),
    ("binary as JSON", {"data": b"\xff\xfe\x00\x01garbage", "content_type": "application/json"}, 400),
    ("form data", {"data": {"text": "a b c"}}, 422),
    ("huge number", {"json": {"text": 10**400}}, 422),
]


@pytest.mark.parametrize("path", ["/v1/articles", "/v1/verify", "/v1/extract"])
@pytest.mark.parametrize(("name", "kwargs", "code"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_bodies(
    app: Flask, client: FlaskClient, path: str, name: str, kwargs: dict[str, Any], code: int
) -> None:
    if path == "/v1/extract" and name in ("blank text", "bad date", "bad url"):
        pytest.skip("valid for extract (blank text is allowed, no metadata fields)")
    if path == "/v1/verify" and name in ("bad date", "bad url"):
        kwargs = {"json": {"text": "a b c", "speaker": 5}}
    before = _counts(app)
    _assert_error(client.post(path, **kwargs), code)
    assert _counts(app) == before


def test_body_over_the_limit_is_413(app: Flask, client: FlaskClient) -> None:
    before = _counts(app)
    big = json.dumps({"text": "x" * (10 * 1024 * 1024)})
    for path in ("/v1/articles", "/v1/verify", "/v1/extract"):
        _assert_error(client.post(path, data=big, content_type="application/json"), 413)
    assert _counts(app) == before


def test_limit_is_configurable(tmp_path: Path) -> None:
    client = make_app(f"sqlite:///{tmp_path / 'small.db'}", MAX_CONTENT_LENGTH=1000).test_client()
    _assert_error(client.post("/v1/verify", json={"text": "y" * 2000}), 413)
    assert client.post("/v1/verify", json={"text": "y" * 500}).status_code == 200


def test_odd_unicode_is_fine(app: Flask, client: FlaskClient) -> None:
    odd = "Zero\u200bwidth, RTL \u202eevil\u202c, emoji 🙂, combining e\u0301, NUL\x00, ﷽, \U0010ffff"
    r = client.post("/v1/verify", json={"text": odd, "speaker": odd})
    assert r.status_code == 200 and r.get_json()["matches"] == []
    assert r.get_json()["verdict"] == "not_found" and r.get_json()["speakers"] == []
    assert client.post("/v1/extract", json={"text": odd}).status_code == 200
    # superscript digits are str.isdigit() but no number
    assert client.post("/v1/verify", json={"text": "0", "speaker": "³"}).status_code == 200
    assert client.get("/v1/quotes?speaker=³²¹").status_code == 200
    for url in (
        f"/v1/speakers?q={odd}",
        f"/v1/quotes?q={odd}&speaker={odd}&outlet={odd}",
        "/v1/quotes?q=%FF%FE%00",
    ):
        assert client.get(url).status_code == 200, url
    r = client.post("/v1/articles", json={"text": "A " + odd, "title": odd, "outlet": odd})
    assert r.status_code == 201
    assert "\x00" not in r.get_json()["text"]


def test_unknown_routes_and_methods(client: FlaskClient) -> None:
    _assert_error(client.get("/v1/nope"), 404)
    _assert_error(client.get("/nope.html"), 404)
    _assert_error(client.delete("/v1/speakers"), 405)
    _assert_error(client.put("/v1/articles"), 405)
    _assert_error(client.get("/v1/verify"), 405)
    assert "POST" in client.get("/v1/verify").headers["Allow"]


@pytest.mark.parametrize(
    "query",
    [
        "limit=-1",
        "limit=1.5",
        "limit=",
        "since=yesterday",
        "until=2024-13-40",
        "cursor=%00",
        "cursor=" + "f" * 40,
    ],
)
def test_bad_query_parameters(client: FlaskClient, query: str) -> None:
    body = _assert_error(client.get(f"/v1/speakers/1/statements?{query}"), 422)
    assert "query" in body["errors"]


def test_internal_errors_are_json_without_details(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from service.store import queries

    def broken(*_a: Any, **_k: Any) -> None:
        raise OperationalError("SELECT secret FROM speakers", {}, Exception("disk I/O error"))

    monkeypatch.setattr(queries, "search_speakers", broken)
    body = _assert_error(client.get("/v1/speakers"), 503)
    assert "secret" not in json.dumps(body) and "SELECT" not in json.dumps(body)

    def boom(*_a: Any, **_k: Any) -> None:
        raise RuntimeError("internal detail")

    monkeypatch.setattr(queries, "search_speakers", boom)
    body = _assert_error(client.get("/v1/speakers"), 500)
    assert "internal detail" not in json.dumps(body)


@pytest.mark.parametrize("limit", ["5", True, 5.5, None, [5]])
def test_body_integers_are_json_integers(client: FlaskClient, limit: Any) -> None:
    _assert_error(client.post("/v1/verify", json={"text": "some words here", "limit": limit}), 422)


@pytest.mark.parametrize("limit", ["1_0", " 5", "5 ", "+5", "0x5"])
def test_query_integers_are_plain_digits(client: FlaskClient, limit: str) -> None:
    _assert_error(client.get(f"/v1/speakers?limit={limit}"), 422)


def test_validation_sees_the_value_as_sent(client: FlaskClient) -> None:
    # 500 characters plus surrounding spaces is over maxLength, as the OpenAPI document says
    _assert_error(client.get("/v1/quotes?q=" + "a" * 500 + "%20%20"), 422)
    # blank = no character outside controls, Unicode spaces and zero-width marks (issue 9 #9)
    _assert_error(client.post("/v1/verify", json={"text": " \t\x00\x1f "}), 422)
    _assert_error(client.post("/v1/verify", json={"text": "\u2003"}), 422)
    assert client.post("/v1/verify", json={"text": "\u2003x"}).get_json()["matches"] == []
    _assert_error(client.post("/v1/articles", json={"text": "x", "url": "https://a.org/x\x1fy"}), 422)


def test_url_too_long_is_json_414(client: FlaskClient) -> None:
    body = _assert_error(client.get("/v1/quotes?q=" + "a" * 40_000), 414)
    assert body["status"] == "Request-URI Too Long"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1799-12-31", "2200-01-01"])
def test_published_at_out_of_range_is_422_and_stores_nothing(
    app: Flask, client: FlaskClient, day: str
) -> None:
    before = _counts(app)
    body = _assert_error(
        client.post("/v1/articles", json={"text": 'He said "a b c".', "published_at": day}), 422
    )
    assert "1800-01-01" in json.dumps(body["errors"]["json"]["published_at"])
    assert _counts(app) == before
    r = client.post("/v1/articles", json={"text": 'He said "a b c".', "published_at": "2199-12-31"})
    assert r.status_code == 201, r.get_json()
