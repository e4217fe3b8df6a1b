"""Opaque keyset cursors: every list is ordered by id, the cursor names the last id returned.

The cursor text is hexadecimal so that any value matching the documented pattern is a valid
cursor; anything else is rejected with 422 by schema validation.
"""

from __future__ import annotations

import re
import struct
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


# A ranked search's cursor adds the rank of the last item (its float64 bits) to the id.
_SEARCH_CURSOR_RE = r"^[0-9a-f]{1,15}(\.[0-9a-f]{16})?$"


def encode_search_cursor(last_id: int, rank: float) -> str:
    """The cursor that continues a ranked search after the item ``last_id`` of rank ``rank``."""
    return f"{encode_cursor(last_id)}.{struct.pack('>d', rank).hex()}"


class SearchCursorField(fields.String):
    """Query parameter ``cursor`` of a search that may be ranked: deserializes to the id to
    continue after, or to ``(id, rank)`` for a ranked search."""

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
    ) -> int | tuple[int, float]:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(_SEARCH_CURSOR_RE, text):
            raise ValidationError("Invalid cursor.")
        head, _, rank = text.partition(".")
        last_id = int(head, 16) ^ _MASK
        if not rank:
            return last_id
        (value,) = struct.unpack(">d", bytes.fromhex(rank))
        if value != value or value in (float("inf"), float("-inf")):  # NaN or infinite: not ours
            raise ValidationError("Invalid cursor.")
        return last_id, float(value)


def search_page(rows: list[dict[str, Any]], limit: int) -> tuple[list[dict[str, Any]], str | None]:
    """`page` for a search: the cursor carries the rank when the rows are ranked."""
    if len(rows) <= limit or "rank" not in rows[limit - 1]:
        return page(rows, limit)
    rows = rows[:limit]
    return rows, encode_search_cursor(rows[-1]["id"], rows[-1]["rank"])
