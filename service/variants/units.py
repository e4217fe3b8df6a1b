"""Splitting quotes into statement-sized units (typically a sentence), with article offsets."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Characters trimmed from the ends of a unit: spaces, quotation marks, dangling commas/colons.
_TRIM = " \t\r\n\"'“”‘’«»„‚,;:—–-"
# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before a space and
# an upper-case letter, digit or opening quote.
_SENT_END = re.compile(r"(?<=[.!?])[\"'”’»)\]]*\s+(?:(?:…|\.\.\.)\s*)?(?=[\"'“‘«(\[]?[A-Z0-9])")
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Sgt|Capt|Sen|Rep|Gov|St|Jr|Sr|No|Vol|vs|etc|Inc|Ltd|Co|Corp|Jan|Feb"
    r"|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z](?:\.[A-Z])*)\.$"
)
MIN_UNIT_CHARS = 3


@dataclass(frozen=True)
class Unit:
    """A statement-sized piece of a quote: [start, end) into the article text."""

    start: int
    end: int
    text: str


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence bounds inside ``text[start:end]`` (offsets into ``text``), abbreviations respected."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    cur = start
    for m in _SENT_END.finditer(text, start, end):
        head = text[cur : m.start()]
        if _ABBREV.search(head):
            continue
        out.append((cur, m.start()))
        cur = m.end()
    out.append((cur, end))
    return out


def split_units(article_text: str, start: int, end: int, parts: Iterable[tuple[int, int]] = ()) -> list[Unit]:
    """Units of the quote at ``article_text[start:end]``; ``parts`` are its pieces when it is
    discontinuous (the narration between them is no unit). A one-sentence quote is one unit."""
    pieces = sorted((max(s, start), min(e, end)) for s, e in parts if e > s) or [(start, end)]
    units: list[Unit] = []
    for ps, pe in pieces:
        for ss, se in split_sentences(article_text, ps, pe):
            us, ue = _trim(article_text, ss, se)
            # Keep the sentence's final punctuation inside the unit but not a closing quote mark.
            if ue - us >= MIN_UNIT_CHARS and any(ch.isalnum() for ch in article_text[us:ue]):
                units.append(Unit(us, ue, article_text[us:ue]))
    return units
