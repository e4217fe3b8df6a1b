"""Helpers of the extraction tests."""

from __future__ import annotations

from typing import Any


def only(quotes: list[Any], text_part: str) -> Any:
    """The first quote whose text contains ``text_part``; fails, listing the quotes, when none does."""
    found = [q for q in quotes if text_part in q.text]
    assert found, f"no quote containing {text_part!r} in {[q.text for q in quotes]}"
    return found[0]
