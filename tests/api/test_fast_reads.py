"""The statements endpoint's fast path: orjson bodies in the schema's shape, data-version ETags
checked before any work, the per-app body cache, and the triggers that keep the version honest."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, event, select, update

from models import Occurrence, Speaker, Statement
from service.api.pagination import page
from service.api.schemas import StatementPageSchema
from service.store import queries
from tests.api.conftest import get_db_session


def marshmallow_page(app: Flask, speaker_id: int, limit: int, **filters: Any) -> Any:
    """The page as the marshmallow schema writes it from the plain (non-raw) query."""
    with get_db_session(app) as session:
        rows = queries.list_statements(session, speaker_id, limit=limit, after=None, **filters)
        items, next_cursor = page(rows, limit)
        dumped = StatementPageSchema().dump({"items": items, "next_cursor": next_cursor})
        return json.loads(json.dumps(dumped))


def version(app: Flask, speaker_id: int) -> int | None:
    with get_db_session(app) as session:
        return queries.statements_version(session, speaker_id)


def test_fast_body_is_the_schema_body(sample_app: Flask, ids: dict[str, Any]) -> None:
    client = sample_app.test_client()
    for speaker in (ids["kirby"], ids["austin"]):
        for query, filters in (
            ("", {}),
            ("?limit=1", {}),
            ("?q=3,000&outlet=korea", {"q": "3,000", "outlet": "korea"}),
            ("?q=nothing-matches", {"q": "nothing-matches"}),
        ):
            r = client.get(f"/v1/speakers/{speaker}/statements{query}")
            assert r.status_code == 200 and r.mimetype == "application/json"
            limit = 1 if "limit=1" in query else 20
            assert r.get_json() == marshmallow_page(sample_app, speaker, limit, **filters), query
    body = client.get(f"/v1/speakers/{ids['kirby']}/statements").get_json()
    (statement,) = body["items"]
    assert statement["variant_count"] == 4 and statement["variants"][0]["diff"] is not None
    assert statement["variants"][0]["article"]["published_at"] == "2024-10-23"


def test_etag_is_checked_before_the_page_is_read(sample_app: Flask, ids: dict[str, Any]) -> None:
    client = sample_app.test_client()
    url = f"/v1/speakers/{ids['kirby']}/statements"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public")
    assert client.get(url + "?limit=5").headers["ETag"] != etag  # the query is part of it

    seen: list[str] = []
    engine = sample_app.extensions["quotes_db"].engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        again = client.get(url, headers={"If-None-Match": etag})
        cached = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert again.status_code == 304 and not again.data and again.headers["ETag"] == etag
    assert cached.status_code == 200 and cached.data == first.data
    # one primary-key lookup each (plus the connection check), no statement or variant query
    assert not any("occurrences" in sql or "FROM statements" in sql for sql in seen), seen


def test_a_write_changes_the_etag_and_the_cached_body(sample_app: Flask, ids: dict[str, Any]) -> None:
    client = sample_app.test_client()
    url = f"/v1/speakers/{ids['kirby']}/statements"
    first = client.get(url)
    with get_db_session(sample_app) as session, session.begin():
        session.execute(update(Statement).where(Statement.id == ids["statement"]).values(text="Changed."))
    second = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.headers["ETag"] != first.headers["ETag"]
    assert second.get_json()["items"][0]["text"] == "Changed."


def test_triggers_bump_the_speaker_version(sample_app: Flask, ids: dict[str, Any]) -> None:
    kirby, austin = ids["kirby"], ids["austin"]
    seen = [version(sample_app, kirby)]

    def write(stmt: Any) -> None:
        with get_db_session(sample_app) as session, session.begin():
            session.execute(stmt)
        seen.append(version(sample_app, kirby))
        assert seen[-1] is not None and seen[-2] is not None and seen[-1] > seen[-2], stmt

    write(update(Statement).where(Statement.id == ids["statement"]).values(last_seen=None))
    write(update(Speaker).where(Speaker.id == kirby).values(name="John F. Kirby"))
    with get_db_session(sample_app) as session:
        occ = session.scalars(select(Occurrence.id).where(Occurrence.speaker_id == kirby)).first()
    before_austin = version(sample_app, austin)
    write(update(Occurrence).where(Occurrence.id == occ).values(speaker_id=austin))  # moved away
    assert (version(sample_app, austin) or 0) > (before_austin or 0)
    write(delete(Occurrence).where(Occurrence.speaker_id == kirby))
    assert version(sample_app, 999999) is None


def test_unknown_speaker_is_still_404(sample_client: FlaskClient) -> None:
    r = sample_client.get("/v1/speakers/999999/statements")
    assert r.status_code == 404 and r.get_json()["code"] == 404
