"""Background ingest on the real Redis: POST /v1/articles 202 + GET /v1/jobs/{id}, workers run
in-process and as `python -m service worker`, retries and idempotence."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from rq import Queue
from rq.job import Job
from sqlalchemy import func, select

from models import Article
from service.jobs import tasks
from service.jobs.queue import article_from_json, article_to_json, enqueue_articles, job_state
from service.jobs.worker import IngestWorker
from service.store.articles import ArticleInput
from service.variants.embeddings import pseudo_embed
from tests.api.conftest import dispose, make_app
from tests.jobs.conftest import REDIS_URL
from tests.jobs.fakes import FailingExtractor, FakeExtractor

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = {
    "text": 'Officials met on Monday. "We are watching this very closely," Lloyd Austin said.',
    "title": "Austin on the deployment",
    "outlet": "Test Gazette",
    "url": "https://example.org/austin",
    "published_at": "2024-10-24",
}
ASYNC = {"Prefer": "respond-async"}


@pytest.fixture
def app(db_url: str, queue: Queue) -> Iterator[Flask]:
    """An app on a fresh database whose jobs go to the test's queue."""
    app = make_app(db_url, REDIS_URL=REDIS_URL, QUEUE_NAME=queue.name, EMBEDDINGS="pseudo")
    yield app
    dispose(app)


def fake_extract(app: Flask) -> None:
    """Jobs in this process: the fake extractor and stand-in embeddings, into the app's database."""
    fake = FakeExtractor()
    tasks.configure(
        lambda texts: [fake.extract(t) for t in texts],
        app.extensions["quotes_db"].writer_sessions,
        pseudo_embed,
    )


@pytest.fixture
def fake_worker(app: Flask, queue: Queue) -> Iterator[IngestWorker]:
    """An in-process worker on the test's queue, storing into the app's database."""
    fake_extract(app)
    yield IngestWorker([queue], connection=queue.connection, serializer=queue.serializer)
    tasks.configure(None, None)


def article_count(app: Flask) -> int:
    with app.extensions["quotes_db"].sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Article)) or 0)


def test_article_json_round_trip() -> None:
    article = ArticleInput("x", "“Hi,” she said.", "https://e.org/a", "T", "O", None, dt.date(2024, 2, 29))
    assert article_from_json(article_to_json(article)) == article
    bare = ArticleInput("y", "text")
    assert article_from_json(article_to_json(bare)) == bare


def test_async_post_answers_202_and_the_worker_stores_it(app: Flask, fake_worker: IngestWorker) -> None:
    client = app.test_client()
    r = client.post("/v1/articles", json=ARTICLE, headers=ASYNC)
    assert r.status_code == 202, r.get_json()
    job = r.get_json()
    assert job["status"] == "queued" and job["article_id"] is None
    assert r.headers["Location"] == job["url"] == f"/v1/jobs/{job['id']}"
    assert r.headers["Preference-Applied"] == "respond-async"
    assert article_count(app) == 0
    assert client.get(job["url"]).get_json()["status"] == "queued"

    assert fake_worker.work(burst=True)
    done = client.get(job["url"])
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    state = done.get_json()
    assert state["status"] == "finished", state
    assert state["result"]["status"] == "added" and state["ended_at"]
    article = client.get(state["article_url"]).get_json()
    assert article["id"] == state["article_id"] and article["quote_count"] == 1
    assert article["outlet"] == "Test Gazette" and article["published_at"] == "2024-10-24"

    # Stored already: answered at once, no job.
    again = client.post("/v1/articles?async=true", json=ARTICLE)
    assert again.status_code == 200 and again.get_json()["id"] == state["article_id"]
    assert article_count(app) == 1


def test_async_query_parameter(app: Flask, queue: Queue) -> None:
    r = app.test_client().post("/v1/articles?async=1", json={"text": 'He said "yes" twice.'})
    assert r.status_code == 202, r.get_json()
    assert queue.count == 1
    bad = app.test_client().post("/v1/articles?async=maybe", json={"text": 'He said "yes".'})
    assert bad.status_code == 422 and bad.get_json()["code"] == 422


def test_sync_stays_the_default(app: Flask, queue: Queue) -> None:
    r = app.test_client().post("/v1/articles", json=ARTICLE, headers={"Prefer": "return=minimal"})
    assert r.status_code == 201 and queue.count == 0


def test_a_job_run_twice_stores_nothing_twice(app: Flask, queue: Queue, fake_worker: IngestWorker) -> None:
    article = ArticleInput("dup", ARTICLE["text"], url=None)
    first, second = enqueue_articles([article, article], queue)
    fake_worker.work(burst=True)
    a, b = job_state(queue, first.id), job_state(queue, second.id)
    assert a and b
    assert a["result"]["status"] == "added" and b["result"]["status"] == "duplicate"
    assert a["article_id"] == b["article_id"] is not None
    assert article_count(app) == 1


def test_a_batch_is_queued_longest_first_and_its_jobs_come_back_in_input_order(queue: Queue) -> None:
    articles = [
        ArticleInput(name, "x" * n) for name, n in (("short", 10), ("long", 500), ("mid", 80), ("mid2", 80))
    ]
    jobs = enqueue_articles(articles, queue)
    assert [j.description for j in jobs] == [f"ingest {a.external_id}" for a in articles]
    queued = [Job.fetch(i, connection=queue.connection).description for i in queue.job_ids]
    assert queued == ["ingest long", "ingest mid", "ingest mid2", "ingest short"]


def test_a_failing_job_is_retried_then_reports_its_error(app: Flask, queue: Queue) -> None:
    failing = FailingExtractor()
    tasks.configure(
        lambda texts: [failing.extract(t) for t in texts],
        app.extensions["quotes_db"].writer_sessions,
        pseudo_embed,
    )
    try:
        (job,) = enqueue_articles([ArticleInput("f", 'A "b" c.')], queue, retries=2)
        worker = IngestWorker([queue], connection=queue.connection, serializer=queue.serializer)
        worker.work(burst=True)
    finally:
        tasks.configure(None, None)
    state = app.test_client().get(f"/v1/jobs/{job.id}").get_json()
    assert state["status"] == "failed" and state["retries_left"] == 0
    assert "extractor exploded" in state["error"] and "Traceback" not in state["error"]
    assert article_count(app) == 0


def test_unknown_jobs_are_404(app: Flask) -> None:
    client = app.test_client()
    for path in ("/v1/jobs/nope", f"/v1/jobs/{uuid.uuid4()}", "/v1/jobs/" + "a" * 64):
        r = client.get(path)
        assert r.status_code == 404 and r.get_json()["code"] == 404, path


def test_queue_down_is_503(sqlite_url: str) -> None:
    app = make_app(sqlite_url, REDIS_URL="redis://127.0.0.1:1/0")
    client = app.test_client()
    r = client.post("/v1/articles", json=ARTICLE, headers=ASYNC)
    assert r.status_code == 503 and r.get_json()["message"].startswith("The job queue")
    r = client.get(f"/v1/jobs/{uuid.uuid4()}")
    assert r.status_code == 503 and r.get_json()["code"] == 503
    dispose(app)


def test_openapi_documents_the_jobs(app: Flask) -> None:
    spec = app.test_client().get("/v1/openapi.json").get_json()
    post = spec["paths"]["/v1/articles"]["post"]
    assert {"200", "201", "202"} <= set(post["responses"])
    assert any(p["name"] == "async" for p in post["parameters"])
    assert "/v1/jobs/{job_id}" in spec["paths"]


# ---------------------------------------------------------------- worker processes


def worker_env(db_url: str, queue: Queue, **extra: str) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": REDIS_URL, "QUEUE_NAME": queue.name}
    env["QUOTES_EMBEDDINGS"] = "pseudo"  # stand-in embeddings: no model to load
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def start_worker(env: dict[str, Any], log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as fh:
        return subprocess.Popen(
            [sys.executable, "-m", "service", "worker", *args], cwd=ROOT, env=env, stdout=fh, stderr=fh
        )


def wait_for(predicate: Any, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.postgres
def test_ingest_queue_cli_then_a_worker_process(postgres_url: str, queue: Queue, tmp_path: Path) -> None:
    files = []
    for i in range(3):
        f = tmp_path / f"a{i}.txt"
        f.write_text(f'Story {i}. "We will act number {i}," the minister said.', encoding="utf-8")
        files.append(str(f))
    env = worker_env(postgres_url, queue)
    out = subprocess.run(
        [sys.executable, "-m", "service", "ingest", "--queue", *files],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "3 job(s) queued" in out.stdout and "a0.txt: queued as job" in out.stdout
    assert queue.count == 3
    log = tmp_path / "worker.log"
    proc = start_worker(env, log, "--burst", "--extractor", "tests.jobs.fakes:FakeExtractor")
    assert proc.wait(180) == 0, log.read_text()[-3000:]
    assert queue.count == 0 and len(queue.finished_job_registry) == 3
    app = make_app(postgres_url)
    assert article_count(app) == 3
    dispose(app)


@pytest.mark.postgres
def test_a_worker_killed_with_sigkill_loses_no_job_and_duplicates_nothing(
    postgres_url: str, queue: Queue, tmp_path: Path
) -> None:
    """kill -9 in the middle of a job: another worker retries it once the heartbeat has expired."""
    fast = ["--heartbeat", "1", "--grace", "2", "--maintenance", "1", "--worker-ttl", "16"]
    article = ArticleInput("killed.txt", ARTICLE["text"], url=ARTICLE["url"])
    (job,) = enqueue_articles([article], queue, retries=2)
    log = tmp_path / "worker.log"
    doomed = start_worker(
        worker_env(postgres_url, queue, SLOW_EXTRACTOR_SECONDS="600"),
        log, "--extractor", "tests.jobs.fakes:SlowExtractor", *fast,
    )  # fmt: skip
    survivor = None
    try:
        wait_for(
            lambda: (job_state(queue, job.id) or {}).get("status") == "started", 120, "the job to start", log
        )
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(10)
        assert (job_state(queue, job.id) or {}).get("status") == "started"  # nobody has noticed yet
        survivor = start_worker(
            worker_env(postgres_url, queue), log, "--extractor", "tests.jobs.fakes:FakeExtractor", *fast
        )
        wait_for(lambda: (job_state(queue, job.id) or {}).get("status") == "finished", 180, "the retry", log)
    finally:
        stop(doomed)
        if survivor is not None:
            stop(survivor)
    state = job_state(queue, job.id)
    assert state is not None and state["result"]["status"] == "added"
    assert state["retries_left"] == 1  # one retry spent on the abandoned run
    app = make_app(postgres_url)
    assert article_count(app) == 1
    # Had the dead worker stored the article before dying, the retry would have found it:
    (again,) = enqueue_articles([article], queue)
    fake_extract(app)
    try:
        IngestWorker([queue], connection=queue.connection, serializer=queue.serializer).work(burst=True)
    finally:
        tasks.configure(None, None)
    again_state = job_state(queue, again.id)
    assert again_state and again_state["result"]["status"] == "duplicate"
    assert again_state["article_id"] == state["article_id"] and article_count(app) == 1
    dispose(app)
