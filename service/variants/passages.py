"""A claim found word for word in an article's text (pure): the fact-check look-up's fallback when
the claim is not among the recorded quotes (a headline, a quote the extractor missed, a quote split
into sentences differently from the claim).

Words are compared as written, case and punctuation aside (curly and straight apostrophes alike);
numbers keep their decimal and thousands separators ("1.5" is not "15") and currency and percent
signs count as words, so "$5" is not "€5". The claim must occur as one contiguous run of the
article's words: nothing may be left out, added or changed, so a changed number or a negation put in
or taken out never matches. There is no "close" here: small wording differences are what the
recorded quotes are for.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.registry.names import name_key

MIN_PASSAGE_WORDS = 4  # a shorter claim found in some article's text is no evidence of a quotation
NAMED_NEAR_CHARS = 600  # how far before (or after) a passage its speaker's name is looked for

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*\w*|\w+(?:'\w+)*|[%$€£¥]")


@dataclass(frozen=True)
class Passage:
    """Where a claim is in an article's text: [start, end) from its first word to its last."""

    start: int
    end: int


def words(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text`` as compared (casefolded, apostrophes straightened), with their offsets
    into ``text``."""
    flat = text.replace("’", "'").replace("‘", "'")  # same length: offsets stay valid
    return [(m.group().casefold(), m.start(), m.end()) for m in _TOKEN.finditer(flat)]


def find_passages(claim: str, text: str, limit: int = 3) -> list[Passage]:
    """The places (at most ``limit``) where the claim's words occur in ``text`` as one contiguous
    run (module docstring); none when the claim has fewer than ``MIN_PASSAGE_WORDS`` words. Only the
    stretches around the claim's longest word are read (`_stretches`)."""
    needle = [w for w, _, _ in words(claim)]
    if len(needle) < MIN_PASSAGE_WORDS:
        return []
    target = " " + " ".join(needle) + " "
    out: list[Passage] = []
    for lo, hi in _stretches(text, max(needle, key=len), len(claim)):
        hay = words(text[lo:hi])
        joined = " " + " ".join(w for w, _, _ in hay) + " "
        starts = list(itertools.accumulate((len(w) + 1 for w, _, _ in hay), initial=1))
        at = joined.find(target)
        while at >= 0 and len(out) < limit:
            first = bisect.bisect_left(starts, at + 1)
            last = first + len(needle) - 1
            out.append(Passage(lo + hay[first][1], lo + hay[last][2]))
            at = joined.find(target, at + 1)
    return out


def _stretches(text: str, anchor: str, claim_chars: int) -> list[tuple[int, int]]:
    """Stretches of ``text`` (whole words: from and to a space) that may hold the claim: around
    each place where its ``anchor`` word is written, wide enough for the claim with more spacing and
    punctuation than it has. The whole text when case folding changes its length."""
    flat = text.replace("’", "'").replace("‘", "'").casefold()
    if len(flat) != len(text):
        return [(0, len(text))]
    reach = 2 * claim_chars + 100
    out: list[tuple[int, int]] = []
    at = flat.find(anchor)
    while at >= 0:
        lo, hi = max(0, at - reach), min(len(text), at + len(anchor) + reach)
        while lo > 0 and not text[lo - 1].isspace():
            lo -= 1
        while hi < len(text) and not text[hi].isspace():
            hi += 1
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
        at = flat.find(anchor, at + 1)
    return out


def named_near(text: str, passage: Passage, names: Sequence[str], reach: int = NAMED_NEAR_CHARS) -> bool:
    """Whether one of ``names`` (a speaker's name or alias) is named in ``text`` within ``reach``
    characters before the passage or after it: by its full name or by its surname (the last word
    of its name key), as an article names a speaker again."""
    lo = max(0, passage.start - reach)
    hi = min(len(text), passage.end + reach)
    around = set(name_key(text[lo : passage.start]).split()) | set(name_key(text[passage.end : hi]).split())
    for name in names:
        key = name_key(name).split()
        if key and key[-1] in around:
            return True
    return False
