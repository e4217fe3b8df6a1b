"""The ingest queue on Redis: connection, enqueueing articles, reading a job's state (no Flask).

``REDIS_URL`` (environment, or the caller's value) names the server, default
``redis://127.0.0.1:6379/0``; ``QUEUE_NAME`` the queue, default ``ingest``. Jobs are stored with
RQ's JSON serializer, so a job's arguments and result are plain JSON (an article as a dict with an
ISO date), readable by any client.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterable
from typing import Any

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.serializers import JSONSerializer

from service.store.articles import ArticleInput

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
QUEUE_NAME = "ingest"
# A job running longer than this is stopped (and retried while it has retries left).
JOB_TIMEOUT = 15 * 60
# Times a failed or abandoned job is run again.
JOB_RETRIES = 3
# How long a finished (or failed) job's state stays readable at GET /v1/jobs/{id}.
RESULT_TTL = 7 * 24 * 3600
TASK = "service.jobs.tasks.ingest"

_CONNECTIONS: dict[str, Redis] = {}


def redis_url(url: str | None = None) -> str:
    """``url``, else ``$REDIS_URL``, else the local default."""
    return url or os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def get_redis(url: str | None = None) -> Redis:
    """The process's Redis client for ``url`` (a connection pool, created once)."""
    resolved = redis_url(url)
    conn = _CONNECTIONS.get(resolved)
    if conn is None:
        conn = _CONNECTIONS[resolved] = Redis.from_url(
            resolved, socket_connect_timeout=5, socket_timeout=30, health_check_interval=30
        )
    return conn


def queue_name(name: str | None = None) -> str:
    """``name``, else ``$QUEUE_NAME``, else ``ingest``."""
    return name or os.environ.get("QUEUE_NAME") or QUEUE_NAME


def get_queue(url: str | None = None, name: str | None = None) -> Queue:
    """The ingest queue (see `queue_name`) on ``url`` (see `redis_url`), with JSON-serialized jobs."""
    return Queue(queue_name(name), connection=get_redis(url), serializer=JSONSerializer)


def article_to_json(article: ArticleInput) -> dict[str, Any]:
    """An article as a job argument (JSON: the date as ISO text)."""
    data = dataclasses.asdict(article)
    if article.published_at is not None:
        data["published_at"] = article.published_at.isoformat()
    return data


def article_from_json(data: dict[str, Any]) -> ArticleInput:
    """The inverse of `article_to_json`."""
    fields = {f.name for f in dataclasses.fields(ArticleInput)}
    kwargs = {k: v for k, v in data.items() if k in fields}
    if kwargs.get("published_at"):
        kwargs["published_at"] = dt.date.fromisoformat(kwargs["published_at"])
    return ArticleInput(**kwargs)


def enqueue_articles(
    articles: Iterable[ArticleInput],
    queue: Queue,
    *,
    timeout: int = JOB_TIMEOUT,
    retries: int = JOB_RETRIES,
    result_ttl: int = RESULT_TTL,
) -> list[Job]:
    """One ingest job per article (one Redis round trip for all of them); the jobs are returned in
    the order of ``articles``.

    They are queued longest text first (equal lengths in input order): workers sharing a batch
    then finish together, instead of one working alone through a long article picked up last
    (the longest-processing-time-first rule)."""
    articles = list(articles)
    order = sorted(range(len(articles)), key=lambda i: -len(articles[i].text))
    specs = [
        Queue.prepare_data(
            TASK,
            args=(article_to_json(articles[i]),),
            timeout=timeout,
            result_ttl=result_ttl,
            failure_ttl=result_ttl,
            retry=Retry(max=retries) if retries else None,
            description=f"ingest {articles[i].external_id}"[:200],
        )
        for i in order
    ]
    jobs = queue.enqueue_many(specs) if specs else []
    return [job for _, job in sorted(zip(order, jobs, strict=True), key=lambda pair: pair[0])]


def job_state(queue: Queue, job_id: str) -> dict[str, Any] | None:
    """What a client may know of a job: id, status, times, and the result or error; None if unknown."""
    try:
        job = Job.fetch(job_id, connection=queue.connection, serializer=queue.serializer)
    except NoSuchJobError:
        return None
    status = job.get_status(refresh=False)
    state: dict[str, Any] = {
        "id": job.id,
        "status": str(status.value if status is not None else "unknown"),
        "enqueued_at": _utc(job.enqueued_at),
        "started_at": _utc(job.started_at),
        "ended_at": _utc(job.ended_at),
        "retries_left": job.retries_left,
        "article_id": None,
        "result": None,
        "error": None,
    }
    if state["status"] == "finished":
        result = job.return_value(refresh=True)
        if isinstance(result, dict):
            state["result"] = result
            state["article_id"] = result.get("article_id")
    elif state["status"] == "failed":
        latest = job.latest_result()
        state["error"] = _last_line(latest.exc_string if latest is not None else None)
    return state


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _last_line(text: str | None) -> str:
    """The last line of a traceback (the exception), never the whole trace."""
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return (lines[-1] if lines else "The job failed.")[:500]
