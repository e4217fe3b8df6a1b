"""Shared syntax helpers for quote detection: cue tests, subjects, noun-phrase spans, and
the ``Candidate`` record and per-Doc ``Context`` that detection passes around."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from service.nlp.doccache import ent_of, lemma_of, sent_of
from service.nlp.lexicon import CueLexicon

SUBJ_DEPS = {"nsubj", "nsubjpass", "csubj"}
COMPLEMENT_DEPS = {"ccomp", "parataxis"}
# Speech verbs that are aspectual before an infinitive ("continued to rise").
ASPECTUAL = {"continue"}
INHERIT_DEPS = {"conj", "advcl", "xcomp", "parataxis", "acl", "pcomp"}


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
    via: tuple[int, int] | None = None
    follow_on: bool = False


def paragraph_index(text: str) -> list[int]:
    """Start offsets of paragraphs (lines) of ``text``."""
    starts = [0]
    pos = text.find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def para_of(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


def is_cue(tok: Token, lex: CueLexicon, speech_only: bool = False) -> bool:
    if tok.dep_ in ("amod", "compound", "nmod"):
        return False  # "pledged delegates", "so-called"
    if tok.pos_ not in ("VERB", "AUX") and tok.tag_ not in ("VBD", "VBZ", "VBP", "VBG", "VBN", "VB"):
        return False
    lemma = lemma_of(tok).lower()
    if lemma in ASPECTUAL and any(c.dep_ == "xcomp" for c in tok.children):
        return False  # "the threat will continue to evolve": no words reported
    if lemma in lex.speech_verbs:
        return True
    return not speech_only and lemma in lex.cognition_verbs


def is_quote_cue(tok: Token, lex: CueLexicon) -> bool:
    """A cue for a quotation right next to it: a speech verb, or a verb such as "remembers",
    "laughs", "whispers" that attributes quoted words without reporting speech by itself."""
    if is_cue(tok, lex, speech_only=True):
        return True
    if lemma_of(tok).lower() == "put" and any(c.dep_ == "dobj" and c.lower_ == "it" for c in tok.children):
        return True  # "Her office put it bluntly in a statement: “...”", "as she put it, “...”"
    return (
        tok.dep_ not in ("amod", "compound", "nmod")
        and tok.tag_ in ("VBD", "VBZ", "VBP", "VBG", "VBN", "VB")
        and lemma_of(tok).lower() in lex.quote_verbs
    )


def inverted_subject(verb: Token, in_quote: list[int] | None) -> Token | None:
    """The speaker after the cue in "“...,” remembers Shanna Challenger" / "“...,” whispers the
    old man": a cue right after a closing quotation, with no subject of its own, followed by a
    noun phrase (which the parser may take as its object)."""
    if in_quote is None or verb.i == 0:
        return None
    j = verb.i - 1
    while j >= 0 and not in_quote[j] and verb.doc[j].is_punct:
        j -= 1
    if j < 0 or not in_quote[j]:
        return None
    if any(c.dep_ in ("nsubj", "nsubjpass", "csubj") for c in verb.children):
        return None
    for child in verb.rights:
        if child.dep_ in ("dobj", "attr", "npadvmod", "oprd", "dative") and child.pos_ in ("PROPN", "NOUN"):
            return child
        break
    # a name right after the cue that the parse made the subject of what follows ("said Robin
    # Maynard, half joking")
    j = verb.i + 1
    while j < len(verb.doc) and verb.doc[j].ent_type_ == "PERSON" and verb.doc[j].ent_iob_ != "O":
        if j + 1 >= len(verb.doc) or verb.doc[j + 1].ent_iob_ != "I":
            return verb.doc[j]
        j += 1
    return _described_after(verb)


def _described_after(verb: Token) -> Token | None:
    """The head of a short noun phrase right after the cue, closed by punctuation, that the
    parse attached elsewhere ("said the striker, still in his kit and with his voice gone")."""
    doc = verb.doc
    j = verb.i + 1
    if j >= len(doc) or doc[j].pos_ not in ("DET", "PRON") or doc[j].dep_ not in ("det", "poss"):
        return None
    for k in range(j + 1, min(j + 6, len(doc))):
        tok = doc[k]
        if tok.is_punct and tok.text not in ("-", "–"):
            last = doc[k - 1]
            return last if k > j + 1 and last.pos_ in ("NOUN", "PROPN") else None
        if tok.pos_ not in ("ADJ", "NOUN", "PROPN", "NUM") and tok.text not in ("-", "–"):
            return None
    return None


def subject_of(verb: Token, in_quote: list[int] | None = None) -> Token | None:
    """The token naming who speaks for ``verb``: its subject, the subject of the verb it is
    coordinated with or subordinated to (", adding"), or the agent of a passive."""
    inverted = inverted_subject(verb, in_quote)
    if inverted is not None:
        return inverted
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
    return subject_to_the_left(tok if tok.pos_ in ("VERB", "AUX") else verb, in_quote)


def subject_to_the_left(verb: Token, in_quote: list[int] | None = None) -> Token | None:
    """Fallback when the parse gives the cue no subject: the noun right before the cue after a
    closing quote (“...,” Ramos, 58, told AFP), else the nearest person named before it in its
    sentence, as in "According to X, Maria Zakharova, the spokesperson ..., warned"."""
    sent = sent_of(verb)
    doc = verb.doc
    if verb.i == sent.start and verb.i > 0:
        prev = doc[verb.i - 1]
        if prev.whitespace_ == " " and (prev.pos_ == "PROPN" or prev.ent_type_ in ("PERSON", "ORG")):
            return prev  # the parser split "Vickers | said he's ..." into two sentences
    if in_quote is not None:
        j = verb.i - 1
        name = None
        while j >= sent.start and not in_quote[j] and verb.i - j <= 6:
            if (doc[j].pos_ == "PROPN" or doc[j].tag_ == "NNP") and name is None:  # "DeBoer" as AUX
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


def complements(verb: Token) -> list[Token]:
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


def according_object(tok: Token) -> Token | None:
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


def media_inside(tok: Token, lex: CueLexicon) -> Token | None:
    """In "reports from Russian news agency Interfax", the named outlet."""
    for t in tok.subtree:
        if (
            t.ent_type_ in ("ORG", "PERSON")
            and t.dep_ in ("pobj", "appos", "dobj", "nsubj")
            or (t.ent_type_ == "ORG" and lemma_of(t.head).lower() in ("from", "by"))
        ):
            return t
    for t in tok.subtree:
        if t.pos_ == "PROPN" and t.i != tok.i:
            return t
    return None


def np_chars(tok: Token) -> tuple[int, int]:
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


def cue_span(cue: Token) -> tuple[int, int]:
    start, end = cue.idx, cue.idx + len(cue)
    # phrasal cues: "pointed out", "called for"
    for child in cue.children:
        if child.dep_ == "prt" and child.i == cue.i + 1:
            end = child.idx + len(child)
    return start, end


def trim_end(text: str, start: int, end: int) -> int:
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return end


@dataclass
class Context:
    """One Doc under detection: the parse, the cue lexicon, paragraph starts and which tokens
    lie inside quotation marks."""

    doc: Doc
    lex: CueLexicon
    starts: list[int]
    in_quote: list[int]

    def candidate(
        self,
        cue: Token,
        start: int,
        end: int,
        qtype: str,
        parts: list[tuple[int, int]],
        para: int,
    ) -> Candidate:
        """A candidate for ``cue``, with its speaker token and the channel it credits."""
        subj = subject_of(cue, self.in_quote)
        return Candidate(
            start, end, qtype, parts, para, cue=cue, cue_span=cue_span(cue), subject=subj, via=self.via(cue)
        )

    def via(self, cue: Token) -> tuple[int, int] | None:
        """The channel credited for a cue: "told Politico Europe", "according to CNN",
        "in an interview with KBS"."""
        for child in cue.children:
            if lemma_of(cue).lower() == "tell" and child.dep_ in ("dative", "dobj"):
                if (
                    child.ent_type_ == "ORG"
                    or (child.pos_ == "PROPN" and child.ent_type_ != "PERSON")
                    or lemma_of(child).lower() in self.lex.media_heads
                ):
                    return np_chars(child)
            if child.dep_ == "prep" and child.lower_ == "according":
                src = according_object(child)
                if src is not None:
                    return np_chars(media_inside(src, self.lex) or src)
            if child.dep_ == "prep" and child.lower_ in ("in", "during"):
                for p in child.children:
                    if p.dep_ == "pobj" and lemma_of(p).lower() in ("interview",):
                        for pp in p.children:
                            if pp.dep_ == "prep" and pp.lower_ in ("with", "to"):
                                for o in pp.children:
                                    if o.dep_ == "pobj":
                                        return np_chars(o)
        # "according to X" elsewhere in the cue's sentence while the cue has its own subject
        sent = sent_of(cue)
        for t in sent:
            if t.lower_ == "according" and t.dep_ == "prep" and t.head.i != cue.i:
                src = according_object(t)
                if src is not None and subject_of(cue) is not None:
                    return np_chars(media_inside(src, self.lex) or src)
        return None
