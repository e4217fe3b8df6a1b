"""Shared fixture of the extraction tests: the real pipeline's ``extract`` (spaCy model loaded once)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from service.nlp.pipeline import get_extractor


@pytest.fixture(scope="session")
def extract() -> Callable:
    return get_extractor().extract
