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
from collections.abc import Sequence
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
# Number words (values), scale words (multipliers), vague quantities, fractions and ordinals.
NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}  # fmt: skip
SCALES = {
    "hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}  # fmt: skip
# Plural quantities without a value ("dozens of", "hundreds of", "tens of thousands").
VAGUE_QUANTITIES = frozenset("dozens scores tens hundreds thousands millions billions trillions".split())
FRACTIONS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5,
}  # fmt: skip
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10,
}  # fmt: skip
PERCENT_WORDS = frozenset({"%", "percent", "pct"})
CURRENCY_SYMBOLS = {"$": "$", "£": "£", "€": "€", "¥": "¥"}
CURRENCY_WORDS = {
    "dollar": "$", "dollars": "$", "usd": "$", "pound": "£", "pounds": "£", "sterling": "£", "euro": "€",
    "euros": "€", "yen": "¥", "yuan": "¥", "rubles": "rub", "roubles": "rub", "ruble": "rub", "won": "krw",
}  # fmt: skip
# Units whose change changes a quantity ("eight hours" vs "eight days"); plural -> singular.
UNITS = {
    f: u
    for u, forms in {
        "second": "second seconds", "minute": "minute minutes", "hour": "hour hours", "day": "day days",
        "week": "week weeks", "month": "month months", "year": "year years", "decade": "decade decades",
        "century": "century centuries", "mile": "mile miles", "km": "km kilometer kilometers kilometre "
        "kilometres", "meter": "meter meters metre metres m", "foot": "foot feet ft", "kg": "kg kilogram "
        "kilograms kilo kilos", "ton": "ton tons tonne tonnes", "acre": "acre acres", "inch": "inch inches",
    }.items()
    for f in forms.split()
}  # fmt: skip
# Modal verbs by what they assert; `agree` (grouping) also lets reported speech shift tense
# ("will" -> "would", "can" -> "could", "may" -> "might"), `modal_classes(strict=True)` does not.
MODALS = {
    "will": "will", "shall": "will", "wo": "will", "would": "would", "may": "may", "might": "may",
    "can": "can", "ca": "can", "could": "could", "should": "should", "ought": "should", "must": "must",
}  # fmt: skip
BACKSHIFT = {"would": "will", "could": "can", "may": "may"}

_WORD = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Za-z][A-Za-z'’\-]*|\d[\d,.]*\d|\d")
_NUM = re.compile(
    r"(\d[\d,]*(?:\.\d+)?)\s*(%|percent|per cent)?\s*(thousand|million|billion|trillion)?", re.I
)
_CAP_SEQ = re.compile(r"\b[A-Z][\w’'\-.]*(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\w’'\-]*)*")

# Snowball's English stemmer: PyStemmer's C implementation (snowballstemmer returns it when it is
# installed; 16x faster), which gives the pure-Python one's stems (stored stems and band keys
# depend on them; tests/variants/test_stems.py compares the two).
_stemmer = snowballstemmer.stemmer("english")


def _ascii(text: str) -> str:
    if text.isascii():  # nothing to decompose or straighten
        return text
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


_ATOM = re.compile(r"[$£€¥%]|\d[\d,]*(?:\.\d+)?(?:st|nd|rd|th)?|[A-Za-z]+(?:['’][A-Za-z]+)*")
_CONTRACTIONS = {"ll": "will", "re": "are", "ve": "have", "m": "am", "d": "would", "s": "'s"}
_NOT_BASES = {"ca": "can", "wo": "will", "sha": "shall", "ai": "is"}


@dataclass(frozen=True)
class Atom:
    """One word for alignment: ``word`` normalised (lower case, contractions expanded: "won't" ->
    "will", "not"), ``name`` when written capitalised away from a sentence start."""

    word: str
    name: bool


# Atoms are immutable: one object per word and flag (cheaper than building each, and cached texts
# share them).
_atom = functools.lru_cache(maxsize=100_000)(Atom)


_OPENERS = frozenset(" \t\n\"'([“‘«-—")


def _mid_sentence(text: str, at: int) -> bool:
    """Whether the word at ``at`` follows other words of its sentence (quotes and brackets aside)."""
    i = at - 1
    while i >= 0 and text[i] in _OPENERS:  # a scan back, not a copy of everything before
        i -= 1
    return i >= 0 and text[i] not in ".!?:;"


@functools.lru_cache(maxsize=50_000)
def atoms(text: str) -> tuple[Atom, ...]:
    """The words of ``text`` for alignment and the agreement checks (see `Atom`)."""
    text = _ascii(text)
    out: list[Atom] = []
    for m in _ATOM.finditer(text):
        tok = m.group(0)
        name = (
            tok[0].isupper()
            and tok.lower() not in STOPWORDS
            and tok != "I"
            and _mid_sentence(text, m.start())
        )
        low = tok.lower().rstrip(",")
        if low[0].isdigit() or low in CURRENCY_SYMBOLS or low == "%":
            out.append(_atom(low, False))
            continue
        parts: list[str]
        if "'" not in low and low != "cannot":
            out.append(_atom(low, name))
            continue
        if low.endswith("n't"):
            base = low[:-3]
            parts = [_NOT_BASES.get(base, base), "not"] if base else ["not"]
        elif low == "cannot":
            parts = ["can", "not"]
        else:
            base, _, rest = low.partition("'")
            parts = [base, _CONTRACTIONS.get(rest, "'" + rest)]
        out.extend(_atom(p, name and i == 0) for i, p in enumerate(parts) if p)
    return tuple(out)


def _digit_value(tok: str) -> tuple[float, bool] | None:
    """A digit token's value and whether it is an ordinal ("3rd")."""
    ordinal = tok[-2:] in ("st", "nd", "rd", "th")
    raw = (tok[:-2] if ordinal else tok).replace(",", "")
    try:
        return float(raw), ordinal
    except ValueError:
        return None


def _word_number(words: Sequence[str], i: int) -> tuple[float, int] | None:
    """A number written in words from ``words[i]`` ("three hundred and fifty", "a thousand"):
    its value and the index after it."""
    total, current, j, seen = 0.0, 0.0, i, False
    if words[i] == "a" and i + 1 < len(words) and words[i + 1] in SCALES:
        current, j = 1.0, i + 1
    while j < len(words):
        w = words[j]
        if w in NUMBER_WORDS:
            current += NUMBER_WORDS[w]
        elif w in SCALES and (seen or current):
            if SCALES[w] == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * SCALES[w]
                current = 0.0
        elif w == "and" and seen and j + 1 < len(words) and words[j + 1] in NUMBER_WORDS:
            pass
        else:
            break
        seen = True
        j += 1
    return (total + current, j) if seen else None


def quantities(words: Sequence[str]) -> frozenset[str]:
    """Quantities mentioned in normalised ``words`` (see `atoms`), each as a key that is the same
    however it is written: "3,000", "three thousand" and "3 thousand" -> "3000"; "eight hours" ->
    "8 hour"; "10 percent"/"10%" -> "10%"; "$5 million" -> "$5e+06"; "half"/"a half" -> "1/2",
    "two thirds" -> "2/3"; "third" alone -> "#3" (an ordinal); "dozens of" -> "~dozens"."""
    out: set[str] = set()
    i, n = 0, len(words)
    money = ""
    while i < n:
        w = words[i]
        if w in CURRENCY_SYMBOLS:
            money = CURRENCY_SYMBOLS[w]
            i += 1
            continue
        value: float | None = None
        key: str | None = None
        j = i + 1
        if w[0].isdigit():
            parsed = _digit_value(w)
            if parsed is not None and parsed[1]:
                key = f"#{parsed[0]:g}"
            elif parsed is not None:
                value = parsed[0]
        elif w in NUMBER_WORDS or (w == "a" and i + 1 < n and words[i + 1] in SCALES):
            parsed_w = _word_number(words, i)
            if parsed_w is not None:
                value, j = parsed_w
        elif w in VAGUE_QUANTITIES:
            key = "~" + w
        elif w in FRACTIONS and (
            w not in ORDINALS or (i and words[i - 1] in ("a", "one")) or (j < n and words[j] == "of")
        ):
            key = f"1/{FRACTIONS[w]}"
        elif w in ORDINALS:
            key = f"#{ORDINALS[w]}"
        if value is not None:
            while j < n and words[j] in SCALES:
                value *= SCALES[words[j]]
                j += 1
            if j < n and words[j] in FRACTIONS and value == int(value) and value < 20:
                key = f"{value:g}/{FRACTIONS[words[j]]}"  # "two thirds"
                j += 1
            else:
                key = f"{money}{value:g}"
                if j < n and words[j] in PERCENT_WORDS:
                    key, j = key + "%", j + 1
                elif j + 1 < n and words[j] == "per" and words[j + 1] == "cent":
                    key, j = key + "%", j + 2
                elif j < n and words[j] in CURRENCY_WORDS and not money:
                    key, j = CURRENCY_WORDS[words[j]] + key, j + 1
                elif j < n and words[j] in UNITS:
                    key, j = f"{key} {UNITS[words[j]]}", j + 1
        if key is not None:
            out.add(key)
        money = ""
        i = max(j, i + 1)
    return frozenset(out)


def numbers(text: str) -> frozenset[str]:
    """Quantities mentioned in ``text``, as `quantities` keys."""
    return quantities([a.word for a in atoms(text)])


# Negation words counted by `negations` (the strict check): "n't" and "cannot" are split by `atoms`.
NEGATORS = frozenset("not no never none nobody nothing nowhere neither nor without".split())


def negations(words: Sequence[str]) -> int:
    """How many plain negation words ``words`` has."""
    return sum(1 for w in words if w in NEGATORS)


def modal_classes(words: Sequence[str], strict: bool = True) -> frozenset[str]:
    """The modal verbs of ``words`` by what they assert ("might" = "may"); with ``strict=False``
    reported speech's tense shift is forgiven ("would" = "will", "could" = "can")."""
    classes = {MODALS[w] for w in words if w in MODALS}
    if not strict:
        classes = {BACKSHIFT.get(c, c) for c in classes}
    return frozenset(classes)


def disagreements(query: Sequence[Atom], recorded: Sequence[Atom]) -> tuple[str, ...]:
    """The strict agreement checks of a query wording against a recorded one (aligned parts of
    them): which of ``number``, ``negation``, ``name`` and ``modality`` differ. Numbers: the same
    quantities (however written); negation: the same number of negation words and the same
    polarity; names: every name-like word of either side (`Atom.name`) occurs in the other;
    modality: the same modal verbs ("may" = "might")."""
    qw = [a.word for a in query]
    rw = [a.word for a in recorded]
    out: list[str] = []
    if quantities(qw) != quantities(rw):
        out.append("number")
    if negations(qw) != negations(rw) or negated(qw) != negated(rw):
        out.append("negation")
    q_names = {a.word for a in query if a.name}
    r_names = {a.word for a in recorded if a.name}
    if (q_names - set(rw)) or (r_names - set(qw)):
        out.append("name")
    if modal_classes(qw) != modal_classes(rw):
        out.append("modality")
    return tuple(out)


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


def negated(toks: Sequence[str]) -> bool:
    """Polarity: an odd number of negation words."""
    return sum(1 for t in toks if t in NEGATIONS) % 2 == 1


@dataclass(frozen=True)
class Features:
    """What similarity and agreement look at in one unit."""

    text: str
    norm: str
    stems: frozenset[str]
    stem_seq: tuple[str, ...]
    numbers: frozenset[str]
    negated: bool
    entities: frozenset[str]
    modals: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=20_000)
def features(text: str) -> Features:
    """Compute the `Features` of a unit's text."""
    toks = fold_countries(words(text))
    content = [stem(t) for t in toks if t not in STOPWORDS and t not in NEGATIONS and not t[0].isdigit()]
    nums = numbers(text)
    return Features(
        text=text,
        norm=" ".join(toks),
        stems=frozenset(content) | frozenset(f"#{v}" for v in nums),
        stem_seq=tuple(content),
        numbers=nums,
        negated=negated(toks),
        entities=entities(text),
        modals=modal_classes(toks, strict=False),
    )


def pack_stems(stems: frozenset[str]) -> str | None:
    """Content stems as stored with a unit (one a line, sorted; a quantity's stem may hold a space:
    "#8 hour"); None when a stem holds a line break (then the reader analyses the text)."""
    if any("\n" in s for s in stems):
        return None
    return "\n".join(sorted(stems))


def unpack_stems(packed: str | None) -> frozenset[str] | None:
    """The stems `pack_stems` stored (None: not stored)."""
    if packed is None:
        return None
    return frozenset(packed.split("\n")) if packed else frozenset()


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

    Numbers (`quantities`: digits and words alike): when both mention numbers, neither may have a
    number the other lacks on both sides ("3,000" vs "8,000" never agree; "3,000 by October" vs
    "3,000" do). Negation polarity must be the same. Modality: each side having a modal verb the
    other lacks, reported speech's tense shift forgiven ("will" ~ "would"), is a conflict.
    Entities: each side having an entity the other lacks is a conflict.
    """
    if a.numbers and b.numbers and (a.numbers - b.numbers) and (b.numbers - a.numbers):
        return False
    if a.negated != b.negated:
        return False
    if a.modals and b.modals and (a.modals - b.modals) and (b.modals - a.modals):
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
