"""Lexical similarity of statement units and the agreement checks that veto a grouping.

A unit's ``Features``: content-word stems (Snowball), numbers, negation polarity and named
entities. Two units may report the same statement only when numbers, negation and named
entities agree (`agree`); how similar they are is `similarity` (content-stem overlap plus a
character-level fuzzy ratio from rapidfuzz). No synonym lists: paraphrases that share few
content words are not grouped.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import snowballstemmer
from rapidfuzz import fuzz

from service.registry.names import COUNTRY_FORMS, fold

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be been before being below
    between both but by can could did do does doing down during each either even ever every few for
    from further had has have having he her here hers herself him himself his how i if in into is it
    its itself just let lets may me might more most must my myself now of off on once only or other
    our ours ourselves out over own really same shall she should so some still such than that the
    their theirs them themselves then there these they this those through to too under until up upon
    us very was we were what when where whether which while who whom whose why will with would you
    your yours yourself yourselves yet already s t ll ve re d m said says say told added according
    well
    """.split()
)
NEGATIONS = frozenset(
    """
    not no never none nobody nothing nowhere neither nor cannot cant without n't dont doesnt didnt
    isnt arent wasnt werent wont wouldnt couldnt shouldnt hasnt havent hadnt uncertain unclear
    unknown unlikely unable impossible deny denied denies refuse refused refuses
    """.split()
)
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000,
    "dozen": 12, "dozens": 12, "hundreds": 100, "thousands": 1000, "millions": 1_000_000,
}  # fmt: skip
SCALES = {"thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1_000_000_000_000}

_WORD = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Za-z][A-Za-z'’\-]*|\d[\d,.]*\d|\d")
_NUM = re.compile(
    r"(\d[\d,]*(?:\.\d+)?)\s*(%|percent|per cent)?\s*(thousand|million|billion|trillion)?", re.I
)
_CAP_SEQ = re.compile(r"\b[A-Z][\w’'\-.]*(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\w’'\-]*)*")

_stemmer = snowballstemmer.stemmer("english")


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace("’", "'").replace("‘", "'")


# Single words naming a country or its people, folded to one stem ("korean" -> "korea").
_COUNTRY_WORDS = {f: k.replace(" ", "_") for f, k in COUNTRY_FORMS.items() if " " not in f} | {
    "korean": "korea"
}


# Multi-word country names as token tuples ("democratic people republic of korea").
_COUNTRY_PHRASES: dict[tuple[str, ...], str] = {
    tuple(t for t in f.split() if t != "s"): k for f, k in COUNTRY_FORMS.items() if " " in f
}
_COUNTRY_PHRASES |= {("u.s.",): "united states", ("u.k.",): "united kingdom", ("u.s.a.",): "united states"}
_PHRASE_MAX = max(len(p) for p in _COUNTRY_PHRASES)


def fold_countries(toks: list[str]) -> list[str]:
    """Replace country names (also multi-word ones and demonyms) by one token each ("=north_korea")."""
    out: list[str] = []
    i = 0
    while i < len(toks):
        for n in range(min(_PHRASE_MAX, len(toks) - i), 1, -1):
            key = _COUNTRY_PHRASES.get(tuple(toks[i : i + n]))
            if key:
                out.append("=" + key.replace(" ", "_"))
                i += n
                break
        else:
            key = _COUNTRY_PHRASES.get((toks[i],))
            out.append("=" + key.replace(" ", "_") if key else toks[i])
            i += 1
    return out


# Irregular English verb forms -> base form (morphology the stemmer cannot see; no synonyms).
IRREGULAR = {
    form: base
    for base, forms in {
        "be": "was were been being is are am", "begin": "began begun", "break": "broke broken",
        "bring": "brought", "build": "built", "buy": "bought", "choose": "chose chosen", "come": "came",
        "do": "did done does", "draw": "drew drawn", "drive": "drove driven", "eat": "ate eaten",
        "fall": "fell fallen", "feel": "felt", "fight": "fought", "find": "found", "fly": "flew flown",
        "forget": "forgot forgotten", "get": "got gotten", "give": "gave given", "go": "went gone goes",
        "grow": "grew grown", "have": "had has", "hear": "heard", "hold": "held", "keep": "kept",
        "know": "knew known", "lead": "led", "leave": "left", "lose": "lost", "make": "made",
        "mean": "meant", "meet": "met", "pay": "paid", "ride": "rode ridden", "rise": "rose risen",
        "run": "ran", "say": "said says", "see": "saw seen", "seek": "sought", "sell": "sold",
        "send": "sent", "shake": "shook shaken", "show": "shown", "sink": "sank sunk",
        "speak": "spoke spoken", "spend": "spent", "stand": "stood", "steal": "stole stolen",
        "strike": "struck", "swear": "swore sworn",
        "take": "took taken", "teach": "taught", "tell": "told", "think": "thought", "throw": "threw thrown",
        "understand": "understood", "wake": "woke woken", "wear": "wore worn", "win": "won",
        "write": "wrote written",
    }.items()
    for form in forms.split()
}  # fmt: skip


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The Snowball stem of a lower-case word (irregular verbs to their base form), with country
    demonyms folded to the country."""
    if word.startswith("="):
        return word
    country = _COUNTRY_WORDS.get(word)
    if country:
        return "=" + country
    return str(_stemmer.stemWord(IRREGULAR.get(word, word)))


def words(text: str) -> list[str]:
    """Lower-case word tokens (contractions split: "don't" -> "do", "n't")."""
    out: list[str] = []
    for tok in _WORD.findall(_ascii(text)):
        low = tok.lower()
        if low.endswith(".") and len(low) > 2:
            out.append(low)  # "U.S."
        elif low.endswith("n't"):
            out.extend([low[:-3] or "not", "n't"])
        elif "'" in low:
            out.append(low.split("'", 1)[0])
        elif low[0].isdigit():
            out.append(low)
        else:
            out.extend(p for p in low.split("-") if p)
    return out


def numbers(text: str) -> frozenset[float]:
    """Numeric values mentioned ("3,000" -> 3000, "10 thousand" -> 10000, "three" -> 3)."""
    vals: set[float] = set()
    for m in _NUM.finditer(text):
        raw = m.group(1).rstrip(",.").replace(",", "")
        try:
            v = float(raw)
        except ValueError:
            continue
        if m.group(3):
            v *= SCALES[m.group(3).lower()]
        vals.add(v)
    toks = words(text)
    for i, w in enumerate(toks):
        if w in NUMBER_WORDS and w not in SCALES and not (i and toks[i - 1][:1].isdigit()):
            v = float(NUMBER_WORDS[w])
            if i + 1 < len(toks) and toks[i + 1] in SCALES:
                v *= SCALES[toks[i + 1]]
            vals.add(v)
    return frozenset(vals)


def entities(text: str) -> frozenset[str]:
    """Named entities, roughly: capitalised word sequences not at a sentence start, plus known
    country names anywhere; each folded to a key (demonyms to their country)."""
    text = _ascii(text)
    out: set[str] = set()
    for m in _CAP_SEQ.finditer(text):
        before = text[: m.start()].rstrip(" \"'(“‘")
        at_start = not before or before[-1] in ".!?:"
        toks = fold(m.group(0)).split()
        if at_start and toks and toks[0] in STOPWORDS | {"i"}:
            toks = toks[1:]
        if not toks:
            continue
        phrase = " ".join(toks)
        if phrase in COUNTRY_FORMS:
            out.add(COUNTRY_FORMS[phrase])
            continue
        if at_start and len(toks) == 1:
            continue  # a capitalised first word is no evidence of a name
        for n in range(len(toks), 0, -1):  # "North Korean troops": country prefix + rest
            head = " ".join(toks[:n])
            if head in COUNTRY_FORMS:
                out.add(COUNTRY_FORMS[head])
                toks = toks[n:]
                break
        rest = " ".join(t for t in toks if t not in STOPWORDS)
        if rest:
            out.add(rest)
    return frozenset(out)


def negated(toks: list[str]) -> bool:
    """Polarity: an odd number of negation words."""
    return sum(1 for t in toks if t in NEGATIONS) % 2 == 1


@dataclass(frozen=True)
class Features:
    """What similarity and agreement look at in one unit."""

    text: str
    norm: str
    stems: frozenset[str]
    stem_seq: tuple[str, ...]
    numbers: frozenset[float]
    negated: bool
    entities: frozenset[str]


@functools.lru_cache(maxsize=20_000)
def features(text: str) -> Features:
    """Compute the `Features` of a unit's text."""
    toks = fold_countries(words(text))
    content = [stem(t) for t in toks if t not in STOPWORDS and t not in NEGATIONS and not t[0].isdigit()]
    nums = numbers(text)
    return Features(
        text=text,
        norm=" ".join(toks),
        stems=frozenset(content) | frozenset(f"#{v:g}" for v in nums),
        stem_seq=tuple(content),
        numbers=nums,
        negated=negated(toks),
        entities=entities(text),
    )


def _entity_match(e: str, others: frozenset[str]) -> bool:
    if e in others:
        return True
    for o in others:
        # Shortened or extended forms: "wonsan" ~ "wonsan area", "kirby" ~ "john kirby".
        if e in o.split() or o in e.split() or o.startswith(e + " ") or e.startswith(o + " "):
            return True
    return False


def agree(a: Features, b: Features) -> bool:
    """Whether numbers, negation and named entities allow ``a`` and ``b`` to be one statement.

    Numbers: when both mention numbers, neither may have a number the other lacks on both sides
    ("3,000" vs "8,000" never agree; "3,000 by October" vs "3,000" do). Negation polarity must be
    the same. Entities: each side having an entity the other lacks is a conflict.
    """
    if a.numbers and b.numbers and (a.numbers - b.numbers) and (b.numbers - a.numbers):
        return False
    if a.negated != b.negated:
        return False
    only_a = [e for e in a.entities if not _entity_match(e, b.entities)]
    only_b = [e for e in b.entities if not _entity_match(e, a.entities)]
    return not (only_a and only_b)


def similarity(a: Features, b: Features) -> float:
    """Similarity in [0, 1]: the best of content-stem Dice, discounted containment (a trimmed
    quote inside a longer one) and a character-level fuzzy ratio of the normalised texts."""
    if not a.stems or not b.stems:
        return 1.0 if a.norm == b.norm else 0.0
    inter = len(a.stems & b.stems)
    dice = 2 * inter / (len(a.stems) + len(b.stems))
    small = min(len(a.stems), len(b.stems))
    contain = inter / small if small >= 3 else 0.0
    ratio = fuzz.ratio(a.norm, b.norm) / 100.0
    return max(dice, 0.85 * contain, ratio)
