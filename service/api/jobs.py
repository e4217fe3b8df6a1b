"""Background ingest jobs: `GET /v1/jobs/{id}` (jobs are made by ``POST /v1/articles`` with
``Prefer: respond-async`` or ``?async=true``)."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, url_for
from flask.views import MethodView
from redis.exceptions import RedisError
from rq import Queue

from service.api.blueprint import Blueprint
from service.api.schemas import JobSchema
from service.errors import NotFound, ServiceUnavailable
from service.jobs.queue import enqueue_articles, get_queue, job_state
from service.store.articles import ArticleInput

blp = Blueprint("jobs", __name__, url_prefix="/v1", description="Background ingest jobs.")

# RQ job ids are UUID4 hex strings; anything else cannot name a job.
_JOB_ID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


def app_queue() -> Queue:
    """The ingest queue of the current app (``REDIS_URL``)."""
    return get_queue(current_app.config.get("REDIS_URL") or None, current_app.config.get("QUEUE_NAME"))


def enqueue_article(article: ArticleInput) -> dict[str, Any]:
    """Queue ``article`` for a worker; the new job's state. 503 when Redis is down."""
    cfg = current_app.config
    try:
        (job,) = enqueue_articles(
            [article], app_queue(), timeout=cfg["JOB_TIMEOUT"], retries=cfg["JOB_RETRIES"]
        )
        state = job_state(app_queue(), job.id)
    except RedisError as exc:
        raise ServiceUnavailable("The job queue is not available; try again later.") from exc
    return with_links(state or {"id": job.id, "status": "queued"})


def with_links(state: dict[str, Any]) -> dict[str, Any]:
    """A job state with its own URL and, once known, its article's URL."""
    state["url"] = url_for("jobs.JobDetail", job_id=state["id"])
    article_id = state.get("article_id")
    state["article_url"] = url_for("quotes.ArticleDetail", article_id=article_id) if article_id else None
    return state


@blp.route("/jobs/<string(maxlength=64):job_id>")
class JobDetail(MethodView):
    @blp.response(200, JobSchema)
    def get(self, job_id: str) -> tuple[dict[str, Any], int, dict[str, str]]:
        """A background job: its status and, once finished, the id of the stored article."""
        if not _JOB_ID.fullmatch(job_id):
            raise NotFound(f"No job with id {job_id}.")
        try:
            state = job_state(app_queue(), job_id)
        except RedisError as exc:
            raise ServiceUnavailable("The job queue is not available; try again later.") from exc
        if state is None:
            raise NotFound(f"No job with id {job_id} (unknown, or expired).")
        return with_links(state), 200, {"Cache-Control": "no-store"}
