"""POST /v1/verify: the fact-check look-up (the verdicts themselves: tests/variants/test_verify.py)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.api.conftest import get_db_session
from tests.api.sample import KIRBY_STATEMENT

ON_RECORD = ("verbatim", "excerpt", "close")


def _answer(client: FlaskClient, **body: Any) -> dict[str, Any]:
    r = client.post("/v1/verify", json=body)
    assert r.status_code == 200, r.get_json()
    answer: dict[str, Any] = r.get_json()
    return answer


def _verify(client: FlaskClient, **body: Any) -> list[dict[str, Any]]:
    matches: list[dict[str, Any]] = _answer(client, **body)["matches"]
    return matches


def test_exact_quote_is_verbatim(sample_client: FlaskClient, ids: dict[str, Any]) -> None:
    answer = _answer(sample_client, text=KIRBY_STATEMENT, speaker="Kirby")
    assert answer["verdict"] == "verbatim"
    assert answer["speakers"] == [{"id": ids["kirby"], "name": "John Kirby"}]
    assert answer["parts"] == [{"start": 0, "end": len(KIRBY_STATEMENT), "text": KIRBY_STATEMENT}]
    (match, *_) = answer["matches"]
    assert match["verdict"] == "verbatim"
    assert match["statement"]["id"] == ids["statement"]
    assert match["speaker"] == {"id": ids["kirby"], "name": "John Kirby", "kind": "person"}
    assert match["attributed_to"] is None and match["conflicts"] == []
    assert len(match["sources"]) == 4
    assert match["best_variant"]["text"] in (KIRBY_STATEMENT, KIRBY_STATEMENT + ".")
    (part,) = match["parts"]
    assert part["verdict"] == "verbatim" and part["statement_id"] == ids["statement"]
    assert part["variant"]["article"]["outlet"] in ("Korea Daily", "The Dong-A Ilbo")
    assert part["diff"] == [["=", KIRBY_STATEMENT.replace(",", " , ")]] or part["diff"][0][0] == "="


def test_slightly_reworded_quote_is_close_and_a_part_is_an_excerpt(sample_client: FlaskClient) -> None:
    text = "“North Korea moved at least 3,000 troops into eastern Russia.”"
    (match, *_) = _verify(sample_client, text=text)
    assert match["verdict"] == "close"
    assert ["-", "soldiers"] in match["parts"][0]["diff"] and ["+", "troops"] in match["parts"][0]["diff"]
    text = "at least 3,000 soldiers into eastern Russia"
    (match, *_) = _verify(sample_client, text=text, speaker="John Kirby")
    assert match["verdict"] == "excerpt"


def test_changed_numbers_and_negations_contradict(sample_client: FlaskClient) -> None:
    for text, kind in (
        ("North Korea moved at least 8,000 soldiers into eastern Russia", "number"),
        ("North Korea moved at least three thousand and one soldiers into eastern Russia", "number"),
        ("North Korea has not moved at least 3,000 soldiers into eastern Russia", "negation"),
        ("North Korea may have moved at least 3,000 soldiers into eastern Russia", "modality"),
        ("North Korea moved at least 3,000 soldiers into eastern Ukraine", "name"),
    ):
        for speaker in ("Kirby", None):
            answer = _answer(sample_client, text=text, speaker=speaker)
            assert answer["verdict"] == "contradicts", (text, answer)
            match = answer["matches"][0]
            assert kind in [c["kind"] for c in match["conflicts"]], (text, match["conflicts"])
            assert match["conflicts"][0]["query"] == text and match["conflicts"][0]["recorded"]
            assert all(m["verdict"] not in ON_RECORD for m in answer["matches"])


def test_fabricated_quotes_get_no_verbatim_or_close_match(sample_client: FlaskClient) -> None:
    for text in (
        "We will send ten thousand troops to Kursk next week",
        "The price of rice doubled in Pyongyang markets",
        "And that is very important",
    ):
        for speaker in ("Kirby", None):
            answer = _answer(sample_client, text=text, speaker=speaker)
            assert answer["verdict"] not in ON_RECORD, (text, answer)


def test_a_claim_mixing_recorded_and_unrecorded_sentences_is_not_found(sample_client: FlaskClient) -> None:
    text = f"{KIRBY_STATEMENT}. The price of rice doubled in Pyongyang markets."
    (match, *_) = _verify(sample_client, text=text, speaker="Kirby")
    assert match["verdict"] == "not_found"
    assert [p["verdict"] for p in match["parts"]] == ["verbatim", "not_found"]
    assert match["parts"][1]["variant"] is None and match["parts"][1]["diff"] is None


def test_wording_of_someone_else_is_other_speaker(sample_client: FlaskClient, ids: dict[str, Any]) -> None:
    for speaker in ("Lloyd Austin", "Austin", "Nobody Known"):
        answer = _answer(sample_client, text=KIRBY_STATEMENT, speaker=speaker)
        assert answer["verdict"] == "other_speaker", (speaker, answer)
        match = answer["matches"][0]
        assert match["attributed_to"] == {"id": ids["kirby"], "name": "John Kirby", "kind": "person"}
        assert match["recorded_verdict"] == "verbatim"
        assert all(m["verdict"] not in ON_RECORD for m in answer["matches"])
    assert _answer(sample_client, text=KIRBY_STATEMENT, speaker="Nobody Known")["speakers"] == []


def test_speaker_by_surname_alias_or_full_name(sample_client: FlaskClient) -> None:
    for speaker in ("Kirby", "John Kirby", "John F. Kirby", "Mr. John Kirby"):
        assert _answer(sample_client, text=KIRBY_STATEMENT, speaker=speaker)["verdict"] == "verbatim", speaker


def test_nothing_on_record(sample_client: FlaskClient) -> None:
    answer = _answer(sample_client, text="Completely unrelated words about gardening tools")
    assert answer == {
        "verdict": "not_found",
        "speakers": [],
        "parts": [{"start": 0, "end": 48, "text": "Completely unrelated words about gardening tools"}],
        "matches": [],
    }


def test_verify_bad_input(sample_client: FlaskClient) -> None:
    for body in (
        {},
        {"text": ""},
        {"text": "   "},
        {"text": 5},
        {"text": "x", "speaker": 3},
        {"text": "x", "y": 1},
    ):
        r = sample_client.post("/v1/verify", json=body)
        assert r.status_code == 422, body
        assert r.get_json()["errors"]["json"]


def test_fulltext_candidates_hold_all_words_of_some_part(sample_app: Flask) -> None:
    """The full-text look-up is a conjunction per part (any part): the quotes holding every one of
    a part's content words, a short excerpt of a long quote among them."""
    from service.extensions import db_session
    from service.store.verify import fulltext_candidates
    from service.variants.verify import claim_parts

    def found(claim: str) -> set[str]:
        return {r.text for r in fulltext_candidates(db_session(), claim_parts(claim), None)}

    with sample_app.app_context():
        assert KIRBY_STATEMENT in found("soldiers into eastern Russia")
        assert KIRBY_STATEMENT in found("Gardening tools are cheap. Moved 3,000 soldiers into Russia.")
        assert found("soldiers into eastern Ukraine") == set()  # not every word is on record
        assert found("We are watching this very closely") == {"We are watching this very closely"}
        assert found("the and of") == set()


def test_fulltext_candidates_are_the_newest_when_many_quotes_match(app: Flask) -> None:
    """When more quotes than FTS_CANDIDATES hold a part's words, the candidates are units of that
    many of them (on SQLite the newest: the highest ids), each once."""
    from models import Article, Occurrence, Quote
    from service.extensions import db_session
    from service.store.verify import FTS_CANDIDATES, fulltext_candidates
    from service.variants.verify import claim_parts

    with get_db_session(app) as session:
        article = Article(external_id="many", text="x", content_hash="many")
        session.add(article)
        session.flush()
        for i in range(FTS_CANDIDATES + 5):
            said, at = f"The marmalade pipeline will open in week {i}", 100 * i
            span = dict(article_id=article.id, start=at, end=at + len(said), text=said, type="direct")
            quote = Quote(**span)
            session.add(quote)
            session.flush()
            session.add(Occurrence(quote_id=quote.id, **span))
        session.commit()
        quote_ids = sorted(session.scalars(select(Quote.id)).all())
    with app.app_context():
        found = fulltext_candidates(db_session(), claim_parts("The marmalade pipeline will open"), None)
        of_units = select(Occurrence.quote_id).where(Occurrence.id.in_([r.id for r in found]))
        got = sorted(db_session().scalars(of_units))
    assert len(got) == FTS_CANDIDATES == len(set(got))
    if app.config["DATABASE_URL"].startswith("sqlite"):
        assert got == quote_ids[-FTS_CANDIDATES:]
