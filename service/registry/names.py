"""Name normalisation for speakers across articles (pure functions, no database).

- ``name_key``: casefold, strip accents and punctuation, fold hyphens and spaces
  ("Kim Jong-un" == "Kim Jong Un") and common transliteration endings ("Zelenskyy",
  "Zelenskiy" -> "zelensky").
- ``strip_titles``: drop leading titles and honorifics ("Defense Secretary Lloyd Austin" ->
  "Lloyd Austin"); returns the titles too.
- ``org_parts``: split an organisation name into its country qualifier and its bare name
  ("South Korea's National Intelligence Service" -> ("south korea", "national intelligence service")).
- ``role_key``: normalise a title ("Secretary of Defense", "U.S. Defence Secretary" -> "defense secretary").
- ``profile``: everything the resolver needs about one extracted speaker.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from service.nlp.lexicon import speaker_lexicon

_LEX = speaker_lexicon()
# Words that form titles and honorifics when they precede a person's name.
TITLE_WORDS = _LEX.title_words
# Titles that make a one-word remainder a full name rather than a surname ("Pope Francis").
HONORIFIC_SINGLE = _LEX.single_name_honorifics


# Country names, their short forms and demonyms, folded to one key (the qualifier of org names).
def drop_possessive(toks: list[str]) -> list[str]:
    """Drop the "s" of folded possessives ("korea s" -> "korea"), keeping "u s" (U. S.)."""
    return [t for i, t in enumerate(toks) if not (t == "s" and i > 0 and len(toks[i - 1]) > 1)]


COUNTRY_FORMS: dict[str, str] = {
    " ".join(drop_possessive(form.split())): key for key, forms in _LEX.countries.items() for form in forms
}
_COUNTRY_MAX_WORDS = max(len(f.split()) for f in COUNTRY_FORMS)

ROLE_WORD_FOLDS = _LEX.role_word_folds
ROLE_FILLER = _LEX.role_filler

_NON_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"['’]s\b", re.IGNORECASE)


def fold(text: str) -> str:
    """Casefold, strip accents, turn punctuation and hyphens into spaces, collapse spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("’", "'")
    text = _POSSESSIVE.sub(" s", text)
    text = text.replace("'", "")
    text = re.sub(r"(?<=\b\w)\.(?=\w\b)", "", text)  # U.S. -> US, N.K. -> NK
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return _SPACES.sub(" ", text).strip()


def _fold_translit(token: str) -> str:
    """Fold common transliteration variants of a name token."""
    if len(token) > 4:
        for suffix, repl in (("yy", "y"), ("iy", "y"), ("ii", "i"), ("ij", "i")):
            if token.endswith(suffix):
                return token[: -len(suffix)] + repl
    return token


def name_key(name: str) -> str:
    """The matching key of a name: folded, transliteration-folded tokens joined by spaces (a
    possessive "'s" dropped)."""
    return _short_name_key(name) if len(name) <= SHORT_NAME_CHARS else _name_key(name)


SHORT_NAME_CHARS = 200  # keys of names this short are kept (names are compared many times over)


def _name_key(name: str) -> str:
    return " ".join(_fold_translit(t) for t in drop_possessive(fold(name).split()))


_short_name_key = functools.lru_cache(maxsize=20_000)(_name_key)


def compact_key(name: str) -> str:
    """``name_key`` without spaces ("Kim Jongun" == "Kim Jong Un")."""
    return name_key(name).replace(" ", "")


NAME_SUFFIXES = _LEX.name_suffixes


def initials(name: str) -> tuple[str, ...]:
    """Middle initials of a person's name ("Donald J. Trump" -> ("j",))."""
    toks = name_key(name).split()
    return tuple(t for t in toks[1:-1] if len(t) == 1)


def plain_key(name: str) -> str:
    """``name_key`` without middle initials and suffixes ("Lloyd J. Austin III" -> "lloyd austin")."""
    toks = name_key(name).split()
    kept = [t for i, t in enumerate(toks) if not ((len(t) == 1 and 0 < i) or (t in NAME_SUFFIXES and i > 1))]
    return " ".join(kept) if len(kept) >= 2 else " ".join(toks)


def first_last_key(name: str) -> str:
    """``plain_key`` without middle names ("Hillary Rodham Clinton" -> "hillary clinton"), for a
    name of three or more words; "" otherwise (also for names written family name first, whose
    last word is a given name: "Kim Jong Un")."""
    toks = plain_key(name).split()
    if len(toks) < 3 or surnames_of(name) == [toks[0]]:
        return ""
    return f"{toks[0]} {toks[-1]}"


def initials_compatible(a: str, b: str) -> bool:
    """Whether two forms of a name can be one person: middle initials equal or absent on one side
    ("George W. Bush" and "George H. W. Bush" are not)."""
    ia, ib = initials(a), initials(b)
    return not ia or not ib or ia == ib


def strip_titles(name: str) -> tuple[str, str]:
    """Split leading titles off a person's name: ("Defense Secretary Lloyd Austin") -> ("Lloyd Austin",
    "Defense Secretary"). Keeps at least one word of the name."""
    words = name.split()
    i = 0
    while i < len(words) - 1 and fold(words[i]).replace(" ", "") in TITLE_WORDS | {"s"}:
        i += 1
    # "Secretary of State Antony Blinken": keep walking through lower-case/title words only.
    return " ".join(words[i:]), " ".join(words[:i]).strip(" ,")


def is_role_only(name: str) -> bool:
    """Whether ``name`` is only a title ("the Defense Secretary", "a White House spokesperson")."""
    toks = fold(name).split()
    return bool(toks) and all(t in TITLE_WORDS or t in {"a", "an"} for t in toks)


def role_key(role: str) -> str:
    """Normalise a title: "Secretary of Defense" / "U.S. Defence Secretary" -> "defense secretary"."""
    toks = [ROLE_WORD_FOLDS.get(t, t) for t in fold(role).split()]
    toks = [t for t in toks if t not in ROLE_FILLER]
    if "of" in toks:
        i = toks.index("of")
        head, tail = toks[:i], toks[i + 1 :]
        if head and tail:
            toks = tail + head
    toks = [t for t in toks if t not in {"of", "for", "and"}]
    return " ".join(toks)


def org_parts(name: str) -> tuple[str | None, str]:
    """Split an organisation name into (country key or None, bare name key).

    A country qualifier is taken only from the front ("South Korea's National Intelligence
    Service", "South Korean National Intelligence Service") and only when a name remains.
    """
    toks = drop_possessive(fold(name).split())
    if toks and toks[0] == "the":
        toks = toks[1:]
    for n in range(min(_COUNTRY_MAX_WORDS, len(toks) - 1), 0, -1):
        head = " ".join(toks[:n])
        if head in COUNTRY_FORMS:
            rest = toks[n:]
            if rest:
                return COUNTRY_FORMS[head], " ".join(_fold_translit(t) for t in rest)
    return None, " ".join(_fold_translit(t) for t in toks)


def acronym(name: str) -> str | None:
    """The initials of a multi-word organisation name ("National Intelligence Service" -> "nis")."""
    toks = [t for t in fold(name).split() if t not in {"of", "the", "and", "for", "s"}]
    return "".join(t[0] for t in toks) if len(toks) >= 2 else None


def surnames_of(full_name: str) -> list[str]:
    """Keys of the short forms a full name is referred to by: the last word, or the first for
    East Asian names with a hyphenated or two-syllable given name ("Cho Tae-yong" -> "cho")."""
    words = full_name.split()
    toks = name_key(full_name).split()
    if len(toks) < 2:
        return toks
    if "-" in words[-1] or (len(words) == 3 and all(len(w) <= 4 for w in words[1:])):
        return [toks[0]]
    return [toks[-1]]


ORG_WORDS = _LEX.organisation_words


def guess_kind(name: str, kind: str = "unknown") -> str:
    """``kind`` if known, else "organization" when the name has an organisation word, else "person"."""
    if kind in ("person", "organization", "group"):
        return kind
    toks = fold(name).split()
    return "organization" if any(t in ORG_WORDS for t in toks) else "person"


@dataclass(frozen=True)
class NameProfile:
    """What the resolver knows about one extracted speaker, as keys.

    ``key`` identifies a new speaker ("" when only a short form is known: such a speaker has
    no key); ``full_keys`` are names that identify a speaker on their own
    (unique across speakers); ``short_keys`` need context (surnames, bare organisation names,
    acronyms); ``role_keys`` are the titles given in the article.
    """

    display: str
    kind: str
    key: str
    full_keys: tuple[str, ...] = ()
    short_keys: tuple[str, ...] = ()
    role_keys: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)  # alias text -> alias kind


def _person_names(names: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(full names, surnames, titles) from a person's name forms."""
    full: list[str] = []
    short: list[str] = []
    titles: list[str] = []
    for raw in names:
        bare, title = strip_titles(raw.strip())
        if title:
            titles.append(title)
        toks = fold(bare).split()
        if not toks or all(t in TITLE_WORDS for t in toks):
            continue
        honorific = bool(title) and fold(title).split()[-1] in HONORIFIC_SINGLE
        if len(toks) >= 2 or honorific:
            full.append(bare)
        else:
            short.append(bare)
    return full, short, titles


def same_person_forms(a: str, b: str) -> bool:
    """Whether two full names can be forms of one person's name: the same surname and compatible
    given names (equal up to spelling, one an initial of the other, or one a prefix of the other),
    compatible middle initials. "Hillary Clinton" and "Chelsea Clinton" are not."""
    ka, kb = name_key(a), name_key(b)
    if ka == kb or plain_key(a) == plain_key(b):
        return initials_compatible(a, b)
    if surnames_of(a) != surnames_of(b):
        return False
    fa, fb = ka.split()[0], kb.split()[0]
    if surnames_of(a) == [fa]:  # family name first ("Kim Jong Un"): compare the given names
        fa, fb = (ka.split() + [""])[1], (kb.split() + [""])[1]
    given_ok = (
        fa == fb
        or (min(len(fa), len(fb)) == 1 and fa[:1] == fb[:1])
        or (min(len(fa), len(fb)) >= 3 and (fa.startswith(fb) or fb.startswith(fa)))
        or fuzz.ratio(fa, fb) >= 80
    )
    return given_ok and initials_compatible(a, b)


def profile(
    name: str,
    kind: str = "person",
    aliases: tuple[str, ...] = (),
    roles: tuple[str, ...] = (),
    *,
    trusted: bool = False,
) -> NameProfile | None:
    """Keys for one extracted speaker (name, kind and the article's aliases and roles).

    Article aliases of a person are kept only when they are forms of the same name (extraction
    may have merged two Clintons in one article); ``trusted=True`` (the registry) keeps them all.
    Returns None when there is nothing to identify a speaker by (no name).
    """
    if not name or not name.strip():
        return None
    kind = guess_kind(name, kind)
    role_keys = tuple(dict.fromkeys(k for k in (role_key(r) for r in roles) if k))
    alias_kinds: dict[str, str] = {}
    if kind == "person":
        full, short, titles = _person_names([name, *aliases])
        role_keys = tuple(dict.fromkeys([*role_keys, *(k for k in map(role_key, titles) if k)]))
        given = strip_titles(name.strip())[0]
        if not trusted and full:
            primary = given if given in full else max(full, key=len)
            full = [primary] + [f for f in full if f != primary and same_person_forms(f, primary)]
            tokens = set(name_key(primary).split())
            short = [x for x in short if name_key(x) in tokens]
        elif not trusted and short:
            short = [given] if given in short else short[:1]
        if not full and not short:
            # Only a title ("the Defense Secretary"): no name of its own, resolved by role and date.
            rk = role_key(name)
            explicit = tuple(k for k in (role_key(r) for r in roles) if k)
            keys = tuple(dict.fromkeys([rk, *explicit] if rk else explicit))
            return NameProfile(name, kind, "", (), (), keys)
        full_keys = list(dict.fromkeys(name_key(f) for f in full))
        full_keys += [c for c in dict.fromkeys(plain_key(f) for f in full) if c not in full_keys]
        full_keys += [c for c in dict.fromkeys(compact_key(f) for f in full) if c not in full_keys]
        full_keys += [c for c in dict.fromkeys(first_last_key(f) for f in full) if c and c not in full_keys]
        surnames: list[str] = []
        for f in full:
            surnames.extend(surnames_of(f))
        surnames.extend(name_key(s) for s in short)
        for f in full:
            alias_kinds.setdefault(f, "name")
        for s in short:
            alias_kinds.setdefault(s, "surname")
        for f in full:
            words = f.split()
            first = surnames_of(f) == [name_key(words[0])]
            alias_kinds.setdefault(words[0] if first else words[-1], "surname")
        display = given if given in full else (max(full, key=len) if full else short[0])
        key = name_key(display) if full else ""
        return NameProfile(
            display=display,
            kind=kind,
            key=key,
            full_keys=tuple(full_keys),
            short_keys=tuple(dict.fromkeys(s for s in surnames if s)),
            role_keys=role_keys,
            aliases=alias_kinds,
        )
    # Organisations and groups: the country-qualified name identifies; the bare name and acronym need context.
    forms = [name.strip(), *(a.strip() for a in aliases if a.strip())]
    full_keys_l: list[str] = []
    short_l: list[str] = []
    for f in forms:
        country, bare = org_parts(f)
        if not bare:
            continue
        words = bare.split()
        if country:
            full_keys_l.append(f"{country} {bare}")
            short_l.append(bare)
            alias_kinds.setdefault(f, "name")
        elif len(words) == 1 and f.isupper():
            short_l.append(bare)  # an acronym alone ("NIS")
            alias_kinds.setdefault(f, "surname")
        else:
            full_keys_l.append(bare)
            alias_kinds.setdefault(f, "name")
        acr = acronym(bare)
        if acr and len(words) >= 3:
            short_l.append(acr)
    if not full_keys_l and not short_l:
        return None
    display = forms[0]
    full_t = tuple(dict.fromkeys(full_keys_l))
    key = full_t[0] if full_t else ""
    # The longest qualified form identifies best.
    qualified = [k for k in full_t if " " in k and k.split(" ", 1)[0] in COUNTRY_FORMS.values()]
    if qualified:
        key = max(qualified, key=len)
    return NameProfile(
        display=display,
        kind=kind,
        key=key,
        full_keys=full_t,
        short_keys=tuple(dict.fromkeys(short_l)),
        role_keys=role_keys,
        aliases=alias_kinds,
    )


def alias_rows(prof: NameProfile) -> list[tuple[str, str, str]]:
    """(alias text, key, kind) rows to store for a profile's names.

    Kinds ``name``/``variant`` identify a speaker on their own (unique across speakers);
    ``surname`` rows (surnames, bare organisation names, acronyms) need context to match.
    """
    rows: dict[tuple[str, str], str] = {}
    for text, kind in prof.aliases.items():
        if prof.kind == "person":
            key = name_key(text)
            rows.setdefault((key, kind), text)
            if kind == "name" and plain_key(text) != key:
                rows.setdefault((plain_key(text), "variant"), text)
            if kind == "name" and compact_key(text) != key:
                rows.setdefault((compact_key(text), "variant"), text)
            if kind == "name" and first_last_key(text):
                rows.setdefault((first_last_key(text), "variant"), text)
            continue
        country, bare = org_parts(text)
        if kind == "surname":
            rows.setdefault((bare, "surname"), text)
            continue
        rows.setdefault((f"{country} {bare}" if country else bare, "name"), text)
        if country:
            rows.setdefault((bare, "surname"), text)
        acr = acronym(bare)
        if acr and len(bare.split()) >= 3:
            rows.setdefault((acr, "surname"), acr.upper())
    out = [(text, key, kind) for (key, kind), text in rows.items() if key]
    # A key stored as a full name is not also stored as a short form.
    full = {k for _, k, kd in out if kd != "surname"}
    return [r for r in out if r[2] != "surname" or r[1] not in full]
