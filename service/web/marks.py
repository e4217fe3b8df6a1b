"""What the web pages mark up, as plain data (no Flask, no database).

- `word_diff`: a wording against a reference wording, as segments of the wording's own text
  (unchanged, inserted) with the reference's missing words between them (deleted).
- `article_paragraphs`: an article's text cut into paragraphs of flat segments, each segment
  carrying the quote, cue and speaker-mention marks that cover it.
- `speaker_colours`: one palette slot per speaker, in order of first appearance.
- `verdict_text`: a fact-check verdict in plain words.
- `differences`: which numbers and negations of two wordings disagree.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from service.variants.similarity import features

# A word (numbers keep their separators: "3,000", "2.5") or one punctuation mark.
TOKEN = re.compile(r"\w+(?:[.,’'\-]\w+)*|[^\w\s]")
PALETTE_SIZE = 8

_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def _norm(token: str) -> str:
    folded = token.translate(_FOLD).casefold()
    return folded if folded.isascii() else unicodedata.normalize("NFKC", folded)


@dataclass(frozen=True)
class Segment:
    """A piece of text in a diff: ``op`` is ``=`` (same), ``+`` (only here) or ``-`` (only in the
    reference, shown struck through); ``punct`` when the piece is punctuation only."""

    op: str
    text: str
    punct: bool = False


def _tokens(text: str) -> list[re.Match[str]]:
    return list(TOKEN.finditer(text))


_ALNUM = re.compile(r"[^\W_]")


def _is_punct(text: str) -> bool:
    return not _ALNUM.search(text)


@functools.lru_cache(maxsize=8192)
def word_diff(reference: str, text: str) -> tuple[Segment, ...]:
    """``text`` against ``reference``, word by word (case and curly quotes aside).

    Concatenating the ``=`` and ``+`` segments gives ``text`` back exactly; the ``-`` segments are
    the reference's words that ``text`` lacks, placed where they would have been.
    """
    ref, own = _tokens(reference), _tokens(text)
    matcher = difflib.SequenceMatcher(
        a=[_norm(m.group()) for m in ref], b=[_norm(m.group()) for m in own], autojunk=False
    )
    out: list[Segment] = []
    pos = 0  # how much of ``text`` is emitted

    def emit(op: str, end: int) -> None:
        nonlocal pos
        if end > pos:
            piece = text[pos:end]
            out.append(Segment(op, piece, _is_punct(piece)))
            pos = end

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            emit("=", own[j1].start() if j1 < len(own) else len(text))
            gone = reference[ref[i1].start() : ref[i2 - 1].end()]
            out.append(Segment("-", gone, _is_punct(gone)))
        if tag == "equal":
            emit("=", own[j2 - 1].end())
        elif tag in ("replace", "insert"):
            emit("=", own[j1].start())
            emit("+", own[j2 - 1].end())
    emit("=", len(text))
    return tuple(_merge(out))


def _merge(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for s in segments:
        if out and out[-1].op == s.op:
            joined = out[-1].text + s.text
            out[-1] = Segment(s.op, joined, _is_punct(joined))
        else:
            out.append(s)
    return out


def elide_ends(segments: Sequence[Segment]) -> list[Segment]:
    """The diff of an excerpt: the reference's words before and after it are not differences, so
    leading and trailing ``-`` segments become ``…`` (op ``~``)."""
    out = list(segments)
    if out and out[0].op == "-":
        out[0] = Segment("~", "…", True)
    if len(out) > 1 and out[-1].op == "-":
        out[-1] = Segment("~", "…", True)
    return out


def changed_words(segments: Iterable[Segment]) -> int:
    """How many words (not punctuation) were inserted or deleted."""
    return sum(len(_tokens(s.text)) for s in segments if s.op != "=" and not s.punct)


@dataclass(frozen=True)
class Differences:
    """Where two wordings disagree on what agreement checks look at."""

    numbers_given: tuple[str, ...] = ()
    numbers_recorded: tuple[str, ...] = ()
    negation_given: bool = False
    negation_recorded: bool = False

    @property
    def numbers(self) -> bool:
        """Whether a number of one wording is missing from the other."""
        return bool(self.numbers_given or self.numbers_recorded)

    @property
    def negation(self) -> bool:
        """Whether one wording is negated and the other is not."""
        return self.negation_given != self.negation_recorded

    def __bool__(self) -> bool:
        return self.numbers or self.negation


def _fmt(value: str | float) -> str:
    """A quantity key as people write it: "30000" -> "30,000"; "2.5%" stays."""
    try:
        number = float(value)
    except ValueError:
        return str(value)
    return f"{number:,.0f}" if number == int(number) else f"{number:,}"


def differences(given: str, recorded: str) -> Differences:
    """Numbers present in only one of the wordings, and a flipped negation."""
    a, b = features(given), features(recorded)
    return Differences(
        numbers_given=tuple(_fmt(v) for v in sorted(a.numbers - b.numbers)),
        numbers_recorded=tuple(_fmt(v) for v in sorted(b.numbers - a.numbers)),
        negation_given=a.negated,
        negation_recorded=b.negated,
    )


# ---------------------------------------------------------------- article marks


@dataclass
class Piece:
    """A run of article text under one set of marks."""

    text: str
    quote: dict[str, Any] | None = None
    cue: dict[str, Any] | None = None
    mention: dict[str, Any] | None = None
    first: bool = False  # the first piece of its quote (anchor target)


@dataclass
class Paragraph:
    """One paragraph of an article: its pieces in order."""

    start: int
    pieces: list[Piece] = field(default_factory=list)


PARAGRAPH = re.compile(r"[^\n]+")


def article_paragraphs(text: str, quotes: Sequence[dict[str, Any]]) -> list[Paragraph]:
    """Paragraphs (non-empty lines) of ``text`` cut at every quote part, cue and mention boundary.

    ``quotes`` are dicts with ``parts`` [(start, end)], ``cue_span`` and ``mention_span`` (or None).
    Where marks overlap, the quote mark wins over nothing: a piece carries every mark covering it.
    Spans outside the text are ignored.
    """
    n = len(text)
    quote_at: list[dict[str, Any] | None] = [None] * n
    cue_at: list[dict[str, Any] | None] = [None] * n
    mention_at: list[dict[str, Any] | None] = [None] * n
    first_at: set[int] = set()
    for q in quotes:
        parts = [(max(0, s), min(n, e)) for s, e in q["parts"] if 0 <= s < e <= n]
        if parts:
            first_at.add(min(s for s, _ in parts))
        for s, e in parts:
            for i in range(s, e):
                quote_at[i] = quote_at[i] or q
        for key, table in (("cue_span", cue_at), ("mention_span", mention_at)):
            span = q.get(key)
            if span and 0 <= span[0] < span[1] <= n:
                for i in range(span[0], span[1]):
                    table[i] = table[i] or q
    out = []
    for m in PARAGRAPH.finditer(text):
        if not m.group().strip():
            continue
        para = Paragraph(m.start())
        run = m.start()
        for i in range(m.start() + 1, m.end() + 1):
            if (
                i == m.end()
                or quote_at[i] is not quote_at[i - 1]
                or cue_at[i] is not cue_at[i - 1]
                or mention_at[i] is not mention_at[i - 1]
                or i in first_at
            ):
                para.pieces.append(
                    Piece(text[run:i], quote_at[run], cue_at[run], mention_at[run], run in first_at)
                )
                run = i
        out.append(para)
    return out


def speaker_colours(quotes: Iterable[dict[str, Any]]) -> dict[int, int]:
    """Palette slot (0..PALETTE_SIZE-1) of each speaker id, by first appearance."""
    out: dict[int, int] = {}
    for q in quotes:
        sid = (q.get("speaker") or {}).get("id")
        if sid is not None and sid not in out:
            out[sid] = len(out) % PALETTE_SIZE
    return out


# ---------------------------------------------------------------- verdicts

VERDICTS: dict[str, tuple[str, str, str]] = {
    # verdict: (headline, explanation, tone)
    "verbatim": (
        "On record, word for word",
        "Every word of the quote appears in a recorded wording (case and punctuation aside).",
        "good",
    ),
    "excerpt": (
        "On record as an excerpt",
        "The quote is an exact, unbroken part of a longer recorded wording.",
        "good",
    ),
    "close": (
        "On record, with small wording differences",
        "The same statement; a few words differ, but numbers, negations and names all agree.",
        "good",
    ),
    "paraphrase": (
        "Same meaning, different words",
        "The speaker said something like this, but not in these words. Do not put it in quotation marks.",
        "warn",
    ),
    "contradicts": (
        "Contradicts the record",
        "A recorded statement says something different: a number, a negation or a name does not match.",
        "bad",
    ),
    "other_speaker": (
        "On record, but said by someone else",
        "These words are recorded under a different speaker.",
        "bad",
    ),
    "different": (
        "Not on record in these words",
        "The nearest recorded statements say something else.",
        "bad",
    ),
    "not_found": (
        "Not found on record",
        "No stored statement is near this quote.",
        "none",
    ),
}


def verdict_text(verdict: str | None) -> tuple[str, str, str]:
    """(headline, explanation, tone) of a verdict; tone is good / warn / bad / none."""
    return VERDICTS.get(verdict or "not_found", (str(verdict).replace("_", " ").capitalize(), "", "none"))
