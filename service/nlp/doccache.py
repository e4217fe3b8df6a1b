"""Per-Doc caches of values spaCy recomputes on every access (``doc.text`` joins all tokens;
``token.sent`` re-checks the whole Doc's sentence annotation)."""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

_TEXT = "_qs_text"
_SENTS = "_qs_sents"


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once."""
    text = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.text
        doc.user_data[_TEXT] = text
    return text


def sent_of(tok: Token) -> Span:
    """The sentence of ``tok``, from a per-Doc table built once."""
    doc = tok.doc
    table = doc.user_data.get(_SENTS)
    if table is None or len(table) != len(doc):
        table = [None] * len(doc)
        for sent in doc.sents:
            for i in range(sent.start, sent.end):
                table[i] = (sent.start, sent.end)
        doc.user_data[_SENTS] = table
    start, end = table[tok.i]
    return doc[start:end]


_ENTS = "_qs_ents"


def ent_of(tok: Token) -> Span | None:
    """The named entity ``tok`` belongs to, from a per-Doc table built once."""
    if not tok.ent_type_:
        return None
    doc = tok.doc
    table = doc.user_data.get(_ENTS)
    if table is None:
        table = {}
        for ent in doc.ents:
            for i in range(ent.start, ent.end):
                table[i] = ent
        doc.user_data[_ENTS] = table
    return table.get(tok.i)
