"""Canonical speakers (people and organisations), their aliases and their dated roles."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from models.base import Base, BigId, created_at, intpk
from service.vocab import SpeakerKind, values

if TYPE_CHECKING:
    from models.quote import Quote

SPEAKER_KINDS = values(SpeakerKind)
ALIAS_KINDS = ("name", "surname", "titled", "variant")


class Speaker(Base):
    """One person or organisation across all articles.

    ``key`` is the normalised canonical name (see ``service.registry.names``); it is unique so
    that two ingest processes creating the same speaker at once end with one row. It is NULL for
    a speaker known only by a short form (a surname, an acronym): such a speaker is never shared
    across articles without agreeing evidence (``service.registry.resolve``). Descriptions
    (kind ``description``) have no speaker row: they stay on their quotes.
    """

    __tablename__ = "speakers"
    __table_args__ = (CheckConstraint(f"kind IN {SPEAKER_KINDS!r}", name="kind"),)

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(300))
    key: Mapped[str | None] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="person")
    description: Mapped[str | None] = mapped_column(Text)
    wikidata_id: Mapped[str | None] = mapped_column(String(20), unique=True)
    # Units placed among this speaker's statements (the N of the term weights in ``SpeakerTerm``).
    unit_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Bumped by database triggers (migration 0005) whenever the speaker, one of its statements or
    # one of its statement units changes: a cheap validator of everything listed under the speaker.
    data_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[created_at]

    aliases: Mapped[list[SpeakerAlias]] = relationship(
        back_populates="speaker", cascade="all, delete-orphan", passive_deletes=True
    )
    roles: Mapped[list[SpeakerRole]] = relationship(
        back_populates="speaker", cascade="all, delete-orphan", passive_deletes=True
    )
    quotes: WriteOnlyMapped[Quote] = relationship(back_populates="speaker")

    def __repr__(self) -> str:
        return f"<Speaker {self.id} {self.name!r}>"


class SpeakerAlias(Base):
    """Another name of a speaker: full-name variants, surname, titled form.

    ``key`` is normalised. Full-name aliases (kind ``name``/``variant``) are unique across
    speakers via ``unique_key`` (NULL for surnames and titled forms, which different people share).
    """

    __tablename__ = "speaker_aliases"
    __table_args__ = (
        UniqueConstraint("speaker_id", "key"),
        CheckConstraint(f"kind IN {ALIAS_KINDS!r}", name="kind"),
    )

    id: Mapped[intpk]
    speaker_id: Mapped[int] = mapped_column(BigId, ForeignKey("speakers.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300), index=True)
    unique_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="name")
    created_at: Mapped[created_at]

    speaker: Mapped[Speaker] = relationship(back_populates="aliases")


class SpeakerRole(Base):
    """A title a speaker held, with dates where known ("Defense Secretary", 2021-01-22 to 2025-01-20)."""

    __tablename__ = "speaker_roles"
    __table_args__ = (UniqueConstraint("speaker_id", "key", "start_date"),)

    id: Mapped[intpk]
    speaker_id: Mapped[int] = mapped_column(BigId, ForeignKey("speakers.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300), index=True)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    # "registry" (dates as known) or "observed" (dates span the articles that gave the title).
    source: Mapped[str] = mapped_column(String(10), default="registry", server_default="registry")

    speaker: Mapped[Speaker] = relationship(back_populates="roles")


class SpeakerTerm(Base):
    """How many of a speaker's units contain a content stem (term weights for grouping)."""

    __tablename__ = "speaker_terms"

    speaker_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("speakers.id", ondelete="CASCADE"), primary_key=True
    )
    stem: Mapped[str] = mapped_column(String(100), primary_key=True)
    df: Mapped[int] = mapped_column(Integer, default=0)
