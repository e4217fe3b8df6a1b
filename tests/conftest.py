"""Shared fixtures: databases (SQLite file and PostgreSQL, migrated by Alembic) and sessions.

``db_url`` is parametrized over both backends: SQLite in a temporary file, and PostgreSQL at
``TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``) in a schema
of its own that is dropped afterwards. PostgreSQL tests are skipped, with the reason, only when
the server does not answer.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from service.db import make_engine, make_session_factory, upgrade_db

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_pg_error: list[str] = []


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that fork worker processes run first, while this process is as the CLI is when it
    forks: no live-server pumps, no onnxruntime pool. A child forked while another thread holds
    a lock can wait on it for ever (one was seen stuck in a loaded full run)."""
    items.sort(key=lambda item: item.get_closest_marker("forks") is None)  # stable: else in order


def _postgres_reachable() -> str | None:
    """None when PostgreSQL answers, else why not (checked once per run)."""
    if not _pg_error:
        try:
            eng = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
            with eng.connect() as conn:
                conn.execute(text("SELECT 1"))
            eng.dispose()
            _pg_error.append("")
        except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
            _pg_error.append(
                f"PostgreSQL at {POSTGRES_URL} is not reachable: {type(exc).__name__}: {exc}"[:300]
            )
    return _pg_error[0] or None


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL into a fresh, empty PostgreSQL schema (dropped after the test)."""
    reason = _postgres_reachable()
    if reason:
        if os.environ.get("CI") or os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(f"{reason} (CI requires the PostgreSQL tests to run)")
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    """A URL to a new SQLite file in the test's temporary directory."""
    return f"sqlite:///{tmp_path / 'quotes.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh database URL, once per backend."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on ``db_url`` with the schema migrated to head."""
    eng = make_engine(db_url)
    upgrade_db(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A writer session factory (SQLite: BEGIN IMMEDIATE), as ingest uses."""
    return make_session_factory(engine, writer=True)


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test."""
    with engine.connect() as conn:
        trans = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            trans.rollback()
