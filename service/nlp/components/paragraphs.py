"""`paragraph_breaks`: a sentence never crosses a line break (runs before the parser)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


class ParagraphBreaks:
    """Marks the first token after a newline as a sentence start; the parser respects it and
    stays free to place other boundaries."""

    def __call__(self, doc: Doc) -> Doc:
        after_break = False
        for tok in doc:
            if after_break and not tok.is_space:
                tok.is_sent_start = True
                after_break = False
            if "\n" in tok.text or "\n" in tok.whitespace_:
                after_break = True
        return doc


@Language.factory("paragraph_breaks")
def make_paragraph_breaks(nlp: Language, name: str) -> ParagraphBreaks:
    return ParagraphBreaks()
