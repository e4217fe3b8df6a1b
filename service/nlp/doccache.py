"""Per-Doc caches of values spaCy recomputes on every access (``doc.text`` joins all tokens;
``token.sent`` re-checks the whole Doc's sentence annotation; ``doc.ents`` builds new Spans).

The caches live beside the Doc, in a weak-keyed table, not in ``doc.user_data``, where they
would bloat ``Doc.to_bytes()`` for nothing. They go away with their Doc, so they hold only plain
values (offsets, labels), never a Span or a Token: one would keep its Doc alive, and with it
every Doc ever parsed (an ingest grew by about 1.5 MB a Doc). The components work on one Doc at
a time, so the last Doc's caches are kept at hand.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token


@dataclass
class _Caches:
    text: str | None = None
    sents: list[tuple[int, int]] | None = None
    ents: dict[int, tuple[int, int, str]] | None = None  # token index -> its entity's start, end, label
    lemmas: dict[int, str] | None = None


_TABLE: weakref.WeakKeyDictionary[Doc, _Caches] = weakref.WeakKeyDictionary()
_lemmatizer: list[Callable[[Token], list[str]]] = []
_last: tuple[weakref.ReferenceType[Doc], _Caches] | None = None


def _caches(doc: Doc) -> _Caches:
    global _last
    last = _last
    if last is not None and last[0]() is doc:
        return last[1]
    caches = _TABLE.get(doc)
    if caches is None:
        caches = _Caches()
        _TABLE[doc] = caches
    _last = (weakref.ref(doc), caches)
    return caches


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once."""
    c = _caches(doc)
    if c.text is None:
        c.text = doc.text
    return c.text


def sent_of(tok: Token) -> Span:
    """The sentence of ``tok``, from a per-Doc table built once."""
    doc = tok.doc
    c = _caches(doc)
    table = c.sents
    if table is None or len(table) != len(doc):
        table = [(0, 0)] * len(doc)
        for sent in doc.sents:
            bounds = (sent.start, sent.end)
            for i in range(sent.start, sent.end):
                table[i] = bounds
        c.sents = table
    start, end = table[tok.i]
    return doc[start:end]


def ent_of(tok: Token) -> Span | None:
    """The named entity ``tok`` belongs to, from a per-Doc table built once."""
    if not tok.ent_type_:
        return None
    doc = tok.doc
    c = _caches(doc)
    table = c.ents
    if table is None:
        table = {}
        for ent in doc.ents:
            for i in range(ent.start, ent.end):
                table[i] = (ent.start, ent.end, ent.label_)
        c.ents = table
    found = table.get(tok.i)
    return Span(doc, found[0], found[1], label=found[2]) if found else None


def set_lemmatizer(lemmatize: Callable[[Token], list[str]] | None) -> None:
    """Have `lemma_of` compute the lemmas the pipeline no longer sets (``lemmatize``: spaCy's
    ``Lemmatizer.lemmatize`` of the disabled component; None: read ``token.lemma_``)."""
    _lemmatizer[:] = [lemmatize] if lemmatize is not None else []


def lemma_of(tok: Token) -> str:
    """``tok.lemma_`` as spaCy's lemmatizer would set it, computed for this token alone.

    The components look at the lemmas of a few verbs and nouns: lemmatising every token of
    every Doc (the pipeline's lemmatizer) cost about 7% of extraction. A lemma already set
    (by the attribute ruler, or by an enabled lemmatizer) stands, as the component keeps it."""
    if tok.lemma != 0 or not _lemmatizer:
        return tok.lemma_
    c = _caches(tok.doc)
    if c.lemmas is None:
        c.lemmas = {}
    lemma = c.lemmas.get(tok.i)
    if lemma is None:
        lemma = c.lemmas[tok.i] = _lemmatizer[0](tok)[0]
    return lemma
