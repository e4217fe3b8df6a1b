"""Fixtures of the API tests: an app on a temporary SQLite database (PostgreSQL when asked),
its test client, and a variant with the sample data inserted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
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
def app(tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty temporary SQLite database, with a fake extractor."""
    return make_app(f"sqlite:///{tmp_path / 'api.db'}")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def sample_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app whose database holds `tests.api.sample` (shared by a module's read-only tests)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'sample.db'}"
    app = make_app(url)
    with get_db_session(app) as session:
        app.config["SAMPLE_IDS"] = insert_sample(session)
    yield app


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
