"""Quote detection over a parsed Doc: direct, indirect and mixed quotes with their cues.

``Detector`` runs the passes (``direct``: text in quotation marks; ``reported``: reported speech
without marks) and settles overlaps. The passes are pure functions over spaCy ``Doc``/``Token``
returning ``Candidate`` records; speaker names are resolved afterwards by
``service.nlp.speakers``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from spacy.tokens import Doc

from service.nlp.direct import SIGN_NOUNS, direct_quote
from service.nlp.doccache import doc_text, lemma_of
from service.nlp.letters import letters
from service.nlp.lexicon import CueLexicon, cue_lexicon
from service.nlp.marks import QuotedSpan, find_quoted_spans
from service.nlp.reported import (
    according_to,
    as_source,
    headline_colons,
    reported_speech,
    speech_noun_clauses,
    trailing_source,
)
from service.nlp.speakers import names_a_person
from service.nlp.syntax import Candidate, Context, is_cue, para_of, paragraph_index

__all__ = ["Candidate", "Detector"]


class Detector:
    """Finds quote candidates in a Doc."""

    def __init__(self, lexicon: CueLexicon | None = None) -> None:
        self.lex = lexicon or cue_lexicon()

    def __call__(self, doc: Doc) -> list[Candidate]:
        text = doc_text(doc)
        starts = paragraph_index(text)
        quoted = [q for q in find_quoted_spans(text) if q.depth == 0]
        in_quote = _quote_mask(doc, quoted)
        ctx = Context(doc, self.lex, starts, in_quote)
        cands: list[Candidate] = []
        used_cues: dict[tuple[int, int], Candidate] = {}
        for q in quoted:
            c = direct_quote(ctx, q)
            if c is None or _sign_speaks(c):
                continue
            if c.type == "mixed" and c.cue is not None:
                key = (c.cue.i, c.start)
                if key in used_cues:
                    continue  # another fragment of the same reported clause: one mixed quote
                used_cues[key] = c
            cands.append(c)
        covered = Covered([(c.start, c.end) for c in cands])
        indirect: list[Candidate] = []
        headlines = headline_paragraphs(text, starts)
        for tok in doc:
            if in_quote[tok.i] or not is_cue(tok, self.lex):
                continue
            if headlines and para_of(starts, tok.idx) in headlines:
                continue  # "Users Urged to Remain Cautious": a headline reports nobody's words
            indirect.extend(reported_speech(ctx, tok))
        named_lines = headline_colons(ctx)
        for c in _prefer_named_inner(indirect, self.lex):
            if any(_believed_inside(c, line, self.lex) for line in named_lines):
                continue  # "Bill Clinton: Hillary thinks feds require too many tests": his words
            if _ANONYMITY.match(text, c.start) or _sign_speaks(c):
                continue  # "who asked not to be named": a source's condition, not a statement
            if covered.overlaps(c.start, c.end):
                c = _before_quoted(c, _first_overlapping(cands, c), text)
                if c is not None and c.type == "mixed" and not _holds_quoted(doc, in_quote, c):
                    c = replace(c, type="indirect")
            if c is not None:
                cands.append(c)
                covered.add(c.start, c.end)
        later = according_to(ctx) + as_source(ctx) + speech_noun_clauses(ctx)
        for c in later + named_lines + trailing_source(ctx):
            if not covered.overlaps(c.start, c.end):
                cands.append(c)
                covered.add(c.start, c.end)
        letter_pars = _letter_paragraphs(doc, text, starts)
        sents = [(x.start_char, x.end_char) for x in doc.sents] if letter_pars else []
        for letter_par in letter_pars:
            for c in _uncovered_sentences(text, sents, letter_par, covered):
                cands.append(c)
                covered.add(c.start, c.end)
        cands.sort(key=lambda c: c.start)
        return cands


_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into nor of off on onto or per the to up via vs with".split()
)


def headline_paragraphs(text: str, starts: list[int]) -> set[int]:
    """Indexes of paragraphs written as headlines: a short line in title case ("Users Urged to
    Remain Cautious") without closing punctuation or quotation marks."""
    out: set[int] = set()
    for pi, start in enumerate(starts):
        end = starts[pi + 1] - 1 if pi + 1 < len(starts) else len(text)
        if end - start > 150:
            continue
        if is_headline(text[start:end].strip()):
            out.add(pi)
    return out


def is_headline(line: str) -> bool:
    """A line in headline title case: 3-15 words, most words capitalised, no final stop."""
    words = line.split()
    if not 3 <= len(words) <= 15 or line[-1] in ".!?:;,\"”’'»" or any(m in line for m in '"“”«»'):
        return False
    content = [w for w in words if w.lower() not in _SMALL_WORDS and w[:1].isalpha()]
    if len(content) < 3:
        return False
    capitalised = sum(1 for w in content if w[:1].isupper())
    return capitalised == len(content) and not all(w.isupper() for w in content)


def _quote_mask(doc: Doc, quoted: list[QuotedSpan]) -> list[int]:
    """Per token: 1 when the token lies inside a top-level quotation (marks included)."""
    mask = [0] * len(doc)
    for q in quoted:
        end = (q.close + 1) if q.close is not None else q.end
        span = doc.char_span(q.open, end, alignment_mode="expand")
        if span is None:
            continue
        for i in range(span.start, span.end):
            mask[i] = 1
    return mask


def _believed(c: Candidate, lex: CueLexicon) -> bool:
    """Whether a candidate reports a belief (its cue is no speech verb: "thinks", "believes")."""
    return c.cue is not None and lemma_of(c.cue).lower() not in lex.speech_verbs


def _believed_inside(c: Candidate, outer: Candidate, lex: CueLexicon) -> bool:
    return outer.start <= c.start and c.end <= outer.end and _believed(c, lex)


def _prefer_named_inner(cands: list[Candidate], lex: CueLexicon) -> list[Candidate]:
    """Of nested reports ("lawmakers reported that Director Cho had indicated X"), keep the
    inner one when a named person makes it; otherwise keep the outer one. A belief reported
    inside someone's words ("Hillary Clinton thinks X, Bill Clinton said") is the outer
    speaker's statement."""
    order = sorted(range(len(cands)), key=lambda k: (cands[k].start, -cands[k].end))
    drop: set[int] = set()
    for pos, i in enumerate(order):
        outer = cands[i]
        for j in order[pos + 1 :]:
            inner = cands[j]
            if inner.start >= outer.end:
                break  # sorted by start: nothing further can nest inside ``outer``
            if inner.end > outer.end or (outer.start, outer.end) == (inner.start, inner.end):
                continue
            named = inner.subject is not None and inner.subject.ent_type_ == "PERSON"
            said = outer.cue is not None and not _believed(outer, lex)
            drop.add(i if named and not (said and _believed(inner, lex)) else j)
    return [c for k, c in enumerate(cands) if k not in drop]


def _sign_speaks(c: Candidate) -> bool:
    """Whether the subject is a sign, banner or slogan: what it "says" is written on it."""
    return c.subject is not None and lemma_of(c.subject).lower() in SIGN_NOUNS


_ANONYMITY = re.compile(
    r"(?:not to be (?:named|identified|quoted)|to remain anonymous|that (?:he|she|they|it) not be"
    r" (?:named|identified))\b",
    re.IGNORECASE,
)
# a clause tail of at most this many words before a quotation is the quotation's own lead-in
# (", which she described as", ", repeating his government's position that the war")
_LEAD_IN_WORDS = 8
_MIN_REPORT_WORDS = 4


def _first_overlapping(cands: list[Candidate], c: Candidate) -> int:
    """Where the report ``c`` must end before the first quote it meets: at that quote, or at its
    cue's clause when the cue lies inside the report ("... to express “deep concern”", "...,
    which she described as “the floor”")."""
    first = min((x for x in cands if x.start < c.end and x.end > c.start), key=lambda x: x.start)
    cut = first.start
    if first.cue is not None and c.start < first.cue.idx < cut:
        lead = first.cue.left_edge.idx
        cut = lead if lead > c.start else first.cue.idx
    return cut


def _before_quoted(c: Candidate, cut: int, text: str) -> Candidate | None:
    """An indirect report whose later part holds a quotation ("Rogers said the bank was watching
    the tariffs, which she said could have 'significant' consequences"): the report up to the
    quotation's lead-in, so both the report and the quotation are kept; None when the
    quotation starts the report or little is left before it."""
    if cut <= c.start:
        return None
    head = text[c.start : cut]
    stop = max(head.rfind(p) for p in (",", ";", " —", " –", ":"))
    if stop > 0 and len(head[stop + 1 :].split()) <= _LEAD_IN_WORDS:
        head = head[:stop]
    head = head.rstrip(" \t\n,;:—–\"“‘'")
    if len(head.split()) < _MIN_REPORT_WORDS:
        return None
    end = c.start + len(head)
    parts = [(s, min(e, end)) for s, e in c.parts if s < end]
    return replace(c, end=end, parts=parts or [(c.start, end)])


def _letter_paragraphs(doc: Doc, text: str, starts: list[int]) -> list[Candidate]:
    """On a letters page, each letter paragraph is its writer's words (typed indirect: no
    quotation marks set them off): the subject is the first word of the signature line."""
    out = []
    for letter in letters(text, lambda start, end: names_a_person(doc, start, end)):
        span = doc.char_span(*letter.signature, alignment_mode="expand")
        if span is None:
            continue
        for s, e in letter.paragraphs:
            out.append(Candidate(s, e, "indirect", [(s, e)], para_of(starts, s), subject=span[0]))
    return out


def _uncovered_sentences(
    text: str, sents: list[tuple[int, int]], c: Candidate, covered: Covered
) -> list[Candidate]:
    """The runs of ``c``'s sentences (``sents``: the doc's, as char ranges) that no quote found so
    far touches, each as ``c`` cut to it (a letter paragraph that also quotes the council keeps
    its other sentences)."""
    runs: list[tuple[int, int]] = []
    prev_free = False
    for sent_start, sent_end in sents:
        if sent_end <= c.start or sent_start >= c.end:
            continue
        s, e = max(sent_start, c.start), min(sent_end, c.end)
        free = not covered.overlaps(s, e)
        if free and prev_free:
            runs[-1] = (runs[-1][0], e)
        elif free:
            runs.append((s, e))
        prev_free = free
    out = []
    for s, e in runs:
        while e > s and text[e - 1].isspace():
            e -= 1
        if len(text[s:e].split()) >= _MIN_REPORT_WORDS:
            out.append(replace(c, start=s, end=e, parts=[(s, e)]))
    return out


def _holds_quoted(doc: Doc, in_quote: list[int], c: Candidate) -> bool:
    span = doc.char_span(c.start, c.end, alignment_mode="expand")
    return span is not None and any(in_quote[i] for i in range(span.start, span.end))


class Covered:
    """Character ranges already taken by quotes, for overlap checks in O(log n)."""

    def __init__(self, ranges: list[tuple[int, int]] | None = None) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for s, e in ranges or []:
            self.add(s, e)

    def overlaps(self, start: int, end: int) -> bool:
        """Whether [start, end) meets a stored range. Stored ranges hardly overlap each other,
        so the few that start last before ``end`` are the only ones that can reach it."""
        k = bisect.bisect_left(self.starts, end)
        return any(self.ends[m] > start for m in range(max(0, k - 3), k))

    def add(self, start: int, end: int) -> None:
        k = bisect.bisect_left(self.starts, start)
        self.starts.insert(k, start)
        self.ends.insert(k, end)
