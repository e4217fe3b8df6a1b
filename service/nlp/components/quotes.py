"""`quote_detector`: finds quote candidates and writes them to ``doc.spans["quotes"]``.

Each candidate becomes a span labelled DIRECT/INDIRECT/MIXED with its bounds, pieces, cue,
speaker token and channel as Span extensions (plain data, see `service.nlp.extensions`);
``speaker_attribution`` reads them back with `candidates_from_doc`.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from service.nlp.detect import Detector
from service.nlp.extensions import QUOTES_KEY, char_pair, char_pairs, span_for
from service.nlp.syntax import Candidate


def candidate_span(doc: Doc, c: Candidate, taken: set[tuple[int, int]]) -> Span:
    """``c`` as a span of the quotes group (token indices and character offsets only)."""
    span = span_for(doc, c.start, c.end, c.type.upper(), taken)
    x = span._
    x.quote_bounds = (c.start, c.end)
    x.quote_parts = tuple(tuple(p) for p in c.parts)
    x.quote_para = c.para
    x.cue = c.cue_span
    x.cue_i = c.cue.i if c.cue is not None else None
    x.speaker_i = c.subject.i if c.subject is not None else None
    x.via = c.via
    x.follow_on = bool(c.follow_on)
    return span


def candidates_from_doc(doc: Doc) -> list[Candidate]:
    """The candidates stored by ``quote_detector``, with their tokens taken from ``doc``."""
    out = []
    for span in doc.spans.get(QUOTES_KEY, ()):
        x = span._
        bounds = char_pair(x.quote_bounds)
        if bounds is None:
            continue
        cue_i, subj_i = x.cue_i, x.speaker_i
        out.append(
            Candidate(
                start=bounds[0],
                end=bounds[1],
                type=span.label_.lower(),
                parts=char_pairs(x.quote_parts),
                para=int(x.quote_para or 0),
                cue=doc[cue_i] if cue_i is not None else None,
                cue_span=char_pair(x.cue),
                subject=doc[subj_i] if subj_i is not None else None,
                via=char_pair(x.via),
                follow_on=bool(x.follow_on),
            )
        )
    return out


class QuoteDetector:
    """Adapter from ``Detector`` (pure logic) to a pipeline component."""

    def __init__(self) -> None:
        self.detector = Detector()

    def __call__(self, doc: Doc) -> Doc:
        taken: set[tuple[int, int]] = set()
        doc.spans[QUOTES_KEY] = [candidate_span(doc, c, taken) for c in self.detector(doc)]
        return doc


@Language.factory("quote_detector", assigns=["doc.spans"])
def make_quote_detector(nlp: Language, name: str) -> QuoteDetector:
    return QuoteDetector()
