"""Cross-article speaker resolution as a pure decision (no database, no model).

`resolve` takes what one article says about a speaker (a `Mention`: its `NameProfile`, kind and
titles), the article's date, the speakers this article has already resolved (``context``: short
keys -> speaker ids) and a `SpeakerIndex` of known speakers, and returns a `Decision`: an existing
speaker, a new one, the completion of a speaker known only by a surname, or no speaker at all.
``service.store.speakers`` implements the index over SQL and applies the decision; tests use an
in-memory index.

Rules:
- descriptions ("officials", "a spokesperson for the agency", "South Korean lawmakers") never
  become speakers: they stay on their quote, inside their article;
- a full name is one speaker everywhere (its keys are unique); two people with different first
  names are never merged, nor two forms with different middle initials;
- a bare surname links to a speaker this article names in full, else, across articles, only to
  the one known person with that surname who shares a title with the mention (clear agreeing
  evidence); otherwise it gets a speaker of its own (known by the surname only);
- such a surname-only speaker is completed by a later full name only with the same agreement;
- organisations: the full name and its abbreviation are one speaker; a bare name or acronym
  links to the one organisation that has it; a country-qualified name links to the organisation
  stored under its bare name when no other country's form is known for it;
- a title alone ("the Defense Secretary") resolves to the one speaker who held it on the date,
  and never creates a speaker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from service.nlp.lexicon import speaker_lexicon
from service.registry.names import (
    NameProfile,
    fold,
    initials_compatible,
    org_parts,
    strip_titles,
)
from service.vocab import SpeakerKind

_LEX = speaker_lexicon()
# Words that say nothing about which person is meant ("Mr", "former", "the").
_VAGUE_TITLE_WORDS = _LEX.honorifics | _LEX.title_qualifiers | _LEX.title_connectives | _LEX.role_filler
# Kinds from extraction that are unnamed descriptions ("group" is the older name of the kind).
DESCRIPTION_KINDS = frozenset({SpeakerKind.DESCRIPTION.value, "group"})


class Action(StrEnum):
    """What to do with a mention."""

    EXISTING = "existing"  # the known speaker `Decision.speaker_id`
    NEW = "new"  # a new speaker
    COMPLETE = "complete"  # the surname-only speaker `Decision.speaker_id` gets the full name
    NONE = "none"  # no speaker: a description, or a title nobody is known to hold


@dataclass(frozen=True)
class Known:
    """A known speaker as the index returns it.

    ``key`` is None for a speaker known only by a short form (a surname, an acronym);
    ``role_keys`` are the titles it is known to have held (any date).
    """

    id: int
    name: str
    kind: str
    key: str | None
    role_keys: frozenset[str] = frozenset()
    names: tuple[str, ...] = ()  # its full-name aliases (organisations: country-qualified forms)


class SpeakerIndex(Protocol):
    """Look-ups over the known speakers (SQL in ``service.store.speakers``)."""

    def by_full_keys(self, keys: Sequence[str]) -> list[tuple[Known, str]]:
        """Speakers holding one of these full-name keys, with the key matched (a speaker's own
        key is reported as matched by itself)."""
        ...

    def by_short_keys(self, keys: Sequence[str], kind: str) -> list[Known]:
        """Speakers of ``kind`` that have one of these short forms (surname, bare name, acronym)."""
        ...

    def by_role(self, role_keys: Sequence[str], when: dt.date) -> list[Known]:
        """Speakers who held one of these titles on ``when``."""
        ...


@dataclass(frozen=True)
class Mention:
    """One extracted speaker of an article: its name keys, its kind and the article's titles."""

    profile: NameProfile | None
    kind: str = SpeakerKind.UNKNOWN.value
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """The outcome of `resolve`; ``kind`` is the speaker's (or the description's) kind."""

    action: Action
    kind: str
    speaker_id: int | None = None
    reason: str = ""


def _is_proper(name: str) -> bool:
    """Whether ``name`` (titles stripped) looks like a proper name: its last word capitalised and
    no lower-case word but short particles ("de Blasio", "bin Salman", "von der Leyen")."""
    words = [w for w in strip_titles(name)[0].replace(",", " ").split() if any(c.isalpha() for c in w)]
    if not words or not words[-1][:1].isupper():
        return False
    return all(w[:1].isupper() or len(w) <= 3 or not w.isalpha() for w in words)


def is_description(mention: Mention) -> bool:
    """Whether the mention is an unnamed description rather than a person or organisation."""
    if mention.kind in DESCRIPTION_KINDS:
        return True
    prof = mention.profile
    if prof is None:
        return False
    if not prof.full_keys and not prof.short_keys:
        return False  # a title alone: resolved by role and date
    return not _is_proper(prof.display)


def evidence_keys(role_keys: Sequence[str] | frozenset[str]) -> frozenset[str]:
    """Titles that can identify a person: not only honorifics or qualifiers ("Mr", "former")."""
    return frozenset(k for k in role_keys if any(t not in _VAGUE_TITLE_WORDS for t in fold(k).split()))


def _one(ids: set[int]) -> int | None:
    return next(iter(ids)) if len(ids) == 1 else None


def _by_role(prof: NameProfile, when: dt.date | None, index: SpeakerIndex, kind: str) -> Decision:
    """A title alone: the one speaker who held it on the date. One-word titles ("the president")
    are too vague across articles."""
    keys = [k for k in prof.role_keys if len(k.split()) >= 2]
    if when is None or not keys:
        return Decision(Action.NONE, SpeakerKind.DESCRIPTION.value, reason="title only")
    sid = _one({k.id for k in index.by_role(keys, when)})
    if sid is None:
        return Decision(Action.NONE, SpeakerKind.DESCRIPTION.value, reason="title held by none or several")
    return Decision(Action.EXISTING, kind, sid, "title on the date")


def _by_full_name(prof: NameProfile, index: SpeakerIndex) -> int | None:
    hits = index.by_full_keys(prof.full_keys)
    if prof.kind == SpeakerKind.PERSON:
        # "George W. Bush" is not "George H. W. Bush" although both fold to "george bush".
        hits = [(k, m) for k, m in hits if initials_compatible(prof.display, k.name)]
    if not hits:
        return None
    exact = [k.id for k, m in hits if m == prof.key]
    return exact[0] if exact else min(k.id for k, _ in hits)


def titles_agree(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two sets of identifying titles share one: equal, or the words of one inside the
    other's ("president" and "ukraine president")."""
    return any(set(x.split()) <= set(y.split()) or set(y.split()) <= set(x.split()) for x in a for y in b)


def _agreeing(cands: Sequence[Known], prof: NameProfile) -> list[Known]:
    """Candidates sharing an identifying title with the mention."""
    mine = evidence_keys(prof.role_keys)
    return [c for c in cands if titles_agree(mine, evidence_keys(c.role_keys))] if mine else []


def _bare_org(prof: NameProfile, index: SpeakerIndex) -> int | None:
    """A country-qualified organisation ("South Korean National Intelligence Service") found as an
    organisation stored under its bare name, if exactly one has it and no other country's form."""
    country, bare = org_parts(prof.display)
    if country is None:
        return None
    cands = [k for k, _ in index.by_full_keys([bare]) if k.kind == prof.kind]
    if len({c.id for c in cands}) != 1:
        return None
    countries = {org_parts(n)[0] for n in (cands[0].names or (cands[0].name,))} - {None}
    return cands[0].id if countries <= {country} else None


def _organisation(prof: NameProfile, context: Mapping[str, set[int]], index: SpeakerIndex) -> Decision:
    kind = prof.kind
    sid = _by_full_name(prof, index) if prof.full_keys else None
    if sid is not None:
        return Decision(Action.EXISTING, kind, sid, "full name")
    bare_keys = [k for k in prof.full_keys if " " in k]
    lookup = (list(prof.short_keys) if not prof.full_keys else []) + bare_keys
    in_article = {i for k in lookup for i in context.get(k, set())}
    if len(in_article) == 1:
        return Decision(Action.EXISTING, kind, _one(in_article), "short form in the article")
    if not in_article and lookup:
        sid = _one({c.id for c in index.by_short_keys(lookup, kind)})
        if sid is not None:
            return Decision(Action.EXISTING, kind, sid, "short form of one organisation")
    sid = _bare_org(prof, index)
    if sid is not None:
        return Decision(Action.EXISTING, kind, sid, "bare organisation name")
    if prof.full_keys and prof.short_keys:
        # An organisation known only by its abbreviation ("CBP") gets its full name.
        olds = {c.id for c in index.by_short_keys(prof.short_keys, kind) if c.key is None}
        if len(olds) == 1:
            return Decision(Action.COMPLETE, kind, _one(olds), "completes an abbreviation")
    return Decision(Action.NEW, kind, reason="new organisation")


def _person_full(prof: NameProfile, index: SpeakerIndex) -> Decision:
    kind = prof.kind
    sid = _by_full_name(prof, index)
    if sid is not None:
        return Decision(Action.EXISTING, kind, sid, "full name")
    cands = index.by_short_keys(prof.short_keys, kind)
    olds = [c for c in cands if c.key is None]
    named = [c for c in cands if c.key is not None]
    # A surname-only speaker ("Kirby") becomes this full-named one only while no other known
    # person has that surname and a title agrees.
    if len(olds) == 1 and not named and _agreeing(olds, prof):
        return Decision(Action.COMPLETE, kind, olds[0].id, "completes a surname-only speaker")
    return Decision(Action.NEW, kind, reason="new person")


def _person_short(prof: NameProfile, context: Mapping[str, set[int]], index: SpeakerIndex) -> Decision:
    kind = prof.kind
    in_article = {i for k in prof.short_keys for i in context.get(k, set())}
    if len(in_article) == 1:
        return Decision(Action.EXISTING, kind, _one(in_article), "surname of a full name in the article")
    if not in_article:
        agree = _agreeing(index.by_short_keys(prof.short_keys, kind), prof)
        sid = _one({c.id for c in agree})
        if sid is not None:
            return Decision(Action.EXISTING, kind, sid, "surname with an agreeing title")
    return Decision(Action.NEW, kind, reason="surname only")


def resolve(
    mention: Mention,
    when: dt.date | None,
    context: Mapping[str, set[int]],
    index: SpeakerIndex,
) -> Decision:
    """Decide which speaker ``mention`` is (see the module docstring for the rules).

    ``when`` is the article's date (None: undated, so no title resolves); ``context`` maps the
    short keys of the speakers this article has already resolved to their ids.
    """
    prof = mention.profile
    if prof is None:
        return Decision(Action.NONE, SpeakerKind.UNKNOWN.value, reason="no name")
    if is_description(mention):
        return Decision(Action.NONE, SpeakerKind.DESCRIPTION.value, reason="description")
    if not prof.full_keys and not prof.short_keys:
        return _by_role(prof, when, index, prof.kind)
    if prof.kind != SpeakerKind.PERSON:
        return _organisation(prof, context, index)
    if prof.full_keys:
        return _person_full(prof, index)
    return _person_short(prof, context, index)


def context_keys(prof: NameProfile) -> tuple[str, ...]:
    """The keys under which a resolved speaker is known to the rest of its article."""
    bare = [k for k in prof.full_keys if prof.kind != SpeakerKind.PERSON and " " in k]
    return tuple(dict.fromkeys((*prof.short_keys, *bare, *prof.full_keys)))
