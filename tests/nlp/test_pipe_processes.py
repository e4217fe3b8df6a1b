"""The real pipeline's Docs are plain data: they survive DocBin and ``nlp.pipe(n_process=2)``
with the same quotes as in one process (real spaCy model)."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.tokens import DocBin

from service.nlp.components.attribution import quotes_from_doc
from service.nlp.pipeline import get_extractor
from service.text.clean import clean_text

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]


def dicts(quotes: list) -> list[dict]:
    return [q.to_dict() for q in quotes]


@pytest.fixture(scope="module")
def single() -> list[list[dict]]:
    return [dicts(qs) for qs in get_extractor().extract_many(SEEDS)]


def test_docbin_round_trip_of_real_docs(single: list[list[dict]]) -> None:
    nlp = get_extractor().nlp
    cleaned = [clean_text(t) for t in SEEDS]
    docs = list(nlp.pipe(cleaned))
    data = DocBin(docs=docs, store_user_data=True).to_bytes()
    back = list(DocBin().from_bytes(data).get_docs(nlp.vocab))
    assert [dicts(quotes_from_doc(d, t)) for d, t in zip(back, SEEDS, strict=True)] == single
    assert sum(map(len, single)) > 50


def test_nlp_pipe_in_two_processes_gives_the_same_quotes(single: list[list[dict]]) -> None:
    got = [dicts(qs) for qs in get_extractor().extract_many(SEEDS, batch_size=2, n_process=2)]
    assert got == single
