"""Stand-in extractors for queue workers started by the tests (``worker --extractor``)."""

from __future__ import annotations

import os
import time
from typing import Any


class FakeExtractor:
    """One quote per pair of straight double quotes (as the API tests' fake)."""

    def extract(self, text: str) -> list[Any]:
        from service.nlp.types import Quote, Speaker

        quotes = []
        pos = 0
        while (start := text.find('"', pos)) != -1 and (end := text.find('"', start + 1)) != -1:
            quotes.append(Quote(start + 1, end, text[start + 1 : end], "direct", speaker=Speaker("Someone")))
            pos = end + 1
        return quotes


class SlowExtractor(FakeExtractor):
    """Hangs for ``$SLOW_EXTRACTOR_SECONDS`` (default 120) before extracting: a job to kill mid-way."""

    def extract(self, text: str) -> list[Any]:
        time.sleep(float(os.environ.get("SLOW_EXTRACTOR_SECONDS", "120")))
        return super().extract(text)


class FailingExtractor:
    """Always raises: a job that fails."""

    def extract(self, text: str) -> list[Any]:
        raise RuntimeError("extractor exploded")
