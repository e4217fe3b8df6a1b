"""Speakers across articles: the SQL index the registry's resolution uses, and applying its
decisions (speaker rows, aliases, observed roles); the speaker registry file.

Concurrency: every name key an article uses is locked (PostgreSQL advisory locks, sorted order)
before any is resolved, so two processes never create the same speaker twice.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from models import Speaker, SpeakerAlias, SpeakerRole
from service.db import advisory_xact_lock
from service.nlp.types import Quote as ExtractedQuote
from service.registry.names import NameProfile, alias_rows, profile, role_key
from service.registry.resolve import Action, Known, Mention, context_keys, resolve
from service.store.articles import parse_date, shift_date
from service.store.statements import core_table
from service.store.transactions import run_with_retry
from service.vocab import SpeakerKind

# Observed roles ("Defense Secretary" in an article of 2024-10-24) resolve role-only mentions
# this many days around the dates they were seen.
OBSERVED_ROLE_SLACK = dt.timedelta(days=45)

# One extracted speaker of an article: (name, kind, aliases, roles).
SpeakerKey = tuple[Any, ...]


# Resolution's statements, built once (building one costs about as much as SQLite takes to run it).
_KEYS: Any = bindparam("keys", expanding=True)
_IDS: Any = bindparam("ids", expanding=True)
_ALIASES_OF_KEYS = select(SpeakerAlias.speaker_id, SpeakerAlias.key, SpeakerAlias.unique_key).where(
    SpeakerAlias.key.in_(_KEYS)
)
_ROLES_OF = select(
    SpeakerRole.id, SpeakerRole.key, SpeakerRole.start_date, SpeakerRole.end_date, SpeakerRole.source
).where(SpeakerRole.speaker_id == bindparam("speaker"), SpeakerRole.key.in_(_KEYS))
_MOVE_ROLE = (
    update(core_table(SpeakerRole))
    .where(core_table(SpeakerRole).c.id == bindparam("row_id"))
    .values(start_date=bindparam("new_start_date"), end_date=bindparam("new_end_date"))
)
_KNOWN_ROLES = select(SpeakerRole.speaker_id, SpeakerRole.key).where(SpeakerRole.speaker_id.in_(_IDS))
_KNOWN_NAMES = select(SpeakerAlias.speaker_id, SpeakerAlias.alias).where(
    SpeakerAlias.speaker_id.in_(_IDS), SpeakerAlias.kind == "name"
)
_KNOWN_ROWS = select(Speaker.id, Speaker.name, Speaker.kind, Speaker.key).where(Speaker.id.in_(_IDS))
_BY_UNIQUE_KEYS = select(SpeakerAlias.speaker_id, SpeakerAlias.unique_key).where(
    SpeakerAlias.unique_key.in_(_KEYS)
)
_BY_KEYS = select(Speaker.id, Speaker.key).where(Speaker.key.in_(_KEYS))
_BY_SURNAMES = (
    select(SpeakerAlias.speaker_id)
    .join(Speaker, Speaker.id == SpeakerAlias.speaker_id)
    .where(SpeakerAlias.key.in_(_KEYS), SpeakerAlias.kind == "surname", Speaker.kind == bindparam("kind"))
)
_WHEN: Any = bindparam("when")
_BY_ROLE = select(SpeakerRole.speaker_id).where(
    SpeakerRole.key.in_(_KEYS),
    or_(
        and_(  # a registry title held on the date
            SpeakerRole.source == "registry",
            SpeakerRole.start_date.is_not(None),
            SpeakerRole.start_date <= _WHEN,
            or_(SpeakerRole.end_date.is_(None), SpeakerRole.end_date >= _WHEN),
        ),
        and_(  # a title observed within OBSERVED_ROLE_SLACK of it
            SpeakerRole.source == "observed",
            SpeakerRole.start_date <= bindparam("before"),
            SpeakerRole.end_date >= bindparam("after"),
        ),
    ),
)
_KIND = select(Speaker.kind).where(Speaker.id == bindparam("id"))


def _lock_names(session: Session, profiles: Iterable[NameProfile]) -> None:
    keys: set[str] = set()
    for p in profiles:
        keys.update(k for k in (p.key, *p.full_keys) if k)
        keys.update(p.short_keys)
        keys.update("role:" + k for k in p.role_keys)
    for k in sorted(keys):
        advisory_xact_lock(session, "speaker", k)


def _add_aliases(session: Session, speaker_id: int, prof: NameProfile) -> None:
    rows = alias_rows(prof)
    if not rows:
        return
    keys = {k for _, k, _ in rows}
    have = set(session.execute(_ALIASES_OF_KEYS, {"keys": sorted(keys)}).all())
    mine = {k for sid, k, _ in have if sid == speaker_id}
    taken = {u for _, _, u in have if u}
    new: list[dict[str, Any]] = []
    for text, key, kind in rows:
        if key in mine:
            continue
        unique = key if kind in ("name", "variant") else None
        if unique and unique in taken:
            continue  # another speaker already holds this full name
        new.append(dict(speaker_id=speaker_id, alias=text[:300], key=key[:300], unique_key=unique, kind=kind))
        mine.add(key)
    if new:  # one Core statement: the ORM's unit of work costs ~1 ms a flush
        session.connection().execute(insert(core_table(SpeakerAlias)), new)


def _observe_roles(
    session: Session, speaker_id: int, prof: NameProfile, roles: Sequence[str], when: dt.date | None
) -> None:
    """Record that the speaker held these titles on ``when`` ("observed" rows, one per title).

    (speaker, key, start_date) is unique across sources: a registry row that starts on ``when``
    already covers that date, so no observed row is created on it or moved onto it. An undated
    article records the title without dates (evidence of identity, never of a date) unless the
    speaker already has it.
    """
    titles = {role_key(r): r for r in roles if role_key(r)}
    for key in prof.role_keys:
        titles.setdefault(key, key)
    if not titles:
        return
    have: dict[str, list[Any]] = defaultdict(list)
    for r in session.execute(_ROLES_OF, {"speaker": speaker_id, "keys": sorted(titles)}):
        have[r.key].append(r)
    new: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    for key, title in titles.items():
        rows = have[key]
        starts = {r.start_date for r in rows}
        role = next((r for r in rows if r.source == "observed"), None)
        if role is None:
            if when not in starts and not (when is None and rows):
                new.append(dict(speaker_id=speaker_id, title=title[:300], key=key[:300], start_date=when,
                                end_date=when, source="observed"))  # fmt: skip
        elif when is not None:
            start = min(role.start_date or when, when)
            if start == role.start_date or start in starts:
                start = role.start_date
            end = max(role.end_date or when, when)
            if (start, end) != (role.start_date, role.end_date):
                moved.append({"row_id": role.id, "new_start_date": start, "new_end_date": end})
    conn = session.connection()
    if new:  # Core statements: the ORM's unit of work costs ~1 ms a flush
        conn.execute(insert(core_table(SpeakerRole)), new)
    if moved:
        conn.execute(_MOVE_ROLE, moved)


class SqlSpeakerIndex:
    """The registry's `SpeakerIndex` over the speaker tables of one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _known(self, ids: Iterable[int]) -> dict[int, Known]:
        ids = sorted(set(ids))
        if not ids:
            return {}
        roles: dict[int, set[str]] = defaultdict(set)
        for sid, key in self.session.execute(_KNOWN_ROLES, {"ids": ids}):
            roles[sid].add(key)
        names: dict[int, list[str]] = defaultdict(list)
        for sid, alias in self.session.execute(_KNOWN_NAMES, {"ids": ids}):
            names[sid].append(alias)
        rows = self.session.execute(_KNOWN_ROWS, {"ids": ids})
        return {
            r.id: Known(r.id, r.name, r.kind, r.key, frozenset(roles[r.id]), tuple(names[r.id])) for r in rows
        }

    def by_full_keys(self, keys: Sequence[str]) -> list[tuple[Known, str]]:
        if not keys:
            return []
        hits = [
            (sid, key)
            for sid, key in self.session.execute(_BY_UNIQUE_KEYS, {"keys": list(keys)})
            if key is not None
        ]
        hits += [
            (sid, key) for sid, key in self.session.execute(_BY_KEYS, {"keys": list(keys)}) if key is not None
        ]
        known = self._known(sid for sid, _ in hits)
        return [(known[sid], key) for sid, key in hits if sid in known]

    def by_short_keys(self, keys: Sequence[str], kind: str) -> list[Known]:
        if not keys:
            return []
        ids = self.session.scalars(_BY_SURNAMES, {"keys": list(keys), "kind": kind}).all()
        return list(self._known(ids).values())

    def by_role(self, role_keys: Sequence[str], when: dt.date) -> list[Known]:
        params = {
            "keys": list(role_keys),
            "when": when,
            "before": shift_date(when, OBSERVED_ROLE_SLACK),
            "after": shift_date(when, -OBSERVED_ROLE_SLACK),
        }
        ids = self.session.scalars(_BY_ROLE, params).all()
        return list(self._known(ids).values())


@dataclass(frozen=True)
class Resolution:
    """What resolving one extracted speaker did: its speaker id (None: a description or no
    name), whether the speaker was created, and the kind shown on its quotes."""

    speaker_id: int | None
    created: bool
    kind: str


def _create(session: Session, prof: NameProfile) -> tuple[int, bool]:
    """A new speaker for ``prof`` (or the one another transaction created with its key)."""
    row = dict(name=prof.display[:300], key=prof.key[:300] or None, kind=prof.kind)
    sid = session.connection().execute(_new_speaker(session.get_bind().dialect.name), row).scalar()
    if sid is not None:
        return sid, True
    return session.execute(_BY_KEYS, {"keys": [row["key"]]}).one().id, False


@functools.cache
def _new_speaker(dialect: str) -> Any:
    """``INSERT ... ON CONFLICT (key) DO NOTHING RETURNING id``: no id when the key is taken."""
    ins = postgresql.insert(Speaker) if dialect == "postgresql" else sqlite.insert(Speaker)
    return ins.on_conflict_do_nothing(index_elements=["key"]).returning(Speaker.id)


def resolve_speaker(
    session: Session,
    prof: NameProfile | None,
    when: dt.date | None,
    context: dict[str, set[int]] | None = None,
    roles: Sequence[str] = (),
    kind: str | None = None,
) -> Resolution:
    """Resolve one extracted speaker (`service.registry.resolve` decides) and apply the decision:
    create or complete the speaker row, add its aliases and observed titles, and record its keys
    in the article's ``context``.

    ``when`` is the article's date; None (undated) resolves no title-only mention and records
    titles without dates. ``kind`` is extraction's kind (the
    profile's when not given).
    """
    context = context if context is not None else {}
    mention = Mention(prof, kind or (prof.kind if prof else SpeakerKind.UNKNOWN.value), tuple(roles))
    decision = resolve(mention, when, context, SqlSpeakerIndex(session))
    if prof is None or decision.action == Action.NONE:
        return Resolution(None, False, decision.kind)
    created = False
    if decision.action == Action.NEW:
        sid, created = _create(session, prof)
    else:
        assert decision.speaker_id is not None
        sid = decision.speaker_id
    if decision.action == Action.COMPLETE:
        old = session.get(Speaker, sid)
        assert old is not None
        old.name, old.key = prof.display[:300], prof.key[:300] or None
        session.flush()
    speaker_kind = prof.kind if created else session.scalar(_KIND, {"id": sid}) or prof.kind
    if prof.key or prof.short_keys:
        _add_aliases(session, sid, prof)
    if roles or prof.role_keys:
        _observe_roles(session, sid, prof, roles, when)
    for k in context_keys(prof):
        context.setdefault(k, set()).add(sid)
    return Resolution(sid, created, speaker_kind)


def speaker_key(quote: ExtractedQuote) -> SpeakerKey:
    """The key under which `resolve_article_speakers` returns the speaker of ``quote``."""
    sp = quote.speaker
    return (sp.name, sp.kind, sp.aliases, sp.roles)


def resolve_article_speakers(
    session: Session, quotes: Sequence[ExtractedQuote], when: dt.date | None
) -> dict[SpeakerKey, Resolution]:
    """The resolution of each distinct extracted speaker of one article (by `speaker_key`).
    Every name key is locked first (sorted), then full names are resolved before short ones,
    so that short forms can follow the article's full names."""
    profs: dict[SpeakerKey, NameProfile | None] = {}
    for q in quotes:
        sp = q.speaker
        k = speaker_key(q)
        if k not in profs:
            profs[k] = (
                profile(sp.name or "", sp.kind, tuple(sp.aliases), tuple(sp.roles)) if sp.name else None
            )
    _lock_names(session, [p for p in profs.values() if p is not None])
    context: dict[str, set[int]] = {}

    def has_full_name(k: SpeakerKey) -> bool:
        p = profs[k]
        return bool(p is not None and p.full_keys)

    return {
        k: resolve_speaker(session, profs[k], when, context, roles=k[3], kind=k[1])
        for k in sorted(profs, key=lambda k: (0 if has_full_name(k) else 1, str(k)))
    }


def load_registry(session_factory: sessionmaker[Session], path: str | Path) -> int:
    """Load known speakers (aliases, dated roles, Wikidata ids) from a JSON registry; idempotent.

    Format: ``{"speakers": [{"name", "kind", "aliases": [...], "description", "wikidata_id",
    "roles": [{"title", "start", "end"}]}]}``. Returns the number of entries read.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    entries = data.get("speakers", []) if isinstance(data, dict) else data

    def work(session: Session) -> int:
        profs = []
        for e in entries:
            p = profile(e["name"], e.get("kind", "person"), tuple(e.get("aliases", ())), trusted=True)
            if p is not None and p.key:
                profs.append((e, p))
        _lock_names(session, [p for _, p in profs])
        for e, p in profs:
            sid = resolve_speaker(session, p, None, kind=p.kind).speaker_id
            if sid is None:
                continue
            sp = session.get(Speaker, sid)
            assert sp is not None
            if e.get("description") and not sp.description:
                sp.description = e["description"]
            if e.get("wikidata_id") and not sp.wikidata_id:
                taken = session.scalar(select(Speaker.id).where(Speaker.wikidata_id == e["wikidata_id"]))
                if taken is None:
                    sp.wikidata_id = e["wikidata_id"]
            for r in e.get("roles", ()):
                key = role_key(r["title"])
                start = parse_date(r.get("start"))
                exists = session.scalar(
                    select(SpeakerRole).where(
                        SpeakerRole.speaker_id == sid,
                        SpeakerRole.key == key,
                        SpeakerRole.start_date.is_(None)
                        if start is None
                        else SpeakerRole.start_date == start,
                    )
                )
                if exists is not None and exists.source == "observed":
                    # An article saw the title on the registry's start date: the row becomes the
                    # registry's (same unique key), with the registry's title and end.
                    exists.source, exists.title = "registry", r["title"][:300]
                    exists.end_date = parse_date(r.get("end"))
                elif exists is None:
                    session.add(
                        SpeakerRole(
                            speaker_id=sid,
                            title=r["title"],
                            key=key,
                            start_date=start,
                            end_date=parse_date(r.get("end")),
                            source="registry",
                        )
                    )
            session.flush()
        return len(profs)

    return run_with_retry(session_factory, work)
