"""Background ingest on a Redis queue (RQ): enqueue articles, run workers, read job states.

- `service.jobs.queue`: the Redis connection, ``enqueue_articles`` and ``job_state`` (no Flask).
- `service.jobs.tasks`: the job function a worker runs, ``ingest`` (one article through
  `service.store.sources.run_ingest`, idempotent by URL and content hash).
- `service.jobs.worker`: ``run_worker`` behind ``python -m service worker``.

A job that a dead worker leaves behind (``kill -9``, lost machine) stays in RQ's started-job
registry until its heartbeat expires; the next registry cleanup of any worker re-queues it while it
has retries left. Running an ingest job twice stores nothing twice: the second run finds the
article by content hash and reports it as a duplicate with the same article id.
"""
