"""Opaque keyset cursors: every list is ordered by id, the cursor names the last id returned.

The cursor text is hexadecimal so that any value matching the documented pattern is a valid
cursor; anything else is rejected with 422 by schema validation.
"""

from __future__ import annotations

import math
import re
import struct
import sys
from typing import Any

from marshmallow import ValidationError, fields

# Stays below 2**63 (the database's largest id) whatever the digits.
_CURSOR_RE = r"^[0-9a-f]{1,15}$"
_MASK = 0x5A5A5A5A5A5A5A


def encode_cursor(last_id: int) -> str:
    """The cursor that continues after ``last_id``."""
    return format(last_id ^ _MASK, "x")


class CursorField(fields.String):
    """Query parameter ``cursor``; deserializes to the id to continue after."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            metadata={
                "description": "Opaque cursor: the `next_cursor` of the previous page.",
                "pattern": _CURSOR_RE,
            },
            **kwargs,
        )

    def _deserialize(  # type: ignore[override]  # a cursor string deserializes to the int id
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> int:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(_CURSOR_RE, text):
            raise ValidationError("Invalid cursor.")
        return int(text, 16) ^ _MASK


def page(rows: list[Any], limit: int) -> tuple[list[Any], str | None]:
    """Split ``limit + 1`` rows (dicts with ``id``) fetched in id order into the page and next cursor."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(rows[-1]["id"])
    return rows, None


# A search's cursor adds the rank of the last item (its float64 bits; 0 when the search is not
# ranked) to the id, so that every cursor matching the pattern is a position in any search.
_SEARCH_CURSOR_RE = r"^[0-9a-f]{1,15}\.[0-9a-f]{16}$"


def encode_search_cursor(last_id: int, rank: float) -> str:
    """The cursor that continues a ranked search after the item ``last_id`` of rank ``rank``."""
    return f"{encode_cursor(last_id)}.{struct.pack('>d', rank).hex()}"


class SearchCursorField(fields.String):
    """Query parameter ``cursor`` of a search that may be ranked: deserializes to ``(id, rank)``,
    the position to continue after (a search without ranking uses the id alone). A rank that is
    not finite (never ours) is clamped to the largest finite one of its sign: a page past the end,
    or from the start."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            metadata={
                "description": "Opaque cursor: the `next_cursor` of the previous page.",
                "pattern": _SEARCH_CURSOR_RE,
            },
            **kwargs,
        )

    def _deserialize(  # type: ignore[override]  # a cursor string deserializes to the id (and rank)
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> tuple[int, float]:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(_SEARCH_CURSOR_RE, text):
            raise ValidationError("Invalid cursor.")
        head, _, rank = text.partition(".")
        (value,) = struct.unpack(">d", bytes.fromhex(rank))
        if not math.isfinite(value):
            value = -sys.float_info.max if value < 0 else sys.float_info.max
        return int(head, 16) ^ _MASK, float(value)


def search_page(rows: list[dict[str, Any]], limit: int) -> tuple[list[dict[str, Any]], str | None]:
    """`page` for a search: the cursor carries the rank of the last row (0 when not ranked)."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_search_cursor(rows[-1]["id"], rows[-1].get("rank", 0.0))
