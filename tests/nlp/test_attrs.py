"""The attribute ruler's faster matching gives the ruler's own matches, hence its annotations."""

from __future__ import annotations

import spacy

from service.nlp.attrs import FastMatch
from service.nlp.pipeline import MODEL_PACKAGE

TEXT = (
    "There is no doubt, she said. \"I ain't gonna wait,\" he told them. Y'all gotta see it: it's "
    "nothin' new.  Let's go.\n\nThe troops that were sent, whether or not they fight, haven't left "
    "and I do not know if they will, though officials did say so. Which ones? Those, since 2023."
)


def test_fast_matches_are_the_rulers_matches() -> None:
    nlp = spacy.load(MODEL_PACKAGE)
    ruler = nlp.get_pipe("attribute_ruler")
    with nlp.select_pipes(disable=["attribute_ruler", "lemmatizer", "ner"]):
        docs = list(nlp.pipe([TEXT, TEXT.lower(), TEXT.upper(), ""]))
    fast = FastMatch(ruler)
    for doc in docs:
        assert fast(doc) == ruler.match(doc)
    assert len(fast(docs[0])) > len(docs[0])  # most tokens match some rule
