"""Fixtures of the API tests: an app on a fresh database (SQLite and PostgreSQL, through the shared
``db_url`` fixture), its test client, and the same with the sample data inserted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.config import TestConfig
from service.extensions import get_db
from tests.api.sample import insert_sample


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


@pytest.fixture
def sample_app(app: Flask) -> Flask:
    """The app with `tests.api.sample` in its database (once per backend)."""
    with get_db_session(app) as session:
        app.config["SAMPLE_IDS"] = insert_sample(session)
    return app


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
