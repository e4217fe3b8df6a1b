"""A list of integers as one bound parameter, for statements built once and run often.

SQLAlchemy's expanding parameters (``column.in_(bindparam(name, expanding=True))``) render one
placeholder per value on every execution: for the short look-ups of verify and of the statement
pages that costs more than SQLite takes to run the query. `in_list` binds the whole list as one
parameter instead, so a statement's compiled form is reused as it is:

- SQLite: ``column IN (SELECT value FROM json_each(:name))``, the list sent as a JSON array;
- PostgreSQL: ``column = ANY(:name)``, the list sent as an array.

An empty list matches nothing (`not_in_list`: everything).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Boolean, ColumnElement, String, TypeDecorator, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeEngine


class IntList(TypeDecorator[Sequence[int]]):
    """A list of integers: a JSON array on SQLite, a ``bigint[]`` on PostgreSQL."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(BigInteger()))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Sequence[int] | None, dialect: Dialect) -> Any:
        values = [int(v) for v in value or ()]
        return values if dialect.name == "postgresql" else json.dumps(values)


class _InList(ColumnElement[bool]):
    """``column`` among the integers of the bound parameter ``name`` (negated: not among them)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition as it is, not "... = 1" where booleans are integers
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("param", InternalTraversal.dp_clauseelement),
        ("negate", InternalTraversal.dp_boolean),
    ]

    def __init__(self, column: ColumnElement[Any], name: str, negate: bool = False) -> None:
        self.column = column
        self.param = bindparam(name, type_=IntList())
        self.negate = negate


@compiles(_InList, "postgresql")
def _postgresql(element: _InList, compiler: Any, **kw: Any) -> str:
    column, param = compiler.process(element.column, **kw), compiler.process(element.param, **kw)
    return f"{column} <> ALL ({param})" if element.negate else f"{column} = ANY ({param})"


@compiles(_InList)
def _sqlite(element: _InList, compiler: Any, **kw: Any) -> str:
    column, param = compiler.process(element.column, **kw), compiler.process(element.param, **kw)
    return f"{column} {'NOT IN' if element.negate else 'IN'} (SELECT value FROM json_each({param}))"


def in_list(column: Any, name: str) -> ColumnElement[bool]:
    """``column`` is one of the integers bound as ``name`` (a list or tuple)."""
    return _InList(column, name)


def not_in_list(column: Any, name: str) -> ColumnElement[bool]:
    """``column`` is none of the integers bound as ``name`` (SQL's NOT IN: NULL is neither)."""
    return _InList(column, name, negate=True)
