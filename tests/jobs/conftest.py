"""Fixtures of the queue tests: the real Redis (``TEST_REDIS_URL``, default the local server) with a
queue of each test's own, and helpers to run workers in-process or as `python -m service worker`."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

from service.jobs.queue import get_queue

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_error() -> str | None:
    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except RedisError as exc:
        return f"Redis at {REDIS_URL} is not reachable: {exc}"
    return None


@pytest.fixture
def queue() -> Iterator[Queue]:
    """A fresh queue on the real Redis, emptied (jobs and registries) afterwards."""
    reason = _redis_error()
    if reason:
        if os.environ.get("CI") or os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"{reason} (CI requires the queue tests to run)")
        pytest.skip(reason)
    q = get_queue(REDIS_URL, f"test-{uuid.uuid4().hex[:12]}")
    yield q
    conn = q.connection
    for registry in (q.started_job_registry, q.finished_job_registry, q.failed_job_registry):
        for job_id in registry.get_job_ids(cleanup=False):
            conn.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")
    for job_id in q.get_job_ids():
        conn.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")
    q.delete(delete_jobs=True)
    for key in conn.scan_iter(f"rq:*:{q.name}*"):
        conn.delete(key)
