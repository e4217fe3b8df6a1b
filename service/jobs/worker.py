"""`python -m service worker`: an RQ worker for the ingest queue that keeps the model loaded.

The worker is an RQ `SimpleWorker` (jobs run in the worker process, no fork per job), so the
spaCy pipeline and the embedding model are loaded once, before the worker takes its first job.
RQ's simple worker does not beat its heart while a job runs; `IngestWorker` does, from a thread,
every ``job_monitoring_interval`` seconds with a short time to live. So when a worker dies
(``kill -9``) its job is seen as abandoned within seconds and re-queued by the next registry
cleanup of any worker (every ``maintenance_interval`` seconds, and when a worker starts).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from rq import SimpleWorker
from rq.job import Job
from rq.queue import Queue
from rq.worker import WorkerStatus

from service.jobs.queue import get_queue

log = logging.getLogger(__name__)

# Seconds between heartbeats while a job runs, and how long past a missed beat a job is abandoned.
HEARTBEAT_INTERVAL = 10
HEARTBEAT_GRACE = 20
# Seconds between registry cleanups (which re-queue abandoned jobs).
MAINTENANCE_INTERVAL = 30
# A worker's registration lives this long without a heartbeat; an idle worker wakes every
# WORKER_TTL - 15 seconds (RQ's blocking dequeue timeout) to beat and to clean registries.
WORKER_TTL = 60


class IngestWorker(SimpleWorker):
    """A simple (non-forking) worker that beats its heart while a job runs."""

    heartbeat_grace = HEARTBEAT_GRACE

    def get_heartbeat_ttl(self, job: Job) -> int:
        """Seconds until this worker's job counts as abandoned unless the next beat comes."""
        return int(self.job_monitoring_interval + self.heartbeat_grace)

    def execute_job(self, job: Job, queue: Queue) -> None:
        """Run ``job`` in this process, beating from a thread until it ends."""
        self.prepare_execution(job)
        stop = threading.Event()
        beat = threading.Thread(target=self._beat, args=(job, stop), name="rq-heartbeat", daemon=True)
        beat.start()
        try:
            self.perform_job(job, queue)
        finally:
            stop.set()
            beat.join()
        self.set_state(WorkerStatus.IDLE)

    def _beat(self, job: Job, stop: threading.Event) -> None:
        while not stop.wait(self.job_monitoring_interval):
            try:
                self.maintain_heartbeats(job)
            except Exception:  # noqa: BLE001 - a missed beat is retried at the next interval
                log.warning("heartbeat failed for job %s", job.id, exc_info=True)


def load_extractor(spec: str | None) -> Callable[[list[str]], Iterable[list[Any]]] | None:
    """``extract_many`` for the jobs: from ``module:attr`` (a class or factory of an object with
    ``extract(text)``), or None for the real pipeline, loaded now."""
    if not spec:
        from service.nlp.pipeline import get_extractor

        extractor = get_extractor()
        return lambda texts: extractor.extract_many(texts)
    import importlib

    module, _, attr = spec.partition(":")
    obj = getattr(importlib.import_module(module), attr)()
    return lambda texts: [obj.extract(t) for t in texts]


def run_worker(
    *,
    redis: str | None = None,
    queue_name: str | None = None,
    burst: bool = False,
    name: str | None = None,
    extractor: str | None = None,
    heartbeat: int = HEARTBEAT_INTERVAL,
    grace: int = HEARTBEAT_GRACE,
    maintenance: int = MAINTENANCE_INTERVAL,
    worker_ttl: int = WORKER_TTL,
    preload: bool = True,
    embeddings: str | None = None,
) -> bool:
    """Load the models and the database, then work the ingest queue (until stopped, or until it
    is empty with ``burst``). ``embeddings``: the ``EMBEDDINGS`` setting (default
    ``$QUOTES_EMBEDDINGS``, else the model). Returns whether any job was processed."""
    from service.db import get_engine, make_session_factory
    from service.jobs import tasks
    from service.variants.embeddings import get_embedder

    embed_fn = get_embedder(embeddings or os.environ.get("QUOTES_EMBEDDINGS"))
    extract_many = load_extractor(extractor)
    if preload:
        embed_fn(["warm up"])
    tasks.configure(extract_many, make_session_factory(get_engine(), writer=True), embed_fn)
    queue = get_queue(redis, queue_name)
    worker = IngestWorker(
        [queue],
        connection=queue.connection,
        serializer=queue.serializer,
        name=name,
        job_monitoring_interval=heartbeat,
        maintenance_interval=maintenance,
        worker_ttl=worker_ttl,
    )
    worker.heartbeat_grace = grace
    return bool(worker.work(burst=burst, logging_level="INFO"))
