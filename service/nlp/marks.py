"""Quotation-mark pairing on plain strings.

Finds the spans enclosed by quotation marks, paragraph by paragraph: straight and curly double
quotes, guillemets, and single quotes used as quotation marks (never the apostrophe of they’re or
Korea’s). A paragraph that ends inside an open quote continues into the next paragraph when that
paragraph opens with a quotation mark (the newspaper convention for multi-paragraph quotes, in
double marks or, in British papers, single ones); if it does not, a double quote ends with its
paragraph and a single one is dropped (its mark may be an apostrophe).

Pure functions over ``str``: no spaCy, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DOUBLE_OPEN = "“„«‟"
DOUBLE_CLOSE = "”»"
SINGLE_OPEN = "‘‚‹‛"
SINGLE_CLOSE = "’›"
STRAIGHT_DOUBLE = '"'
STRAIGHT_SINGLE = "'"
ALL_MARKS = DOUBLE_OPEN + DOUBLE_CLOSE + SINGLE_OPEN + SINGLE_CLOSE + STRAIGHT_DOUBLE + STRAIGHT_SINGLE + "`"

_PARA_RE = re.compile(r"[^\n]+")
_PAD = "\x01"
# What may stand right before an opening mark / right after a closing one.
_BEFORE_OPEN = set(" \t\u00a0([{—–-/:;,\n\x01") | set(DOUBLE_OPEN) | set(STRAIGHT_DOUBLE)
_AFTER_CLOSE = set(" \t\u00a0)]}—–-/:;,.!?…\n\x01") | set(DOUBLE_CLOSE) | set(STRAIGHT_DOUBLE)


@dataclass
class QuotedSpan:
    """Text enclosed in quotation marks.

    ``start``/``end`` bound the content (inside the marks); ``open``/``close`` are the indexes of
    the marks (``close`` is None when the quote ran to the end of its paragraph unclosed).
    ``pieces`` are the content ranges per paragraph (one for a one-paragraph quote).
    ``single`` tells single quotation marks; ``nested`` quotes inside another quote are kept
    too, with ``depth`` 1.
    """

    start: int
    end: int
    open: int
    close: int | None
    single: bool = False
    depth: int = 0
    pieces: list[tuple[int, int]] = field(default_factory=list)


def _is_letter(ch: str) -> bool:
    return ch.isalnum()


def _opens(text: str, i: int) -> bool:
    """Whether the mark at ``i`` can open a quote (context before it, content after it)."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before in _BEFORE_OPEN or before.isspace()) and not after.isspace() and after != "\n"


def _closes(text: str, i: int) -> bool:
    """Whether the mark at ``i`` can close a quote."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and (after in _AFTER_CLOSE or after.isspace() or after in ALL_MARKS)


def _pair_paragraph(text: str, start: int, end: int) -> tuple[list[QuotedSpan], int | None, int | None]:
    """Pair marks in text[start:end]. Returns closed spans and the open index of an unclosed
    top-level double quote, or else of an unclosed top-level single one (if the paragraph ends
    inside one)."""
    spans: list[QuotedSpan] = []
    top: int | None = None  # index of the open top-level double mark
    top_single = False
    inner: int | None = None  # open single mark (nested, or top-level single)
    for i in range(start, end):
        ch = text[i]
        if ch not in ALL_MARKS:
            continue
        if ch in DOUBLE_OPEN:
            if top is None:
                top, top_single = i, False
            elif not top_single:
                # “ while a “ is open: a new quote starts (the previous one was never closed)
                top = i
            continue
        if ch in DOUBLE_CLOSE:
            if top is not None and not top_single:
                spans.append(QuotedSpan(top + 1, i, top, i))
                top, inner = None, None
            elif top is None and _opens(text, i) and _is_letter(text[i + 1] if i + 1 < end else " "):
                top, top_single = i, False  # ” used as an opening mark
            continue
        if ch == STRAIGHT_DOUBLE:
            if top is not None and not top_single and _closes(text, i):
                spans.append(QuotedSpan(top + 1, i, top, i))
                top, inner = None, None
            elif top is None and _opens(text, i):
                top, top_single = i, False
            elif top is not None and top_single and _opens(text, i):
                inner = None
                top, top_single = i, False
            continue
        # single marks
        before = text[i - 1] if i > start else " "
        after = text[i + 1] if i + 1 < end else " "
        if ch in SINGLE_OPEN or (ch in (STRAIGHT_SINGLE, "`") and _opens(text, i) and _is_letter(after)):
            if _opens(text, i):
                if top is None:
                    top, top_single = i, True
                else:
                    inner = i
            continue
        if ch in SINGLE_CLOSE or ch == STRAIGHT_SINGLE:
            if _is_letter(before) and _is_letter(after):
                continue  # apostrophe inside a word: they’re, Korea’s
            if not _closes(text, i):
                continue
            if inner is not None:
                spans.append(QuotedSpan(inner + 1, i, inner, i, single=True, depth=1))
                inner = None
            elif top is not None and top_single:
                spans.append(QuotedSpan(top + 1, i, top, i, single=True))
                top = None
    unclosed = top if top is not None and not top_single else None
    unclosed_single = top if top is not None and top_single else None
    return spans, unclosed, unclosed_single


def find_quoted_spans(text: str) -> list[QuotedSpan]:
    """All quoted spans of ``text`` in order of their opening mark.

    Content offsets exclude the marks. Unclosed quotes continue into a following paragraph that
    opens with a quotation mark, else end at their paragraph's end (trailing spaces excluded).
    """
    if "''" in text or "``" in text:
        # typewriter double quotes (``...'' or ''...''): read each pair as one double mark whose
        # second character is padding; content offsets skip it
        text = text.replace("''", '"' + _PAD).replace("``", '"' + _PAD)
        spans = _find(text)
        for sp in spans:
            if sp.start < len(text) and text[sp.start] == _PAD:
                sp.start += 1
                sp.pieces = [(a + 1 if text[a] == _PAD else a, b) for a, b in sp.pieces]
        return [sp for sp in spans if sp.end > sp.start]
    return _find(text)


def _opens_single(text: str, i: int) -> bool:
    """Whether a paragraph's first character is a single mark opening a quotation."""
    after = text[i + 1] if i + 1 < len(text) else " "
    return text[i] in SINGLE_OPEN or (text[i] in (STRAIGHT_SINGLE, "`") and _is_letter(after))


def _find(text: str) -> list[QuotedSpan]:
    out: list[QuotedSpan] = []
    # A multi-paragraph quote still open. One in single marks counts only when the next paragraph
    # reopens it with a single mark (the British convention); alone, an unclosed single mark may be
    # an apostrophe ('90s, 'em), so it is dropped.
    pending: QuotedSpan | None = None
    for m in _PARA_RE.finditer(text):
        p_start, p_end = m.start(), m.end()
        stripped = text[p_start:p_end].strip()
        if not stripped:
            continue
        lead = p_start + (len(text[p_start:p_end]) - len(text[p_start:p_end].lstrip()))
        if pending is not None:
            reopens = (
                _opens_single(text, lead)
                if pending.single
                else text[lead] in DOUBLE_OPEN + STRAIGHT_DOUBLE + DOUBLE_CLOSE
            )
            if reopens:
                # continuation paragraph: pair the rest treating its opening mark as re-opening
                spans, unclosed, unclosed_single = _pair_paragraph(text, lead, p_end)
                still_open = unclosed_single if pending.single else unclosed
                first = spans[0] if spans and spans[0].open == lead and spans[0].depth == 0 else None
                if first is not None:
                    pending.pieces.append((first.start, first.end))
                    pending.end, pending.close = first.end, first.close
                    out.append(pending)
                    out.extend(spans[1:])
                    pending = _pending(text, unclosed, unclosed_single, p_end)
                    continue
                if still_open == lead:
                    # the whole paragraph is still inside the quote
                    piece_end = _rstrip(text, lead + 1, p_end)
                    pending.pieces.append((lead + 1, piece_end))
                    pending.end = piece_end
                    out.extend(spans)
                    continue
            if not pending.single:
                out.append(pending)
            pending = None
        spans, unclosed, unclosed_single = _pair_paragraph(text, p_start, p_end)
        out.extend(spans)
        pending = _pending(text, unclosed, unclosed_single, p_end)
    if pending is not None and not pending.single:
        out.append(pending)
    out = [s for s in out if s.end > s.start]
    out.sort(key=lambda s: (s.open, -s.end))
    return out


def _pending(text: str, unclosed: int | None, unclosed_single: int | None, p_end: int) -> QuotedSpan | None:
    if unclosed is not None:
        return _unclosed(text, unclosed, p_end)
    if unclosed_single is not None:
        return _unclosed(text, unclosed_single, p_end, single=True)
    return None


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _unclosed(text: str, open_idx: int, p_end: int, single: bool = False) -> QuotedSpan:
    end = _rstrip(text, open_idx + 1, p_end)
    return QuotedSpan(open_idx + 1, end, open_idx, None, single=single, pieces=[(open_idx + 1, end)])
