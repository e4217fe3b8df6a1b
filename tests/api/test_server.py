"""gunicorn settings of `python -m service serve` (no server started)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from service.api.server import JSONErrorWorker, is_read, server_options, worker_class
from service.config import Config


def _req(method: str, *headers: tuple[str, str], path: str = "/v1/speakers") -> Any:
    return SimpleNamespace(method=method, headers=list(headers), path=path)


def test_reads_are_safe_methods_without_a_body() -> None:
    assert is_read(_req("GET", ("HOST", "x")))
    assert is_read(_req("HEAD"))
    assert is_read(_req("GET", ("CONTENT-LENGTH", "0")))
    assert not is_read(_req("POST", ("CONTENT-LENGTH", "0")))
    assert not is_read(_req("GET", ("CONTENT-LENGTH", "12")))
    assert not is_read(_req("GET", ("TRANSFER-ENCODING", "chunked")))
    assert not is_read(_req("GET", ("CONTENT-LENGTH", "x")))


def test_verify_look_ups_with_a_small_body_are_reads() -> None:
    assert is_read(_req("POST", ("CONTENT-LENGTH", "120"), path="/v1/verify"))
    assert not is_read(_req("POST", ("CONTENT-LENGTH", "120"), path="/v1/extract"))
    assert not is_read(_req("POST", ("CONTENT-LENGTH", "120"), path="/v1/articles"))
    assert not is_read(_req("POST", ("CONTENT-LENGTH", str(10**6)), path="/v1/verify"))
    assert not is_read(_req("POST", ("TRANSFER-ENCODING", "chunked"), path="/v1/verify"))
    assert not is_read(_req("POST", path="/v1/verify"))  # no declared length


def _config(**overrides: Any) -> dict[str, Any]:
    config = {k: getattr(Config, k) for k in dir(Config) if k.isupper()}
    return {**config, **overrides}


def test_server_options_carry_the_read_budget_and_the_access_log() -> None:
    options = server_options(_config(MAX_READS=7, ACCESS_LOG=""), "127.0.0.1", 8000, 3)
    assert issubclass(options["worker_class"], JSONErrorWorker)
    assert options["worker_class"].max_reads == 7
    assert options["accesslog"] is None  # off
    assert options["bind"] == "127.0.0.1:8000" and options["workers"] == 3
    assert server_options(_config(), "h", 1, 1)["accesslog"] == "-"


class _Stub(JSONErrorWorker):
    """The counting of `JSONErrorWorker.handle_request` over gunicorn's (stubbed) own."""

    def __init__(self, max_reads: int, max_requests: int) -> None:
        self.nr, self.max_requests, self.alive = 0, max_requests, True
        self.reads_left = max_reads
        self.log = SimpleNamespace(info=lambda *a: None)

    def _gunicorn_counts(self) -> None:  # what SyncWorker.handle_request does with the counter
        self.nr += 1
        if self.nr >= self.max_requests:
            self.alive = False


def test_reads_count_against_max_reads_not_max_requests(monkeypatch: Any) -> None:
    from gunicorn.workers.sync import SyncWorker

    monkeypatch.setattr(SyncWorker, "handle_request", lambda self, *a: self._gunicorn_counts())
    worker = _Stub(max_reads=5, max_requests=3)
    for _ in range(4):
        worker.handle_request(None, _req("GET"), None, None)
    assert worker.alive and worker.nr == 0
    worker.handle_request(None, _req("GET"), None, None)
    assert not worker.alive  # the fifth read
    worker = _Stub(max_reads=5, max_requests=3)
    for _ in range(3):
        worker.handle_request(None, _req("POST", ("CONTENT-LENGTH", "10")), None, None)
    assert not worker.alive and worker.nr == 3
    assert worker_class(0).max_reads == 0
