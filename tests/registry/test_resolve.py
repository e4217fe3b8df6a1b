"""The pure cross-article resolution core, on an in-memory index (no database, no model)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

import pytest

from service.registry.names import name_key, profile
from service.registry.resolve import Action, Decision, Known, Mention, context_keys, is_description, resolve

DAY = dt.date(2024, 10, 24)


class MemoryIndex:
    """A `SpeakerIndex` over plain lists; `apply` stores a decision the way the store does."""

    def __init__(self) -> None:
        self.speakers: dict[int, Known] = {}
        self.full: dict[str, int] = {}
        self.short: dict[str, set[int]] = {}
        self.roles: list[tuple[int, str, dt.date, dt.date]] = []

    def by_full_keys(self, keys: Sequence[str]) -> list[tuple[Known, str]]:
        return [(self.speakers[self.full[k]], k) for k in keys if k in self.full]

    def by_short_keys(self, keys: Sequence[str], kind: str) -> list[Known]:
        ids = {i for k in keys for i in self.short.get(k, set())}
        return [self.speakers[i] for i in sorted(ids) if self.speakers[i].kind == kind]

    def by_role(self, role_keys: Sequence[str], when: dt.date) -> list[Known]:
        ids = {i for i, k, a, b in self.roles if k in role_keys and a <= when <= b}
        return [self.speakers[i] for i in sorted(ids)]

    def apply(self, m: Mention, d: Decision, when: dt.date = DAY) -> int | None:
        prof = m.profile
        if d.action == Action.NONE or prof is None:
            return None
        sid = d.speaker_id if d.speaker_id is not None else len(self.speakers) + 1
        old = self.speakers.get(sid)
        roles = (old.role_keys if old else frozenset()) | frozenset(prof.role_keys)
        names = tuple(a for a, kind in prof.aliases.items() if kind == "name")
        if d.action == Action.EXISTING and old is not None:
            self.speakers[sid] = replace(old, role_keys=roles, names=old.names + names)
        else:
            self.speakers[sid] = Known(sid, prof.display, prof.kind, prof.key or None, roles, names)
        for k in prof.full_keys:
            self.full.setdefault(k, sid)
        for text, kind in prof.aliases.items():
            if kind == "surname":
                self.short.setdefault(name_key(text), set()).add(sid)
        for k in prof.short_keys:
            self.short.setdefault(k, set()).add(sid)
        for r in prof.role_keys:
            self.roles.append((sid, r, when, when))
        return sid


def mention(
    name: str, kind: str = "person", roles: tuple[str, ...] = (), aliases: tuple[str, ...] = ()
) -> Mention:
    return Mention(profile(name, kind, aliases, roles), kind, roles)


def article(index: MemoryIndex, *mentions: Mention, when: dt.date = DAY) -> list[int | None]:
    """Resolve one article's mentions (full names first, as the store does); ids in input order."""
    context: dict[str, set[int]] = {}
    order = sorted(
        range(len(mentions)), key=lambda i: 0 if mentions[i].profile and mentions[i].profile.full_keys else 1
    )  # type: ignore[union-attr]
    out: dict[int, int | None] = {}
    for i in order:
        m = mentions[i]
        d = resolve(m, when, context, index)
        sid = index.apply(m, d, when)
        out[i] = sid
        if sid is not None and m.profile is not None:
            for k in context_keys(m.profile):
                context.setdefault(k, set()).add(sid)
    return [out[i] for i in range(len(mentions))]


def test_a_full_name_is_one_speaker_across_articles() -> None:
    idx = MemoryIndex()
    (a,) = article(idx, mention("Kim Jong-un"))
    (b,) = article(idx, mention("North Korean leader Kim Jong Un"))
    assert a == b is not None


def test_different_first_names_are_never_merged() -> None:
    idx = MemoryIndex()
    (donald,) = article(idx, mention("Donald Trump"))
    (eric,) = article(idx, mention("Eric Trump"))
    (brigitta, jean) = article(idx, mention("Brigitta Stodden"), mention("Jean Stodden"))
    assert donald != eric and brigitta != jean
    assert len({donald, eric, brigitta, jean}) == 4


def test_middle_initials_that_differ_are_two_people() -> None:
    idx = MemoryIndex()
    (w,) = article(idx, mention("George W. Bush"))
    (hw,) = article(idx, mention("George H. W. Bush"))
    assert w != hw


def test_bare_surname_follows_the_full_name_in_its_article() -> None:
    idx = MemoryIndex()
    full, short = article(idx, mention("Tatiana Stanovaya"), mention("Stanovaya"))
    assert full == short is not None


def test_bare_surname_across_articles_needs_an_agreeing_title() -> None:
    idx = MemoryIndex()
    (kirby,) = article(idx, mention("John Kirby", roles=("White House national security spokesman",)))
    (bare,) = article(idx, mention("Kirby"))
    (titled,) = article(idx, mention("Kirby", roles=("White House national security spokesman",)))
    assert bare is not None and bare != kirby  # no evidence: a speaker of its own
    assert titled == kirby


def test_an_honorific_is_no_evidence() -> None:
    idx = MemoryIndex()
    (jo,) = article(idx, mention("Jo Grady", roles=("Mr",)))
    (bare,) = article(idx, mention("Mr Grady"))
    assert bare != jo


def test_surname_shared_by_two_known_people_stays_apart() -> None:
    idx = MemoryIndex()
    article(idx, mention("Kim Jong Un", roles=("North Korean leader",)))
    article(idx, mention("Kim Yo Jong", roles=("North Korean leader",)))
    (kim,) = article(idx, mention("Kim", roles=("North Korean leader",)))
    assert kim not in (1, 2)


def test_surname_only_speaker_is_completed_with_agreeing_evidence_only() -> None:
    idx = MemoryIndex()
    (short,) = article(idx, mention("Faleiros", roles=("project coordinator",)))
    (other,) = article(idx, mention("Gustavo Faleiros"))
    assert other != short
    idx2 = MemoryIndex()
    (short2,) = article(idx2, mention("Faleiros", roles=("project coordinator",)))
    m = mention("Gustavo Faleiros", roles=("project coordinator",))
    d = resolve(m, DAY, {}, idx2)
    assert d.action == Action.COMPLETE and d.speaker_id == short2


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Researchers", "description"),
        ("people", "unknown"),
        ("Others", "group"),
        ("South Korean lawmakers", "unknown"),
        ("one", "unknown"),
        ("a spokesperson for Customs and Border Protection", "unknown"),
    ],
)
def test_descriptions_never_become_speakers(name: str, kind: str) -> None:
    idx = MemoryIndex()
    m = mention(name, kind)
    d1 = resolve(m, DAY, {}, idx)
    assert d1.action == Action.NONE and d1.kind == "description"
    assert article(idx, m) == [None] and article(idx, m) == [None]
    assert not idx.speakers


@pytest.mark.parametrize(
    "name", ["Bill de Blasio", "Mohammed bin Salman", "Ursula von der Leyen", "Pentagon"]
)
def test_proper_names_with_particles_are_no_descriptions(name: str) -> None:
    kind = "organization" if name == "Pentagon" else "person"
    assert not is_description(mention(name, kind))


def test_a_title_alone_resolves_by_date_and_never_creates() -> None:
    idx = MemoryIndex()
    (austin,) = article(idx, mention("Lloyd Austin", roles=("Defense Secretary",)))
    (role,) = article(idx, mention("the Defense Secretary"))
    assert role == austin
    (later,) = article(idx, mention("the Defense Secretary"), when=DAY + dt.timedelta(days=400))
    assert later is None
    d = resolve(mention("the Defense Secretary"), None, {}, idx)
    assert d.action == Action.NONE


def test_abbreviation_and_expansion_are_one_organisation() -> None:
    idx = MemoryIndex()
    (full,) = article(idx, mention("Customs and Border Protection", "organization"))
    (abbr,) = article(idx, mention("CBP", "organization"))
    assert full == abbr is not None
    idx2 = MemoryIndex()
    (abbr2,) = article(idx2, mention("CBP", "organization"))
    (full2,) = article(idx2, mention("Customs and Border Protection", "organization"))
    assert abbr2 == full2 is not None
    assert idx2.speakers[full2].key == "customs border protection" or idx2.speakers[full2].key


def test_country_qualified_organisation_links_to_its_bare_name() -> None:
    idx = MemoryIndex()
    (bare,) = article(idx, mention("National Intelligence Service", "organization"))
    (qualified,) = article(idx, mention("South Korean National Intelligence Service", "organization"))
    assert bare == qualified


def test_no_name_is_no_speaker() -> None:
    d = resolve(Mention(None), DAY, {}, MemoryIndex())
    assert d.action == Action.NONE and d.kind == "unknown"
