"""Flask extensions, created unbound here and bound to an app in `create_app` via ``init_app``.

flask-smorest's `Api` is the exception: ``init_app`` rebinds an instance's app and spec, so one
shared instance would serve the last app's document from every app. `init_api` makes one per
app; `get_api` finds it in ``app.extensions``.

The rate limiter (Flask-Limiter) is also one per app (`init_limiter`), its counters in the
app's own storage: a limit on ``POST``/``PUT``/``PATCH``/``DELETE`` per client and route,
``RATELIMIT_EXTRACT`` on /v1/extract, ``RATELIMIT_VERIFY`` on /v1/verify and ``RATELIMIT_WRITE``
on every other write (so a route added later is limited too). Reads are not limited.

The database is bound the same way: `init_db` keeps the engine and session factories of
``service.db`` in ``app.extensions["quotes_db"]``; `db_session()` gives the request's session
(one per request, closed at teardown), `db_connection()` a plain connection for the hottest reads
(one per request too, closed at teardown).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g, request
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from service.db import get_engine, make_session_factory

cors = CORS()


@dataclass(frozen=True)
class Database:
    """The engine and the reader/writer session factories of one app."""

    engine: Engine
    reader: Engine
    sessions: sessionmaker[Session]
    writer_sessions: sessionmaker[Session]


def init_api(app: Flask) -> Api:
    """A new flask-smorest `Api` bound to ``app`` (kept in ``app.extensions["flask-smorest"]``)."""
    return Api(app)


def get_api(app: Flask | None = None) -> Api:
    """The `Api` of ``app`` (default: the current app)."""
    app = app or current_app
    api: Api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    return api


# Which setting limits which path; every other write uses RATELIMIT_WRITE.
ROUTE_LIMITS = {"/v1/extract": "RATELIMIT_EXTRACT", "/v1/verify": "RATELIMIT_VERIFY"}
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _route_limit() -> str:
    return str(current_app.config[ROUTE_LIMITS.get(request.path, "RATELIMIT_WRITE")])


def _not_limited() -> bool:
    return request.method in _SAFE_METHODS


def init_limiter(app: Flask) -> Limiter:
    """A Flask-Limiter `Limiter` bound to ``app`` (off when ``RATELIMIT_ENABLED`` is false).

    Its settings are Flask-Limiter's own ``RATELIMIT_*`` keys (storage, headers, fallback)."""
    limiter = Limiter(get_remote_address, default_limits=[_route_limit])
    # A request filter exempts reads before any limit is resolved (``default_limits_exempt_when``
    # would resolve and filter them on every request first).
    limiter.request_filter(_not_limited)
    limiter.init_app(app)
    return limiter


def init_db(app: Flask) -> None:
    """Create (once per process and URL) the engine, bring the schema up to date, bind sessions."""
    engine = get_engine(app.config.get("DATABASE_URL") or None)
    # PostgreSQL reads run without BEGIN/ROLLBACK round trips: under READ COMMITTED each query sees
    # its own snapshot anyway, and request sessions never write (writes use ``writer_sessions``).
    reader = (
        engine.execution_options(isolation_level="AUTOCOMMIT")
        if engine.dialect.name == "postgresql"
        else engine
    )
    app.extensions["quotes_db"] = Database(
        engine, reader, make_session_factory(reader), make_session_factory(engine, writer=True)
    )

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()
        conn = g.pop("db_connection", None)
        if conn is not None:
            conn.close()


def get_db() -> Database:
    """The current app's `Database`."""
    db: Database = current_app.extensions["quotes_db"]
    return db


def db_connection() -> Connection:
    """A read-only Core connection for this request (reads that need no ORM objects)."""
    conn: Connection | None = g.get("db_connection")
    if conn is None:
        conn = g.db_connection = get_db().reader.connect()
    return conn


def db_session() -> Session:
    """The read session of this request (writes go through ``service.store.ingest``)."""
    session: Session | None = g.get("db_session")
    if session is None:
        session = g.db_session = get_db().sessions()
    return session
