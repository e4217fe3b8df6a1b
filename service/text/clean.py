"""Blank out page furniture in article text without moving any offset.

`clean_text(text)` returns a string of exactly ``len(text)`` characters in which every character
of a dropped region is replaced by a space (newlines and carriage returns stay where they are),
so offsets computed on the cleaned text index the caller's original text unchanged. Kept
characters, curly quotes included, are never altered: open/close marks are signal for the
quote detector.

Furniture is recognised line by line with general rules:

* header lines at the top: weather ("71.8 F"), standalone dates/timestamps and a short place
  name next to them ("Los Angeles");
* whole-line furniture anywhere: "- Advertisement -", navigation ("Go to contents"), language
  switches ("한국어"), standalone timestamps and counters ("Oct 23, 2024 - 16:28", " 0  0"),
  "Posted/Updated <date>", copyright lines, bylines ("BY NAME [mail]", "Name mail@x · ..."),
  ALL-CAPS promo lines, "READ MORE: ..." / "WATCH: ..." link lines, picture captions introduced
  as such ("Header Image: ...", "Photo: ...");
* photo captions: a line ending with a bracketed credit ("... in 2024. [YONHAP]"); the whole
  line when it is one short sentence without quotation marks or speech verbs ("said", "told"),
  otherwise (a paragraph ending with a credit) only the credit;
* a "What's Your Reaction?" widget and everything after it (reaction words, author bio);
* repeated paragraphs: a paragraph among the first three lines that is repeated later (a teaser)
  and a truncated teaser ending in "..." whose beginning starts a later paragraph are dropped,
  the later full paragraph kept; a repeated headline-like line keeps its first occurrence.
  Repeats further down (live blogs repeat whole entries) are article text and stay.

The rules run to a fixed point, so ``clean_text(clean_text(x)) == clean_text(x)``. Everything is
linear in the text length and never raises on any ``str``.
"""

from __future__ import annotations

import functools
import re

__all__ = ["clean_text", "furniture_spans"]

# Lines longer than this are never whole-line furniture (and skip the regexes).
_MAX_FURNITURE_LINE = 300
_NOT_NEWLINE = re.compile(r"[^\n\r]")
_MAX_PASSES = 6

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\.?"
_TIME = r"\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?\s?m\.?)?(?:\s*[A-Z]{2,4})?"
_DATE = (
    rf"(?:{_MONTH}\s*\d{{1,2}}(?:st|nd|rd|th)?,?\s*\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s*\d{{4}}"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4})"
)
_SEP = r"\s*[-–—,|·@/]?\s*(?:at\s+)?"
# "Thursday, October 24, 2024", "Oct 23, 2024 - 16:28", "16:28", "2024-10-23 08:24 KST"
_DATE_LINE = re.compile(
    rf"(?:{_WEEKDAY},?\s*)?(?:{_DATE}(?:{_SEP}{_TIME})?|{_TIME}(?:{_SEP}{_DATE})?)[\s,]*",
    re.IGNORECASE,
)
_WEATHER_LINE = re.compile(r"-?\d{1,3}(?:[.,]\d{1,2})?\s*°?\s*[FC]°?", re.IGNORECASE)
_COUNTER_LINE = re.compile(r"[\d\s]*\d[\d\s]*")
_PLACE_LINE = re.compile(r"[A-Z][\w'’.-]*(?:[ \t\xa0]+(?:[A-Z][\w'’.-]*|of|de|upon|on|la|el)){0,3}")
_ADVERT_LINE = re.compile(
    r"[-–—=*•·|\s]*(?:advertisements?|advertising|sponsored(?: content)?|ad|promoted(?: content)?"
    r"|(?:story|article) continue[sd] below(?: (?:this )?advertisement)?)"
    r"[-–—=*•·|\s]*",
    re.IGNORECASE,
)
_NAV_LINE = re.compile(
    r"(?:go to (?:contents?|top)|skip to (?:main )?(?:content|navigation)|back to top"
    r"|share this (?:article|story)|scroll to continue with content|print this (?:article|page)"
    r"|return to top|jump to (?:main )?content)[\s.!>»›]*"
    # credit lines: "With files from The Associated Press", "(Reporting by X; Editing by Y)"
    r"|\(?(?:with files from|(?:additional )?reporting by|editing by|edited by|writing by)"
    r"\s+[A-Z][^\n\"“”]{0,150}(?<![.!?])",
    re.IGNORECASE,
)
_LANGUAGES = (
    "한국어|日本語|中文|简体中文|繁體中文|简体|繁體|English|Español|Français|Deutsch|Русский"
    "|Português|Italiano|Tiếng Việt|ภาษาไทย|Bahasa Indonesia|العربية|עברית|Türkçe|Polski"
    "|Українська|हिन्दी"
)
_LANGUAGE_LINE = re.compile(rf"(?:{_LANGUAGES})(?:\s*[|/·•,]?\s*(?:{_LANGUAGES})){{0,8}}")
_POSTED_LINE = re.compile(
    r"(?:posted|updated|published|last updated|first published|last modified)\b\s*(?:on|at)?\s*:?"
    r"(?=.{0,40}\d)[^\n]{0,100}",
    re.IGNORECASE,
)
_COPYRIGHT_LINE = re.compile(r"(?:©|\(c\)\s|copyright\b).*|.*\ball rights reserved\b.*", re.IGNORECASE)
# sign-up boxes' legal small print: "By signing up, you agree to our Terms of Service and Privacy
# Policy.", "This site is protected by reCAPTCHA and the Google Privacy Policy ... apply."
_LEGAL_LINE = re.compile(
    r"by (?:signing up|subscribing|registering|clicking|continuing|submitting)\b[^\n]{0,200}"
    r"|[^\n]{0,120}\byou (?:agree|consent) to (?:our|the)\b[^\n]{0,120}\b(?:terms|privacy)\b[^\n]{0,120}"
    r"|[^\n]{0,80}\bprotected by recaptcha\b[^\n]{0,160}",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# "BY YOUNGNAM KIM [kim.youngnam@koreadaily.com]", "By Jane Doe and John Roe, Reuters"
_BYLINE = re.compile(
    r"by[ \t\xa0]+(?-i:[A-Z])[\w'’.-]*(?:[ \t\xa0,]+(?:(?-i:[A-Z])[\w'’.-]*|and|&|of|the|de|van|von))"
    r"{0,8}\s*(?:[\[(][^\]\n)]*@[^\]\n)]*[\])])?\s*",
    re.IGNORECASE,
)
_LINK_LINE = re.compile(
    r"(?:read more|read also|also read|more|related|related stories|related articles|watch"
    r"|watch video|watch live|listen|see also|recommended|must read|don[’']t miss|trending"
    r"|sign up|subscribe|click here"
    # picture captions: "Header Image: People have lived ...", "Photo credit: ..."
    r"|(?:header |top |featured |main |lead |cover )?(?:image|photo|picture|photograph|caption"
    r"|illustration)s?(?: credits?)?)\s*[:|›»>]",
    re.IGNORECASE,
)
# All whole-line patterns in one alternation (one C-level scan per line instead of nine).
_WHOLE_LINE = re.compile(
    "|".join(
        f"(?:{p.pattern})"
        for p in (
            _ADVERT_LINE,
            _NAV_LINE,
            _LANGUAGE_LINE,
            _COUNTER_LINE,
            _DATE_LINE,
            _WEATHER_LINE,
            _POSTED_LINE,
            _COPYRIGHT_LINE,
            _LEGAL_LINE,
            _BYLINE,
        )
    ),
    re.IGNORECASE,
)
_REACTION_HEAD = re.compile(r"what[’']?s your reaction\s*\??", re.IGNORECASE)
# A bracketed credit at the end of a line: "[YONHAP]", "[Ukrainian Center for ...]".
_CREDIT = re.compile(r"\[([A-Z][^\[\]\"“”\n]{1,100})\]\s*$")
_MAX_CAPTION_WORDS = 40
_SENTENCE_BREAK = re.compile(r"[a-z0-9)][.!?]\s+[A-Z]")
_SPEECH_WORD = re.compile(
    r"\b(?:said|says|say|told|tells|stated|states|added|adds|warned|warns|according to|asked)\b",
    re.IGNORECASE,
)
_DOUBLE_QUOTES = frozenset('"“”„‟«»〝〞＂')
_OPENING_MARKS = frozenset("\"“”„‟«»‘’'")
_SENTENCE_END = frozenset(".!?:;,")
_ELLIPSES = ("...", "…")
# "8. WHERE OBAMA PLANS ...", "- One poll shows ... [IPFW]": list items, not promos or captions.
_LIST_ITEM = re.compile(r"(?:\d{1,3}[.)]|[-–—•*·])")
# Exact repeats of a paragraph in the first lines are teasers (the later copy is kept); elsewhere
# (live blogs repeat whole entries) both copies are article text.
_LEAD_LINES = 3
_MIN_REPEAT_WORDS = 5
_TEASER_KEY = 50


def clean_text(text: str) -> str:
    """``text`` with page furniture blanked out; same length, same newlines, kept chars unchanged."""
    spans = furniture_spans(text)
    if not spans:
        return text
    return _blank(text, spans)


def furniture_spans(text: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping ``(start, end)`` regions of ``text`` that `clean_text` blanks."""
    if not isinstance(text, str) or not text:
        return []
    dropped: list[tuple[int, int]] = []
    current = text
    for _ in range(_MAX_PASSES):
        new = _one_pass(current)
        if not new:
            break
        dropped = _merge(dropped + new)
        current = _blank(text, dropped)
    return dropped


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    out: list[str] = []
    pos = 0
    for start, end in _join_over_newlines(text, spans):
        out.append(text[pos:start])
        out.append(_NOT_NEWLINE.sub(" ", text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _join_over_newlines(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with those separated only by line breaks joined (blanking keeps those)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and not text[out[-1][1] : start].strip("\n\r"):
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each line's content, without its newline."""
    out = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        out.append((pos, end))
        pos = end + 1
    return out


def _norm(s: str) -> str:
    return " ".join(s.split())


@functools.lru_cache(maxsize=1024)
def _is_dateline(s: str) -> bool:
    return bool(_DATE_LINE.fullmatch(s) or _WEATHER_LINE.fullmatch(s))


@functools.lru_cache(maxsize=4096)
def _line_rule(s: str) -> bool:
    """Whole-line furniture anywhere in the article (``s`` stripped, non-empty)."""
    if len(s) > _MAX_FURNITURE_LINE:
        return False
    if _WHOLE_LINE.fullmatch(s) or _LINK_LINE.match(s):
        return True
    if "@" in s and _EMAIL.search(s) and not (_DOUBLE_QUOTES & set(s)) and s[-1] not in ".!?":
        return True  # "Eun-A Cho achim@donga.com · Ji-Sun Choi aurinko@donga.com"
    return _is_caps_promo(s)


def _is_caps_promo(s: str) -> bool:
    """An ALL-CAPS line of several words that is not itself a quotation."""
    if s[0] in _OPENING_MARKS or (_DOUBLE_QUOTES & set(s)) or _LIST_ITEM.match(s):
        return False
    upper = 0
    for c in s:
        if c.islower():
            return False
        if c.isupper():
            upper += 1
    return upper >= 8 and len(s.split()) >= 3


def _is_caption(body: str) -> bool:
    """A photo caption: one short descriptive sentence, not reported speech."""
    return (
        len(body.split()) <= _MAX_CAPTION_WORDS
        and not (_DOUBLE_QUOTES & set(body))
        and not _SENTENCE_BREAK.search(body)
        and not _SPEECH_WORD.search(body)
    )


def _is_headline_like(s: str) -> bool:
    return len(s.split()) <= 20 and s[-1] not in _SENTENCE_END and s[-1] not in _DOUBLE_QUOTES


def _one_pass(text: str) -> list[tuple[int, int]]:
    """Furniture found in one scan of ``text`` (blanks of earlier passes count as blank lines)."""
    lines = _lines(text)
    spans: list[tuple[int, int]] = []
    kept: list[int] = []  # indexes of non-blank lines that no line rule dropped
    header = True
    header_lines: list[int] = []
    header_dated = False
    stripped: list[str] = []
    for i, (start, end) in enumerate(lines):
        s = text[start:end].strip()
        stripped.append(s)
        if not s:
            continue
        if _REACTION_HEAD.fullmatch(s):
            # Widget and everything after it (reaction words, author bio, comments).
            first = start + (len(text[start:end]) - len(text[start:end].lstrip()))
            spans.append((first, len(text)))
            break
        if _line_rule(s):
            spans.append((start, end))
            if header and not header_dated and _is_dateline(s):
                header_dated = True
            continue
        if header and len(s) <= 40 and _PLACE_LINE.fullmatch(s):
            header_lines.append(i)
        else:
            header = False
        credit = _CREDIT.search(s) if len(s) <= 2000 and not _LIST_ITEM.match(s) else None
        if credit:
            body = s[: credit.start()].rstrip()
            if len(credit.group(1).split()) <= 12 and (not body or body[-1] in ".!?" or " " in body):
                if body and _is_caption(body):
                    spans.append((start, end))  # a standalone caption line
                    continue
                off = text.rfind("[", start, end)
                spans.append((off, end))
                if not body:
                    continue
                kept.append(i)
                stripped[i] = body
                continue
        kept.append(i)
    if header_dated:
        # Place name among the weather/date lines at the top ("Los Angeles").
        for i in header_lines:
            spans.append(lines[i])
        dropped_header = set(header_lines)
        kept = [i for i in kept if i not in dropped_header]
    spans.extend(_repeats(lines, stripped, kept))
    return _merge(spans)


def _repeats(lines: list[tuple[int, int]], stripped: list[str], kept: list[int]) -> list[tuple[int, int]]:
    """Repeated headlines (keep first), repeated paragraphs and truncated teasers (keep last)."""
    norms = {i: _norm(stripped[i]) for i in kept}
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    prefix_last: dict[str, int] = {}
    for i in kept:
        n = norms[i]
        first.setdefault(n, i)
        last[n] = i
        if len(n) >= _TEASER_KEY:
            prefix_last[n[:_TEASER_KEY]] = i
    lead = set(kept[:_LEAD_LINES])
    out: list[tuple[int, int]] = []
    for i in kept:
        n = norms[i]
        if len(n.split()) < _MIN_REPEAT_WORDS:
            continue
        if first[n] != last[n]:
            if _is_headline_like(n):
                if first[n] != i:
                    out.append(lines[i])
            elif last[n] != i and i in lead:
                out.append(lines[i])
            continue
        if n.endswith(_ELLIPSES):
            body = n.rstrip(".… ")
            if len(body) >= _TEASER_KEY and prefix_last.get(body[:_TEASER_KEY], -1) > i:
                out.append(lines[i])
    return out
