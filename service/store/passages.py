"""The fact-check look-up's fallback (session I/O only): a claim found word for word in the stored
article texts, for when it is not among the recorded quotes in these words (a headline, a quote the
extractor missed or split differently). The matching is `service.variants.passages`'s.

Candidate articles come from the full-text index of article texts (SQLite FTS5 ``articles_fts`` or
PostgreSQL's ``articles.search`` tsvector, migration 0009): those holding the claim's words as a
phrase (as the index reads them: stemmed, stop words and signs aside), best ranked first
(``ARTICLE_CANDIDATES``). Each is then read and the claim confirmed word for word, so that the
index only narrows the search (a long article's words beyond PostgreSQL's last indexed position,
16,383, are not found as a phrase there).

A passage found so is in the article's text but not attributed by the service: its match has
``found_in`` ``article_text``, no statement and no speaker. When the claim names a speaker, the
passage is checked against what the service knows (``speaker_check``):

- ``quoted``: a stored quote of that speaker overlaps the passage: the claim's verdict stands;
- ``named_nearby``: no quote of someone else overlaps it, and the speaker's name (or surname, or an
  alias) is in the article within ``NAMED_NEAR_CHARS`` characters of it: the verdict stands;
- ``quoted_other``: a stored quote of someone else overlaps it: ``other_speaker``, attributed to them;
- ``not_named``: neither: ``other_speaker`` with ``attributed_to`` null (the words are on record,
  but nothing ties them to the named speaker).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, literal_column, select, text
from sqlalchemy.orm import Session

from models import Article, Outlet, Quote, Speaker, SpeakerAlias
from service.store.idlists import in_list
from service.variants.passages import MIN_PASSAGE_WORDS, Passage, find_passages, named_near, words
from service.variants.verify import MATCH_RANK, Part
from service.vocab import FoundIn, SpeakerCheck, Verdict

ARTICLE_CANDIDATES = 10  # articles read to confirm a claim, per look-up
PASSAGES_PER_ARTICLE = 2


def _phrase(claim: str) -> str:
    """The claim as one phrase for the full-text index, which tokenizes it as it tokenized the
    articles (FTS5 strings double their double quotes; none is needed, as quotes are no words)."""
    return " ".join(claim.replace('"', " ").split())


def candidate_articles(session: Session, claim: str) -> list[int]:
    """Ids of the stored articles whose text holds the claim's words as a phrase (stemmed, as the
    full-text index reads them), best ranked first."""
    if len(words(claim)) < MIN_PASSAGE_WORDS:
        return []
    phrase = _phrase(claim)
    if session.get_bind().dialect.name == "postgresql":
        tsq = func.phraseto_tsquery(literal_column("'english'::regconfig"), phrase)
        vector: Any = literal_column("articles.search")
        stmt: Any = (
            select(Article.id)
            .where(vector.op("@@")(tsq))
            .order_by(func.ts_rank(vector, tsq).desc(), Article.id)
            .limit(ARTICLE_CANDIDATES)
        )
    else:
        # Ranking costs as much as matching (bm25 counts the articles of every word of the phrase):
        # it is skipped when no article or a single one holds the phrase (nothing to order).
        params = {"match": f'"{phrase}"'}
        found = session.connection().scalars(_ARTICLES_FTS_UNRANKED, params).all()
        if len(found) <= 1:
            return [int(i) for i in found]
        return [int(i) for i in session.connection().scalars(_ARTICLES_FTS_RANKED, params)]
    return [int(i) for i in session.scalars(stmt)]


_ARTICLES_FTS: Any = (
    select(literal_column("rowid"))
    .select_from(text("articles_fts"))
    .where(literal_column("articles_fts").op("MATCH")(bindparam("match")))
)
_ARTICLES_FTS_UNRANKED = _ARTICLES_FTS.limit(2)
_ARTICLES_FTS_RANKED = _ARTICLES_FTS.order_by(func.bm25(literal_column("articles_fts"))).limit(
    ARTICLE_CANDIDATES
)


_NAMES = select(Speaker.name).where(in_list(Speaker.id, "ids"))
_ALIASES = select(SpeakerAlias.alias).where(in_list(SpeakerAlias.speaker_id, "ids"))
_OVERLAPPING = (
    select(Quote.speaker_id, Speaker.name)
    .outerjoin(Speaker, Speaker.id == Quote.speaker_id)
    .where(
        Quote.article_id == bindparam("article"),
        Quote.start < bindparam("end"),
        Quote.end > bindparam("start"),
    )
    .order_by(Quote.start)
)
_ARTICLES = (
    select(Article.id, Article.text, Article.headline, Article.url, Article.published_at, Outlet.name)
    .outerjoin(Outlet, Outlet.id == Article.outlet_id)
    .where(in_list(Article.id, "ids"))
)


def _speaker_names(session: Session, speaker: str, speaker_ids: Sequence[int]) -> list[str]:
    """The names a claim's speaker goes by: as given, and the resolved speakers' names and aliases."""
    names = [speaker]
    if speaker_ids:
        names += session.connection().scalars(_NAMES, {"ids": list(speaker_ids)}).all()
        names += session.connection().scalars(_ALIASES, {"ids": list(speaker_ids)}).all()
    return list(dict.fromkeys(names))


def _overlapping_speakers(
    session: Session, article_id: int, passage: Passage
) -> list[tuple[int | None, str | None]]:
    """(speaker id, name) of the stored quotes of the article that overlap the passage."""
    rows = session.connection().execute(
        _OVERLAPPING, {"article": article_id, "start": passage.start, "end": passage.end}
    )
    return [(r.speaker_id, r.name) for r in rows]


def _speaker_check(
    session: Session, article: Any, passage: Passage, speaker_ids: Sequence[int], names: Sequence[str]
) -> tuple[SpeakerCheck, dict[str, Any] | None]:
    """How the passage relates to the claim's speaker (module docstring), and who else is on record
    with it."""
    overlapping = [(sid, name) for sid, name in _overlapping_speakers(session, article.id, passage) if sid]
    if any(sid in speaker_ids for sid, _ in overlapping):
        return SpeakerCheck.QUOTED, None
    if overlapping:
        sid, name = overlapping[0]
        return SpeakerCheck.QUOTED_OTHER, {"id": sid, "name": name}
    if named_near(article.text, passage, names):
        return SpeakerCheck.NAMED_NEARBY, None
    return SpeakerCheck.NOT_NAMED, None


def passage_matches(
    session: Session,
    claim: str,
    parts: Sequence[Part],
    speaker: str | None,
    speaker_ids: Sequence[int] | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Matches (the API's shape) for the places where the whole claim is in a stored article's text,
    at most ``limit``, the best verdicts first."""
    if not parts:
        return []
    ids = candidate_articles(session, claim)
    if not ids:
        return []
    rows = session.connection().execute(_ARTICLES, {"ids": ids}).all()
    order = {aid: i for i, aid in enumerate(ids)}
    found = [
        (row, passage)
        for row in sorted(rows, key=lambda r: order[r.id])
        for passage in find_passages(claim, row.text, PASSAGES_PER_ARTICLE)
    ][:limit]
    if not speaker:
        return [_match(row, passage, parts, None, None) for row, passage in found]
    names = _speaker_names(session, speaker, speaker_ids or []) if found else []
    out = []
    for row, passage in found:
        check, other = _speaker_check(session, row, passage, speaker_ids or [], names)
        out.append(_match(row, passage, parts, check, other))
    return _ranked(out)


def _ranked(matches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(matches, key=lambda m: MATCH_RANK[m["verdict"]])


def _overlaps(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    if a is None or b is None:
        return False
    return bool(a["article"]["id"] == b["article"]["id"] and a["start"] < b["end"] and b["start"] < a["end"])


def with_passages(
    matches: list[dict[str, Any]], passages: list[dict[str, Any]], limit: int
) -> list[dict[str, Any]]:
    """The recorded quotes' matches and the passages' in one answer, best verdict first (`MATCH_RANK`;
    a quote before a passage of the same verdict), at most ``limit``. A passage that only repeats an
    ``other_speaker`` match of a recorded quote (the same place) is left out."""
    said_by_other = [m["best_variant"] for m in matches if m["verdict"] == Verdict.OTHER_SPEAKER]
    new = [
        p
        for p in passages
        if p["verdict"] != Verdict.OTHER_SPEAKER
        or not any(_overlaps(p["best_variant"], v) for v in said_by_other)
    ]
    return sorted(matches + new, key=lambda m: MATCH_RANK[m["verdict"]])[:limit]


def _match(
    row: Any,
    passage: Passage,
    parts: Sequence[Part],
    check: SpeakerCheck | None,
    other: dict[str, Any] | None,
) -> dict[str, Any]:
    """One passage in the API's match shape."""
    article = {
        "id": row.id,
        "title": row.headline,
        "outlet": row.name,
        "url": row.url,
        "published_at": row.published_at,
    }
    variant = {
        "quote_id": None,
        "text": row.text[passage.start : passage.end],
        "type": None,
        "relation": None,
        "similarity": None,
        "diff": None,
        "article": article,
        "start": passage.start,
        "end": passage.end,
    }
    on_record = Verdict.EXCERPT
    attributed = check in (SpeakerCheck.QUOTED_OTHER, SpeakerCheck.NOT_NAMED)
    return {
        "statement": None,
        "speaker": None,
        "score": 1.0,
        "verdict": Verdict.OTHER_SPEAKER if attributed else on_record,
        "recorded_verdict": on_record if attributed else None,
        "attributed_to": other,
        "found_in": FoundIn.ARTICLE_TEXT,
        "speaker_check": check,
        "conflicts": [],
        "best_variant": variant,
        "sources": [article],
        "parts": [
            {
                "start": p.start,
                "end": p.end,
                "text": p.text,
                "verdict": on_record,
                "score": 1.0,
                "conflicts": [],
                "statement_id": None,
                "variant": variant,
                "diff": None,
            }
            for p in parts
        ],
    }
