"""`quote_detector`: finds quote candidates and records them on the Doc."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from service.nlp.detect import Detector

CANDIDATES_KEY = "quote_candidates"


class QuoteDetector:
    """Adapter from ``Detector`` (pure logic) to a pipeline component."""

    def __init__(self) -> None:
        self.detector = Detector()

    def __call__(self, doc: Doc) -> Doc:
        doc.user_data[CANDIDATES_KEY] = self.detector(doc)
        return doc


@Language.factory("quote_detector", assigns=["doc.user_data"])
def make_quote_detector(nlp: Language, name: str) -> QuoteDetector:
    return QuoteDetector()
