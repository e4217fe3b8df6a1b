"""Extraction in worker processes: the function the workers run and the module their server
preloads (`service.parallel`). Importing this module loads nothing: the process that hands out
the batches never needs the model."""

from __future__ import annotations

from service.nlp.types import Quote

# The module the worker server imports to load the model before it forks the workers.
PRELOAD = "service.nlp.preload"


def extract_batch(texts: list[str], batch_size: int = 16) -> list[list[Quote]]:
    """The quotes of each text, in order (the process's `get_extractor`)."""
    from service.nlp.pipeline import get_extractor

    return list(get_extractor().extract_many(texts, batch_size=batch_size))
