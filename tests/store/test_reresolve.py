"""`python -m service reresolve`: re-resolving stored articles' speakers (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable

from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models import Occurrence, Quote, Speaker, Statement
from service.nlp.types import Quote as XQuote
from service.nlp.types import Speaker as XSpeaker
from service.store.articles import ArticleInput
from service.store.ingest import ingest_article
from service.store.reresolve import match_quotes, reresolve_all
from service.variants.embeddings import pseudo_embed

A1 = 'John Kirby said "We are watching the border very closely." Officials said "Troops moved north."'
A2 = 'John Kirby said "We are watching the border closely." Jane Doe said "Prices will rise next year."'


def _quotes(text: str, version: int) -> list[XQuote]:
    """Extraction results: version 1 (old rules) and version 2 (new rules)."""
    out = []
    for said, who, kind1, kind2, new_who in [
        ("We are watching the border very closely.", "John Kirby", "person", "person", "John Kirby"),
        ("Troops moved north.", "Officials", "person", "description", "Officials"),
        ("We are watching the border closely.", "John Kirby", "person", "person", "John Kirby"),
        ("Prices will rise next year.", "John Kirby", "person", "person", "Jane Doe"),
    ]:
        if said not in text:
            continue
        s = text.index(said)
        name = who if version == 1 else new_who
        kind = kind1 if version == 1 else kind2
        out.append(XQuote(s, s + len(said), said, "direct", (), None, XSpeaker(name, None, kind)))  # type: ignore[arg-type]
    return out


def _extract(version: int):  # type: ignore[no-untyped-def]
    def extract_many(texts: list[str]) -> Iterable[list[XQuote]]:
        return [_quotes(t, version) for t in texts]

    return extract_many


def _state(factory: sessionmaker[Session]) -> dict[str, object]:
    with factory() as s:
        by_quote = dict(
            s.execute(
                select(Quote.text, func.coalesce(Speaker.name, Quote.speaker_kind)).outerjoin(
                    Speaker, Speaker.id == Quote.speaker_id
                )
            ).all()
        )
        return {
            "quotes": by_quote,
            "units": s.scalar(select(func.count()).select_from(Occurrence)),
            "statements": sorted((st.speaker_id, st.occurrence_count) for st in s.scalars(select(Statement))),
            "speakers": sorted(s.scalars(select(Speaker.name))),
            "orphan_units": s.scalar(
                select(func.count())
                .select_from(Occurrence)
                .where(Occurrence.speaker_id.is_not(None), Occurrence.statement_id.is_(None))
            ),
            "counts_match": all(
                st.occurrence_count
                == s.scalar(
                    select(func.count()).select_from(Occurrence).where(Occurrence.statement_id == st.id)
                )
                for st in s.scalars(select(Statement))
            ),
            "units_follow_quotes": not s.scalar(
                select(func.count())
                .select_from(Occurrence)
                .join(Quote, Quote.id == Occurrence.quote_id)
                .where(func.coalesce(Occurrence.speaker_id, -1) != func.coalesce(Quote.speaker_id, -1))
            ),
        }


def test_reresolve_moves_quotes_and_units_and_is_idempotent(session_factory: sessionmaker[Session]) -> None:
    for ext, text in (("a1", A1), ("a2", A2)):
        ingest_article(session_factory, ArticleInput(ext, text), _quotes(text, 1), embed_fn=pseudo_embed)
    before = _state(session_factory)
    assert before["quotes"]["Troops moved north."] == "Officials"  # type: ignore[index]
    assert before["quotes"]["Prices will rise next year."] == "John Kirby"  # type: ignore[index]

    summary = reresolve_all(session_factory, extract_many=_extract(2), embed_fn=pseudo_embed)
    after = _state(session_factory)
    assert summary.articles == 2 and summary.quotes_moved == 2
    assert after["quotes"] == {
        "We are watching the border very closely.": "John Kirby",
        "We are watching the border closely.": "John Kirby",
        "Troops moved north.": "description",  # stays on its quote, no speaker
        "Prices will rise next year.": "Jane Doe",
    }
    assert after["units"] == before["units"]  # nothing stored is lost
    assert after["speakers"] == ["Jane Doe", "John Kirby"]  # "Officials" had nothing left
    assert after["orphan_units"] == 0 and after["counts_match"] and after["units_follow_quotes"]
    with session_factory() as s:
        kirby = s.scalar(select(Speaker).where(Speaker.name == "John Kirby"))
        assert kirby is not None and kirby.unit_count == 2
        # the two wordings of Kirby's statement are still one statement
        assert (
            s.scalar(select(func.count()).select_from(Statement).where(Statement.speaker_id == kirby.id)) == 1
        )

    again = reresolve_all(session_factory, extract_many=_extract(2), embed_fn=pseudo_embed)
    assert again.quotes_moved == 0 and again.speakers_created == 0 and again.speakers_removed == 0
    assert _state(session_factory) == after


def test_reresolve_keeps_quotes_extraction_no_longer_finds(session_factory: sessionmaker[Session]) -> None:
    ingest_article(session_factory, ArticleInput("a1", A1), _quotes(A1, 1), embed_fn=pseudo_embed)
    before = _state(session_factory)
    summary = reresolve_all(
        session_factory, extract_many=lambda texts: [[] for _ in texts], embed_fn=pseudo_embed
    )
    assert summary.quotes_moved == 0
    assert _state(session_factory) == before


def test_match_quotes_prefers_exact_spans_then_overlap() -> None:
    stored = [Quote(id=1, start=0, end=10), Quote(id=2, start=20, end=40), Quote(id=3, start=50, end=52)]
    x = [XQuote(0, 10, "a", "direct"), XQuote(22, 40, "b", "direct"), XQuote(60, 70, "c", "direct")]
    m = match_quotes(stored, x)
    assert m[1] is x[0] and m[2] is x[1] and 3 not in m


def test_reresolve_command_reports(monkeypatch, sqlite_url: str) -> None:  # type: ignore[no-untyped-def]
    from service.cli import cli
    from service.db import make_engine, make_session_factory, upgrade_db

    engine = make_engine(sqlite_url)
    upgrade_db(engine)
    factory = make_session_factory(engine, writer=True)
    ingest_article(factory, ArticleInput("a2", A2), _quotes(A2, 1), embed_fn=pseudo_embed)
    engine.dispose()
    import service.store.reresolve as mod

    original = mod.reresolve_all
    monkeypatch.setattr(
        mod, "reresolve_all", lambda f, **kw: original(f, **{**kw, "extract_many": _extract(2)})
    )
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("QUOTES_EMBEDDINGS", "pseudo")
    result = CliRunner().invoke(cli, ["reresolve"])
    assert result.exit_code == 0, result.output
    assert "1 articles re-resolved: 1 quotes moved" in result.output
