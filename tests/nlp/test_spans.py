"""Quotes as spaCy-native data: ``doc.spans["quotes"]`` with registered Span extensions that
survive ``Doc.to_bytes()`` and ``DocBin`` (hand-parsed Docs on a blank pipeline: no model)."""

from __future__ import annotations

import dataclasses

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span

from service.nlp import extensions
from service.nlp.components.attribution import quotes_from_doc
from service.nlp.components.quotes import candidate_span, candidates_from_doc
from service.nlp.extensions import QUOTES_KEY, SPAN_EXTENSIONS, span_for
from service.nlp.syntax import Candidate

TEXT = "“We are ready,” Kirby said. Officials said the talks would resume."
# “ We are ready , ” Kirby said . Officials said the talks would resume .
WORDS = ["“", "We", "are", "ready", ",", "”", "Kirby", "said", ".",
         "Officials", "said", "the", "talks", "would", "resume", "."]  # fmt: skip
SPACES = [False, True, True, False, False, True, True, False, True,
          True, True, True, True, True, False, False]  # fmt: skip
HEADS = [3, 3, 3, 7, 7, 7, 7, 7, 7, 10, 10, 12, 14, 14, 10, 10]
DEPS = ["punct", "nsubj", "ccomp", "ccomp", "punct", "punct", "nsubj", "ROOT", "punct",
        "nsubj", "ROOT", "det", "nsubj", "aux", "ccomp", "punct"]  # fmt: skip
POS = ["PUNCT", "PRON", "AUX", "ADJ", "PUNCT", "PUNCT", "PROPN", "VERB", "PUNCT",
       "NOUN", "VERB", "DET", "NOUN", "AUX", "VERB", "PUNCT"]  # fmt: skip
TAGS = ["``", "PRP", "VBP", "JJ", ",", "''", "NNP", "VBD", ".",
        "NNS", "VBD", "DT", "NNS", "MD", "VB", "."]  # fmt: skip
LEMMAS = ["“", "we", "be", "ready", ",", "”", "Kirby", "say", ".",
          "official", "say", "the", "talk", "would", "resume", "."]  # fmt: skip
ENTS = ["O", "O", "O", "O", "O", "O", "B-PERSON", "O", "O", "O", "O", "O", "O", "O", "O", "O"]


@pytest.fixture(scope="module")
def nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("quote_detector")
    nlp.add_pipe("speaker_attribution")
    return nlp


def parsed(nlp: Language) -> Doc:
    doc = Doc(nlp.vocab, words=WORDS, spaces=SPACES, heads=HEADS, deps=DEPS, pos=POS, tags=TAGS,
              lemmas=LEMMAS, ents=ENTS)  # fmt: skip
    assert doc.text == TEXT
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


def summary(doc: Doc) -> list[dict]:
    return [q.to_dict() for q in quotes_from_doc(doc, doc.text)]


def test_quotes_are_labelled_spans_with_extensions(nlp: Language) -> None:
    doc = parsed(nlp)
    spans = list(doc.spans[QUOTES_KEY])
    assert [s.label_ for s in spans] == ["DIRECT", "INDIRECT"]
    direct, indirect = spans
    assert direct.text == "We are ready"
    assert TEXT[slice(*direct._.quote_bounds)] == "We are ready"
    assert TEXT[slice(*direct._.cue)] == "said"
    assert direct._.speaker["name"] == "Kirby" and direct._.speaker["kind"] == "person"
    assert TEXT[slice(*direct._.speaker_mention)] == "Kirby"
    assert TEXT[slice(*indirect._.quote_bounds)] == "the talks would resume"
    # an unnamed source: a description with its words as the mention, no name
    assert indirect._.speaker["name"] is None and indirect._.speaker["kind"] == "description"
    assert TEXT[slice(*indirect._.speaker_mention)] == "Officials"


def test_no_python_objects_in_user_data(nlp: Language) -> None:
    doc = parsed(nlp)
    allowed = (str, int, float, bool, type(None), tuple, list, dict)

    def plain(value: object) -> bool:
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return all(plain(v) for v in value)
        return isinstance(value, allowed)

    assert doc.user_data
    assert all(plain(v) for v in doc.user_data.values())


def test_doc_to_bytes_round_trip_keeps_the_quotes(nlp: Language) -> None:
    doc = parsed(nlp)
    back = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert [(s.start, s.end, s.label_) for s in back.spans[QUOTES_KEY]] == [
        (s.start, s.end, s.label_) for s in doc.spans[QUOTES_KEY]
    ]
    assert summary(back) == summary(doc)


def test_docbin_round_trip_keeps_the_quotes(nlp: Language) -> None:
    doc = parsed(nlp)
    data = DocBin(docs=[doc, parsed(nlp)], store_user_data=True).to_bytes()
    back = list(DocBin().from_bytes(data).get_docs(nlp.vocab))
    assert len(back) == 2
    assert summary(back[0]) == summary(doc) == summary(back[1])
    assert len(summary(doc)) == 2


def test_extensions_register_once() -> None:
    extensions.register()
    extensions.register()
    assert all(Span.has_extension(name) for name in SPAN_EXTENSIONS)


def test_candidate_round_trips_through_its_span(nlp: Language) -> None:
    doc = Doc(nlp.vocab, words=WORDS, spaces=SPACES, heads=HEADS, deps=DEPS, pos=POS, tags=TAGS,
              lemmas=LEMMAS, ents=ENTS)  # fmt: skip
    cand = Candidate(1, 13, "direct", [(1, 5), (9, 13)], 0, cue=doc[7], cue_span=(23, 27),
                     subject=doc[6], via=(30, 40), follow_on=True)  # fmt: skip
    doc.spans[QUOTES_KEY] = [candidate_span(doc, cand, set())]
    back = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    (got,) = candidates_from_doc(back)
    for f in dataclasses.fields(Candidate):  # a new Candidate field must be carried too
        want, have = getattr(cand, f.name), getattr(got, f.name)
        if f.name in ("cue", "subject"):
            want, have = want.i, have.i
        assert have == want, f.name


def test_quotes_over_the_same_tokens_keep_their_own_values(nlp: Language) -> None:
    doc = Doc(nlp.vocab, words=WORDS, spaces=SPACES)
    taken: set[tuple[int, int]] = set()
    a = span_for(doc, 1, 3, "DIRECT", taken)
    b = span_for(doc, 2, 3, "DIRECT", taken)  # both inside the token "We"
    assert a.text == "We" and b.text == "We are"  # widened by a token: its own key
    a._.quote_bounds, b._.quote_bounds = (1, 3), (2, 3)
    assert a._.quote_bounds == (1, 3) and b._.quote_bounds == (2, 3)
