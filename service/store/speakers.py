"""Speakers across articles: the SQL index the registry's resolution uses, and applying its
decisions (speaker rows, aliases, observed roles); the speaker registry file.

Concurrency: every name key an article uses is locked (PostgreSQL advisory locks, sorted order)
before any is resolved, so two processes never create the same speaker twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import Speaker, SpeakerAlias, SpeakerRole
from service.db import advisory_xact_lock
from service.nlp.types import Quote as ExtractedQuote
from service.registry.names import NameProfile, alias_rows, initials_compatible, org_parts, profile, role_key
from service.store.articles import parse_date, shift_date
from service.store.transactions import run_with_retry

# Observed roles ("Defense Secretary" in an article of 2024-10-24) resolve role-only mentions
# this many days around the dates they were seen.
OBSERVED_ROLE_SLACK = dt.timedelta(days=45)

# One extracted speaker of an article: (name, kind, aliases, roles).
SpeakerKey = tuple[Any, ...]


def _lock_names(session: Session, profiles: Iterable[NameProfile]) -> None:
    keys: set[str] = set()
    for p in profiles:
        keys.update(k for k in (p.key, *p.full_keys) if k)
        keys.update(p.short_keys)
        keys.update("~" + k for k in p.short_keys)
        keys.update("role:" + k for k in p.role_keys)
    for k in sorted(keys):
        advisory_xact_lock(session, "speaker", k)


def _add_aliases(session: Session, speaker_id: int, prof: NameProfile) -> None:
    rows = alias_rows(prof)
    if not rows:
        return
    keys = {k for _, k, _ in rows}
    have = set(
        session.execute(
            select(SpeakerAlias.speaker_id, SpeakerAlias.key, SpeakerAlias.unique_key).where(
                SpeakerAlias.key.in_(keys)
            )
        ).all()
    )
    mine = {k for sid, k, _ in have if sid == speaker_id}
    taken = {u for _, _, u in have if u}
    for text, key, kind in rows:
        if key in mine:
            continue
        unique = key if kind in ("name", "variant") else None
        if unique and unique in taken:
            continue  # another speaker already holds this full name
        session.add(
            SpeakerAlias(speaker_id=speaker_id, alias=text[:300], key=key[:300], unique_key=unique, kind=kind)
        )
        mine.add(key)
    session.flush()


def _observe_roles(
    session: Session, speaker_id: int, prof: NameProfile, roles: Sequence[str], when: dt.date
) -> None:
    """Record that the speaker held these titles on ``when`` ("observed" rows, one per title).

    (speaker, key, start_date) is unique across sources: a registry row that starts on ``when``
    already covers that date, so no observed row is created on it or moved onto it.
    """
    titles = {role_key(r): r for r in roles if role_key(r)}
    for key in prof.role_keys:
        titles.setdefault(key, key)
    for key, title in titles.items():
        rows = session.scalars(
            select(SpeakerRole).where(SpeakerRole.speaker_id == speaker_id, SpeakerRole.key == key)
        ).all()
        starts = {r.start_date for r in rows}
        role = next((r for r in rows if r.source == "observed"), None)
        if role is None:
            if when not in starts:
                session.add(
                    SpeakerRole(
                        speaker_id=speaker_id,
                        title=title[:300],
                        key=key[:300],
                        start_date=when,
                        end_date=when,
                        source="observed",
                    )
                )
        else:
            start = min(role.start_date or when, when)
            if start != role.start_date and start not in starts:
                role.start_date = start
            role.end_date = max(role.end_date or when, when)
    session.flush()


def _by_role(session: Session, prof: NameProfile, when: dt.date) -> int | None:
    """The one speaker who held one of ``prof``'s titles on ``when``, if exactly one did.

    One-word titles ("the president", "the secretary") are too vague to resolve across articles.
    """
    keys = [k for k in prof.role_keys if len(k.split()) >= 2]
    if not keys:
        return None
    dated = and_(
        SpeakerRole.source == "registry",
        SpeakerRole.start_date.is_not(None),
        SpeakerRole.start_date <= when,
        or_(SpeakerRole.end_date.is_(None), SpeakerRole.end_date >= when),
    )
    observed = and_(
        SpeakerRole.source == "observed",
        SpeakerRole.start_date <= shift_date(when, OBSERVED_ROLE_SLACK),
        SpeakerRole.end_date >= shift_date(when, -OBSERVED_ROLE_SLACK),
    )
    ids = set(
        session.scalars(
            select(SpeakerRole.speaker_id).where(SpeakerRole.key.in_(keys), or_(dated, observed))
        ).all()
    )
    return ids.pop() if len(ids) == 1 else None


def _by_short(session: Session, prof: NameProfile, keys: Sequence[str]) -> int | None:
    if not keys:
        return None
    ids = set(
        session.scalars(
            select(SpeakerAlias.speaker_id)
            .join(Speaker, Speaker.id == SpeakerAlias.speaker_id)
            .where(SpeakerAlias.key.in_(keys), SpeakerAlias.kind == "surname", Speaker.kind == prof.kind)
        ).all()
    )
    ids |= set(session.scalars(select(Speaker.id).where(Speaker.key.in_(["~" + k for k in keys]))).all())
    return ids.pop() if len(ids) == 1 else None


def _bare_org(session: Session, prof: NameProfile) -> int | None:
    """A country-qualified organisation ("South Korean National Intelligence Service") found as an
    organisation stored under its bare name, if exactly one has it and no other country's form."""
    country, bare = org_parts(prof.display)
    if country is None:
        return None
    ids = set(
        session.scalars(
            select(SpeakerAlias.speaker_id)
            .join(Speaker, Speaker.id == SpeakerAlias.speaker_id)
            .where(SpeakerAlias.unique_key == bare, Speaker.kind == prof.kind)
        ).all()
    )
    if len(ids) != 1:
        return None
    sid = ids.pop()
    names = session.scalars(
        select(SpeakerAlias.alias).where(SpeakerAlias.speaker_id == sid, SpeakerAlias.kind == "name")
    ).all()
    countries = {org_parts(n)[0] for n in names} - {None}
    return sid if countries <= {country} else None


def resolve_speaker(
    session: Session,
    prof: NameProfile | None,
    when: dt.date | None,
    context: dict[str, set[int]] | None = None,
    roles: Sequence[str] = (),
) -> tuple[int | None, bool]:
    """The canonical speaker id for ``prof`` (creating one if needed) and whether it was created.

    Order: full names (unique aliases) -> short forms that this article's already resolved
    speakers use (``context``) -> a short form held by exactly one known speaker of the same
    kind (surname-only persons, bare organisation names) -> a title held by exactly one speaker
    on that date (role-only mentions; never creates a speaker) -> a new speaker.

    ``when`` is the article's date; None (undated) resolves no role-only mention and records
    no observed role, since either would need a date.
    """
    if prof is None:
        return None, False
    context = context if context is not None else {}
    if not prof.key:
        return (_by_role(session, prof, when) if when is not None else None), False
    sid: int | None = None
    if prof.full_keys:
        rows: list[tuple[int, str | None]] = [
            (r[0], r[1])
            for r in session.execute(
                select(SpeakerAlias.speaker_id, SpeakerAlias.unique_key).where(
                    SpeakerAlias.unique_key.in_(prof.full_keys)
                )
            )
        ]
        rows += [
            (r[0], r[1])
            for r in session.execute(select(Speaker.id, Speaker.key).where(Speaker.key.in_(prof.full_keys)))
        ]
        if rows and prof.kind == "person":
            # "George W. Bush" is not "George H. W. Bush" although both fold to "george bush".
            ids = {r[0] for r in rows}
            names = dict(session.execute(select(Speaker.id, Speaker.name).where(Speaker.id.in_(ids))).all())
            rows = [r for r in rows if initials_compatible(prof.display, names[r[0]])]
        if rows:
            exact = [r[0] for r in rows if r[1] == prof.key]
            sid = exact[0] if exact else min(r[0] for r in rows)
    bare_org_keys = [k for k in prof.full_keys if prof.kind != "person" and " " in k]
    if sid is None:
        lookup = list(prof.short_keys) if not prof.full_keys else []
        lookup += bare_org_keys
        in_article = {i for k in lookup for i in context.get(k, set())}
        if len(in_article) == 1:
            sid = next(iter(in_article))
        elif not in_article:
            sid = _by_short(session, prof, lookup)
    if sid is None and prof.kind != "person":
        sid = _bare_org(session, prof)
    if sid is None and prof.kind == "person" and prof.full_keys:
        # An earlier surname-only speaker ("Kirby") becomes this full-named one.
        olds = session.scalars(
            select(Speaker).where(Speaker.key.in_(["~" + k for k in prof.short_keys]))
        ).all()
        # Only while no other known person has that surname (else "Kim" could be any Kim).
        others = session.scalar(
            select(func.count(func.distinct(SpeakerAlias.speaker_id)))
            .join(Speaker, Speaker.id == SpeakerAlias.speaker_id)
            .where(
                SpeakerAlias.key.in_(prof.short_keys),
                SpeakerAlias.kind == "surname",
                Speaker.kind == "person",
                Speaker.key.not_like("~%"),
            )
        )
        if len(olds) == 1 and not others:
            old = olds[0]
            old.name, old.key = prof.display[:300], prof.key[:300]
            session.flush()
            sid = old.id
    created = False
    if sid is None:
        try:
            with session.begin_nested():
                sp = Speaker(name=prof.display[:300], key=prof.key[:300], kind=prof.kind)
                session.add(sp)
                session.flush()
                sid, created = sp.id, True
        except IntegrityError:
            sid = session.scalar(select(Speaker.id).where(Speaker.key == prof.key))
            if sid is None:
                raise
    _add_aliases(session, sid, prof)
    if (roles or prof.role_keys) and when is not None:
        _observe_roles(session, sid, prof, roles, when)
    for k in (*prof.short_keys, *bare_org_keys, *prof.full_keys):
        context.setdefault(k, set()).add(sid)
    return sid, created


def speaker_key(quote: ExtractedQuote) -> SpeakerKey:
    """The key under which `resolve_article_speakers` returns the speaker of ``quote``."""
    sp = quote.speaker
    return (sp.name, sp.kind, sp.aliases, sp.roles)


def resolve_article_speakers(
    session: Session, quotes: Sequence[ExtractedQuote], when: dt.date | None
) -> tuple[dict[SpeakerKey, int | None], int]:
    """The speaker id of each distinct extracted speaker of one article (by `speaker_key`) and
    how many speakers were created. Every name key is locked first (sorted), then full names
    are resolved before short ones, so that short forms can follow the article's full names."""
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
    resolved: dict[SpeakerKey, int | None] = {}
    created_count = 0

    def has_full_name(k: SpeakerKey) -> bool:
        p = profs[k]
        return bool(p is not None and p.full_keys)

    for k in sorted(profs, key=lambda k: (0 if has_full_name(k) else 1, str(k))):
        sid, created = resolve_speaker(session, profs[k], when, context, roles=k[3])
        resolved[k] = sid
        created_count += int(created)
    return resolved, created_count


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
            sid, _ = resolve_speaker(session, p, None)
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
