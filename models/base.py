"""Declarative base, naming convention and shared column types for the ORM models.

Models live here without any Flask import; the API binds the same ``Base.metadata``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from sqlalchemy import BigInteger, DateTime, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Timezone-aware now in UTC (used as a callable column default)."""
    return dt.datetime.now(dt.UTC)


# BigInteger on PostgreSQL, INTEGER on SQLite (so that SQLite keeps its rowid autoincrement).
BigId = BigInteger().with_variant(Integer(), "sqlite")

intpk = Annotated[int, mapped_column(BigId, primary_key=True)]
created_at = Annotated[dt.datetime, mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)]


class Base(DeclarativeBase):
    """Base class of all models; constraint names follow ``NAMING_CONVENTION``."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
