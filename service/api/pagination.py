"""Opaque keyset cursors: every list is ordered by id, the cursor names the last id returned.

The cursor text is hexadecimal so that any value matching the documented pattern is a valid
cursor; anything else is rejected with 422 by schema validation.
"""

from __future__ import annotations

import re
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
