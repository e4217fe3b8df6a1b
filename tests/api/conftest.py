"""Fixtures of the API tests: an app on a fresh database (SQLite and PostgreSQL, through the shared
``db_url`` fixture), its test client, and apps holding the sample data (one per backend and module)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from service import create_app
from service.config import TestConfig
from service.extensions import get_db
from tests.api.sample import insert_sample
from tests.conftest import POSTGRES_URL, _postgres_reachable


class FakeExtractor:
    """Stands in for the spaCy pipeline: one quote per pair of straight double quotes."""

    def extract(self, text: str) -> list[Any]:
        from service.nlp.types import Quote, Speaker

        quotes = []
        pos = 0
        while (start := text.find('"', pos)) != -1 and (end := text.find('"', start + 1)) != -1:
            quotes.append(Quote(start + 1, end, text[start + 1 : end], "direct", speaker=Speaker("Someone")))
            pos = end + 1
        return quotes


def make_app(url: str, **overrides: Any) -> Flask:
    """A test app on database ``url`` with the fake extractor."""
    app = create_app(TestConfig, DATABASE_URL=url, **overrides)
    app.extensions["quote_extractor"] = FakeExtractor()
    return app


@pytest.fixture
def app(db_url: str) -> Iterator[Flask]:
    """An app on an empty database (once per backend), with a fake extractor."""
    app = make_app(db_url)
    yield app
    dispose(app)


def dispose(app: Flask) -> None:
    """Close the app's pooled connections (each test database gets its own engine)."""
    app.extensions["quotes_db"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sample_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database for a module's read-only tests, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('api') / 'sample.db'}"
        return
    reason = _postgres_reachable()
    if reason:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module")
def sample_app(sample_url: str) -> Iterator[Flask]:
    """An app whose database holds `tests.api.sample` (shared by a module's read-only tests)."""
    app = make_app(sample_url)
    with get_db_session(app) as session:
        app.config["SAMPLE_IDS"] = insert_sample(session)
    yield app
    dispose(app)


@pytest.fixture
def sample_client(sample_app: Flask) -> FlaskClient:
    return sample_app.test_client()


@pytest.fixture
def ids(sample_app: Flask) -> dict[str, Any]:
    ids: dict[str, Any] = sample_app.config["SAMPLE_IDS"]
    return ids


def get_db_session(app: Flask) -> Any:
    with app.app_context():
        return get_db().sessions()
