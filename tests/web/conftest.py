"""Fixtures of the web tests: the API tests' apps (fake extractor, sample data) are reused."""

from tests.api.conftest import app, client, ids, sample_app, sample_client  # noqa: F401
