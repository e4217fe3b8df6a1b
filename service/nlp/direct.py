"""Direct and mixed quotes: the text inside quotation marks, its cue (governing verb, a verb
right before or after the marks, or a "Name:" lead) and whether the quote is a whole statement
(direct) or a fragment of a reported clause (mixed)."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from service.nlp.doccache import doc_text, lemma_of, sent_of
from service.nlp.lexicon import CueLexicon
from service.nlp.marks import QuotedSpan
from service.nlp.syntax import (
    Candidate,
    Context,
    according_object,
    is_cue,
    is_quote_cue,
    para_of,
    subject_of,
    trim_end,
)

# Attribution words that may stand between a closing mark and its cue verb: “...,” he said.
MAX_CUE_GAP = 8
NAMING_LEMMAS = {"call", "name", "dub", "title", "label", "term", "brand", "nickname"}
# Words right before a quotation that make it a name or a term, not words someone said:
# "so-called ‘Schutzverträge’", "known as “the Wall”".
NAMING_LEADS = ("so-called", "so called", "known as", "titled", "entitled")
MAX_TITLE_WORDS = 8
# Things whose words are text written on them, nobody's statement: "a banner reading “Kwame’s
# Kingdom”", "a sign taped to the window read "Closed"", "a sign said “Closed”".
SIGN_NOUNS = frozenset(
    "sign banner placard poster billboard plaque sticker graffiti t-shirt shirt slogan cap hat".split()
)
_SIGN_READING = re.compile(
    rf"\b(?:{'|'.join(map(re.escape, sorted(SIGN_NOUNS)))})s?\b"
    r"[^.!?\"“”]{0,60}\b(?:read|reads|reading|emblazoned with|bearing)\s*:?\s*$",
    re.IGNORECASE,
)
# After a title cited in parentheses: a date or a page ("”, 24 February)", "”, May 3)", "”, p. 4)").
_CITATION_TAIL = re.compile(
    r"\s*,\s*(?:\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+|[A-Z][a-z]{2,}\.?\s+\d{1,2}\b|\d{4}\b|p\.|page)"
)


def direct_quote(ctx: Context, q: QuotedSpan) -> Candidate | None:
    doc, starts, in_quote = ctx.doc, ctx.starts, ctx.in_quote
    span = doc.char_span(q.start, q.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    qs, qe = span.start, span.end
    while qs < qe - 1 and doc[qs].is_punct:
        qs += 1
    while qe > qs + 1 and doc[qe - 1].is_punct:
        qe -= 1
    para = para_of(starts, q.start)
    words = [t for t in span if not t.is_punct and not t.is_space]
    if not words:
        return None
    text = doc_text(doc)
    if is_named_term(text, q) or is_title_modifier(ctx, qs, qe, words) or is_cited_title(text, q, words):
        return None
    cue = governing_cue(ctx, qs, qe)
    if cue is None:
        cue = adjacent_cue(ctx, q, qs, qe)
    if cue is not None and in_speaker_phrase(ctx, cue, qs, qe):
        return None
    pieces = [(a, trim_end(text, a, b)) for a, b in (q.pieces or [(q.start, q.end)])]
    end = trim_end(text, q.start, q.end)
    if cue is None:
        source = according_after(ctx, qe)
        if source is not None:
            according, src = source
            cue_chars = (according.idx, doc[according.i + 1].idx + len(doc[according.i + 1]))
            return Candidate(
                q.start, end, "direct", pieces, para, cue=according, cue_span=cue_chars, subject=src
            )
        named = _name_colon(doc, q, starts[para])
        if named is not None:
            colon, subj = named
            colon_span = (colon.idx, colon.idx + 1)
            return Candidate(q.start, end, "direct", pieces, para, cue_span=colon_span, subject=subj)
        # No cue: a quote that opens its paragraph (or its sentence) and is a clause is a
        # follow-on of the previous speaker; a mid-sentence fragment is not a quote.
        para_start = starts[para]
        lead = text[para_start : q.open].strip()
        is_clause = any(t.pos_ in ("VERB", "AUX") for t in words) and len(words) >= 4
        after_quote = lead[-1:] in (".", "!", "?") and any(m in lead for m in '”"’')
        if (lead == "" or after_quote) and is_clause and not _title_case(words):
            return Candidate(q.start, end, "direct", pieces, para, follow_on=True)
        return None
    # Direct when the quote is a whole constituent; mixed when it is a fragment of a
    # clause that goes on outside the marks (the number “pales in comparison” to ...).
    if _is_fragment_of_clause(doc, qs, qe, in_quote, ctx.lex):
        # a quoted fragment is reported speech only when someone says it: the cue needs a
        # subject, and naming verbs ("a play called “Sons of Trump”") report nothing
        if subject_of(cue, in_quote) is None or _names_the_quote(cue, qs, qe):
            return None
        if lemma_of(cue).lower() == "put":
            # "put it" introduces a whole quotation ("She put it bluntly: “...”"), never a
            # fragment in someone's clause ("as a diplomat put it, an ''extreme makeover'' that
            # Mr. Manafort oversaw, bolted ...": the parse cannot tell whose clause that is)
            return None
        left, right = _mixed_bounds(doc, cue, qs, qe)
        left = min(left, q.open)
        right = max(right, (q.close + 1) if q.close is not None else q.end)
        right = trim_end(text, left, right)
        if left <= cue.idx < right:
            return None
        return ctx.candidate(cue, left, right, "mixed", [(left, right)], para)
    return ctx.candidate(cue, q.start, end, "direct", pieces, para)


def is_named_term(text: str, q: QuotedSpan) -> bool:
    """A term or name in quotation marks after "so-called", "known as", "dubbed" (scare quotes
    and foreign terms): nobody is quoted."""
    before = text[max(0, q.open - 20) : q.open].rstrip().lower()
    return before.endswith(NAMING_LEADS) or bool(_SIGN_READING.search(text, max(0, q.open - 90), q.open))


def is_cited_title(text: str, q: QuotedSpan, words: list[Token]) -> bool:
    """A headline or title cited in parentheses: "(“Hospital Parking Fees Rise Again”, 27 May)"."""
    if text[max(0, q.open - 1) : q.open] != "(" or q.close is None:
        return False
    return _title_case(words) or bool(_CITATION_TAIL.match(text, q.close + 1))


def is_title_modifier(ctx: Context, qs: int, qe: int, words: list[Token]) -> bool:
    """A work title modifying the speaker's noun right after it: "“Parasite” director Bong Joon
    Ho said", "‘Mrs Maisel’ actress Alex Borstein said". Short, capitalised, no verb; the closing
    mark directly followed by a lower-case noun whose phrase is the subject of a cue. (A quoted
    word before other nouns, "the “disgusting” media", is someone's word: kept.)"""
    doc = ctx.doc
    if not _is_title(words):
        return False
    nxt = qe
    while nxt < len(doc) and doc[nxt].is_punct and doc[nxt].text in "’'”\"»›":
        nxt += 1
    if nxt >= len(doc) or nxt == qe or doc[nxt].pos_ not in ("NOUN", "PROPN") or doc[nxt].text[:1].isupper():
        return False
    if doc[nxt - 1].whitespace_ == "":
        return False
    head = doc[nxt]
    for _ in range(4):
        if head.dep_ in ("nsubj", "nsubjpass") or head.head is head:
            break
        if head.dep_ not in ("compound", "amod", "appos", "flat", "nmod"):
            return False
        head = head.head
    return head.dep_ == "nsubj" and (is_cue(head.head, ctx.lex) or is_quote_cue(head.head, ctx.lex))


def _is_title(words: list[Token]) -> bool:
    """Words that read as a title: at most MAX_TITLE_WORDS, no verb, the first capitalised."""
    return (
        len(words) <= MAX_TITLE_WORDS
        and words[0].text[:1].isupper()
        and not any(t.pos_ in ("VERB", "AUX") for t in words)
    )


def in_speaker_phrase(ctx: Context, cue: Token, qs: int, qe: int) -> bool:
    """Whether the quotation lies inside the phrase naming the cue's speaker."""
    subj = subject_of(cue, ctx.in_quote)
    if subj is None:
        return False
    words = [t for t in ctx.doc[qs:qe] if not t.is_punct and not t.is_space]
    inside = subj.left_edge.i <= qs and qe - 1 <= subj.right_edge.i and not (qs <= subj.i < qe)
    return inside and bool(words) and _is_title(words)


def governing_cue(ctx: Context, qs: int, qe: int) -> Token | None:
    """A cue verb outside the quote whose dependency subtree holds the quote's root."""
    doc, in_quote = ctx.doc, ctx.in_quote
    roots = [t for t in doc[qs:qe] if not (qs <= t.head.i < qe) or t.head is t]
    for root in roots:
        tok = root
        for _ in range(6):
            if (
                not (qs <= tok.i < qe)
                and not in_quote[tok.i]
                and (is_cue(tok, ctx.lex) or is_quote_cue(tok, ctx.lex))
            ):
                return tok
            if tok.head is tok:
                break
            # the quote as a complement: go up only through clausal links
            tok = tok.head
    return None


def according_after(ctx: Context, qe: int) -> tuple[Token, Token] | None:
    """The source of “...,” according to Dr. Keith Ahamad: "according" right after the closing
    mark (and its comma) and the object of its "to"."""
    doc, in_quote = ctx.doc, ctx.in_quote
    j = qe
    while j < len(doc) and doc[j].is_punct and doc[j].text not in (".", "!", "?"):
        j += 1
    if j + 1 >= len(doc) or in_quote[j] or doc[j].lower_ != "according" or doc[j + 1].lower_ != "to":
        return None
    src = according_object(doc[j])
    return (doc[j], src) if src is not None else None


def adjacent_cue(ctx: Context, q: QuotedSpan, qs: int, qe: int) -> Token | None:
    """A cue right after the closing mark (“...,” he said) or right before the opening one
    (He said: “...”), within the quote's paragraph."""
    doc, starts, in_quote = ctx.doc, ctx.starts, ctx.in_quote
    para_end = len(doc_text(doc))
    pi = para_of(starts, q.start)
    if pi + 1 < len(starts):
        para_end = starts[pi + 1]
    # after
    j = qe
    while j < len(doc) and in_quote[j] and doc[j].is_punct:
        j += 1
    steps = 0
    while j < len(doc) and steps < MAX_CUE_GAP and doc[j].idx < para_end:
        t = doc[j]
        if in_quote[t.i]:
            break
        if is_quote_cue(t, ctx.lex):
            return t
        if t.text in (".", "!", "?") and steps > 0:
            break
        steps += 1
        j += 1
    # before
    j = qs - 1
    steps = 0
    while j >= 0 and steps < 40 and doc[j].idx >= starts[pi]:
        t = doc[j]
        if in_quote[t.i] and t.i < qs - 1:
            break
        if is_quote_cue(t, ctx.lex):
            between = doc_text(doc)[t.idx + len(t) : q.open]
            if between.strip() == "" or between.rstrip()[-1:] in (",", ":") or steps < 12:
                return t
            return None
        if t.text in (".", "!", "?") and steps > 1:
            break
        steps += 1
        j -= 1
    return _cue_ending_previous_paragraph(ctx, q, pi)


def _cue_ending_previous_paragraph(ctx: Context, q: QuotedSpan, pi: int) -> Token | None:
    """A quote opening its paragraph right after a paragraph that ends "..., Kirby said:"."""
    doc, text = ctx.doc, doc_text(ctx.doc)
    if pi == 0 or text[ctx.starts[pi] : q.open].strip():
        return None
    before = doc.char_span(max(0, ctx.starts[pi] - 200), ctx.starts[pi], alignment_mode="contract")
    toks = [t for t in (before or []) if not t.is_space][-4:]
    if len(toks) < 2 or toks[-1].text != ":":
        return None
    return next((t for t in reversed(toks[:-1]) if is_cue(t, ctx.lex, speech_only=True)), None)


def _name_colon(doc: Doc, q: QuotedSpan, para_start: int) -> tuple[Token, Token] | None:
    """Headline and interview style "Kirby: “...”": a paragraph that opens with a name and a
    colon right before the quote. Returns the colon and the name's head token."""
    lead = doc.char_span(para_start, q.open, alignment_mode="expand")
    if lead is None:
        return None
    toks = [t for t in lead if not t.is_space]
    if len(toks) < 2 or len(toks) > 7 or toks[-1].text != ":":
        return None
    name = toks[:-1]
    if not all(t.pos_ == "PROPN" or t.ent_type_ in ("PERSON", "ORG") or t.is_punct for t in name):
        return None
    return toks[-1], name[-1]


def _names_the_quote(cue: Token, qs: int, qe: int) -> bool:
    """Whether the cue only names the quoted words ("called “X”", "dubbed ‘Y’")."""
    if lemma_of(cue).lower() not in NAMING_LEMMAS or calls_names(cue, qs):
        return False
    return any(qs <= c.i < qe for c in cue.children if c.dep_ in ("oprd", "dobj", "attr", "xcomp", "ccomp"))


def calls_names(cue: Token, qs: int) -> bool:
    """A person calling someone or something a name is speaking: "Sanders called Trump a
    “pathological liar”", "she called it “predatory”", "what Gingrich called “the loudest
    election”" (a named person or "he"/"she" as subject, and what is named before the quote)."""
    subj = next((c for c in cue.children if c.dep_ == "nsubj"), None)
    if subj is None or not (subj.ent_type_ == "PERSON" or subj.lower_ in ("he", "she")):
        return False
    return any(c.dep_ == "dobj" and c.i < qs for c in cue.children)


def _title_case(words: list[Token]) -> bool:
    """Headline-style capitalisation ("Coal Isn't the Villain.")."""
    alpha = [t for t in words if t.is_alpha and len(t) > 3]
    return len(alpha) >= 2 and sum(1 for t in alpha if t.text[0].isupper()) >= 0.8 * len(alpha)


def _mixed_bounds(doc: Doc, cue: Token, qs: int, qe: int) -> tuple[int, int]:
    """Content of a mixed quote: the reported clause around the quoted fragment, from just
    after the cue (or from the clause start when the cue follows) to the clause end."""
    sent = sent_of(doc[qs])
    if cue.i < qs:
        first = doc[cue.i + 1]
        while first.i < qs and (
            first.dep_ in ("prt", "punct", "mark") or first.lower_ == "that" or first.dep_ == "npadvmod"
        ):
            first = doc[first.i + 1]
        last = max(cue.right_edge, doc[qe - 1], key=lambda t: t.i)
        last = min(last, doc[sent.end - 1], key=lambda t: t.i)
    else:
        first = doc[sent.start]
        subj = subject_of(cue)
        stop = min(cue.i, subj.left_edge.i if subj is not None and subj.i < cue.i else cue.i)
        last = doc[max(stop - 1, qe - 1)]
    while last.i > first.i and (last.is_punct or last.is_space) and last.i >= qe:
        last = doc[last.i - 1]
    return first.idx, last.idx + len(last)


def _quote_roots(doc: Doc, qs: int, qe: int) -> list[Token]:
    return [t for t in doc[qs:qe] if not (qs <= t.head.i < qe) or t.head is t]


def _is_fragment_of_clause(
    doc: Doc, qs: int, qe: int, in_quote: list[int] | None = None, lex: CueLexicon | None = None
) -> bool:
    """Whether the quoted words are part of a clause that continues outside the marks: a
    quote's root whose subtree reaches more than two words beyond the quote, or a quoted
    phrase with no verb that sits inside a clause."""
    roots = _quote_roots(doc, qs, qe)
    for r in roots:
        outside = sum(
            1
            for t in r.subtree
            if not (qs - 1 <= t.i <= qe)
            and not t.is_punct
            and t.lower_ not in ("that", "whether", "and")
            and not (in_quote is not None and in_quote[t.i])
            and not (lex is not None and is_cue(t, lex))
        )
        if outside > 2:
            return True
    has_verb = any(t.pos_ in ("VERB", "AUX") for t in doc[qs:qe])
    if not has_verb:
        sent = sent_of(doc[qs])
        before = doc_text(doc)[sent.start_char : doc[qs].idx].strip().rstrip("\"“‘'")
        return bool(before) and not before.endswith((":", ","))
    return False
