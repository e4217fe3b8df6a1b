"""The project's one vocabulary: quote types, speaker kinds, variant labels and verify verdicts.

Shared by the models (CHECK constraints), the API schemas and the NLP and resolution code, so that
no module spells these values on its own. `StrEnum` members compare equal to their string values,
so rows, JSON and plain strings all work with them.
"""

from __future__ import annotations

from enum import StrEnum


class QuoteType(StrEnum):
    """How a quote is given: inside quotation marks, reported, or reported with a quoted fragment."""

    DIRECT = "direct"
    INDIRECT = "indirect"
    MIXED = "mixed"


class SpeakerKind(StrEnum):
    """Who speaks.

    ``person`` and ``organization`` are named and tracked across articles. ``description`` is an
    unnamed source ("officials", "a spokesperson for the agency"): it stays on its quote, inside its
    article, and is never merged with anything. ``unknown``: no speaker could be found.
    """

    PERSON = "person"
    ORGANIZATION = "organization"
    DESCRIPTION = "description"
    UNKNOWN = "unknown"


class VariantLabel(StrEnum):
    """How one reported wording relates to its statement's canonical wording."""

    VERBATIM = "verbatim"
    PUNCTUATION = "punctuation"
    TRIMMED = "trimmed"
    PARAPHRASE = "paraphrase"


class Verdict(StrEnum):
    """Fact-check verdict of a whole query against one stored statement (`POST /v1/verify`)."""

    VERBATIM = "verbatim"
    EXCERPT = "excerpt"
    CLOSE = "close"
    PARAPHRASE = "paraphrase"
    CONTRADICTS = "contradicts"
    OTHER_SPEAKER = "other_speaker"
    NOT_FOUND = "not_found"


class FoundIn(StrEnum):
    """Where a verify match found the claim's words: in a recorded quote, or only in an article's
    text (a passage the service has not attributed to anyone: a headline, a quote it missed)."""

    QUOTE = "quote"
    ARTICLE_TEXT = "article_text"


class SpeakerCheck(StrEnum):
    """For a claim that names a speaker and is found only in an article's text: what ties the
    passage to that speaker (`service.store.passages`)."""

    QUOTED = "quoted"
    NAMED_NEARBY = "named_nearby"
    QUOTED_OTHER = "quoted_other"
    NOT_NAMED = "not_named"


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    """The string values of ``enum``, in order (for CHECK constraints and schema validators)."""
    return tuple(member.value for member in enum)
