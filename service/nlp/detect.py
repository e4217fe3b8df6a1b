"""Quote detection over a parsed Doc: direct, indirect and mixed quotes with their cues.

Pure functions over spaCy ``Doc``/``Token``: they return ``Candidate`` records (token and
character positions, the cue, the token that names the speaker, the channel). Speaker names are
resolved afterwards by ``service.nlp.speakers``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from service.nlp.doccache import doc_text, ent_of, sent_of
from service.nlp.lexicon import CueLexicon, cue_lexicon
from service.nlp.marks import QuotedSpan, find_quoted_spans

SUBJ_DEPS = {"nsubj", "nsubjpass", "csubj"}
COMPLEMENT_DEPS = {"ccomp", "parataxis"}
INHERIT_DEPS = {"conj", "advcl", "xcomp", "parataxis", "acl", "pcomp"}
NEG_WORDS = {"not", "n't", "never", "no"}
# Attribution words that may stand between a closing mark and its cue verb: “...,” he said.
MAX_CUE_GAP = 8


@dataclass
class Candidate:
    """A detected quote before speaker resolution."""

    start: int  # char offsets of the content (outer bounds)
    end: int
    type: str
    parts: list[tuple[int, int]]
    para: int  # paragraph index of the start
    cue: Token | None = None
    cue_span: tuple[int, int] | None = None
    subject: Token | None = None  # token heading the speaker mention
    source_span: Span | None = None  # "according to X": X
    via: tuple[int, int] | None = None
    follow_on: bool = False
    quoted: list[QuotedSpan] = field(default_factory=list)


def paragraph_index(text: str) -> list[int]:
    """Start offsets of paragraphs (lines) of ``text``."""
    starts = [0]
    pos = text.find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def _para_of(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _is_cue(tok: Token, lex: CueLexicon, speech_only: bool = False) -> bool:
    if tok.dep_ in ("amod", "compound", "nmod"):
        return False  # "pledged delegates", "so-called"
    if tok.pos_ not in ("VERB", "AUX") and tok.tag_ not in ("VBD", "VBZ", "VBP", "VBG", "VBN", "VB"):
        return False
    lemma = tok.lemma_.lower()
    if lemma in lex.speech_verbs:
        return True
    return not speech_only and lemma in lex.cognition_verbs


def subject_of(verb: Token, in_quote: list[int] | None = None) -> Token | None:
    """The token naming who speaks for ``verb``: its subject, the subject of the verb it is
    coordinated with or subordinated to (", adding"), or the agent of a passive."""
    seen = 0
    tok = verb
    while seen < 4:
        if tok.pos_ not in ("VERB", "AUX"):
            break
        for child in tok.children:
            if child.dep_ in ("nsubj", "csubj"):
                return child
        for child in tok.children:
            if child.dep_ == "agent":
                for g in child.children:
                    if g.dep_ == "pobj":
                        return g
        for child in tok.children:
            if child.dep_ == "nsubjpass" and child.lower_ not in ("it",):
                return None
        if tok.dep_ in INHERIT_DEPS and tok.head is not tok:
            if in_quote is not None and in_quote[tok.head.i] and not in_quote[verb.i]:
                return None  # the cue hangs off a quote: the speaker is that quote's speaker
            tok = tok.head
            seen += 1
            continue
        if tok.dep_ == "relcl":
            return tok.head
        break
    return _subject_to_the_left(tok if tok.pos_ in ("VERB", "AUX") else verb, in_quote)


def _subject_to_the_left(verb: Token, in_quote: list[int] | None = None) -> Token | None:
    """Fallback when the parse gives the cue no subject: the noun right before the cue after a
    closing quote (“...,” Ramos, 58, told AFP), else the nearest person named before it in its
    sentence, as in "According to X, Maria Zakharova, the spokesperson ..., warned"."""
    sent = sent_of(verb)
    doc = verb.doc
    if in_quote is not None:
        j = verb.i - 1
        name = None
        while j >= sent.start and not in_quote[j] and verb.i - j <= 6:
            if doc[j].pos_ == "PROPN" and name is None:
                name = doc[j]
            j -= 1
        if name is not None and j >= 0 and in_quote[j]:
            return name  # only between a closing quote and its cue
    best = None
    for t in sent:
        if t.i >= verb.i:
            break
        if (
            t.ent_type_ == "PERSON"
            and t.ent_iob_ != "O"
            and (t.i + 1 >= len(t.doc) or t.doc[t.i + 1].ent_type_ != "PERSON")
        ):
            best = t
    if best is None:
        root = sent.root
        if root.i != verb.i and root.pos_ in ("VERB", "AUX"):
            best = next((c for c in root.children if c.dep_ == "nsubj"), None)
    return best


class Detector:
    """Finds quote candidates in a Doc."""

    def __init__(self, lexicon: CueLexicon | None = None) -> None:
        self.lex = lexicon or cue_lexicon()

    def __call__(self, doc: Doc) -> list[Candidate]:
        text = doc_text(doc)
        starts = paragraph_index(text)
        quoted = [q for q in find_quoted_spans(text) if q.depth == 0]
        in_quote = _quote_mask(doc, quoted)
        self._mask = in_quote
        cands: list[Candidate] = []
        used_cues: dict[tuple[int, int], Candidate] = {}
        for q in quoted:
            c = self._direct(doc, q, starts, in_quote)
            if c is None:
                continue
            if c.type == "mixed" and c.cue is not None:
                key = (c.cue.i, c.start)
                prev = used_cues.get(key)
                if prev is not None:
                    prev.quoted.append(q)
                    continue
                used_cues[key] = c
            cands.append(c)
        covered = Covered([(c.start, c.end) for c in cands])
        indirect: list[Candidate] = []
        for tok in doc:
            if in_quote[tok.i] or not _is_cue(tok, self.lex):
                continue
            indirect.extend(self._indirect(doc, tok, starts, in_quote))
        for c in _prefer_named_inner(indirect):
            if not covered.overlaps(c.start, c.end):
                cands.append(c)
                covered.add(c.start, c.end)
        for c in self._according_to(doc, starts, in_quote) + self._headline_colons(doc, starts, in_quote):
            if not covered.overlaps(c.start, c.end):
                cands.append(c)
                covered.add(c.start, c.end)
        cands.sort(key=lambda c: c.start)
        return cands

    # ---- direct and mixed ------------------------------------------------------------
    def _direct(self, doc: Doc, q: QuotedSpan, starts: list[int], in_quote: list[int]) -> Candidate | None:
        span = doc.char_span(q.start, q.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            return None
        qs, qe = span.start, span.end
        while qs < qe - 1 and doc[qs].is_punct:
            qs += 1
        while qe > qs + 1 and doc[qe - 1].is_punct:
            qe -= 1
        para = _para_of(starts, q.start)
        words = [t for t in span if not t.is_punct and not t.is_space]
        if not words:
            return None
        cue = self._governing_cue(doc, qs, qe, in_quote)
        if cue is None:
            cue = self._adjacent_cue(doc, q, qs, qe, starts, in_quote)
        pieces = [(a, _trim_end(doc_text(doc), a, b)) for a, b in (q.pieces or [(q.start, q.end)])]
        if cue is None:
            named = _name_colon(doc, q, starts[para])
            if named is not None:
                colon, subj = named
                c = Candidate(
                    q.start,
                    _trim_end(doc_text(doc), q.start, q.end),
                    "direct",
                    pieces,
                    para,
                    cue=None,
                    cue_span=(colon.idx, colon.idx + 1),
                    subject=subj,
                    quoted=[q],
                )
                return c
            # No cue: a quote that opens its paragraph (or its sentence) and is a clause is a
            # follow-on of the previous speaker; a mid-sentence fragment is not a quote.
            para_start = starts[para]
            lead = doc_text(doc)[para_start : q.open].strip()
            is_clause = any(t.pos_ in ("VERB", "AUX") for t in words) and len(words) >= 4
            after_quote = lead[-1:] in (".", "!", "?") and any(m in lead for m in '”"’')
            if (lead == "" or after_quote) and is_clause and not _title_case(words):
                return Candidate(
                    q.start,
                    _trim_end(doc_text(doc), q.start, q.end),
                    "direct",
                    pieces,
                    para,
                    follow_on=True,
                    quoted=[q],
                )
            return None
        # Direct when the quote is a whole constituent; mixed when it is a fragment of a
        # clause that goes on outside the marks (the number “pales in comparison” to ...).
        if _is_fragment_of_clause(doc, qs, qe, in_quote, self.lex):
            # a quoted fragment is reported speech only when someone says it: the cue needs a
            # subject, and naming verbs ("a play called “Sons of Trump”") report nothing
            if subject_of(cue, in_quote) is None or _names_the_quote(cue, qs, qe):
                return None
            left, right = _mixed_bounds(doc, cue, qs, qe)
            left = min(left, q.open)
            right = max(right, (q.close + 1) if q.close is not None else q.end)
            right = _trim_end(doc_text(doc), left, right)
            if left <= cue.idx < right:
                return None
            return self._candidate(doc, cue, left, right, "mixed", [(left, right)], para, [q])
        return self._candidate(
            doc, cue, q.start, _trim_end(doc_text(doc), q.start, q.end), "direct", pieces, para, [q]
        )

    def _candidate(
        self,
        doc: Doc,
        cue: Token,
        start: int,
        end: int,
        qtype: str,
        parts: list[tuple[int, int]],
        para: int,
        quoted: list[QuotedSpan],
    ) -> Candidate:
        subj = subject_of(cue, self._mask)
        c = Candidate(
            start, end, qtype, parts, para, cue=cue, cue_span=_cue_span(cue), subject=subj, quoted=quoted
        )
        c.via = self._via(doc, cue)
        return c

    def _governing_cue(self, doc: Doc, qs: int, qe: int, in_quote: list[int]) -> Token | None:
        """A cue verb outside the quote whose dependency subtree holds the quote's root."""
        roots = [t for t in doc[qs:qe] if not (qs <= t.head.i < qe) or t.head is t]
        for root in roots:
            tok = root
            for _ in range(6):
                if not (qs <= tok.i < qe) and not in_quote[tok.i] and _is_cue(tok, self.lex):
                    return tok
                if tok.head is tok:
                    break
                # the quote as a complement: go up only through clausal links
                tok = tok.head
        return None

    def _adjacent_cue(
        self, doc: Doc, q: QuotedSpan, qs: int, qe: int, starts: list[int], in_quote: list[int]
    ) -> Token | None:
        """A cue right after the closing mark (“...,” he said) or right before the opening one
        (He said: “...”), within the quote's paragraph."""
        para_end = len(doc_text(doc))
        pi = _para_of(starts, q.start)
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
            if _is_cue(t, self.lex, speech_only=True):
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
            if _is_cue(t, self.lex, speech_only=True):
                between = doc_text(doc)[t.idx + len(t) : q.open]
                if between.strip() == "" or between.rstrip()[-1:] in (",", ":") or steps < 12:
                    return t
                return None
            if t.text in (".", "!", "?") and steps > 1:
                break
            steps += 1
            j -= 1
        return None

    def _via(self, doc: Doc, cue: Token) -> tuple[int, int] | None:
        """The channel credited for a cue: "told Politico Europe", "according to CNN",
        "in an interview with KBS"."""
        for child in cue.children:
            if cue.lemma_.lower() == "tell" and child.dep_ in ("dative", "dobj"):
                if (
                    child.ent_type_ == "ORG"
                    or (child.pos_ == "PROPN" and child.ent_type_ != "PERSON")
                    or child.lemma_.lower() in self.lex.media_heads
                ):
                    return _np_chars(child)
            if child.dep_ == "prep" and child.lower_ == "according":
                src = _according_object(child)
                if src is not None:
                    return _np_chars(_media_inside(src, self.lex) or src)
            if child.dep_ == "prep" and child.lower_ in ("in", "during"):
                for p in child.children:
                    if p.dep_ == "pobj" and p.lemma_.lower() in ("interview",):
                        for pp in p.children:
                            if pp.dep_ == "prep" and pp.lower_ in ("with", "to"):
                                for o in pp.children:
                                    if o.dep_ == "pobj":
                                        return _np_chars(o)
        # "according to X" elsewhere in the cue's sentence while the cue has its own subject
        sent = sent_of(cue)
        for t in sent:
            if t.lower_ == "according" and t.dep_ == "prep" and t.head.i != cue.i:
                src = _according_object(t)
                if src is not None and subject_of(cue) is not None:
                    return _np_chars(_media_inside(src, self.lex) or src)
        return None

    # ---- indirect ----------------------------------------------------------------------
    def _indirect(self, doc: Doc, verb: Token, starts: list[int], in_quote: list[int]) -> list[Candidate]:
        out = []
        subj = subject_of(verb, in_quote)
        if subj is None:
            return out
        if subj.lower_ in ("you",):
            return out
        if subj.lower_ == "that" and verb.i + 1 < len(doc) and doc[verb.i + 1].text == ",":
            return out  # the idiom "That said, ..."
        if (
            verb.tag_ == "VBN"
            and verb.lemma_.lower() == "ask"
            and not any(c.dep_ == "nsubj" for c in verb.children)
        ):
            return out
        aside = self._parenthetical(doc, verb, subj, starts, in_quote)
        if aside is not None:
            return [aside]
        cognition = verb.lemma_.lower() not in self.lex.speech_verbs
        for child in _complements(verb):
            if not any(t.pos_ in ("VERB", "AUX") for t in child.subtree):
                continue
            if cognition and any(
                t.lower_ in WH_WORDS for t in doc[child.left_edge.i : child.left_edge.i + 2]
            ):
                continue  # "knows what he needs", "see how it goes": no claim is reported
            left, right = child.left_edge, child.right_edge
            if child.dep_ == "parataxis" and child.i > verb.i:
                continue
            if left.i <= subj.i <= right.i:
                continue
            first = left
            if not any(k.dep_ in SUBJ_DEPS or k.dep_ == "expl" for k in child.children):
                # "said unemployment ... have broad relevance": the clause's subject was parsed
                # as the cue's object; take it back
                obj = next((k for k in verb.children if k.dep_ == "dobj" and verb.i < k.i < left.i), None)
                if obj is not None:
                    first = obj.left_edge
            while first.i < child.i and (first.dep_ == "mark" or first.is_punct or first.lower_ == "that"):
                first = doc[first.i + 1]
            last = right
            while last.i > first.i and (last.is_punct or last.is_space):
                last = doc[last.i - 1]
            start, end = first.idx, last.idx + len(last)
            if end - start < 8:
                continue
            qtype = "mixed" if any(in_quote[t.i] for t in doc[first.i : last.i + 1]) else "indirect"
            c = self._candidate(doc, verb, start, end, qtype, [(start, end)], _para_of(starts, start), [])
            c.subject = subj
            out.append(c)
        if not out and verb.lemma_.lower() in BARE_CLAUSE_CUES:
            c = self._bare_clause(doc, verb, subj, starts, in_quote)
            if c is not None:
                out.append(c)
        if not out and verb.lemma_.lower() in DIRECTIVE_CUES:
            c = self._directive(doc, verb, subj, starts, in_quote)
            if c is not None:
                out.append(c)
        return out

    def _directive(
        self, doc: Doc, verb: Token, subj: Token, starts: list[int], in_quote: list[int]
    ) -> Candidate | None:
        """Speech acts with an infinitive or a "for" object: "urged South Korea to enhance its
        support", "vowed to respond", "called for a ceasefire". The content is what is urged,
        promised or called for."""
        comp = next((k for k in verb.children if k.dep_ == "xcomp" and k.i > verb.i), None)
        first = last = None
        if comp is not None and any(k.dep_ == "aux" and k.lower_ == "to" for k in comp.children):
            obj = next(
                (k for k in verb.children if k.dep_ in ("dobj", "dative") and verb.i < k.i < comp.i), None
            )
            first = obj.left_edge if obj is not None else comp.left_edge
            last = comp.right_edge
        elif verb.lemma_.lower() == "call":
            prep = next((k for k in verb.children if k.dep_ == "prep" and k.lower_ == "for"), None)
            pobj = next((k for k in prep.children if k.dep_ == "pobj"), None) if prep is not None else None
            if pobj is not None:
                first, last = pobj.left_edge, pobj.right_edge
        if first is None or last is None:
            return None
        while last.i > first.i and (last.is_punct or last.is_space):
            last = doc[last.i - 1]
        if last.i - first.i < 2 or any(in_quote[t.i] for t in doc[first.i : last.i + 1]):
            return None
        start, end = first.idx, last.idx + len(last)
        c = self._candidate(doc, verb, start, end, "indirect", [(start, end)], _para_of(starts, start), [])
        c.subject = subj
        return c

    def _bare_clause(
        self, doc: Doc, verb: Token, subj: Token, starts: list[int], in_quote: list[int]
    ) -> Candidate | None:
        """Fallback when the parse hides the complement ("Garland said unemployment and lost
        earning power ... have broad relevance", parsed with "unemployment" as the object):
        the rest of the sentence after the cue, when it holds a finite verb of its own."""
        sent = sent_of(verb)
        if subj.i > verb.i:
            return None
        first = verb.i + 1
        while first < sent.end and (
            doc[first].dep_ in ("prt", "dative") or doc[first].lower_ in ("that", ",", "on", "in")
        ):
            if doc[first].lower_ in ("on", "in"):
                return None  # "said in a statement", "reported on the deal"
            first += 1
        last = sent.end - 1
        while last > first and (doc[last].is_punct or doc[last].is_space):
            last -= 1
        if last - first < 3 or any(in_quote[i] for i in range(first, last + 1)):
            return None
        finite = [t for t in doc[first : last + 1] if t.tag_ in ("VBD", "VBZ", "VBP", "MD")]
        if not finite or any(t.lemma_.lower() in self.lex.speech_verbs for t in finite[:1]):
            return None
        if doc[first].pos_ not in ("NOUN", "PROPN", "PRON", "DET", "ADJ", "NUM"):
            return None
        start, end = doc[first].idx, doc[last].idx + len(doc[last])
        c = self._candidate(doc, verb, start, end, "indirect", [(start, end)], _para_of(starts, start), [])
        c.subject = subj
        return c

    def _parenthetical(
        self, doc: Doc, verb: Token, subj: Token, starts: list[int], in_quote: list[int]
    ) -> Candidate | None:
        """A cue set off by commas inside its content: "The drugs have few uses, he says, and
        are meant for short use"; "It is on his watch, Scheer said, that ...". The content is
        the governing clause without the aside; ``parts`` are the pieces on either side."""
        head = verb.head
        if verb.dep_ not in ("parataxis", "ccomp", "advcl") or head is verb:
            return None
        if head.i > verb.i and verb.dep_ != "parataxis":
            return None
        if head.pos_ not in ("VERB", "AUX") or in_quote[head.i]:
            return None
        kids = list(verb.children)
        if not any(k.dep_ == "nsubj" for k in kids) or any(
            k.dep_ in ("ccomp", "dobj", "xcomp", "dative", "attr") for k in kids
        ):
            return None  # an aside is just "he says" (with adverbs): no object or clause of its own
        tail = [k for k in kids if k.dep_ in ("conj", "cc") and k.i > verb.i]
        aside = [t for t in verb.subtree if not any(k.left_edge.i <= t.i <= k.right_edge.i for k in tail)]
        aside_l, aside_r = aside[0].i, aside[-1].i
        if doc[aside_l].text not in (",", "—", "–"):
            if aside_l == 0 or doc[aside_l - 1].text not in (",", "—", "–"):
                return None
            aside_l -= 1
        if aside_r + 1 < len(doc) and doc[aside_r + 1].text in (",", "—", "–"):
            aside_r += 1
        left_tok = head.left_edge
        right_tok = max(head.right_edge, verb.right_edge, key=lambda t: t.i)
        while right_tok.i > left_tok.i and (right_tok.is_punct or right_tok.is_space):
            right_tok = doc[right_tok.i - 1]
        if left_tok.i >= aside_l or any(in_quote[t.i] for t in doc[left_tok.i : right_tok.i + 1]):
            return None
        pieces = [(left_tok.idx, doc[aside_l - 1].idx + len(doc[aside_l - 1]))]
        nxt = aside_r + 1
        while nxt <= right_tok.i and (
            doc[nxt].is_punct or doc[nxt].dep_ == "cc" or doc[nxt].lower_ == "that"
        ):
            nxt += 1
        if nxt <= right_tok.i:
            pieces.append((doc[nxt].idx, right_tok.idx + len(right_tok)))
        start, end = pieces[0][0], pieces[-1][1]
        if end - start < 8:
            return None
        c = self._candidate(doc, verb, start, end, "indirect", pieces, _para_of(starts, start), [])
        c.subject = subj
        return c

    def _headline_colons(self, doc: Doc, starts: list[int], in_quote: list[int]) -> list[Candidate]:
        """Headline style "McCaul: If elected, Clinton could be impeached": a short paragraph
        that opens with a name (or a group noun such as "Historians") and a colon."""
        out = []
        text = doc_text(doc)
        for pi, p_start in enumerate(starts):
            p_end = starts[pi + 1] - 1 if pi + 1 < len(starts) else len(text)
            colon = text.find(":", p_start, min(p_end, p_start + 60))
            if colon < 0 or colon + 1 >= p_end or p_end - p_start > 300:
                continue
            lead = doc.char_span(p_start, colon, alignment_mode="expand")
            rest = doc.char_span(colon + 1, p_end, alignment_mode="expand")
            if lead is None or rest is None:
                continue
            name = [t for t in lead if not t.is_space]
            words = [t for t in rest if not (t.is_punct or t.is_space)]
            if not (1 <= len(name) <= 5) or len(words) < 3 or any(in_quote[t.i] for t in rest):
                continue
            if any(t.lower_ in NOT_SPEAKERS for t in name) or len(name[0].text) < 2:
                continue
            if not all(t.text[:1].isupper() or t.text in (".", "'s", "’s", "-") for t in name):
                continue
            if any(t.like_num or t.pos_ in ("VERB", "AUX", "PRON") for t in name):
                continue
            if name[0].tag_ in ("RB", "CC", "IN", "DT", "UH", "PRP", "WRB", "WP") or name[-1].tag_ == "NNS":
                continue  # "So:", "Grandkids:" are not sources
            first = next(t for t in rest if not t.is_space)
            last = words[-1]
            start, end = first.idx, last.idx + len(last)
            out.append(
                Candidate(
                    start,
                    end,
                    "indirect",
                    [(start, end)],
                    pi,
                    cue=None,
                    cue_span=(colon, colon + 1),
                    subject=name[-1],
                )
            )
        return out

    def _according_to(self, doc: Doc, starts: list[int], in_quote: list[int]) -> list[Candidate]:
        out = []
        for tok in doc:
            if tok.lower_ != "according" or in_quote[tok.i]:
                continue
            src = _according_object(tok)
            if src is None:
                continue
            head = tok.head
            if _is_cue(head, self.lex) and subject_of(head) is not None:
                continue  # the source is a channel of that cue (handled as via)
            sent = sent_of(tok)
            phrase_l = tok.i
            phrase_r = src.right_edge.i
            # content: the sentence without the "according to X" phrase and its commas
            pieces = []
            for lo, hi in ((sent.start, phrase_l - 1), (phrase_r + 1, sent.end - 1)):
                while lo <= hi and (doc[lo].is_punct or doc[lo].is_space):
                    lo += 1
                while hi >= lo and (doc[hi].is_punct or doc[hi].is_space):
                    hi -= 1
                if hi >= lo:
                    pieces.append((lo, hi))
            if not pieces or sum(hi - lo + 1 for lo, hi in pieces) < 4:
                continue
            first, last = doc[pieces[0][0]], doc[pieces[-1][1]]
            parts = [(doc[lo].idx, doc[hi].idx + len(doc[hi])) for lo, hi in pieces]
            start, end = parts[0][0], parts[-1][1]
            media = _media_inside(src, self.lex)
            speaker_tok = src
            via = None
            if src.lemma_.lower() in ("report", "reports", "media") and media is not None:
                speaker_tok, via = media, None
            qtype = "mixed" if any(in_quote[t.i] for t in doc[first.i : last.i + 1]) else "indirect"
            c = Candidate(
                start,
                end,
                qtype,
                parts,
                _para_of(starts, start),
                cue=tok,
                cue_span=(tok.idx, doc[tok.i + 1].idx + len(doc[tok.i + 1])),
                subject=speaker_tok,
                via=via,
            )
            out.append(c)
        return out


def _complements(verb: Token) -> list[Token]:
    """Clausal complements of a cue verb: its ccomp, or a that-clause hanging off its object or
    a prepositional phrase ("expressed concern that ...", "emphasized during a briefing that
    ...", "identified signs that ...")."""
    direct = [c for c in verb.children if c.dep_ in COMPLEMENT_DEPS]
    if any(c.dep_ == "ccomp" for c in direct):
        return direct
    out = list(direct)
    for child in verb.children:
        if child.dep_ in ("dobj", "prep", "attr"):
            for g in child.subtree:
                if (
                    g.dep_ in ("acl", "relcl", "ccomp")
                    and g.head.pos_ in ("NOUN", "PROPN")
                    and any(
                        m.dep_ == "mark"
                        and m.lower_ == "that"
                        or (m.lower_ == "that" and m.i == g.left_edge.i)
                        for m in g.children
                    )
                ):
                    # a that-clause whose "that" is a complementizer, not a relative pronoun
                    if any(m.dep_ in ("nsubj", "nsubjpass") and m.lower_ == "that" for m in g.children):
                        continue
                    out.append(g)
                    break
    return out


def _according_object(tok: Token) -> Token | None:
    for child in tok.children:
        if child.lower_ == "to":
            for g in child.children:
                if g.dep_ == "pobj":
                    return g
    # parser sometimes attaches "to X" as a sibling
    nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
    if nxt is not None and nxt.lower_ == "to":
        for g in nxt.children:
            if g.dep_ == "pobj":
                return g
    return None


def _media_inside(tok: Token, lex: CueLexicon) -> Token | None:
    """In "reports from Russian news agency Interfax", the named outlet."""
    for t in tok.subtree:
        if (
            t.ent_type_ in ("ORG", "PERSON")
            and t.dep_ in ("pobj", "appos", "dobj", "nsubj")
            or (t.ent_type_ == "ORG" and t.head.lemma_.lower() in ("from", "by"))
        ):
            return t
    for t in tok.subtree:
        if t.pos_ == "PROPN" and t.i != tok.i:
            return t
    return None


def _np_chars(tok: Token) -> tuple[int, int]:
    left = tok.left_edge
    while left.i < tok.i and left.dep_ in ("det", "punct"):
        left = tok.doc[left.i + 1]
    right = tok
    for child in tok.rights:
        if (
            child.dep_ in ("compound", "flat", "appos")
            or child.ent_type_
            and child.ent_type_ == tok.ent_type_
        ):
            right = child.right_edge
    ent = ent_of(tok)
    if ent is not None:
        left = min(left, tok.doc[ent.start], key=lambda t: t.i)
        right = max(right, tok.doc[ent.end - 1], key=lambda t: t.i)
    return left.idx, right.idx + len(right)


def _cue_span(cue: Token) -> tuple[int, int]:
    start, end = cue.idx, cue.idx + len(cue)
    # phrasal cues: "pointed out", "called for"
    for child in cue.children:
        if child.dep_ == "prt" and child.i == cue.i + 1:
            end = child.idx + len(child)
    return start, end


def _complement_containing(cue: Token, qs: int, qe: int) -> Token | None:
    for child in cue.children:
        if child.left_edge.i <= qs and qe - 1 <= child.right_edge.i:
            return child
        if qs <= child.i < qe:
            return child
    return None


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


# Cues whose clause may be parsed as an object: the rest of the sentence is taken instead.
BARE_CLAUSE_CUES = {"say", "add", "argue", "claim", "insist", "warn", "explain", "note", "believe", "think"}
# Speech acts whose content is an infinitive ("vowed to respond") or "call for X".
DIRECTIVE_CUES = {"promise", "vow", "pledge", "urge", "ask", "call", "threaten", "demand", "encourage"}
WH_WORDS = {"how", "what", "why", "where", "when", "who", "whom", "which", "whether", "if"}
NOT_SPEAKERS = {
    "q",
    "a",
    "read",
    "watch",
    "update",
    "updated",
    "note",
    "photo",
    "source",
    "related",
    "more",
    "editor",
    "correction",
    "video",
    "live",
    "breaking",
    "listen",
    "see",
    "also",
    "posted",
    "tags",
}
NAMING_LEMMAS = {"call", "name", "dub", "title", "label", "term", "brand", "nickname"}


def _names_the_quote(cue: Token, qs: int, qe: int) -> bool:
    """Whether the cue only names the quoted words ("called “X”", "dubbed ‘Y’")."""
    if cue.lemma_.lower() not in NAMING_LEMMAS:
        return False
    return any(qs <= c.i < qe for c in cue.children if c.dep_ in ("oprd", "dobj", "attr", "xcomp", "ccomp"))


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


def _clause_root(doc: Doc, qs: int, qe: int) -> Token:
    """The lowest token outside the quote whose subtree holds the whole quote (or the quote's
    first root)."""
    roots = _quote_roots(doc, qs, qe)
    tok = roots[0] if roots else doc[qs]
    for _ in range(8):
        if tok.left_edge.i <= qs and qe - 1 <= tok.right_edge.i and not (qs <= tok.i < qe):
            return tok
        if tok.head is tok:
            break
        tok = tok.head
    return roots[0] if roots else doc[qs]


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
            and not (lex is not None and _is_cue(t, lex))
        )
        if outside > 2:
            return True
    has_verb = any(t.pos_ in ("VERB", "AUX") for t in doc[qs:qe])
    if not has_verb:
        sent = sent_of(doc[qs])
        before = doc_text(doc)[sent.start_char : doc[qs].idx].strip().rstrip("\"“‘'")
        return bool(before) and not before.endswith((":", ","))
    return False


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return end


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


def _prefer_named_inner(cands: list[Candidate]) -> list[Candidate]:
    """Of nested reports ("lawmakers reported that Director Cho had indicated X"), keep the
    inner one when a named person makes it; otherwise keep the outer one."""
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
            drop.add(i if named else j)
    return [c for k, c in enumerate(cands) if k not in drop]


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
