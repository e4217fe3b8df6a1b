"""ORM models (SQLAlchemy 2.0), no Flask: import them all from here."""

from models.article import Article, Outlet
from models.base import Base, utcnow
from models.quote import Occurrence, OccurrenceBand, Quote, Statement
from models.speaker import Speaker, SpeakerAlias, SpeakerRole, SpeakerTerm

__all__ = [
    "Article",
    "Base",
    "Occurrence",
    "OccurrenceBand",
    "Outlet",
    "Quote",
    "Speaker",
    "SpeakerAlias",
    "SpeakerRole",
    "SpeakerTerm",
    "Statement",
    "utcnow",
]
