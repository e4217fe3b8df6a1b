"""Letters pages: each letter's paragraphs and the signature line that names its writer.

A letters page ("Letters to the editor") prints several letters, each a few paragraphs of the
writer's own words followed by a signature line ("Derek Amos, Hollinfield"). The letter is its
writer's statement. Pure functions over the page text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

# "Derek Amos, Hollinfield", "Dr Helen Musgrave, Fordham", "Jane Smith": two to four capitalised
# name words, then a comma or the end of the line
_SIGNATURE = re.compile(
    r"(?:(?:Dr|Mr|Mrs|Ms|Prof|Rev|Cllr)\.? )?[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){1,3}(?=,|$)"
)
_SENTENCE_END = '.?!"”’)'
MAX_SIGNATURE_WORDS = 8
MAX_LETTER_PARAGRAPHS = 6
MIN_LETTERS = 2


class Letter(NamedTuple):
    paragraphs: list[tuple[int, int]]  # char ranges of the letter's paragraphs
    signature: tuple[int, int]  # char range of the writer's name in the signature line


def _lines(text: str) -> list[tuple[int, int]]:
    """Non-blank lines as (start, end) char ranges without surrounding spaces."""
    out = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + line.index(stripped[0])
            out.append((start, start + len(stripped)))
        pos += len(line) + 1
    return out


def _is_prose(line: str) -> bool:
    return len(line.split()) > MAX_SIGNATURE_WORDS and line[-1] in _SENTENCE_END


def _signature(line: str) -> re.Match[str] | None:
    """The name a signature line opens with: not a heading in capitals ("STEEL INDUSTRY."), not
    a pull quote's credit (the line ends with a quotation mark), and what follows the name is a
    place or an organisation ("Derek Amos, Hollinfield"), not a clause ("Unlike Trump, Clinton's
    supporting civil rights.")."""
    m = _SIGNATURE.match(line)
    if m is None or line[-1] in "\"”’'" or m.group().isupper():
        return None
    rest = line[m.end() :].strip(" ,.")
    if any(w[0].islower() and w not in _PLACE_CONNECTIVES for w in rest.split()):
        return None
    return m


_PLACE_CONNECTIVES = frozenset({"of", "and", "the", "for", "upon", "on", "de", "la", "le"})


def letters(text: str, is_name: Callable[[int, int], bool] = lambda s, e: True) -> list[Letter]:
    """The letters of a letters page: runs of prose paragraphs each closed by a signature line
    whose name ``is_name`` accepts (char range). An ordinary article (fewer than two signed
    letters) has none."""
    lines = _lines(text)
    found: list[Letter] = []
    for k, (s, e) in enumerate(lines):
        line = text[s:e]
        if len(line.split()) > MAX_SIGNATURE_WORDS or k == 0 or not _is_prose(text[slice(*lines[k - 1])]):
            continue
        m = _signature(line)
        if m is None or not is_name(s, s + m.end()):
            continue
        body: list[tuple[int, int]] = []
        j = k - 1
        while j >= 0 and len(body) < MAX_LETTER_PARAGRAPHS and _is_prose(text[slice(*lines[j])]):
            body.append(lines[j])
            j -= 1
        found.append(Letter(body[::-1], (s, s + m.end())))
    return found if len(found) >= MIN_LETTERS else []
