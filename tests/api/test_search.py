"""Full-text quote search (GET /v1/quotes?q=): SQLite FTS5 and PostgreSQL tsvector, ranked, phrases,
filters, ranked cursors, index upkeep by triggers, and the migration's backfill."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote as urlquote

from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, text, update

from models import Article, Outlet, Quote
from service.db import alembic_config, make_engine, make_session_factory
from service.store import queries
from tests.api.conftest import get_db_session


def search(client: FlaskClient, q: str, **params: Any) -> list[dict[str, Any]]:
    """Every page of a search, following the cursors (limit 1 unless given)."""
    params.setdefault("limit", 1)
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = "&".join(f"{k}={urlquote(str(v))}" for k, v in {"q": q, **params}.items())
        r = client.get("/v1/quotes?" + query + (f"&cursor={cursor}" if cursor else ""))
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items


def add_quote(app: Flask, words: str) -> int:
    with get_db_session(app) as session, session.begin():
        article = Article(
            external_id=f"x-{words[:20]}", text=words, content_hash=str(hash(words)).rjust(64, "0")
        )
        session.add(article)
        session.flush()
        q = Quote(article_id=article.id, start=0, end=len(words), text=words, type="direct")
        session.add(q)
        session.flush()
        return q.id


def test_words_are_stemmed_and_all_required(sample_client: FlaskClient) -> None:
    assert len(search(sample_client, "soldier")) == 3  # "soldiers"; the fourth says "troops"
    assert len(search(sample_client, "soldiers Russia")) == 3
    assert len(search(sample_client, "soldiers watching")) == 0
    assert len(search(sample_client, "WATCH closely")) == 4
    assert search(sample_client, "!!! ...") == search(sample_client, "") != []  # no words: no search


def test_phrases_keep_their_word_order(sample_client: FlaskClient) -> None:
    assert len(search(sample_client, '"North Korea"')) == 3
    assert len(search(sample_client, '"Korea North"')) == 0
    assert len(search(sample_client, '"3,000 soldiers" "eastern Russia"')) == 3  # 3,000 troops: no
    assert len(search(sample_client, "3,000")) == 4


def test_filters_still_apply(sample_client: FlaskClient, ids: dict[str, Any]) -> None:
    assert len(search(sample_client, "Russia", speaker="Kirby")) == 4
    assert len(search(sample_client, "Russia", speaker=str(ids["austin"]))) == 0
    assert len(search(sample_client, "Russia", outlet="alliance")) == 1
    assert len(search(sample_client, "Russia", type="indirect")) == 0
    assert len(search(sample_client, "Russia", since="2024-10-25", until="2024-10-25")) == 2


def test_filters_first_or_last_and_either_ranking_give_the_same_pages(
    sample_client: FlaskClient, monkeypatch: Any
) -> None:
    # SQLite applies a filter that leaves few quotes first and matches them by their stems;
    # otherwise it checks the filter on the full-text matches. Both give the same hits and ranks.
    cases = [
        ("Russia", {"speaker": "Kirby"}),
        ('"North Korea" soldiers', {"since": "2024-10-01"}),
        ("3,000", {"outlet": "a"}),
        ("watch", {"type": "direct", "limit": 2}),
    ]
    first = [search(sample_client, q, **params) for q, params in cases]
    plain = [search(sample_client, q) for q in ("russia", "watch", '"North Korea"')]
    monkeypatch.setattr(queries, "FILTER_FIRST_MAX", -1)
    assert [search(sample_client, q, **params) for q, params in cases] == first
    # ... and ranking the window in Python (done for very common words) gives FTS5's bm25 order.
    monkeypatch.setattr(queries, "SQL_BM25_MAX_WALK", -1)
    assert [search(sample_client, q, **params) for q, params in cases] == first
    assert [search(sample_client, q) for q in ("russia", "watch", '"North Korea"')] == plain
    assert all(first[:3]) and all(plain)


def test_sqlite_counts_a_phrase_by_the_entries_of_its_words(sample_app: Flask) -> None:
    # FTS5's bm25() reads every entry of each word of a phrase, however rare the phrase: the
    # estimate that chooses between it and ranking in Python adds the words up.
    with get_db_session(sample_app) as session:
        if session.get_bind().dialect.name != "sqlite":
            return
        conn = session.connection()
        words = queries._fts_stats(conn, ["north", "korea"]).document_frequency
        stats = queries._fts_stats(conn, ["north korea"])
        assert queries._bm25_walk(conn, ["north korea"], stats) == sum(words) > 0
        assert stats.document_frequency[0] <= min(words)


def test_best_match_first_and_the_cursor_walks_every_hit_once(sample_app: Flask) -> None:
    client = sample_app.test_client()
    strong = add_quote(sample_app, "Russia, Russia and again Russia: Russia is the word")
    hits = search(client, "russia")
    ids = [h["id"] for h in hits]
    assert ids[0] == strong and len(ids) == 5 == len(set(ids))
    assert hits == search(client, "russia", limit=100)
    assert "rank" not in hits[0]  # internal to the cursor


def test_cursors_are_checked(sample_client: FlaskClient) -> None:
    for bad in ("zz", "1", "1.", "1.abc", "1." + "0" * 17):
        r = sample_client.get(f"/v1/quotes?q=russia&cursor={bad}")
        assert r.status_code == 422 and "cursor" in r.get_json()["errors"]["query"], bad
    # Every cursor the documented pattern admits is a position in any search (schema-valid
    # requests are answered): an unranked one in a ranked search, a ranked one unranked, and
    # ranks that are not finite (NaN, infinities) are clamped.
    plain = sample_client.get("/v1/quotes?limit=1").get_json()["next_cursor"]
    ranked = sample_client.get("/v1/quotes?q=russia&limit=1").get_json()["next_cursor"]
    for cursor in (plain, ranked, "1.7ff8000000000000", "1.7ff0000000000000", "1.fff0000000000000"):
        for query in ("q=russia&", ""):
            assert sample_client.get(f"/v1/quotes?{query}cursor={cursor}").status_code == 200, cursor
    everything = sample_client.get("/v1/quotes?q=russia&limit=100").get_json()["items"]
    past_end = sample_client.get("/v1/quotes?q=russia&cursor=1.7ff0000000000000").get_json()
    from_start = sample_client.get("/v1/quotes?q=russia&limit=100&cursor=0.fff0000000000000").get_json()
    assert everything and past_end["items"] == [] and from_start["items"] == everything


def test_the_index_follows_updates_and_deletes(sample_app: Flask) -> None:
    client = sample_app.test_client()
    qid = add_quote(sample_app, "A zebra crossed")
    assert [h["id"] for h in search(client, "zebra")] == [qid]
    with get_db_session(sample_app) as session, session.begin():
        session.execute(update(Quote).where(Quote.id == qid).values(text="A giraffe crossed"))
    assert search(client, "zebra") == [] and len(search(client, "giraffe")) == 1
    with get_db_session(sample_app) as session, session.begin():
        session.execute(delete(Quote).where(Quote.id == qid))
    assert search(client, "giraffe") == []


def add_dated_quotes(app: Flask, dated: list[tuple[dt.date | None, str]]) -> list[int]:
    """Quotes in new articles of the given dates (in outlet "Dated News" when the text says
    "news"); their ids."""
    ids = []
    with get_db_session(app) as session, session.begin():
        outlet = Outlet(name="Dated News")
        for n, (day, words) in enumerate(dated):
            article = Article(
                external_id=f"dated-{n}",
                text=words,
                content_hash=f"dated-{n}".rjust(64, "0"),
                published_at=day,
                outlet=outlet if "news" in words else None,
            )
            session.add(article)
            session.flush()
            q = Quote(article_id=article.id, start=0, end=len(words), text=words, type="direct")
            session.add(q)
            session.flush()
            ids.append(q.id)
    return ids


DATED = [
    (dt.date(2023, 5, 1), "The pelicans fly south, pelicans always fly south"),
    (dt.date(2023, 12, 31), "Pelicans in the news again"),
    (dt.date(2024, 1, 1), "A pelican flew south for the news"),
    (None, "An undated pelican story, pelicans south"),
    (dt.date(2024, 6, 15), "The pelican said nothing; pelicans, pelicans, pelicans"),
    (dt.date(2024, 6, 16), "Fly south, pelican, the news says"),
    (dt.date(2025, 2, 2), "Pelicans fly"),
]


def test_a_date_filter_keeps_the_plain_searchs_hits_in_its_range(app: Flask, monkeypatch: Any) -> None:
    # The date is the quote's copy of its article's (migration 0012): a filtered search gives the
    # hits of the plain search whose article is dated in the range, in the same order, whichever
    # way it is run (filter first or last, ranked by the database or in Python, PostgreSQL's
    # id ranges), with the outlet filter (a join) too.
    add_dated_quotes(app, DATED)
    client = app.test_client()
    ranges = [
        ("2023-01-01", "2023-12-31"), ("2023-12-31", "2024-01-01"), ("2024-01-01", None),
        (None, "2024-06-15"), ("2024-06-16", "2024-06-16"), ("2026-01-01", None),
    ]  # fmt: skip
    queries_ = ["pelican", '"fly south"', "pelicans south", "news pelican"]

    def in_range(hit: dict[str, Any], since: str | None, until: str | None) -> bool:
        day = hit["article"]["published_at"]
        return day is not None and (since or "") <= day <= (until or "9999")

    def filtered() -> list[list[dict[str, Any]]]:
        pages = []
        for q in queries_:
            for since, until in ranges:
                dates = {k: v for k, v in (("since", since), ("until", until)) if v}
                pages.append(search(client, q, **dates))
                pages.append(search(client, q, outlet="dated", **dates))
        return pages

    expected = []
    for q in queries_:
        plain = search(client, q)
        news = search(client, q, outlet="dated")
        assert plain and news
        for since, until in ranges:
            expected.append([h for h in plain if in_range(h, since, until)])
            expected.append([h for h in news if in_range(h, since, until)])
    assert filtered() == expected
    assert sum(map(bool, expected)) > len(expected) / 2
    for name, value in (("FILTER_FIRST_MAX", -1), ("SQL_BM25_MAX_WALK", -1), ("PROBE_ROWS", 1)):
        monkeypatch.setattr(queries, name, value)
        assert filtered() == expected, name


def test_quotes_follow_their_articles_date(app: Flask) -> None:
    # Triggers (migration 0012) keep quotes.published_at equal to the article's, whatever writes.
    first, second = add_dated_quotes(app, [(dt.date(2024, 1, 1), "one"), (None, "the second")])

    def dates() -> list[dt.date | None]:
        with get_db_session(app) as session:
            return list(
                session.scalars(
                    select(Quote.published_at).where(Quote.id.in_([first, second])).order_by(Quote.id)
                )
            )

    def article_of(quote_id: int) -> Any:
        return select(Quote.article_id).where(Quote.id == quote_id).scalar_subquery()

    assert dates() == [dt.date(2024, 1, 1), None]
    with get_db_session(app) as session, session.begin():
        session.execute(
            update(Article).where(Article.id == article_of(second)).values(published_at=dt.date(2025, 3, 3))
        )
    assert dates() == [dt.date(2024, 1, 1), dt.date(2025, 3, 3)]
    with get_db_session(app) as session, session.begin():
        session.execute(update(Quote).where(Quote.id == first).values(article_id=article_of(second)))
    assert dates() == [dt.date(2025, 3, 3)] * 2
    with get_db_session(app) as session, session.begin():
        session.execute(update(Quote).where(Quote.id == first).values(published_at=dt.date(1999, 1, 1)))
        session.execute(update(Article).where(Article.id == article_of(second)).values(published_at=None))
    assert dates() == [None, None]
    with get_db_session(app) as session, session.begin():  # via the ORM: the value is read back
        quote = session.get(Quote, first)
        assert quote is not None
        article = Article(
            external_id="three", text="three", content_hash="3" * 64, published_at=dt.date(2020, 2, 2)
        )
        session.add(article)
        session.flush()
        quote.article_id = article.id
        session.flush()
        assert quote.published_at == dt.date(2020, 2, 2)


def test_the_migration_indexes_existing_quotes(db_url: str) -> None:
    engine = make_engine(db_url)
    cfg = alembic_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
        conn.commit()
        conn.execute(
            text(
                "INSERT INTO articles (id, external_id, text, content_hash, published_at, created_at) "
                "VALUES (1, 'old', 'x', :h, :d, :d)"
            ),
            {"h": "0" * 64, "d": dt.date(2024, 1, 1)},
        )
        conn.execute(
            text(
                'INSERT INTO quotes (id, article_id, start, "end", text, type, created_at) '
                "VALUES (7, 1, 0, 1, 'The pelicans are migrating south', 'direct', :d)"
            ),
            {"d": dt.date(2024, 1, 1)},
        )
        conn.commit()
        command.upgrade(cfg, "head")
        conn.commit()
    with make_session_factory(engine)() as session:
        hits = queries.search_quotes(session, q="pelican migrate", limit=5, after=None)
        phrase = queries.search_quotes(session, q='"migrating south"', limit=5, after=None)
        assert queries.search_quotes(session, q='"south migrating"', limit=5, after=None) == []
        dated = queries.search_quotes(session, q="pelican", since=dt.date(2024, 1, 1), limit=5, after=None)
        assert (
            queries.search_quotes(session, q="pelican", until=dt.date(2023, 12, 31), limit=5, after=None)
            == []
        )
        assert session.get(Quote, 7).published_at == dt.date(2024, 1, 1)  # type: ignore[union-attr]
    assert [h["id"] for h in hits] == [7] == [h["id"] for h in phrase] == [h["id"] for h in dated]
    engine.dispose()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=40))
def test_any_query_text_is_safe(sample_client: FlaskClient, q: str) -> None:
    r = sample_client.get("/v1/quotes", query_string={"q": q})
    assert r.status_code in (200, 422), r.get_json()


def test_common_words_rank_only_the_newest_matches(sample_app: Flask, monkeypatch: Any) -> None:
    monkeypatch.setattr(queries, "RANK_WINDOW", 2)
    client = sample_app.test_client()
    strong = add_quote(sample_app, "Russia, Russia and again Russia: Russia is the word")
    ids = [h["id"] for h in search(client, "russia")]
    assert ids[0] == strong and len(ids) == 2  # the two newest matches, best first


def test_postgresql_searches_older_ranges_until_the_window_is_full(
    sample_app: Flask, monkeypatch: Any
) -> None:
    # The newest PROBE_ROWS quotes first, then older id ranges: the same hits as one search of all.
    client = sample_app.test_client()
    for words in ("Russia again", "more on Russia", "Russia once more"):
        add_quote(sample_app, words)
    cases = [("russia", {}), ('"North Korea"', {}), ("russia", {"since": "2024-10-01"}), ("more", {})]
    whole = [search(client, q, **params) for q, params in cases]
    monkeypatch.setattr(queries, "PROBE_ROWS", 1)
    assert [search(client, q, **params) for q, params in cases] == whole
    monkeypatch.setattr(queries, "RANK_WINDOW", 2)
    newest = [h["id"] for h in search(client, "russia")]
    assert sorted(newest) == sorted(h["id"] for h in whole[0])[-2:]


def test_next_range_is_as_wide_as_the_density_so_far_says(monkeypatch: Any) -> None:
    monkeypatch.setattr(queries, "RANK_WINDOW", 2000)
    # 100 matches in 1,000 ids: the other 1,900 need 19,000 ids, and a quarter more
    assert queries._next_range(100, 1000, 50_000) == 50_000 - 23_750
    assert queries._next_range(1999, 1000, 50_000) == 48_000  # at least twice what was searched
    assert queries._next_range(0, 1000, 50_000) == 42_000  # nothing found: eight times
    assert queries._next_range(10, 1000, 500) == 0


def test_postgresql_plans_each_search_for_its_own_words(sample_app: Flask) -> None:
    # psycopg prepares statements run often; a generic plan for every phrase cost seconds.
    with get_db_session(sample_app) as session:
        if session.get_bind().dialect.name != "postgresql":
            return
        queries.search_quotes(session, q="russia", limit=5, after=None)
        assert session.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"


def test_postgresql_phrases_find_what_the_phrase_query_finds(sample_app: Flask) -> None:
    # The pairs of adjacent words (migration 0011) only narrow the candidates: every quote that
    # phraseto_tsquery matches is found, with stop words, hyphens, punctuation and repeats.
    texts = [
        "A well-known fact, said the well-known man.",
        "Known facts: the man said it twice, twice over.",
        "The state of the union is strong, the state of the art is not.",
    ]
    for t in texts:
        add_quote(sample_app, t)
    phrases = [
        "well-known man", "known fact", "fact said", "the well-known", "twice twice", "said it twice",
        "state of the union", "state of the art", "union is strong", "the man said", "man well-known",
    ]  # fmt: skip
    with get_db_session(sample_app) as session:
        if session.get_bind().dialect.name != "postgresql":
            return
        for phrase in phrases:
            expected = session.scalars(
                text("SELECT id FROM quotes WHERE search @@ phraseto_tsquery('english', :p) ORDER BY id"),
                {"p": phrase},
            ).all()
            hits = queries.search_quotes(session, q=f'"{phrase}"', limit=50, after=None)
            assert sorted(h["id"] for h in hits) == list(expected), phrase
        assert queries.search_quotes(session, q='"man well-known"', limit=5, after=None) == []
