"""End to end: `python -m service serve` in a subprocess on a free port, called over HTTP."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from scripts.liveserver import free_port, running, serve_command

KEY = "live-test-key"

pytestmark = pytest.mark.live


def _call(
    url: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read() or b"null")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("live")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'live.db'}", "API_KEYS": KEY}
    with running(serve_command(port), env=env, health_url=f"{base}/healthz", log_path=tmp / "server.log"):
        yield base


def test_live_server(server: str) -> None:
    status, headers, spec = _call(server + "/v1/openapi.json")
    assert status == 200 and spec["info"]["version"] == "v1"
    assert headers["Server"].startswith("gunicorn")

    text = (
        'White House spokesman John Kirby said on Wednesday. "North Korea moved at least 3,000 '
        'soldiers into eastern Russia," Kirby told reporters.'
    )
    article = {"text": text, "outlet": "Live Test Post", "published_at": "2024-10-23"}
    assert _call(server + "/v1/articles", article)[0] == 401
    status, _, stored = _call(server + "/v1/articles", article, {"Authorization": f"Bearer {KEY}"})
    assert status == 201, stored
    status, _, again = _call(server + "/v1/articles", article, {"Authorization": f"Bearer {KEY}"})
    assert status == 200 and again["id"] == stored["id"]

    status, headers, speakers = _call(server + "/v1/speakers?q=Kirby")
    assert status == 200 and headers["ETag"] and "max-age" in headers["Cache-Control"]
    (kirby,) = speakers["items"]
    status, _, statements = _call(server + f"/v1/speakers/{kirby['id']}/statements")
    assert any("3,000" in s["text"] for s in statements["items"])

    body = {"text": "North Korea moved at least 3,000 soldiers into eastern Russia", "speaker": "Kirby"}
    status, _, verified = _call(server + "/v1/verify", body)
    assert status == 200 and verified["matches"][0]["verdict"] in ("verbatim", "close")

    status, _, extracted = _call(server + "/v1/extract", {"text": text})
    assert status == 200 and any(q["speaker"]["name"] == "John Kirby" for q in extracted["quotes"])

    status, _, error = _call(server + "/v1/statements/123456789")
    assert status == 404 and error["code"] == 404

    # A URL within the request-line limit reaches the app; a longer one gets gunicorn's 414, as JSON.
    status, headers, error = _call(server + "/v1/quotes?q=" + "a" * 7_000)
    assert status == 422 and headers["Content-Type"] == "application/json"
    for size in (20_000, 40_000):
        status, headers, error = _call(server + "/v1/quotes?q=" + "a" * size)
        assert status == 414 and error["code"] == 414 and headers["Content-Type"] == "application/json"

    # A 10 MB body: the client (which sends it all before reading) gets the JSON 413.
    status, _, error = _call(server + "/v1/verify", {"text": "x" * (10 * 1024 * 1024)})
    assert status == 413 and error["code"] == 413
    status, _, error = _call(server + "/v1/articles", {"text": "x" * (10 * 1024 * 1024)})
    assert status == 401
