"""Outlets and articles."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from models.base import Base, BigId, created_at, intpk

AUTHOR_CHARS = 500

if TYPE_CHECKING:
    from models.quote import Quote


class Outlet(Base):
    """A publisher (newspaper, agency, site)."""

    __tablename__ = "outlets"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(300), unique=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[created_at]

    articles: WriteOnlyMapped[Article] = relationship(back_populates="outlet")

    def __repr__(self) -> str:
        return f"<Outlet {self.id} {self.name!r}>"


class Article(Base):
    """One ingested article; ``text`` is the exact text quote offsets point into.

    Identity: ``content_hash`` (sha256 of the text) and ``url`` are unique, so the same article
    ingested twice (or by two processes at once) is stored once.
    """

    __tablename__ = "articles"

    id: Mapped[intpk]
    external_id: Mapped[str] = mapped_column(String(500), index=True)
    url: Mapped[str | None] = mapped_column(String(2000), unique=True)
    headline: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(AUTHOR_CHARS))  # byline, as the page gives it
    outlet_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("outlets.id"), index=True)
    published_at: Mapped[dt.date | None] = mapped_column(Date, index=True)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]

    outlet: Mapped[Outlet | None] = relationship(back_populates="articles")
    quotes: WriteOnlyMapped[Quote] = relationship(back_populates="article", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Article {self.id} {self.external_id!r}>"
