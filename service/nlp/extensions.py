"""The `Span` extensions our components write on the spans of ``doc.spans["quotes"]``.

A quote is a span of the ``quotes`` group labelled ``DIRECT``, ``INDIRECT`` or ``MIXED``. The
span covers the tokens of the content; its exact character bounds and pieces are extensions,
because content bounds may fall inside a token. Every value is plain data (ints, strings,
tuples, dicts), so a Doc keeps them through ``Doc.to_bytes()``, ``DocBin(store_user_data=True)``
and ``nlp.pipe(n_process=N)``. After msgpack, tuples come back as lists: read with the helpers.

Written by ``quote_detector`` (detection) and completed by ``speaker_attribution``:

- ``quote_bounds``: (start, end) character bounds of the content (outer bounds when in parts);
- ``quote_parts``: ((start, end), ...) the content's pieces (“A,” he said, “B.”);
- ``quote_para``: index of the paragraph the quote starts in;
- ``cue``: (start, end) of the cue words ("said", "pointed out"), or None;
- ``cue_i``: the cue's head token index, or None;
- ``speaker_i``: the token heading the speaker mention found by detection, or None;
- ``via``: (start, end) of the channel credited ("told CNN"), or None;
- ``follow_on``: a quote paragraph that continues the previous speaker's quote;
- ``speaker_mention``: (start, end) of the words that attribute the quote (after resolution);
- ``speaker``: the resolution, ``{"name", "kind", "aliases", "roles"}`` (after resolution).

Span ``._`` values are stored in ``doc.user_data`` keyed by the span's character bounds, so two
spans over the same tokens share them: the components keep the quotes of a Doc on distinct
token ranges (see `span_for`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from spacy.tokens import Doc, Span

QUOTES_KEY = "quotes"
LABELS = ("DIRECT", "INDIRECT", "MIXED")

SPAN_EXTENSIONS = (
    "quote_bounds",
    "quote_parts",
    "quote_para",
    "cue",
    "cue_i",
    "speaker_i",
    "via",
    "follow_on",
    "speaker_mention",
    "speaker",
)


def register() -> None:
    """Register the Span extensions (once; safe to call again)."""
    for name in SPAN_EXTENSIONS:
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


register()


def char_pair(value: Sequence[int] | None) -> tuple[int, int] | None:
    """A stored (start, end) pair as a tuple (msgpack turns tuples into lists), or None."""
    if value is None:
        return None
    return int(value[0]), int(value[1])


def char_pairs(value: Iterable[Sequence[int]] | None) -> list[tuple[int, int]]:
    """Stored (start, end) pairs as tuples."""
    return [(int(s), int(e)) for s, e in value or ()]


def span_for(doc: Doc, start: int, end: int, label: str, taken: set[tuple[int, int]]) -> Span:
    """A span over the tokens of characters [start, end) that no other quote of ``taken`` uses
    (Span extension values are keyed by the span's character bounds). The rare second quote over
    the same tokens gets the span widened by a token to the right (else the left); its exact
    bounds live in ``quote_bounds`` anyway."""
    n = len(doc)
    span = doc.char_span(start, end, label=label, alignment_mode="expand")
    if span is None:  # offsets between tokens (whitespace only): the nearest token
        i = _token_at(doc, start)
        span = Span(doc, i, min(n, i + 1) if n else 0, label=label)
    first, last = span.start, span.end
    while (span.start_char, span.end_char) in taken and (first > 0 or last < n):
        if last < n:
            last += 1
        else:
            first -= 1
        span = Span(doc, first, last, label=label)
    taken.add((span.start_char, span.end_char))
    return span


def clear_extensions(doc: Doc, spans: Iterable[Span]) -> None:
    """Drop the extension values of ``spans`` (quotes replaced by others) from the Doc."""
    data: dict[Any, Any] = doc.user_data  # keys are ("._.", name, start_char, end_char)
    for span in spans:
        for name in SPAN_EXTENSIONS:
            data.pop(("._.", name, span.start_char, span.end_char), None)


def _token_at(doc: Doc, char: int) -> int:
    """Index of the last token starting at or before ``char`` (0 for an empty prefix)."""
    lo, hi = 0, len(doc) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if doc[mid].idx <= char:
            lo = mid
        else:
            hi = mid - 1
    return max(lo, 0)
