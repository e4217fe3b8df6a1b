"""Read queries of the API (session I/O only, no Flask): speakers, statements, quotes, articles.

Every list is keyset-paginated by id: callers pass ``after`` (the last id of the previous page,
or None) and ``limit``; functions fetch ``limit + 1`` rows so the caller can tell whether there
is a next page. Results are plain dicts in the API's shapes.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import orjson
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Double,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from models import (
    Article,
    Occurrence,
    Outlet,
    Quote,
    Speaker,
    SpeakerAlias,
    SpeakerRole,
    Statement,
)
from service.registry.names import name_key
from service.store.idlists import in_list
from service.text.ranking import (
    CLOSE,
    OPEN,
    CorpusStats,
    bm25,
    contains_all,
    frequencies,
    marked_frequencies,
    phrase_stems,
    stems,
)
from service.vocab import SpeakerKind

T = TypeVar("T")

# Ids beyond this cannot exist (64-bit keys); looking them up would overflow the driver.
MAX_ID = 2**63 - 1


def _valid_id(value: int) -> bool:
    return 0 < value <= MAX_ID


def _connection(db: Session | Connection) -> Connection:
    """The connection to run Core statements on: a session's, or ``db`` itself (hot reads take
    a plain connection: a session's transaction bookkeeping costs more than their queries)."""
    return db.connection() if isinstance(db, Session) else db


def _words(q: str | None) -> list[str]:
    return [w for w in (q or "").split() if w][:20]


# ---------------------------------------------------------------- speakers


def _speaker_match(q: str) -> ColumnElement[bool]:
    """Speakers whose name or one of whose aliases contains ``q`` (normalised, or as written)."""
    conds: list[ColumnElement[bool]] = [Speaker.name.icontains(q, autoescape=True)]
    alias_conds: list[ColumnElement[bool]] = [SpeakerAlias.alias.icontains(q, autoescape=True)]
    key = name_key(q)
    if key:
        conds.append(Speaker.key.contains(key, autoescape=True))
        alias_conds.append(SpeakerAlias.key.contains(key, autoescape=True))
    alias = exists().where(SpeakerAlias.speaker_id == Speaker.id, or_(*alias_conds))
    return or_(*conds, alias)


def search_speakers(session: Session, q: str | None, limit: int, after: int | None) -> list[dict[str, Any]]:
    """Speakers matching ``q`` by name or alias (all when empty), in id order."""
    stmt = select(Speaker)
    if q:
        stmt = stmt.where(_speaker_match(q))
    if after is not None:
        stmt = stmt.where(Speaker.id > after)
    rows = session.scalars(stmt.order_by(Speaker.id).limit(limit + 1)).all()
    return _speaker_dicts(session, rows)


def get_speaker(session: Session, speaker_id: int) -> dict[str, Any] | None:
    """One speaker, or None."""
    speaker = session.get(Speaker, speaker_id) if _valid_id(speaker_id) else None
    return _speaker_dicts(session, [speaker])[0] if speaker else None


def speaker_exists(session: Session, speaker_id: int) -> bool:
    """Whether a speaker with this id exists."""
    return _valid_id(speaker_id) and session.get(Speaker, speaker_id) is not None


def article_exists(session: Session, article_id: int) -> bool:
    """Whether an article with this id exists (without loading its text)."""
    return _valid_id(article_id) and bool(session.scalar(select(exists().where(Article.id == article_id))))


_SPEAKERS_BY_KEY = (
    select(Speaker.id)
    .where(
        or_(
            Speaker.key == bindparam("key"),
            Speaker.id.in_(select(SpeakerAlias.speaker_id).where(SpeakerAlias.key == bindparam("key"))),
        )
    )
    .order_by(Speaker.id)
    .limit(bindparam("limit"))
)


def resolve_speaker_ids(session: Session, name: str, limit: int = 50) -> list[int]:
    """Ids of the speakers a name refers to: an id, an exact name/alias key, else a partial match."""
    if name.isascii() and name.isdigit():  # "³".isdigit() too, but int() refuses it
        return [int(name)] if _valid_id(int(name)) else []
    key = name_key(name)
    if key:
        ids = list(_connection(session).scalars(_SPEAKERS_BY_KEY, {"key": key, "limit": limit}))
        if ids:
            return ids
    return list(
        session.scalars(select(Speaker.id).where(_speaker_match(name)).order_by(Speaker.id).limit(limit))
    )


def _speaker_dicts(session: Session, speakers: Sequence[Speaker]) -> list[dict[str, Any]]:
    ids = [s.id for s in speakers]
    if not ids:
        return []
    statements = dict(
        session.execute(
            select(Statement.speaker_id, func.count())
            .where(Statement.speaker_id.in_(ids))
            .group_by(Statement.speaker_id)
        ).all()
    )
    quotes = dict(
        session.execute(
            select(Quote.speaker_id, func.count()).where(Quote.speaker_id.in_(ids)).group_by(Quote.speaker_id)
        ).all()
    )
    aliases: dict[int, list[str]] = defaultdict(list)
    for sid, alias in session.execute(
        select(SpeakerAlias.speaker_id, SpeakerAlias.alias)
        .where(SpeakerAlias.speaker_id.in_(ids))
        .order_by(SpeakerAlias.id)
    ):
        aliases[sid].append(alias)
    roles: dict[int, list[str]] = defaultdict(list)
    for sid, title in session.execute(
        select(SpeakerRole.speaker_id, SpeakerRole.title)
        .where(SpeakerRole.speaker_id.in_(ids))
        .order_by(SpeakerRole.id)
    ):
        roles[sid].append(title)
    return [
        {
            "id": s.id,
            "name": s.name,
            "kind": s.kind,
            "aliases": _unique(a for a in aliases[s.id] if a != s.name),
            "roles": _unique(roles[s.id]),
            "statement_count": statements.get(s.id, 0),
            "quote_count": quotes.get(s.id, 0),
        }
        for s in speakers
    ]


def _unique(items: Iterable[T]) -> list[T]:
    """The items without repeats, in first-seen order."""
    return list(dict.fromkeys(items))


# ---------------------------------------------------------------- statements


STATEMENT_COLUMNS = (
    Statement.id,
    Statement.text,
    Statement.speaker_id,
    Statement.first_seen,
    Statement.last_seen,
    Speaker.name.label("speaker_name"),
    Speaker.kind.label("speaker_kind"),
)


def _statements_select() -> Select[Any]:
    """Statement rows with their speaker's name (`STATEMENT_COLUMNS`), no ORM objects."""
    stmt: Any = select(*STATEMENT_COLUMNS).join(Speaker, Speaker.id == Statement.speaker_id)
    return stmt


# The hot reads are built once, with bound parameters, and run on the session's connection
# (SQLAlchemy Core): building a select and going through the ORM cost ten times the query itself.
_SPEAKER_VERSION = select(Speaker.data_version).where(Speaker.id == bindparam("speaker_id"))
_STATEMENT_PAGE = (
    _statements_select()
    .where(Statement.speaker_id == bindparam("speaker_id"), Statement.id > bindparam("after"))
    .order_by(Statement.id)
    .limit(bindparam("limit"))
)


def statements_version(db: Session | Connection, speaker_id: int) -> int | None:
    """The speaker's data version (bumped by triggers whenever the speaker, one of its
    statements or one of their variants changes; see migration 0005), or None when there is no
    such speaker. One primary-key lookup: readers check it before building anything."""
    if not _valid_id(speaker_id):
        return None
    version = _connection(db).execute(_SPEAKER_VERSION, {"speaker_id": speaker_id}).scalar()
    return None if version is None else int(version)


def seen_between(since: Any, until: Any) -> list[ColumnElement[bool]]:
    """Conditions on a statement's own row that any statement with a variant dated in
    [``since``, ``until``] (dates or bound parameters; None: open) meets: its first and last dates
    seen (the dates of its variants' articles, kept by placement) span part of that range.
    Checked before the variants are, they spare a look at the variants of every statement
    reported only outside it."""
    conds: list[ColumnElement[bool]] = []
    if since is not None:
        conds.append(Statement.last_seen >= since)
    if until is not None:
        conds.append(Statement.first_seen <= until)
    return conds


def _like_pattern(word: str) -> str:
    """A case-insensitive LIKE pattern (escape ``/``) matching ``word`` anywhere."""
    return "%" + word.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


@functools.lru_cache(maxsize=256)
def _filtered_page(n_words: int, outlet: bool, since: bool, until: bool, after: bool) -> Select[Any]:
    """A page of a speaker's statements under filters (`list_statements`), built once per shape,
    with bound parameters: ``speaker_id``, ``word0``... (`_like_pattern`), ``outlet`` (a pattern),
    ``since``, ``until``, ``after``, ``limit``."""
    stmt = _statements_select().where(Statement.speaker_id == bindparam("speaker_id"))
    for i in range(n_words):
        word = bindparam(f"word{i}", type_=Text())
        in_variant = exists().where(
            Occurrence.statement_id == Statement.id, Occurrence.text.ilike(word, escape="/")
        )
        stmt = stmt.where(or_(Statement.text.ilike(word, escape="/"), in_variant))
    if outlet or since or until:
        day = Article.published_at.type
        first = bindparam("since", type_=day) if since else None
        last = bindparam("until", type_=day) if until else None
        conds: list[ColumnElement[bool]] = [Occurrence.statement_id == Statement.id]
        if outlet:  # the outlets' ids once, not a name match per variant
            names = select(Outlet.id).where(Outlet.name.ilike(bindparam("outlet", type_=Text()), escape="/"))
            conds.append(Article.outlet_id.in_(names))
        if first is not None:
            conds.append(Article.published_at >= first)
        if last is not None:
            conds.append(Article.published_at <= last)
        variants = select(Occurrence.id).join(Article, Article.id == Occurrence.article_id)
        stmt = stmt.where(*seen_between(first, last), exists(variants.where(and_(*conds))))
    if after:
        stmt = stmt.where(Statement.id > bindparam("after"))
    return stmt.order_by(Statement.id).limit(bindparam("limit"))


@functools.lru_cache(maxsize=256)
def _filtered_page_json(dialect: str, *shape: Any) -> Select[Any]:
    return _page_json_select(_filtered_page(*shape), dialect)


def list_statements(
    db: Session | Connection,
    speaker_id: int,
    *,
    q: str | None = None,
    outlet: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int,
    after: int | None,
    raw_variants: bool = False,
) -> list[dict[str, Any]]:
    """Statements of a speaker, with their variants, in id order.

    ``q``: every word occurs in the statement or in one of its variants; ``outlet``/``since``/
    ``until``: at least one variant appeared in a matching outlet / in that date range.
    ``raw_variants``: one query, variants as JSON written by the database (`_statement_dicts_json`).
    """
    conn = _connection(db)
    dialect = conn.dialect.name
    params: dict[str, Any] = {"speaker_id": speaker_id, "limit": limit + 1}
    if not (q or outlet or since or until):
        params["after"] = after or 0
        if raw_variants:
            return _statement_dicts_json(conn.execute(_STATEMENT_PAGE_JSON[dialect], params))
        return _statement_dicts(conn, conn.execute(_STATEMENT_PAGE, params).all())
    words = _words(q)
    shape = (len(words), bool(outlet), since is not None, until is not None, after is not None)
    params["after"] = after
    params |= {f"word{i}": _like_pattern(w) for i, w in enumerate(words)}
    params |= {"outlet": _like_pattern(outlet or ""), "since": since, "until": until}
    if raw_variants:
        return _statement_dicts_json(conn.execute(_filtered_page_json(dialect, *shape), params))
    return _statement_dicts(conn, conn.execute(_filtered_page(*shape), params).all())


def get_statement(session: Session, statement_id: int) -> dict[str, Any] | None:
    """One statement with its variants, or None."""
    if not _valid_id(statement_id):
        return None
    rows = session.execute(_statements_select().where(Statement.id == statement_id)).all()
    return _statement_dicts(session, rows)[0] if rows else None


_STATEMENTS_BY_IDS = _statements_select().where(in_list(Statement.id, "ids"))


def statements_by_ids(db: Session | Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Statements (with variants) by id."""
    rows = _connection(db).execute(_STATEMENTS_BY_IDS, {"ids": list(ids)}).all() if ids else []
    return {d["id"]: d for d in _statement_dicts(db, rows)}


ARTICLE_REF_COLUMNS = (
    Article.id.label("article_id"),
    Article.headline,
    Article.url,
    Article.published_at,
    Outlet.name.label("outlet_name"),
)


def _article_ref(row: Any) -> dict[str, Any]:
    """An article reference from a row with ``ARTICLE_REF_COLUMNS``."""
    return {
        "id": row.article_id,
        "title": row.headline,
        "outlet": row.outlet_name,
        "url": row.url,
        "published_at": row.published_at,
    }


_VARIANTS = (
    select(
        Occurrence.statement_id,
        Occurrence.quote_id,
        Occurrence.text,
        Occurrence.type,
        Occurrence.label,
        Occurrence.similarity,
        Occurrence.diff,
        Occurrence.start,
        Occurrence.end,
        *ARTICLE_REF_COLUMNS,
    )
    .join(Article, Article.id == Occurrence.article_id)
    .outerjoin(Outlet, Outlet.id == Article.outlet_id)
    .where(in_list(Occurrence.statement_id, "ids"))
    .order_by(Occurrence.statement_id, Article.published_at, Occurrence.id)
)


def _variant_json(dialect: str) -> ColumnElement[Any]:
    """One variant (of the outer-joined occurrence, article, outlet) as a JSON object written by
    the database in the API's shape (`VariantSchema`), as text."""
    obj: Any
    diff: Any
    if dialect == "postgresql":
        obj, diff = func.json_build_object, Occurrence.diff
    else:  # SQLite's JSON1: json() embeds the stored diff as JSON, not as a string
        obj, diff = func.json_object, func.json(Occurrence.diff)
    article = obj(
        "id", Article.id, "title", Article.headline, "outlet", Outlet.name, "url", Article.url,
        "published_at", Article.published_at,
    )  # fmt: skip
    variant = obj(
        "quote_id", Occurrence.quote_id, "text", Occurrence.text, "type", Occurrence.type,
        "relation", Occurrence.label, "similarity", Occurrence.similarity, "diff", diff,
        "article", article, "start", Occurrence.start, "end", Occurrence.end,
    )  # fmt: skip
    return cast(variant, Text).label("variant_json")


def _page_json_select(page: Select[Any], dialect: str) -> Select[Any]:
    """A page of statement rows (``page``, with its limit) joined with their variants as JSON:
    one row per variant (one with a NULL variant for a statement without any), in page order."""
    sub = page.subquery("page")
    return (
        select(sub, _variant_json(dialect))
        .select_from(sub)
        .outerjoin(Occurrence, Occurrence.statement_id == sub.c.id)
        .outerjoin(Article, Article.id == Occurrence.article_id)
        .outerjoin(Outlet, Outlet.id == Article.outlet_id)
        .order_by(sub.c.id, Article.published_at, Occurrence.id)
    )


_STATEMENT_PAGE_JSON = {name: _page_json_select(_STATEMENT_PAGE, name) for name in ("postgresql", "sqlite")}


def _statement_dicts_json(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Statement dicts from `_page_json_select` rows; each ``variants`` is an `orjson.Fragment`,
    the JSON array as the database wrote it (no per-variant Python objects)."""
    out: list[dict[str, Any]] = []
    objects: list[list[str]] = []
    for row in rows:
        if not out or out[-1]["id"] != row.id:
            out.append(
                {
                    "id": row.id,
                    "text": row.text,
                    "speaker": {"id": row.speaker_id, "name": row.speaker_name, "kind": row.speaker_kind},
                    "first_seen": row.first_seen,
                    "last_seen": row.last_seen,
                }
            )
            objects.append([])
        if row.variant_json is not None:
            objects[-1].append(row.variant_json)
    for statement, variants in zip(out, objects, strict=True):
        statement["variant_count"] = len(variants)
        statement["variants"] = orjson.Fragment("[" + ",".join(variants) + "]")
    return out


def _statement_dicts(db: Session | Connection, statements: Sequence[Any]) -> list[dict[str, Any]]:
    """Statement dicts (API shape) from rows with `STATEMENT_COLUMNS`: one query for all variants."""
    if not statements:
        return []
    variants: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = _connection(db).execute(_VARIANTS, {"ids": [s.id for s in statements]})
    for row in rows:
        variants[row.statement_id].append(
            {
                "quote_id": row.quote_id,
                "text": row.text,
                "type": row.type,
                "relation": row.label,
                "similarity": row.similarity,
                "diff": row.diff,
                "article": _article_ref(row),
                "start": row.start,
                "end": row.end,
            }
        )
    return [
        {
            "id": s.id,
            "text": s.text,
            "speaker": {"id": s.speaker_id, "name": s.speaker_name, "kind": s.speaker_kind},
            "first_seen": s.first_seen,
            "last_seen": s.last_seen,
            "variant_count": len(variants[s.id]),
            "variants": variants[s.id],
        }
        for s in statements
    ]


# ---------------------------------------------------------------- quotes and articles


# A search cursor: the id of the last quote of the page, with its rank when the search is ranked.
SearchAfter = int | tuple[int, float]
MAX_SEARCH_TERMS = 20
# Full-text matches ranked per search: the newest this many (see `search_quotes`).
RANK_WINDOW = 2000
# SQLite: filters that leave at most this many quotes are applied first, and those quotes matched
# by their stems here (see `_sqlite_window`).
FILTER_FIRST_MAX = 1500
# SQLite: the newest matches of a phrase counted to estimate how many quotes contain it, and
# the most index entries FTS5's own bm25() may walk (the quotes containing each word of the
# query, added up) before the window is ranked in Python instead (see `_ranked_sqlite`).
DF_SAMPLE = 1000
SQL_BM25_MAX_WALK = 100_000
# PostgreSQL: the newest quotes searched first (see `_ranked_postgresql`).
PROBE_ROWS = 20_000
_SEARCH_PART = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+")


def search_terms(q: str | None) -> list[str]:
    """The parts of a full-text query: ``"quoted phrases"`` and single words, each as its words
    joined by spaces (punctuation dropped: ``3,000`` is the phrase ``3 000``)."""
    parts = []
    for m in _SEARCH_PART.finditer(q or ""):
        words = _WORD.findall(m.group(1) if m.group(1) is not None else m.group(2))
        if words:
            parts.append(" ".join(words))
    return parts[:MAX_SEARCH_TERMS]


def _fulltext(dialect: str, parts: list[str]) -> tuple[Any, ColumnElement[bool], ColumnElement[float]]:
    """(FROM clause, match condition, rank: lower is better) for quotes matching every part:
    PostgreSQL's ``quotes.search`` tsvector (GIN) or SQLite's FTS5 table ``quotes_fts``."""
    quotes = Quote.__table__
    if dialect == "postgresql":
        english: ColumnElement[Any] = literal_column("'english'::regconfig")
        tsq: ColumnElement[Any] = func.phraseto_tsquery(english, parts[0])
        for part in parts[1:]:
            tsq = tsq.op("&&")(func.phraseto_tsquery(english, part))
        vector: ColumnElement[Any] = literal_column("quotes.search")
        # A phrase's adjacent word pairs (migration 0011) narrow its candidates in their own GIN
        # index: the tsvector's finds every quote with all the words, each checked in the table.
        pairs: ColumnElement[Any] = literal_column("quotes.search_pairs")
        in_pairs = [
            pairs.op("@>")(func.quote_phrase_pairs(func.to_tsvector(english, part)))
            for part in parts
            if " " in part
        ]
        # With pairs, the tsvector's index is left out (the function form of @@ is not indexable):
        # the planner combined it with theirs, reading every entry of each common word.
        matches = func.ts_match_vq(vector, tsq) if in_pairs else vector.op("@@")(tsq)
        # ts_rank is a float4, which the driver reads back rounded: as float8 it round-trips exactly
        # through the cursor.
        return quotes, and_(*in_pairs, matches), -cast(func.ts_rank(vector, tsq), Double)
    fts = table("quotes_fts", column("rowid", BigInteger))
    expr = " ".join(f'"{part}"' for part in parts)  # FTS5 strings: each a phrase, all required
    match = literal_column("quotes_fts").op("MATCH")(expr)
    return fts.join(quotes, Quote.id == fts.c.rowid), match, func.bm25(literal_column("quotes_fts"))


def _newest_first(dialect: str) -> ColumnElement[Any]:
    """The order in which full-text matches are read up to `RANK_WINDOW`: by id, newest first
    (FTS5 walks its index in rowid order; PostgreSQL can walk the primary key backwards)."""
    if dialect == "postgresql":
        return Quote.id.desc()
    return literal_column("quotes_fts.rowid").desc()


def search_quotes(
    session: Session,
    *,
    speaker: str | None = None,
    outlet: str | None = None,
    type: str | None = None,
    q: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int,
    after: SearchAfter | None,
) -> list[dict[str, Any]]:
    """Stored quotes matching all given filters.

    Without ``q``: in id order (``after``: the last id). With ``q``: full-text search (stemmed
    words, ``"quoted phrases"``, all required), best match first among the newest `RANK_WINDOW`
    matches (so a very common word costs no more than a rare one); each dict then carries its
    ``rank`` (lower is better) and ``after`` is the ``(id, rank)`` of the last quote of the page.
    The rank is PostgreSQL's ``ts_rank``, or on SQLite FTS5's BM25 computed in Python with
    estimated document frequencies (`_ranked_sqlite`).
    """
    conds: list[ColumnElement[bool]] = []
    if speaker:
        conds.append(Quote.speaker_id.in_(resolve_speaker_ids(session, speaker)))
    if outlet:
        conds.append(
            Article.outlet_id.in_(select(Outlet.id).where(Outlet.name.icontains(outlet, autoescape=True)))
        )
    if type:
        conds.append(Quote.type == type)
    # The article's date, copied onto the quote (migration 0012): no join with articles to check
    # it. When the articles are joined for their outlet, it is checked there: the planner then
    # filters the articles by both (a few hundred in 100,000) before it looks at quotes.
    day = Article.published_at if outlet else Quote.published_at
    if since:
        conds.append(day >= since)
    if until:
        conds.append(day <= until)
    parts = search_terms(q)
    if not parts:
        stmt: Any = select(Quote.id).join(Article, Article.id == Quote.article_id).where(*conds)
        if after is not None:
            stmt = stmt.where(Quote.id > (after[0] if isinstance(after, tuple) else after))
        return _quote_dicts(session, list(session.scalars(stmt.order_by(Quote.id).limit(limit + 1))))
    if session.get_bind().dialect.name == "postgresql":
        hits = _ranked_postgresql(
            session,
            parts,
            conds,
            bool(outlet),
            after,
            limit,
            by_speaker=bool(speaker),
            by_date=bool((since or until) and not outlet),
        )
    else:
        hits = _ranked_sqlite(session, parts, conds, bool(outlet), after, limit)
    by_id = {d["id"]: d for d in _quote_dicts(session, [h[1] for h in hits])}
    return [{**by_id[quote_id], "rank": float(rank)} for rank, quote_id in hits]


def _ranked_postgresql(
    session: Session,
    parts: list[str],
    conds: list[ColumnElement[bool]],
    with_article: bool,
    after: SearchAfter | None,
    limit: int,
    *,
    by_speaker: bool = False,
    by_date: bool = False,
) -> list[tuple[float, int]]:
    """(rank, id) of the page: ts_rank over the newest `RANK_WINDOW` matches.

    Which plan finds them depends on how dense the matches are, which PostgreSQL misjudges for
    phrases. So the newest `PROBE_ROWS` quotes are searched first: if the window fills there,
    that is it (common words). Otherwise older id ranges are searched, newest first, each as wide
    as the matches found so far say the rest of the window needs (`_next_range`): in a range the
    planner can combine the full-text index with the primary key's, so only the matches in it
    are read from the table, not every match of the archive (a word in 0.5% of a million quotes
    read 5,000 rows for a window of 2,000), nor every quote of the range. A speaker's quotes
    (`by_speaker`, a thousand) are few: the planner's own plan takes its index.

    Under a date filter on the quote's own date (`by_date`: no outlet filter joins the articles)
    the words' matches in the date range are found by one query in the planner's plan, which
    PostgreSQL estimates well for words (not for phrases): newest first by ``-id``, an order that
    only the index on ``(-id, published_at)`` gives (migration 0012), which checks the date before
    the row is read, or the full-text and date indexes combined when the matches are few. (In id
    order the planner walked the primary key instead, reading every row: 150,000 rows for two
    words found together in one quote in 60, 70 ms.)"""
    source, match, rank = _fulltext("postgresql", parts)
    if with_article:
        source = source.join(Article, Article.id == Quote.article_id)

    def window(order: Any, need: int, *extra: ColumnElement[bool]) -> list[Any]:
        stmt = select(Quote.id, rank).select_from(source).where(match, *conds, *extra)
        return _plain_rows(session.connection(), stmt.order_by(order).limit(need))

    if by_date and not by_speaker and not any(" " in part for part in parts):
        return _page_after(
            sorted((float(r[1]), int(r[0])) for r in window(-Quote.id, RANK_WINDOW)), after, limit
        )
    newest = session.scalar(select(func.max(Quote.id))) or 0
    rows = window(Quote.id.desc(), RANK_WINDOW, Quote.id > newest - PROBE_ROWS)
    if len(rows) < RANK_WINDOW and newest > PROBE_ROWS:
        if by_speaker:
            rows = window(Quote.id.desc(), RANK_WINDOW)
        else:
            high = newest - PROBE_ROWS
            while len(rows) < RANK_WINDOW and high > 0:
                low = _next_range(len(rows), newest - high, high)
                # "+ 0": no index gives this order, so the planner may combine indexes
                rows += window(
                    (Quote.id + 0).desc(), RANK_WINDOW - len(rows), Quote.id > low, Quote.id <= high
                )
                high = low
    hits = sorted((float(r[1]), int(r[0])) for r in rows)
    return _page_after(hits, after, limit)


def _next_range(found: int, searched: int, high: int) -> int:
    """The low end (exclusive) of the next id range to search below ``high``, after ``found``
    matches in the ``searched`` newest ids: wide enough for the rest of the window at the density
    so far (and a quarter more), at least twice as wide as what was searched (eight times when
    nothing was found), and no lower than 0."""
    if found:
        width = max(2 * searched, int((RANK_WINDOW - found) * searched / found * 1.25))
    else:
        width = 8 * searched
    return max(0, high - width)


def _plain_rows(conn: Connection, stmt: Executable) -> list[Any]:
    """Every row of ``stmt`` as the driver's plain tuple: a search's window is thousands of rows,
    and SQLAlchemy ``Row`` objects cost more than the query and, kept until the window is ranked,
    bring on full garbage collections (tens of milliseconds each in a process of some size)."""
    result = conn.execute(stmt)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _page_after(
    hits: list[tuple[float, int]], after: SearchAfter | None, limit: int
) -> list[tuple[float, int]]:
    """The ``limit + 1`` (rank, id) hits, in order, that follow the cursor position ``after``."""
    if isinstance(after, tuple):
        last_id, last_rank = after
        hits = [h for h in hits if h > (last_rank, last_id)]
    return hits[: limit + 1]


def _ranked_sqlite(
    session: Session,
    parts: list[str],
    conds: list[ColumnElement[bool]],
    with_article: bool,
    after: SearchAfter | None,
    limit: int,
) -> list[tuple[float, int]]:
    """(rank, id) of the page: BM25 over the newest `RANK_WINDOW` matches.

    FTS5's own ``bm25()`` first walks every match of each phrase (their document frequencies),
    and a phrase's matches are found by reading the entries of each of its words: cheap for rare
    words, ~50 ms for a word found in most of a million quotes and ~200 ms for a phrase of two
    such words, whatever the limit. So when the words of the query are found in more than
    `SQL_BM25_MAX_WALK` quotes (estimated, added up), the window is ranked in Python instead
    (`service.text.ranking`: the same formula, the frequencies estimated); both give the same
    ranks when the frequencies are exact."""
    conn = session.connection()
    phrases = [phrase_stems(part) for part in parts]
    stats = _fts_stats(conn, parts)
    if _bm25_walk(conn, parts, stats) <= SQL_BM25_MAX_WALK:
        source, match, rank = _fulltext("sqlite", parts)
        if with_article:
            source = source.join(Article, Article.id == Quote.article_id)
        window = (
            select(Quote.id, rank)
            .select_from(source)
            .where(match, *conds)
            .order_by(_newest_first("sqlite"))
            .limit(RANK_WINDOW)
        )
        hits = sorted((float(rank), int(quote_id)) for quote_id, rank in _plain_rows(conn, window))
    else:
        ids, documents = _sqlite_window(conn, parts, phrases, conds, with_article)
        hits = sorted(zip(bm25(documents, stats), ids, strict=True))
    return _page_after(hits, after, limit)


def _sqlite_window(
    conn: Connection,
    parts: list[str],
    phrases: list[tuple[str, ...]],
    conds: list[ColumnElement[bool]],
    with_article: bool,
) -> tuple[list[int], list[tuple[int, tuple[int, ...]]]]:
    """Ids of the newest `RANK_WINDOW` quotes matching every part and filter, with their length
    and phrase frequencies (`service.text.ranking.bm25`'s input).

    A filter that leaves few quotes (`FILTER_FIRST_MAX`: one speaker, a week) is applied first and
    its quotes matched here by their stems; otherwise FTS5 walks its matches newest first, checks
    the filters on each, and marks the phrases (``highlight``) so that they are counted without
    tokenising the texts here. (A speaker's quotes among a common word's matches would take a walk
    through all of them.)"""
    quotes = Quote.__table__
    filtered: Any = quotes.join(Article, Article.id == Quote.article_id) if with_article else quotes
    ids: list[int] = []
    documents: list[tuple[int, tuple[int, ...]]] = []
    if conds:
        few = select(Quote.id).select_from(filtered).where(*conds).limit(FILTER_FIRST_MAX + 1).subquery()
        if (conn.execute(select(func.count()).select_from(few)).scalar() or 0) <= FILTER_FIRST_MAX:
            newest_first = select(Quote.id, Quote.text).select_from(filtered).order_by(Quote.id.desc())
            for quote_id, text in _plain_rows(conn, newest_first.where(*conds)):
                tokens = stems(text)
                if contains_all(tokens, phrases):
                    ids.append(quote_id)
                    documents.append((len(tokens), frequencies(tokens, phrases)))
                    if len(ids) == RANK_WINDOW:
                        break
            return ids, documents
    source, match, _rank = _fulltext("sqlite", parts)
    fts: ColumnElement[Any] = literal_column("quotes_fts")
    rowid: ColumnElement[int] = literal_column("quotes_fts.rowid")
    sizes = table("quotes_fts_docsize", column("id", BigInteger), column("sz"))
    if conds:
        if with_article:
            source = source.join(Article, Article.id == Quote.article_id)
    else:  # highlight() reads the text itself: no join with quotes to walk
        source = table("quotes_fts")
    window = _plain_rows(
        conn,
        select(rowid, func.highlight(fts, 0, OPEN, CLOSE), sizes.c.sz)
        .select_from(source.join(sizes, sizes.c.id == rowid))
        .where(match, *conds)
        .order_by(rowid.desc())
        .limit(RANK_WINDOW),
    )
    for quote_id, marked, size in window:
        ids.append(quote_id)
        documents.append((_varint(size or b"\x00")[0], marked_frequencies(marked or "", phrases)))
    return ids, documents


def _fts_stats(conn: Connection, parts: list[str]) -> CorpusStats:
    """Quotes indexed, their average length (FTS5's own totals), and per part an estimate of the
    quotes containing it: exact up to `DF_SAMPLE`, else extrapolated from the id range its newest
    `DF_SAMPLE` matches span."""
    block = conn.exec_driver_sql("SELECT block FROM quotes_fts_data WHERE id = 1").scalar() or b""
    documents, i = _varint(block)
    tokens, _ = _varint(block, i)
    frequencies = tuple(_estimated_df(conn, part, documents) for part in parts)
    return CorpusStats(documents, tokens / documents if documents else 0.0, frequencies)


def _estimated_df(conn: Connection, part: str, documents: int) -> float:
    """How many quotes contain ``part`` (a phrase or a word): exact up to `DF_SAMPLE`, else
    extrapolated from the id range that its newest `DF_SAMPLE` matches span."""
    count, oldest = conn.exec_driver_sql(
        "SELECT count(*), min(rowid) FROM (SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ? "
        "ORDER BY rowid DESC LIMIT ?)",
        (f'"{part}"', DF_SAMPLE),
    ).one()
    if count < DF_SAMPLE or oldest is None:
        return float(count)
    # Two queries: SQLite reads min() or max() of the key from the index, both at once by a scan.
    lowest = conn.exec_driver_sql("SELECT min(id) FROM quotes").scalar()
    highest = conn.exec_driver_sql("SELECT max(id) FROM quotes").scalar()
    if lowest is None or highest is None:
        return float(count)
    share = (highest - oldest + 1) / (highest - lowest + 1)
    return min(float(documents), count / share)


def _bm25_walk(conn: Connection, parts: list[str], stats: CorpusStats) -> float:
    """About how many index entries FTS5's ``bm25()`` reads for this query: the quotes that
    contain each word of it (a phrase's words each), added up; a word's own estimate is that
    of a part that is that word."""
    known = dict(zip(parts, stats.document_frequency, strict=True))
    walk = 0.0
    for word in (w for part in parts for w in part.split()):
        if word not in known:
            known[word] = _estimated_df(conn, word, stats.documents)
        walk += known[word]
        if walk > SQL_BM25_MAX_WALK:
            break
    return walk


def _varint(data: bytes, i: int = 0) -> tuple[int, int]:
    """An SQLite varint of ``data`` at ``i`` (FTS5's records: the averages, each document's
    size): (value, the offset after it); (0, i) past the end."""
    value = 0
    for k in range(9):
        if i >= len(data):
            break
        byte = data[i]
        i += 1
        if k == 8:
            return (value << 8) | byte, i
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            break
    return value, i


def get_article(session: Session, article_id: int) -> dict[str, Any] | None:
    """One article with its text and quote count, or None."""
    if not _valid_id(article_id):
        return None
    row = session.execute(
        select(
            *ARTICLE_REF_COLUMNS,
            Article.external_id,
            Article.author,
            Article.text,
            Outlet.url.label("outlet_url"),
        )
        .outerjoin(Outlet, Outlet.id == Article.outlet_id)
        .where(Article.id == article_id)
    ).first()
    if row is None:
        return None
    count = session.scalar(select(func.count()).select_from(Quote).where(Quote.article_id == article_id))
    return {
        **_article_ref(row),
        "external_id": row.external_id,
        "author": row.author,
        "outlet_url": row.outlet_url,
        "quote_count": count or 0,
        "text": row.text,
    }


def list_article_quotes(
    session: Session, article_id: int, *, limit: int, after: int | None
) -> list[dict[str, Any]]:
    """Quotes of one article in id order (the article must exist; see `get_article`)."""
    stmt = select(Quote.id).where(Quote.article_id == article_id)
    if after is not None:
        stmt = stmt.where(Quote.id > after)
    ids = list(session.scalars(stmt.order_by(Quote.id).limit(limit + 1)))
    return _quote_dicts(session, ids)


def _quote_speaker(quote: Any, canonical_name: str | None, kind: str | None) -> dict[str, Any] | None:
    """The speaker object of a stored quote: its canonical speaker, or (no id) the unnamed
    description it is attributed to; None when it has no speaker."""
    if quote.speaker_id is not None:
        return {"id": quote.speaker_id, "name": canonical_name, "kind": kind}
    if quote.speaker_name and quote.speaker_kind == SpeakerKind.DESCRIPTION:
        return {"id": None, "name": quote.speaker_name, "kind": quote.speaker_kind}
    return None


# Columns, not ORM objects: loading Quote objects cost more than the query (Core, built once).
_QUOTES_BY_IDS = (
    select(
        Quote.id,
        Quote.text,
        Quote.type,
        Quote.start,
        Quote.end,
        Quote.cue,
        Quote.mention,
        Quote.speaker_id,
        Quote.speaker_name,
        Quote.speaker_kind,
        Speaker.name.label("canonical_name"),
        Speaker.kind.label("canonical_kind"),
        *ARTICLE_REF_COLUMNS,
    )
    .join(Article, Article.id == Quote.article_id)
    .outerjoin(Outlet, Outlet.id == Article.outlet_id)
    .outerjoin(Speaker, Speaker.id == Quote.speaker_id)
    .where(in_list(Quote.id, "ids"))
    .order_by(Quote.id)
)


_STATEMENT_IDS_OF_QUOTES = (
    select(Occurrence.quote_id, Occurrence.statement_id)
    .where(in_list(Occurrence.quote_id, "ids"), Occurrence.statement_id.is_not(None))
    .order_by(Occurrence.quote_id, Occurrence.start)
)


def _quote_dicts(session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    conn = _connection(session)
    rows = conn.execute(_QUOTES_BY_IDS, {"ids": list(ids)}).all()
    statement_ids: dict[int, list[int]] = defaultdict(list)
    for quote_id, statement_id in conn.execute(_STATEMENT_IDS_OF_QUOTES, {"ids": list(ids)}):
        if statement_id is not None:  # filtered above; narrows the type
            statement_ids[quote_id].append(statement_id)
    return [
        {
            "id": row.id,
            "text": row.text,
            "type": row.type,
            "start": row.start,
            "end": row.end,
            "cue": row.cue,
            "mention": row.mention,
            "speaker": _quote_speaker(row, row.canonical_name, row.canonical_kind),
            "article": _article_ref(row),
            "statement_ids": _unique(statement_ids[row.id]),
        }
        for row in rows
    ]
