"""The per-Doc caches of `service.nlp.doccache`: right answers, and no Doc kept alive by them."""

from __future__ import annotations

import gc
import weakref

import spacy
from spacy.tokens import Doc, Span

from service.nlp.doccache import doc_text, ent_of, lemma_of, sent_of


def _doc() -> Doc:
    doc = spacy.blank("en")("John Kirby spoke in Washington. Troops moved.")
    doc.ents = [Span(doc, 0, 2, label="PERSON"), Span(doc, 4, 5, label="GPE")]
    for tok in doc:
        tok.is_sent_start = tok.i in (0, 6)
    return doc


def test_cached_values_are_what_spacy_computes() -> None:
    doc = _doc()
    assert doc_text(doc) == doc.text
    assert sent_of(doc[7]).text == "Troops moved."
    ent = ent_of(doc[1])
    assert ent is not None and (ent.text, ent.label_, ent.start, ent.end) == ("John Kirby", "PERSON", 0, 2)
    assert ent == doc.ents[0] and ent.root.text in ("John", "Kirby")
    assert ent_of(doc[2]) is None and ent_of(doc[4]) == doc.ents[1]


def test_caches_do_not_keep_their_doc_alive() -> None:
    docs = [_doc() for _ in range(3)]
    for doc in docs:  # fill every cache of every Doc
        doc_text(doc)
        sent_of(doc[0])
        ent_of(doc[0])
    refs = [weakref.ref(d) for d in docs]
    del doc, docs
    gc.collect()
    assert [r() for r in refs] == [None, None, None]


def test_lemmas_on_demand_are_the_lemmatizers() -> None:
    """The pipeline does not lemmatise every token; `lemma_of` gives what its lemmatizer would."""
    from service.nlp.pipeline import MODEL_PACKAGE, get_extractor

    text = (
        'North Korea has sent troops to Russia, officials said. "We\'re watching," Kirby told '
        "reporters, adding that the soldiers were being trained and would likely be deployed."
    )
    ours = get_extractor().nlp(text)
    reference = spacy.load(MODEL_PACKAGE)(text)
    assert [lemma_of(t) for t in ours] == [t.lemma_ for t in reference]
