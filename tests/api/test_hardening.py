"""Hostile input against the app (issue 9, "hostile input"): each test names its finding.

Findings that are gunicorn's (request line and header caps, its error pages, worker recycling)
are tested against a live server in tests/api/test_live_hardening.py.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rq import Queue

from service import create_app
from service.api.blueprint import Blueprint as SafeBlueprint
from service.config import ConfigError, TestConfig
from service.extensions import get_api
from tests.api.conftest import dispose, make_app
from tests.api.test_bad_input import _assert_error, _counts
from tests.jobs.conftest import REDIS_URL, queue  # noqa: F401  (the queue fixture)

# ------------------------------------------------------------------ 3. API_KEYS fails closed


@pytest.mark.parametrize("value", [" , ", "", ",", " "])
def test_api_keys_naming_no_key_refuse_to_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str
) -> None:
    monkeypatch.setenv("API_KEYS", value)
    with pytest.raises(ConfigError, match="API_KEYS"):
        create_app(TestConfig, DATABASE_URL=f"sqlite:///{tmp_path / 'k.db'}")


@pytest.mark.parametrize("value", [" , ", '[" "]', '""'])
def test_prefixed_api_keys_naming_no_key_refuse_to_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str
) -> None:
    monkeypatch.delenv("API_KEYS", raising=False)
    monkeypatch.setenv("QUOTES_API_KEYS", value)
    with pytest.raises(ConfigError):
        create_app(TestConfig, DATABASE_URL=f"sqlite:///{tmp_path / 'k.db'}")


def test_api_keys_unset_means_open_writes_and_keys_are_trimmed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("API_KEYS", raising=False)
    monkeypatch.delenv("QUOTES_API_KEYS", raising=False)
    app = make_app(f"sqlite:///{tmp_path / 'open.db'}")
    assert app.config["API_KEYS"] == []
    assert app.test_client().post("/v1/articles", json={"text": 'He said "a b".'}).status_code == 201
    dispose(app)
    monkeypatch.setenv("API_KEYS", " k1 , ,k2 ")
    app = make_app(f"sqlite:///{tmp_path / 'keys.db'}")
    assert app.config["API_KEYS"] == ["k1", "k2"]
    client = app.test_client()
    assert client.post("/v1/articles", json={"text": 'He said "a b".'}).status_code == 401
    r = client.post("/v1/articles", json={"text": 'He said "a b".'}, headers={"Authorization": "Bearer k2"})
    assert r.status_code == 201
    dispose(app)


# ------------------------------------------------------------------ 4. bad JSON of any shape: 400

HOSTILE_JSON = [
    ("nested 1,000 deep", "[" * 1000 + "]" * 1000),
    ("nested 100,000 deep", "[" * 100_000),
    ("objects nested deep", '{"a":' * 5000 + "1" + "}" * 5000),
    ("text nested deep", '{"text": ' + "[" * 2000 + "]" * 2000 + "}"),
    ("4,301-digit integer", '{"text": "a b c", "limit": ' + "1" * 4301 + "}"),
    ("100,000-digit integer", "9" * 100_000),
    ("bare NaN", "NaN"),
    ("truncated", '{"text": '),
    ("empty object key", '{"": 1, "text": "a b"'),
]


@pytest.mark.parametrize("path", ["/v1/articles", "/v1/verify", "/v1/extract"])
@pytest.mark.parametrize(("name", "body"), HOSTILE_JSON, ids=[h[0] for h in HOSTILE_JSON])
def test_hostile_json_is_a_400_or_422_never_a_500(
    app: Flask, client: FlaskClient, path: str, name: str, body: str
) -> None:
    before = _counts(app)
    r = client.post(path, data=body, content_type="application/json")
    expected = 422 if name == "bare NaN" else 400  # NaN is Python-JSON (a float), not a body
    err = _assert_error(r, expected)
    if expected == 400:
        assert err["errors"] == {"json": ["Invalid JSON body."]}
    assert _counts(app) == before


def test_every_api_blueprint_parses_json_safely(app: Flask) -> None:
    names = [name for name, bp in app.blueprints.items() if hasattr(bp, "ARGUMENTS_PARSER")]
    assert names
    for name in names:
        assert isinstance(app.blueprints[name], SafeBlueprint), name
    assert get_api(app).spec.to_dict()["paths"]


# ------------------------------------------------------------------ 6. chunked bodies over the limit


def _chunked(client: FlaskClient, path: str, body: bytes) -> Any:
    # As gunicorn passes a chunked body: no Content-Length, wsgi.input_terminated set.
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        environ_overrides={"wsgi.input_terminated": True},
    )


@pytest.mark.parametrize("path", ["/v1/articles", "/v1/verify", "/v1/extract"])
def test_chunked_body_over_the_limit_is_413(tmp_path: Path, path: str) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'c.db'}", MAX_CONTENT_LENGTH=1000)
    client = app.test_client()
    before = _counts(app)
    _assert_error(_chunked(client, path, json.dumps({"text": "y " * 2000}).encode()), 413)
    # a truncated read must not pass for a smaller valid body either
    _assert_error(_chunked(client, path, b'{"text": "a b c"}' + b" " * 2000), 413)
    assert _counts(app) == before
    r = _chunked(client, path, json.dumps({"text": 'He said "a b c".'}).encode())
    assert r.status_code in (200, 201), r.get_json()
    dispose(app)


# ------------------------------------------------------------------ 7. Vary: Origin


@pytest.fixture
def cors_client(tmp_path: Path) -> Iterator[FlaskClient]:
    app = make_app(f"sqlite:///{tmp_path / 'cors.db'}", CORS_ORIGINS=["https://cms.example"])
    yield app.test_client()
    dispose(app)


@pytest.mark.parametrize("origin", [None, "https://cms.example", "https://other.example"])
def test_cors_responses_vary_on_origin(cors_client: FlaskClient, origin: str | None) -> None:
    headers = {"Origin": origin} if origin else {}
    r = cors_client.get("/v1/speakers", headers=headers)
    assert r.status_code == 200 and "public" in r.headers["Cache-Control"]
    assert "Origin" in r.vary
    allowed = r.headers.get("Access-Control-Allow-Origin")
    assert allowed in (None, "https://cms.example")  # never another origin
    if origin == "https://cms.example":
        assert allowed == origin
    r = cors_client.options(
        "/v1/verify",
        headers={**headers, "Access-Control-Request-Method": "POST"},
    )
    assert "Origin" in r.vary


# ------------------------------------------------------------------ 8. no redirect to the client's Host


@pytest.mark.parametrize("path", ["/v1//speakers", "//v1/speakers", "/v1/speakers/", "/v1//quotes?q=a"])
def test_no_redirect_uses_the_client_host(client: FlaskClient, path: str) -> None:
    r = client.get(path, headers={"Host": "evil.example"})
    assert r.status_code in (200, 404), (r.status_code, r.headers.get("Location"))
    assert "evil.example" not in r.headers.get("Location", "")
    assert r.mimetype == "application/json"


# ------------------------------------------------------------------ 9. Unicode-blank articles


@pytest.mark.parametrize(
    "text", ["\u00a0\u3000", "\u200b", "\ufeff\u200d\u2060", "\u2028\u2029\u202f", " \u00ad\u180e "]
)
@pytest.mark.parametrize("path", ["/v1/articles", "/v1/verify"])
def test_unicode_blank_text_is_422_and_not_stored(
    app: Flask, client: FlaskClient, path: str, text: str
) -> None:
    before = _counts(app)
    body = _assert_error(client.post(path, json={"text": text}), 422)
    assert body["errors"] == {"json": {"text": ["Must not be blank."]}}
    assert _counts(app) == before


def test_text_with_one_visible_character_is_not_blank(client: FlaskClient) -> None:
    r = client.post("/v1/articles", json={"text": "\u00a0\u3000x\u200b"})
    assert r.status_code == 201, r.get_json()


# ------------------------------------------------------------------ 5. rate limits


@pytest.fixture
def limited_app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(
        f"sqlite:///{tmp_path / 'rl.db'}",
        RATELIMIT_ENABLED=True,
        RATELIMIT_EXTRACT="2 per minute",
        RATELIMIT_VERIFY="3 per minute",
        RATELIMIT_WRITE="2 per minute",
    )
    yield app
    dispose(app)


def _limited(r: Any) -> None:
    body = _assert_error(r, 429)
    assert "2 per 1 minute" in body["message"] or "3 per 1 minute" in body["message"]
    assert 0 < int(r.headers["Retry-After"]) <= 60


def test_rate_limits_per_route_and_client(limited_app: Flask) -> None:
    client = limited_app.test_client()
    for _ in range(2):
        assert client.post("/v1/extract", json={"text": 'He said "a b".'}).status_code == 200
    _limited(client.post("/v1/extract", json={"text": 'He said "a b".'}))
    # bad requests count too: they cost parsing
    _limited(client.post("/v1/extract", data="{", content_type="application/json"))
    for _ in range(3):
        assert client.post("/v1/verify", json={"text": "a b c"}).status_code == 200
    _limited(client.post("/v1/verify", json={"text": "a b c"}))
    before = _counts(limited_app)
    for i in range(2):
        assert client.post("/v1/articles", json={"text": f'He said "a b {i}".'}).status_code == 201
    _limited(client.post("/v1/articles", json={"text": 'He said "a b c".'}))
    assert _counts(limited_app)["Article"] == before["Article"] + 2
    # reads are not limited
    for _ in range(10):
        assert client.get("/v1/speakers").status_code == 200
    # another client has its own budget
    other = {"REMOTE_ADDR": "10.0.0.2"}
    r = client.post("/v1/extract", json={"text": "x"}, environ_overrides=other)
    assert r.status_code == 200
    assert r.headers["X-RateLimit-Limit"] == "2" and r.headers["X-RateLimit-Remaining"] == "1"


def test_forwarded_for_counts_only_behind_trusted_proxies(tmp_path: Path) -> None:
    def extract_twice(app: Flask, forwarded: str) -> int:
        client = app.test_client()
        headers = {"X-Forwarded-For": forwarded}
        client.post("/v1/extract", json={"text": "x"}, headers=headers)
        return client.post("/v1/extract", json={"text": "x"}, headers=headers).status_code

    opts = {"RATELIMIT_ENABLED": True, "RATELIMIT_EXTRACT": "2 per minute"}
    direct = make_app(f"sqlite:///{tmp_path / 'd.db'}", **opts)
    assert extract_twice(direct, "1.1.1.1") == 200
    assert extract_twice(direct, "2.2.2.2") == 429  # the header is the client's word: ignored
    dispose(direct)
    proxied = make_app(f"sqlite:///{tmp_path / 'p.db'}", TRUSTED_PROXIES=1, **opts)
    assert extract_twice(proxied, "1.1.1.1") == 200
    assert extract_twice(proxied, "2.2.2.2") == 200  # the proxy's word: another client
    dispose(proxied)


def test_rate_limits_off_by_flask_limiter_switch(tmp_path: Path) -> None:
    # The scorer builds its app with create_app(RATELIMIT_ENABLED=False).
    app = make_app(
        f"sqlite:///{tmp_path / 'off.db'}", RATELIMIT_ENABLED=False, RATELIMIT_EXTRACT="1 per minute"
    )
    client = app.test_client()
    for _ in range(5):
        assert client.post("/v1/extract", json={"text": "x"}).status_code == 200
    dispose(app)
    app = create_app(DATABASE_URL=f"sqlite:///{tmp_path / 'off2.db'}", RATELIMIT_ENABLED=False)
    assert app.config["RATELIMIT_ENABLED"] is False
    dispose(app)


def test_rate_limits_shared_through_redis(tmp_path: Path) -> None:
    pytest.importorskip("redis")
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable: {exc}")
    prefix = f"test-{uuid.uuid4().hex}"  # a budget of its own: runs at the same time share Redis
    opts = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_EXTRACT": "3 per minute",
    }
    apps = [make_app(f"sqlite:///{tmp_path / f'r{i}.db'}", **opts) for i in range(2)]
    codes = [apps[i % 2].test_client().post("/v1/extract", json={"text": "x"}).status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]  # two processes' worth of apps, one budget
    for app in apps:
        dispose(app)


# ------------------------------------------------------------------ 2. no request runs into the timeout


def test_articles_over_the_sync_limit_are_queued(tmp_path: Path, queue: Queue) -> None:  # noqa: F811
    app = make_app(
        f"sqlite:///{tmp_path / 'q.db'}",
        REDIS_URL=REDIS_URL,
        QUEUE_NAME=queue.name,
        SYNC_INGEST_MAX_CHARS=300,
    )
    client = app.test_client()
    before = _counts(app)
    r = client.post("/v1/articles", json={"text": 'He said "a b c." ' * 30})
    assert r.status_code == 202, r.get_json()
    assert r.headers["Location"] == r.get_json()["url"] and len(queue) == 1
    assert _counts(app) == before
    assert client.post("/v1/articles", json={"text": 'He said "a b c."'}).status_code == 201
    dispose(app)
