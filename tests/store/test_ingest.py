"""Ingest against SQLite and PostgreSQL with hand-built extraction results."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models import Article, Occurrence, Quote, Speaker, SpeakerAlias, SpeakerRole, Statement
from service.nlp.types import Quote as XQuote
from service.nlp.types import Speaker as XSpeaker
from service.nlp.types import TextSpan
from service.store.articles import ArticleInput
from service.store.export import write_csv, write_jsonl
from service.store.ingest import ingest_article
from service.store.sources import InputError, read_inputs, run_ingest
from service.store.speakers import load_registry
from service.store.verify import verify_claim
from service.variants.embeddings import DIM
from service.variants.similarity import features, unpack_stems

REGISTRY = Path(__file__).resolve().parents[2] / "seeds" / "speakers.json"


def q(
    text: str, said: str, name: str | None, kind: str = "person", typ: str = "direct", **kw: tuple
) -> XQuote:
    """A quote of ``said`` inside ``text`` attributed to ``name``."""
    s = text.index(said)
    mention = (
        TextSpan(text.index(name), text.index(name) + len(name), name) if name and name in text else None
    )
    sp = XSpeaker(name, mention, kind, kw.get("aliases", ()), kw.get("roles", ()))  # type: ignore[arg-type]
    return XQuote(s, s + len(said), said, typ, (), None, sp)  # type: ignore[arg-type]


A1 = (
    'Kim Jong-un said "We will send 3,000 soldiers to Russia." '
    'Kim Yo Jong said "The drills are a provocation."'
)
A2 = 'North Korean leader Kim Jong Un said "We will send 3,000 soldiers to Russia this month." He smiled.'
A3 = 'Kim Jong Un said "We will send 8,000 soldiers to Russia."'


def _ingest(factory: sessionmaker[Session], ext: str, text: str, quotes: list[XQuote], **kw: object):  # type: ignore[no-untyped-def]
    return ingest_article(factory, ArticleInput(ext, text, **kw), quotes)  # type: ignore[arg-type]


def _count(factory: sessionmaker[Session], model: type) -> int:
    with factory() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("small_speaker_units", [400, 0], ids=["all-units", "lsh-index"])
def test_ingest_groups_variants_and_resolves_speakers(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, small_speaker_units: int
) -> None:
    """The same statements whether a speaker's candidates are all its units or come from the LSH
    band index and its latest statements (a speaker with many units)."""
    monkeypatch.setattr("service.store.statements.SMALL_SPEAKER_UNITS", small_speaker_units)
    r1 = _ingest(
        session_factory,
        "a1",
        A1,
        [
            q(A1, "We will send 3,000 soldiers to Russia.", "Kim Jong-un"),
            q(A1, "The drills are a provocation.", "Kim Yo Jong"),
        ],
        published_at=dt.date(2024, 10, 1),
    )
    r2 = _ingest(
        session_factory,
        "a2",
        A2,
        [q(A2, "We will send 3,000 soldiers to Russia this month.", "Kim Jong Un")],
        published_at=dt.date(2024, 10, 3),
    )
    r3 = _ingest(session_factory, "a3", A3, [q(A3, "We will send 8,000 soldiers to Russia.", "Kim Jong Un")])
    assert (r1.status, r2.status, r3.status) == ("added", "added", "added")
    with session_factory() as s:
        speakers = {sp.name: sp.id for sp in s.scalars(select(Speaker))}
        assert set(speakers) == {
            "Kim Jong-un",
            "Kim Yo Jong",
        }  # Kim Jong Un == Kim Jong-un; Kim Yo Jong apart
        occ = {o.text: o for o in s.scalars(select(Occurrence))}
        a, b, c = (occ[t] for t in (
            "We will send 3,000 soldiers to Russia.",
            "We will send 3,000 soldiers to Russia this month.",
            "We will send 8,000 soldiers to Russia.",
        ))  # fmt: skip
        assert a.statement_id == b.statement_id != c.statement_id  # 3,000 and 8,000 never one statement
        assert a.label == "canonical" and b.label == "trimmed" and b.diff
        st = s.get(Statement, a.statement_id)
        assert (
            st is not None and st.first_seen == dt.date(2024, 10, 1) and st.last_seen == dt.date(2024, 10, 3)
        )
        assert st.occurrence_count == 2
        # Each unit keeps its content stems (verify's cheap candidate filter).
        assert unpack_stems(a.stems) == features(a.text).stems and "#3000" in a.stems.split("\n")


def test_reingest_changes_nothing(session_factory: sessionmaker[Session]) -> None:
    quotes = [q(A1, "We will send 3,000 soldiers to Russia.", "Kim Jong-un")]
    assert _ingest(session_factory, "a1", A1, quotes, url="https://example.org/a1").status == "added"
    counts = [
        _count(session_factory, m) for m in (Article, Speaker, SpeakerAlias, Quote, Occurrence, Statement)
    ]
    again = _ingest(session_factory, "a1-copy", A1, quotes)
    assert (again.status, again.reason) == ("duplicate", "same content")
    other_text = _ingest(session_factory, "a1-edit", A1 + " Updated.", quotes, url="https://example.org/a1")
    assert (other_text.status, other_text.reason) == ("duplicate", "same URL")
    assert counts == [
        _count(session_factory, m) for m in (Article, Speaker, SpeakerAlias, Quote, Occurrence, Statement)
    ]


def test_role_only_mentions_resolve_by_date_never_merge(session_factory: sessionmaker[Session]) -> None:
    text = 'The Defense Secretary said "We are watching closely."'
    said = "We are watching closely."
    # Without a registry a role-only speaker is not invented.
    r = _ingest(
        session_factory,
        "r0",
        text,
        [q(text, said, "the Defense Secretary")],
        published_at=dt.date(2024, 6, 1),
    )
    with session_factory() as s:
        assert s.scalar(select(Quote.speaker_id).where(Quote.article_id == r.article_id)) is None
    load_registry(session_factory, REGISTRY)
    r24 = _ingest(session_factory, "r24", text + " ", [q(text, said, "the Defense Secretary")],
                  published_at=dt.date(2024, 10, 1))  # fmt: skip
    r25 = _ingest(session_factory, "r25", text + "  ", [q(text, said, "the Defense Secretary")],
                  published_at=dt.date(2025, 3, 1))  # fmt: skip
    with session_factory() as s:
        name = {
            r.external_id: s.scalar(
                select(Speaker.name)
                .join(Quote, Quote.speaker_id == Speaker.id)
                .where(Quote.article_id == r.article_id)
            )
            for r in (r24, r25)
        }
    assert name == {"r24": "Lloyd Austin", "r25": "Pete Hegseth"}


def test_surname_uses_article_context_and_registry_is_idempotent(
    session_factory: sessionmaker[Session],
) -> None:
    n1 = load_registry(session_factory, REGISTRY)
    counts = [_count(session_factory, m) for m in (Speaker, SpeakerAlias)]
    assert load_registry(session_factory, REGISTRY) == n1
    assert counts == [_count(session_factory, m) for m in (Speaker, SpeakerAlias)]
    text = 'President Zelenskyy spoke. Zelensky said "We need more air defence."'
    # A bare surname links across articles only with an agreeing title.
    _ingest(
        session_factory, "z", text, [q(text, "We need more air defence.", "Zelensky", roles=("President",))]
    )
    bare = 'Zelensky said "We need more."'
    _ingest(session_factory, "z2", bare, [q(bare, "We need more.", "Zelensky")])
    text2 = (
        'Organisations: the South Korean National Intelligence Service said "Troops arrived." '
        "Later South Korea's National Intelligence Service added more."
    )
    nis = "South Korea's National Intelligence Service"
    _ingest(session_factory, "nis", text2, [q(text2, "Troops arrived.", nis, kind="organization")])
    with session_factory() as s:
        rows = s.execute(
            select(Quote.speaker_name, Speaker.name).join(Speaker, Speaker.id == Quote.speaker_id)
        ).all()
    assert set(rows) == {
        ("Zelensky", "Volodymyr Zelenskyy"),
        ("Zelensky", "Zelensky"),
        ("South Korea's National Intelligence Service", "South Korean National Intelligence Service"),
    }


def test_run_ingest_from_files_and_export(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text(A1, encoding="utf-8")
    (tmp_path / "more.jsonl").write_text(
        json.dumps({"id": "j2", "text": A2, "url": "https://example.org/j2", "outlet": "Example News",
                    "published_at": "2024-10-03", "title": "Kim"}) + "\n",
        encoding="utf-8",
    )  # fmt: skip

    def fake_extract(texts: list[str]) -> list[list[XQuote]]:
        out = []
        for t in texts:
            said = t[t.index('"') + 1 : t.index('"', t.index('"') + 1)]
            out.append([q(t, said, "Kim Jong Un" if "Kim Jong Un" in t else "Kim Jong-un")])
        return out

    articles = list(read_inputs([tmp_path / "x.txt", tmp_path / "more.jsonl"], metadata={}))
    assert [a.external_id for a in articles] == ["x.txt", "j2"]
    summary = run_ingest(articles, session_factory, extract_many=fake_extract, registry=None)
    assert (summary.added, summary.duplicates) == (2, 0)
    again = run_ingest(articles, session_factory, extract_many=fake_extract, registry=None)
    assert (again.added, again.duplicates) == (0, 2)
    with session_factory() as s:
        buf = io.StringIO()
        assert write_jsonl(s, buf) == 2
        lines = [json.loads(x) for x in buf.getvalue().splitlines()]
        assert {ln["article"] for ln in lines} == {"x.txt", "j2"}
        assert len({ln["statement"]["id"] for ln in lines}) == 1
        assert len({ln["speaker"]["id"] for ln in lines}) == 1
        for ln in lines:
            source = A1 if ln["article"] == "x.txt" else A2
            assert source[ln["start"] : ln["end"]] == ln["text"]
        csv_buf = io.StringIO()
        assert write_csv(s, csv_buf) == 2
        assert csv_buf.getvalue().splitlines()[0].startswith("article,start,end,text,type,speaker_id")
        art = s.scalar(select(Article).where(Article.external_id == "j2"))
        assert art is not None and art.outlet is not None and art.outlet.name == "Example News"


def test_direct_quote_becomes_canonical_wording(session_factory: sessionmaker[Session]) -> None:
    t1 = "Kim Jong Un said North Korea would send 3,000 soldiers to Russia in October."
    said1 = "North Korea would send 3,000 soldiers to Russia in October"
    t2 = 'Kim Jong Un said: "North Korea will send 3,000 soldiers to Russia in October."'
    said2 = "North Korea will send 3,000 soldiers to Russia in October."
    _ingest(session_factory, "i", t1, [q(t1, said1, "Kim Jong Un", typ="indirect")])
    _ingest(session_factory, "d", t2, [q(t2, said2, "Kim Jong Un")])
    with session_factory() as s:
        occ = {o.type: o for o in s.scalars(select(Occurrence))}
        assert occ["direct"].statement_id == occ["indirect"].statement_id
        st = s.get(Statement, occ["direct"].statement_id)
        assert st is not None and st.text == said2 and st.canonical_type == "direct"
        assert occ["direct"].label == "canonical"
        assert occ["indirect"].label == "paraphrase" and ["-", "will"] in occ["indirect"].diff


def test_new_canonical_wording_rescores_the_units(session_factory: sessionmaker[Session]) -> None:
    t1 = "Kim Jong Un said North Korea would send 3,000 soldiers to Russia in October."
    said1 = "North Korea would send 3,000 soldiers to Russia in October"
    t2 = 'Kim Jong Un said: "North Korea will send 3,000 troops to Russia in October."'
    said2 = "North Korea will send 3,000 troops to Russia in October."
    _ingest(session_factory, "i", t1, [q(t1, said1, "Kim Jong Un", typ="indirect")])
    with session_factory() as s:
        first = s.scalars(select(Occurrence)).one()
        assert (first.label, first.similarity) == ("canonical", 1.0)
    _ingest(session_factory, "d", t2, [q(t2, said2, "Kim Jong Un")])
    with session_factory() as s:
        occ = {o.type: o for o in s.scalars(select(Occurrence))}
        assert occ["direct"].statement_id == occ["indirect"].statement_id
        assert (occ["direct"].label, occ["direct"].similarity) == ("canonical", 1.0)
        assert occ["indirect"].label == "paraphrase"
        assert occ["indirect"].similarity is not None and 0.5 <= occ["indirect"].similarity < 1.0


def test_surname_only_speaker_upgraded_only_when_unambiguous(session_factory: sessionmaker[Session]) -> None:
    spokesman = ("National Security Council spokesman",)
    t1 = 'Kirby said "We are watching the border."'
    _ingest(session_factory, "k1", t1, [q(t1, "We are watching the border.", "Kirby", roles=spokesman)])
    t2 = 'John Kirby said "We are watching the border closely."'
    _ingest(
        session_factory,
        "k2",
        t2,
        [q(t2, "We are watching the border closely.", "John Kirby", roles=spokesman)],
    )
    t6 = 'Kirby said "Nothing to add."'  # no agreeing title: a surname-only speaker of its own
    _ingest(session_factory, "k6", t6, [q(t6, "Nothing to add.", "Kirby")])
    t3 = 'Kim Jong Un said "We are ready." Kim Yo Jong said "We agree."'
    k3 = [q(t3, "We are ready.", "Kim Jong Un"), q(t3, "We agree.", "Kim Yo Jong")]
    _ingest(session_factory, "k3", t3, k3)
    t4 = 'Kim said "We will respond."'
    _ingest(
        session_factory, "k4", t4, [q(t4, "We will respond.", "Kim")]
    )  # ambiguous: a surname-only speaker
    t5 = 'Kim Il Sung said "History."'
    _ingest(session_factory, "k5", t5, [q(t5, "History.", "Kim Il Sung")])
    with session_factory() as s:
        by_article = dict(
            s.execute(
                select(Article.external_id, Speaker.name)
                .join(Quote, Quote.article_id == Article.id)
                .join(Speaker, Speaker.id == Quote.speaker_id)
            ).all()
        )
    assert by_article["k1"] == by_article["k2"] == "John Kirby"
    assert by_article["k6"] == "Kirby"
    assert by_article["k4"] == "Kim"  # never merged into any of the Kims
    assert by_article["k5"] == "Kim Il Sung"


def test_middle_initials_match_only_when_compatible(session_factory: sessionmaker[Session]) -> None:
    for ext, name in [("b1", "George W. Bush"), ("b2", "George H. W. Bush"), ("b3", "George Bush"),
                      ("t1", "Donald Trump"), ("t2", "Donald J. Trump")]:  # fmt: skip
        text = f'{name} said "Statement number {ext} was made."'
        _ingest(session_factory, ext, text, [q(text, f"Statement number {ext} was made.", name)])
    with session_factory() as s:
        names = dict(
            s.execute(
                select(Article.external_id, Speaker.name)
                .join(Quote, Quote.article_id == Article.id)
                .join(Speaker, Speaker.id == Quote.speaker_id)
            ).all()
        )
    assert names["b1"] != names["b2"]
    assert names["b3"] == names["b1"]  # no initials: the first known George Bush
    assert names["t1"] == names["t2"] == "Donald Trump"


def test_bare_org_name_then_qualified_forms(session_factory: sessionmaker[Session]) -> None:
    forms = [
        ("o1", "National Intelligence Service"),
        ("o2", "South Korean National Intelligence Service"),
        ("o3", "South Korea's National Intelligence Service"),
        ("o4", "Defense Ministry"),
        ("o5", "Russian Defense Ministry"),
        ("o6", "Ukrainian Defense Ministry"),
    ]
    for ext, name in forms:
        text = f'The {name} said "Report {ext} is ready."'
        _ingest(session_factory, ext, text, [q(text, f"Report {ext} is ready.", name, kind="organization")])
    with session_factory() as s:
        ids = dict(
            s.execute(
                select(Article.external_id, Quote.speaker_id).join(Quote, Quote.article_id == Article.id)
            ).all()
        )
    assert ids["o1"] == ids["o2"] == ids["o3"]
    assert ids["o5"] == ids["o4"]  # the first qualified form joins the bare name
    assert ids["o6"] not in (ids["o4"], ids["o5"])  # another country's ministry never does


def _hegseth_roles(factory: sessionmaker[Session]) -> list[tuple[str, dt.date | None, dt.date | None]]:
    with factory() as s:
        return sorted(
            (r.source, r.start_date, r.end_date)
            for r in s.scalars(
                select(SpeakerRole)
                .join(Speaker, Speaker.id == SpeakerRole.speaker_id)
                .where(Speaker.name == "Pete Hegseth", SpeakerRole.key == "defense secretary")
            )
        )


HEG = 'Secretary of Defense Pete Hegseth said "We are ready."'
START = dt.date(2025, 1, 25)  # the registry's start date for Hegseth


def _heg(factory: sessionmaker[Session], ext: str, day: dt.date | None):  # type: ignore[no-untyped-def]
    quote = q(HEG, "We are ready.", "Pete Hegseth", roles=("Secretary of Defense",))
    return _ingest(factory, ext, HEG + " " * len(ext), [quote], published_at=day)


def test_observed_role_on_registry_start_date_registry_first(session_factory: sessionmaker[Session]) -> None:
    load_registry(session_factory, REGISTRY)
    assert _heg(session_factory, "a", START).status == "added"
    assert _heg(session_factory, "bb", START + dt.timedelta(days=3)).status == "added"
    # An observed row dated later may not move back onto the registry's start date.
    assert _heg(session_factory, "ccc", START).status == "added"
    load_registry(session_factory, REGISTRY)
    assert _hegseth_roles(session_factory) == [
        ("observed", START + dt.timedelta(days=3), START + dt.timedelta(days=3)),
        ("registry", START, None),
    ]


def test_observed_role_on_registry_start_date_article_first(session_factory: sessionmaker[Session]) -> None:
    assert _heg(session_factory, "a", START).status == "added"
    assert _hegseth_roles(session_factory) == [("observed", START, START)]
    load_registry(session_factory, REGISTRY)  # upgrades the observed row
    assert _hegseth_roles(session_factory) == [("registry", START, None)]
    load_registry(session_factory, REGISTRY)
    assert _heg(session_factory, "bb", START).status == "added"
    assert _hegseth_roles(session_factory) == [("registry", START, None)]


def test_undated_article_guesses_no_date(session_factory: sessionmaker[Session]) -> None:
    load_registry(session_factory, REGISTRY)
    text = 'The Defense Secretary said "We are watching closely."'
    role_only = _ingest(
        session_factory, "u0", text, [q(text, "We are watching closely.", "the Defense Secretary")]
    )
    # Undated: not "today's" holder of the title.
    assert _heg(session_factory, "u1", None).status == "added"
    with session_factory() as s:
        assert s.scalar(select(Quote.speaker_id).where(Quote.article_id == role_only.article_id)) is None
        st = s.scalar(select(Statement).where(Statement.text == "We are ready."))
        assert st is not None and (st.first_seen, st.last_seen) == (None, None)
    assert _hegseth_roles(session_factory) == [("registry", START, None)]  # nothing observed
    day = dt.date(2025, 3, 1)
    assert _heg(session_factory, "dated", day).status == "added"
    assert _heg(session_factory, "undated2", None).status == "added"
    with session_factory() as s:
        st = s.scalar(select(Statement).where(Statement.text == "We are ready."))
        assert st is not None and (st.first_seen, st.last_seen, st.occurrence_count) == (day, day, 3)


def test_input_files_with_far_dates_are_input_errors(tmp_path: Path) -> None:
    (tmp_path / "far.jsonl").write_text(
        json.dumps({"id": "f", "text": A1, "published_at": "9999-12-31"}) + "\n"
    )
    with pytest.raises(InputError, match="outside 1800-01-01..2199-12-31"):
        list(read_inputs([tmp_path / "far.jsonl"], metadata={}))
    (tmp_path / "old.txt").write_text(A1, encoding="utf-8")
    with pytest.raises(InputError, match="old.txt"):
        list(read_inputs([tmp_path / "old.txt"], metadata={"old.txt": {"published_at": "0001-01-01"}}))


def test_role_lookup_near_the_date_limits_does_not_overflow(session_factory: sessionmaker[Session]) -> None:
    load_registry(session_factory, REGISTRY)
    text = 'The Defense Secretary said "We are watching closely."'
    for ext, day in (("min", dt.date.min), ("max", dt.date.max)):
        quote = q(text, "We are watching closely.", "the Defense Secretary")
        r = _ingest(session_factory, ext, text + ext, [quote], published_at=day)
        assert r.status == "added"


def test_the_same_quote_span_twice_is_stored_once(session_factory: sessionmaker[Session]) -> None:
    quote = q(A3, "We will send 8,000 soldiers to Russia.", "Kim Jong Un")
    r = _ingest(session_factory, "twice", A3, [quote, quote])
    assert (r.quotes, r.units) == (1, 1)
    assert _count(session_factory, Quote) == 1


def _same_vector(texts: Sequence[str]) -> np.ndarray:
    """Stand-in embeddings: every text the same vector (cosine 1), counted in ``EMBEDDED``."""
    EMBEDDED.extend(texts)
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    out[:, 0] = 1.0
    return out


EMBEDDED: list[str] = []


def test_units_are_embedded_only_when_their_placement_needs_it(
    session_factory: sessionmaker[Session],
) -> None:
    EMBEDDED.clear()
    t1 = 'John Kirby said "North Korean troops are training in eastern Russia." Lee said "It rained."'
    t2 = 'John Kirby said "North Korean soldiers are being trained in eastern Russia."'
    for ext, text, quotes in (
        ("k1", t1, [q(t1, "North Korean troops are training in eastern Russia.", "John Kirby"),
                    q(t1, "It rained.", "Lee")]),
        ("k2", t2, [q(t2, "North Korean soldiers are being trained in eastern Russia.", "John Kirby")]),
    ):  # fmt: skip
        ingest_article(session_factory, ArticleInput(ext, text), quotes, embed_fn=_same_vector)
    with session_factory() as s:
        stored = {o.text: o.embedding for o in s.scalars(select(Occurrence))}
    # Kirby's second unit shares a few words with his first, of another article: both embedded.
    assert sorted(EMBEDDED) == sorted(t for t, v in stored.items() if v is not None)
    assert len(EMBEDDED) == 2 and stored["It rained."] is None


def test_verify_embeds_candidates_stored_without_embedding(session_factory: sessionmaker[Session]) -> None:
    text = 'John Kirby said "North Korean troops are training in eastern Russia."'
    said = "North Korean troops are training in eastern Russia."
    quotes = [q(text, said, "John Kirby")]
    ingest_article(session_factory, ArticleInput("k", text), quotes, embed_fn=_same_vector)
    EMBEDDED.clear()
    with session_factory() as s:
        assert s.scalars(select(Occurrence.embedding)).one() is None
        claim = "In eastern Russia, troops from North Korea are being trained."
        answer = verify_claim(s, claim, "John Kirby", 5, embedder=_same_vector)
    assert answer["verdict"] == "paraphrase"
    assert said in EMBEDDED
