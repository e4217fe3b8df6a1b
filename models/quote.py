"""Quotes, their statement-sized units (``Occurrence``) and the statements units are grouped into.

A ``Quote`` is what extraction found in one article. It is split into units (typically a
sentence); each unit is an ``Occurrence``: the association object linking a piece of an article
to a ``Statement`` of its speaker, with the variant label and the word diff against the
statement's canonical wording. ``OccurrenceBand`` holds the MinHash LSH band keys of each unit so
that candidate statements are looked up with an indexed SQL query (any worker sees the same index).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    FetchedValue,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from models.base import Base, BigId, created_at, intpk
from service.vocab import SpeakerKind, values

if TYPE_CHECKING:
    from models.article import Article
    from models.speaker import Speaker

QUOTE_TYPES = ("direct", "indirect", "mixed")
SPEAKER_KINDS = values(SpeakerKind)
VARIANT_LABELS = ("canonical", "verbatim", "trimmed", "punctuation", "paraphrase")


class Quote(Base):
    """One quote in one article: offsets into ``Article.text``, type, cue, speaker mention."""

    __tablename__ = "quotes"
    __table_args__ = (
        UniqueConstraint("article_id", "start", "end"),
        CheckConstraint(f"type IN {QUOTE_TYPES!r}", name="type"),
        CheckConstraint(f"speaker_kind IN {SPEAKER_KINDS!r}", name="speaker_kind"),
    )

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(BigId, ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(10))
    parts: Mapped[list[Any] | None] = mapped_column(JSON)
    cue: Mapped[str | None] = mapped_column(String(200))
    cue_start: Mapped[int | None] = mapped_column(Integer)
    cue_end: Mapped[int | None] = mapped_column(Integer)
    mention: Mapped[str | None] = mapped_column(String(300))
    mention_start: Mapped[int | None] = mapped_column(Integer)
    mention_end: Mapped[int | None] = mapped_column(Integer)
    speaker_name: Mapped[str | None] = mapped_column(String(300))
    speaker_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("speakers.id"), index=True)
    # The speaker's kind, or "description" for an unnamed source kept on the quote (speaker_name
    # and mention hold its words) and "unknown" when no speaker was found.
    speaker_kind: Mapped[str | None] = mapped_column(String(20))
    # The article's publication date, kept by triggers (migration 0012): a search's date filter
    # is a condition on the quote's own row.
    published_at: Mapped[dt.date | None] = mapped_column(
        Date, index=True, server_default=FetchedValue(), server_onupdate=FetchedValue()
    )
    created_at: Mapped[created_at]

    article: Mapped[Article] = relationship(back_populates="quotes")
    speaker: Mapped[Speaker | None] = relationship(back_populates="quotes")
    occurrences: Mapped[list[Occurrence]] = relationship(
        back_populates="quote",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Occurrence.start",
    )

    def __repr__(self) -> str:
        return f"<Quote {self.id} {self.start}:{self.end} {self.type}>"


class Statement(Base):
    """What a speaker said, once: wording variants across and within articles point here."""

    __tablename__ = "statements"

    id: Mapped[intpk]
    speaker_id: Mapped[int] = mapped_column(BigId, ForeignKey("speakers.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    canonical_type: Mapped[str] = mapped_column(String(10), default="direct")
    first_seen: Mapped[dt.date | None] = mapped_column(Date)
    last_seen: Mapped[dt.date | None] = mapped_column(Date)
    occurrence_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[created_at]

    occurrences: WriteOnlyMapped[Occurrence] = relationship(back_populates="statement")

    def __repr__(self) -> str:
        return f"<Statement {self.id} speaker={self.speaker_id} {self.text[:40]!r}>"


class Occurrence(Base):
    """A statement-sized unit of a quote (offsets into the article) and its statement.

    ``label`` tells how the unit's wording relates to the statement's canonical wording
    (``canonical`` for the unit that gives it); ``diff`` is a word-level diff against it.
    Units of quotes without a resolved speaker have no statement.
    """

    __tablename__ = "occurrences"
    __table_args__ = (
        UniqueConstraint("quote_id", "start"),
        CheckConstraint(f"label IN {VARIANT_LABELS!r}", name="label"),
    )

    id: Mapped[intpk]
    quote_id: Mapped[int] = mapped_column(BigId, ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(BigId, ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    speaker_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("speakers.id"), index=True)
    statement_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("statements.id"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(10))
    label: Mapped[str | None] = mapped_column(String(12))
    similarity: Mapped[float | None] = mapped_column(Float)
    diff: Mapped[list[Any] | None] = mapped_column(JSON)
    # Sentence embedding of ``text`` (service.variants.embeddings: float32 bytes), set at ingest.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # Content stems of ``text`` (service.variants.similarity.pack_stems), set at ingest: verify
    # filters candidates by them without analysing each text.
    stems: Mapped[str | None] = mapped_column(Text, deferred=True)
    created_at: Mapped[created_at]

    quote: Mapped[Quote] = relationship(back_populates="occurrences")
    statement: Mapped[Statement | None] = relationship(back_populates="occurrences")


class OccurrenceBand(Base):
    """One MinHash LSH band key of a unit, indexed by (speaker, band) for grouping's candidate
    lookup and by band first for verify's look-up across speakers."""

    __tablename__ = "occurrence_bands"
    __table_args__ = (
        # Both end with the unit id, so that verify's candidate look-up reads the index alone.
        Index("ix_occurrence_bands_speaker_band", "speaker_id", "band", "occurrence_id"),
        Index("ix_occurrence_bands_band", "band", "speaker_id", "occurrence_id"),
    )

    occurrence_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("occurrences.id", ondelete="CASCADE"), primary_key=True
    )
    band_no: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    speaker_id: Mapped[int] = mapped_column(BigId, ForeignKey("speakers.id"))
    band: Mapped[int] = mapped_column(BigInteger)
