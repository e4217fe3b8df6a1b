"""Plain data types produced by quote extraction (no spaCy objects leak out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from service.vocab import SpeakerKind

QuoteType = Literal["direct", "indirect", "mixed"]


@dataclass(frozen=True)
class TextSpan:
    """A character span [start, end) into the caller's text, with the text it covers."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Speaker:
    """Who a quote is attributed to, as resolved inside one article.

    ``name`` is the fullest name the article gives; ``mention`` the words that attribute this
    quote (may be a pronoun or a role noun); ``kind`` a person, an organisation, a description
    (an unnamed source: ``name`` is None and the mention holds its words) or unknown;
    ``aliases`` other names used for the same speaker in the article; ``roles`` titles the
    article gives them ("Defense Secretary").
    """

    name: str | None
    mention: TextSpan | None = None
    kind: SpeakerKind = SpeakerKind.UNKNOWN
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "mention": self.mention.to_dict() if self.mention else None,
            "kind": str(self.kind),
            "aliases": list(self.aliases),
            "roles": list(self.roles),
        }


@dataclass(frozen=True)
class Quote:
    """One quote: outer bounds, pieces, type, cue, speaker and channel (``via``)."""

    start: int
    end: int
    text: str
    type: QuoteType
    parts: tuple[TextSpan, ...] = field(default_factory=tuple)
    cue: TextSpan | None = None
    speaker: Speaker = field(default_factory=lambda: Speaker(None))
    via: TextSpan | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "parts": [{"start": p.start, "end": p.end} for p in self.parts]
            or [{"start": self.start, "end": self.end}],
            "type": self.type,
            "cue": self.cue.to_dict() if self.cue else None,
            "speaker": self.speaker.to_dict(),
            "via": self.via.to_dict() if self.via else None,
        }
