"""Hostile requests against `python -m service serve` (gunicorn): what the server answers before the
app runs (issue 9, hostile input 1, 3, 6, 8, 10, 11)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.liveserver import ROOT, free_port, running, serve_command
from service.api.server import json_error_bytes

pytestmark = pytest.mark.live


class Server:
    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.log = log

    def raw(
        self, head: bytes, total: int = 0, timeout: float = 30
    ) -> tuple[float, int, dict[str, str], bytes]:
        """Send ``head`` then filler up to ``total`` bytes (from a thread, as a client that sends
        everything first would); return (seconds to the full answer, status, headers, body)."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        start = time.monotonic()

        def send() -> None:
            try:
                sock.sendall(head)
                sent, chunk = len(head), b"a" * (1 << 20)
                while sent < total:
                    sock.sendall(chunk)
                    sent += len(chunk)
            except OSError:
                pass  # the server answered and closed: stop sending

        threading.Thread(target=send, daemon=True).start()
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except OSError:
            pass
        elapsed = time.monotonic() - start
        sock.close()
        head_part, _, body = data.partition(b"\r\n\r\n")
        lines = head_part.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else 0
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        return elapsed, status, headers, body


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("live-hardening")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'live.db'}",
        "MAX_CONTENT_LENGTH": "100000",
        "QUOTES_MAX_REQUESTS": "20",
        "QUOTES_MAX_REQUESTS_JITTER": "0",
        "QUOTES_MAX_READS": "20",
        "QUOTES_RATELIMIT_ENABLED": "false",
        "QUOTES_SHARE_MODELS": "false",  # nothing here extracts: start fast
    }
    env.pop("API_KEYS", None)
    log = tmp / "server.log"
    with running(
        serve_command(port, workers=1), env=env, health_url=f"http://127.0.0.1:{port}/healthz", log_path=log
    ):
        yield Server(port, log)


def _json_error(status: int, headers: dict[str, str], body: bytes, code: int) -> dict[str, Any]:
    import json

    assert status == code, (status, body[:300])
    assert headers["Content-Type"] == "application/json", headers
    payload: dict[str, Any] = json.loads(body)
    assert payload["code"] == code and set(payload) == {"code", "status", "message"}
    return payload


# 1. and 10.: long request lines and headers are refused at once, with JSON.
@pytest.mark.parametrize(
    ("name", "head", "total", "code"),
    [
        ("20 MB request line", b"GET /v1/quotes?q=", 20_000_000, 414),
        ("40 MB request line", b"GET /v1/speakers?q=", 40_000_000, 414),
        ("9 KB request line", b"GET /v1/quotes?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 0, 414),
        ("20 MB header", b"GET /v1/quotes HTTP/1.1\r\nHost: x\r\nX-Big: ", 20_000_000, 431),
        (
            "200 headers",
            b"GET /v1/quotes HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: v\r\n" % i for i in range(200))
            + b"\r\n",
            0,
            431,
        ),
    ],
)
def test_long_request_lines_and_headers_refused_fast_with_json(
    server: Server, name: str, head: bytes, total: int, code: int
) -> None:
    elapsed, status, headers, body = server.raw(head, total)
    _json_error(status, headers, body, code)
    # refused on the head, not after reading it all; the bound leaves room for a loaded machine
    assert elapsed < 5.0, f"{name}: {elapsed:.2f}s"
    # the worker is free at once for the next client
    elapsed, status, _, _ = server.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 200 and elapsed < 5.0


@pytest.mark.parametrize(
    ("head", "code"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /v1/quotes HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400),
        (b"GET /v1/quotes HTTP/9.9\r\nHost: x\r\n\r\n", 400),
        (b"GET /v1/quotes HTTP/1.1\r\nHost: x\r\nX\x00Y: 1\r\n\r\n", 400),
        (b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        (b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
    ],
)
def test_malformed_requests_get_json_not_html(server: Server, head: bytes, code: int) -> None:
    _, status, headers, body = server.raw(head)
    _json_error(status, headers, body, code)
    assert b"<html" not in body.lower()


# 6.: a chunked body over MAX_CONTENT_LENGTH (100,000 bytes here) is a 413.
def test_chunked_body_over_the_limit_is_413(server: Server) -> None:
    payload = b'{"text": "' + b"a " * 100_000 + b'"}'
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(payload[i : i + 8192]), payload[i : i + 8192])
        for i in range(0, len(payload), 8192)
    )
    head = (
        b"POST /v1/extract HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    _, status, headers, body = server.raw(head + chunks + b"0\r\n\r\n")
    _json_error(status, headers, body, 413)
    small = b'{"text": "He said \\"a b\\"."}'
    # the first extraction loads the spaCy pipeline in the worker: allow for a slow, loaded machine
    _, status, _, body = server.raw(head + b"%x\r\n%s\r\n0\r\n\r\n" % (len(small), small), timeout=300)
    assert status == 200, body


# 8.: no redirect is built from the client's Host.
def test_double_slash_does_not_redirect_to_the_client_host(server: Server) -> None:
    _, status, headers, _ = server.raw(b"GET /v1//speakers HTTP/1.1\r\nHost: evil.example\r\n\r\n")
    assert status == 404 and "Location" not in headers


# 11.: workers are recycled after MAX_READS reads (and MAX_REQUESTS requests with a body, below).
def test_workers_are_recycled(server: Server) -> None:
    for _ in range(25):
        server.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    deadline = time.monotonic() + 20
    while "Autorestarting worker" not in server.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "Autorestarting worker" in server.log.read_text()
    assert server.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")[1] == 200


# 3.: API_KEYS that names no key: the server refuses to start.
def test_server_refuses_to_start_with_api_keys_naming_no_key(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}", "API_KEYS": " , "}
    cmd = [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(free_port())]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "API_KEYS" in proc.stderr and "Traceback" not in proc.stderr


def test_json_error_bytes_is_a_complete_response() -> None:
    raw = json_error_bytes(414, "x" * 10_000)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414 ") and b"Content-Length: %d" % len(body) in head
    assert len(body) < 500


# 11.: recycled workers exit at once and are replaced, also when the models were loaded in the
# master (SHARE_MODELS) and the workers have embedded: a worker that hung in a native library's
# exit handlers left the server without workers until the worker timeout.
def test_workers_recycled_after_embedding_are_replaced_at_once(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'recycle.db'}",
        "QUOTES_MAX_READS": "4",  # verify look-ups count as reads ...
        "QUOTES_MAX_REQUESTS": "4",  # ... and other requests with a body against MAX_REQUESTS
        "QUOTES_MAX_REQUESTS_JITTER": "0",
        "QUOTES_RATELIMIT_ENABLED": "false",
        "QUOTES_SHARE_MODELS": "true",
        "QUOTES_WORKER_TIMEOUT": "120",
    }
    env.pop("API_KEYS", None)
    log = tmp_path / "server.log"
    body = b'{"text": "We will not stand by while troops gather at the border."}'
    verify = (
        b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    server = Server(port, log)
    with running(
        serve_command(port, workers=2), env=env, health_url=f"http://127.0.0.1:{port}/healthz", log_path=log
    ):
        for _ in range(12):  # three generations of workers, each of which embedded a claim
            elapsed, status, _, _ = server.raw(verify, timeout=60)
            assert status == 200 and elapsed < 30
        recycled = log.read_text().count("Autorestarting worker")
        assert recycled >= 2
        body = b'{"text": "He said \\"yes\\"."}'
        extract = (
            b"POST /v1/extract HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        for _ in range(12):
            elapsed, status, _, _ = server.raw(extract, timeout=60)
            assert status == 200 and elapsed < 30
        text = log.read_text()
        assert text.count("Autorestarting worker") >= recycled + 2
        assert "WORKER TIMEOUT" not in text
