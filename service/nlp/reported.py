"""Reported speech without quotation marks: a cue verb's clause ("said it was too early"),
asides ("X, he says, Y"), speech acts with an infinitive ("urged X to Y"), "according to X",
and headline-style "Name: statement"."""

from __future__ import annotations

from spacy.tokens import Token

from service.nlp.doccache import doc_text, lemma_of, sent_of
from service.nlp.lexicon import speaker_lexicon
from service.nlp.speakers import DOCUMENT_NOUNS, ORG_HEADS, is_human_noun
from service.nlp.syntax import (
    SUBJ_DEPS,
    Candidate,
    Context,
    according_object,
    complements,
    is_cue,
    media_inside,
    para_of,
    subject_of,
)

# Cues whose clause may be parsed as an object: the rest of the sentence is taken instead.
BARE_CLAUSE_CUES = {"say", "add", "argue", "claim", "insist", "warn", "explain", "note", "believe", "think"}
# Speech acts whose content is an infinitive ("vowed to respond") or "call for X".
DIRECTIVE_CUES = {
    "promise",
    "vow",
    "pledge",
    "urge",
    "ask",
    "call",
    "threaten",
    "demand",
    "encourage",
    "advise",
    "remind",
    "warn",
    "instruct",
    "implore",
    "beg",
    "push",
    "press",
}
# Prepositions that carry the rest of an object's content: "accused X of Y", "praised X for Y",
# "described X as Y", "warned X about Y", "compared X to Y".
OBJECT_PREPS = {"of", "for", "as", "about", "over", "to", "against", "on"}
_SPEAKERS = speaker_lexicon()
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
    # picture and page furniture: "Header Image: People have lived ...", "Photo: ..."
    "image",
    "images",
    "header",
    "caption",
    "credit",
    "credits",
    "pictured",
    "picture",
    "illustration",
    "graphic",
    "map",
    "chart",
    "file",
    "top",
    "featured",
    "lead",
    "above",
    "below",
    "left",
    "right",
    "inset",
    "gallery",
    "audio",
    "podcast",
}
# Field labels of listings, reviews, credits and fact boxes, as a whole lead ("Location: The
# event will be held ...", "Verdict: This is the best phone ...", "Director: Steven Spielberg.");
# "FBI Director: Clinton was careless" names a source and stays a statement.
FIELD_LABELS = {
    "location", "venue", "where", "when", "what", "who", "why", "how", "date", "dates", "time",
    "times", "hours", "price", "prices", "cost", "tickets", "admission", "verdict", "rating",
    "our verdict", "bottom line", "the bottom line", "pros", "cons", "director", "directed by",
    "cast", "starring", "writer", "written by", "producer", "running time", "runtime", "genre",
    "author", "publisher", "pages", "format", "platform", "platforms", "release date",
    "ingredients", "method", "serves", "prep time", "cook time", "contact", "email", "phone",
    "address", "website", "category", "filed under", "topics", "disclosure", "disclaimer",
    "weather", "forecast", "born", "died", "age", "education", "occupation", "hometown",
}  # fmt: skip


def reported_speech(ctx: Context, verb: Token) -> list[Candidate]:
    doc, starts, in_quote = ctx.doc, ctx.starts, ctx.in_quote
    out: list[Candidate] = []
    subj = subject_of(verb, in_quote)
    if subj is None:
        return out
    if subj.lower_ in ("you",):
        return out
    if subj.lower_ == "that" and verb.i + 1 < len(doc) and doc[verb.i + 1].text == ",":
        return out  # the idiom "That said, ..."
    if (
        verb.tag_ == "VBN"
        and lemma_of(verb).lower() == "ask"
        and not any(c.dep_ == "nsubj" for c in verb.children)
    ):
        return out
    aside = parenthetical(ctx, verb, subj) or introduced_paragraph(ctx, verb, subj)
    if aside is not None:
        return [aside]
    cognition = lemma_of(verb).lower() not in ctx.lex.speech_verbs
    for child in complements(verb):
        if not any(t.pos_ in ("VERB", "AUX") for t in child.subtree):
            continue
        if cognition and any(t.lower_ in WH_WORDS for t in doc[child.left_edge.i : child.left_edge.i + 2]):
            continue  # "knows what he needs", "see how it goes": no claim is reported
        left, right = child.left_edge, child.right_edge
        if child.dep_ == "parataxis" and (child.i > verb.i or is_aside(child, ctx)):
            continue
        if child.dep_ == "ccomp" and child.i > verb.i and is_trailing_aside(child, ctx):
            continue  # "A thinks B, C said": the trailing aside is no content of "thinks"
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
        last = trim_right(first, last)
        start, end = first.idx, last.idx + len(last)
        if end - start < 8:
            continue
        qtype = quote_type(ctx, first, last)
        c = ctx.candidate(verb, start, end, qtype, [(start, end)], para_of(starts, start))
        c.subject = subj
        out.append(c)
    if not out and lemma_of(verb).lower() in BARE_CLAUSE_CUES:
        bare = bare_clause(ctx, verb, subj)
        if bare is not None:
            out.append(bare)
    if not out and lemma_of(verb).lower() in DIRECTIVE_CUES:
        order = directive(ctx, verb, subj)
        if order is not None:
            out.append(order)
    if not out and lemma_of(verb).lower() in ctx.lex.object_verbs:
        said = speech_object(ctx, verb, subj)
        if said is not None:
            out.append(said)
    return out


def speech_object(ctx: Context, verb: Token, subj: Token) -> Candidate | None:
    """A speech act whose noun-phrase object is what was said: "accused Obama of bungling the
    recovery", "advocates tax increases of $15 trillion", "described the plan as reckless". The
    content is the object with the complements right after it that finish it ("of ...",
    "for ...", "as ..."). Left out: a bare person or pronoun ("praised Smith", "praised the
    staff", "denied it"), an act not done ("did not dismiss", "refused to condemn"),
    a subject that cannot speak ("the chart highlights", "the findings underscore") and an
    object of another sense of the verb (see object_is_said)."""
    doc, starts = ctx.doc, ctx.starts
    obj = next((k for k in verb.children if k.dep_ == "dobj" and k.i > verb.i), None)
    if obj is None or not can_speak(subj) or not is_done(verb):
        return None
    if any(k.dep_ == "prt" for k in verb.children):
        return None  # "knocked out", "pushed back": another verb
    if not object_is_said(ctx, verb, obj):
        return None
    first, last = obj.left_edge, obj.right_edge
    for k in sorted(verb.children, key=lambda t: t.i):
        if k.i <= obj.i or k.left_edge.i != last.i + 1:
            continue
        if k.dep_ == "oprd" or (k.dep_ == "prep" and k.lower_ in OBJECT_PREPS and not is_time(k)):
            last = k.right_edge
    last = trim_right(first, last)
    words = [t for t in doc[first.i : last.i + 1] if not (t.is_punct or t.is_space)]
    if len(words) < 3 or (last.i == obj.right_edge.i and is_bare_person(obj)):
        return None  # "praised Smith", "praised the staff": whom, not what
    start, end = first.idx, last.idx + len(last)
    qtype = quote_type(ctx, first, last)
    c = ctx.candidate(verb, start, end, qtype, [(start, end)], para_of(starts, start))
    c.subject = subj
    return c


def object_is_said(ctx: Context, verb: Token, obj: Token) -> bool:
    """Whether the verb's object reports words for verbs that also name other acts: "called it
    a betrayal" (not "called a meeting"), "dismissed the report" (not "dismissed the
    charges", "defended the title", "welcomed the Red Sox to the Bronx", "questioned the
    officer"), "portrayed the plan as a tax hike" (not "portrayed a detective"), "slammed the
    decision" (not "slammed a dunk", "blasted a home run")."""
    lemma = lemma_of(verb).lower()
    if lemma == "call":
        return any(k.dep_ == "oprd" for k in verb.children)
    said_as = any(k.dep_ == "prep" and k.lower_ == "as" and k.i > obj.i for k in verb.children)
    if lemma in ctx.lex.object_needs_as or said_as:
        return said_as  # "defended Sanders as a mainstream candidate"
    if lemma in ctx.lex.object_not_person:
        return not (is_person(obj) or lemma_of(obj).lower() in ctx.lex.act_objects)
    if lemma in ctx.lex.object_also_physical:
        return not any(k.dep_ == "nummod" or k.lower_ in ("a", "an") for k in obj.children)
    return True


def is_bare_person(obj: Token) -> bool:
    """An object that names only whom the act was done to: a pronoun, a name, or a noun for
    people with no complement of its own ("Smith", "the staff"; not "the governor of
    mishandling ...")."""
    if obj.pos_ in ("PRON", "PROPN"):
        return True
    return is_person(obj) and not any(
        k.dep_ in ("acl", "relcl") or (k.dep_ == "prep" and k.lower_ in OBJECT_PREPS) for k in obj.children
    )


def is_person(tok: Token) -> bool:
    """A name of a person, team or other body, or a noun for people ("the officer")."""
    if tok.ent_type_ in ("PERSON", "ORG", "NORP") or tok.pos_ == "PROPN":
        return True
    lemma = lemma_of(tok).lower()
    return tok.pos_ == "NOUN" and (lemma in _SPEAKERS.titles or lemma in _SPEAKERS.description_heads)


def may_be_source(ctx: Context, subj: Token) -> bool:
    """Whether a subject may be the source of a report: one that can speak, an organisation
    ("the committee") or a document ("the report", "the statement"); not "the recipe" (calls
    for flour) or "the name" (suggests)."""
    lemma = lemma_of(subj).lower()
    return can_speak(subj) or lemma in ORG_HEADS or lemma in DOCUMENT_NOUNS or lemma in ctx.lex.speech_nouns


def can_speak(subj: Token) -> bool:
    """Whether a subject may be a source: a name, a personal pronoun or a noun for people."""
    if subj.ent_type_ in ("PERSON", "ORG", "NORP", "GPE") or subj.pos_ == "PROPN":
        return True
    if subj.pos_ == "PRON":
        return subj.lower_ in ("he", "she", "they", "we", "i", "who")
    return subj.pos_ == "NOUN" and is_human_noun(subj)


def is_done(verb: Token) -> bool:
    """Whether the act is reported as done: not negated ("did not dismiss") and not an
    infinitive ("refused to condemn", "has yet to endorse")."""
    if any(k.dep_ == "neg" for k in verb.children):
        return False
    return not (verb.tag_ == "VB" and any(k.dep_ == "aux" and k.lower_ == "to" for k in verb.children))


def is_time(prep: Token) -> bool:
    """A prepositional phrase of time ("on Thursday"), which adds nothing to what was said."""
    return any(k.dep_ == "pobj" and k.ent_type_ in ("DATE", "TIME") for k in prep.children)


def is_trailing_aside(verb: Token, ctx: Context) -> bool:
    """ "..., former President Bill Clinton said this week at a forum.": a cue after a comma with
    its subject and no object or clause of its own (where and when it was said may follow)."""
    kids = list(verb.children)
    doc = verb.doc
    start = verb.left_edge.i
    return (
        is_cue(verb, ctx.lex)
        and start > 0
        and doc[start if doc[start].is_punct else start - 1].text == ","
        and any(k.dep_ == "nsubj" for k in kids)
        and not any(k.dep_ in ("ccomp", "dobj", "xcomp", "dative", "attr") for k in kids)
    )


def is_aside(verb: Token, ctx: Context) -> bool:
    """A bare reporting aside ("she says", "Lopez said") with no object or clause of its own."""
    if not is_cue(verb, ctx.lex):
        return False
    kids = list(verb.children)
    return any(k.dep_ == "nsubj" for k in kids) and not any(
        k.dep_ in ("ccomp", "dobj", "xcomp", "dative", "attr", "prep") for k in kids
    )


def directive(ctx: Context, verb: Token, subj: Token) -> Candidate | None:
    """Speech acts with an infinitive or a "for" object: "urged South Korea to enhance its
    support", "vowed to respond", "called for a ceasefire". The content is what is urged,
    promised or called for."""
    doc, starts, in_quote = ctx.doc, ctx.starts, ctx.in_quote
    comp = infinitive_of(verb)
    first = last = None
    if comp is not None:
        obj = next((k for k in verb.children if k.dep_ in ("dobj", "dative") and verb.i < k.i < comp.i), None)
        first = obj.left_edge if obj is not None else comp.left_edge
        last = comp.right_edge
    elif lemma_of(verb).lower() == "call":
        first, last = called_for(verb)
    if first is None or last is None:
        return None
    last = trim_right(first, last)
    if last.i - first.i < 2 or any(in_quote[t.i] for t in doc[first.i : last.i + 1]):
        return None
    start, end = first.idx, last.idx + len(last)
    c = ctx.candidate(verb, start, end, "indirect", [(start, end)], para_of(starts, start))
    c.subject = subj
    return c


def infinitive_of(verb: Token) -> Token | None:
    """The infinitive a directive reports: "vowed to respond", "urged Canadians to consult ...",
    also when the parse hangs it lower down, on the object or on a participle of it ("urged all
    Canadians considering travel to China to consult ...")."""
    frontier = [k for k in verb.children if k.i > verb.i and k.dep_ in ("xcomp", "dobj")]
    for _ in range(3):
        for k in frontier:
            if k.dep_ == "xcomp" and any(a.dep_ == "aux" and a.lower_ == "to" for a in k.children):
                return k
        frontier = [g for k in frontier for g in k.children if g.dep_ in ("xcomp", "acl")]
    return None


def called_for(verb: Token) -> tuple[Token | None, Token | None]:
    """What "called for": the object of "for" ("called for a ceasefire"), or the clause when the
    parse reads "for X to Y" as one ("is calling for his rivals to drop out")."""
    prep = next((k for k in verb.children if k.dep_ == "prep" and k.lower_ == "for"), None)
    pobj = next((k for k in prep.children if k.dep_ == "pobj"), None) if prep is not None else None
    if pobj is not None:
        return pobj.left_edge, pobj.right_edge
    for k in verb.children:
        if k.dep_ == "advcl" and any(
            m.dep_ == "mark" and m.lower_ == "for" and m.i > verb.i for m in k.children
        ):
            mark = next(m for m in k.children if m.dep_ == "mark" and m.lower_ == "for")
            return verb.doc[mark.i + 1], k.right_edge
    return None, None


def bare_clause(ctx: Context, verb: Token, subj: Token) -> Candidate | None:
    """Fallback when the parse hides the complement ("Garland said unemployment and lost
    earning power ... have broad relevance", parsed with "unemployment" as the object):
    the rest of the sentence after the cue, when it holds a finite verb of its own."""
    doc, starts, in_quote = ctx.doc, ctx.starts, ctx.in_quote
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
    if not finite or any(lemma_of(t).lower() in ctx.lex.speech_verbs for t in finite[:1]):
        return None
    if doc[first].pos_ not in ("NOUN", "PROPN", "PRON", "DET", "ADJ", "NUM") and doc[first].tag_ != "VBG":
        return None  # a clause opens with its subject (a gerund: "said having him back was a boost")
    start, end = doc[first].idx, doc[last].idx + len(doc[last])
    c = ctx.candidate(verb, start, end, "indirect", [(start, end)], para_of(starts, start))
    c.subject = subj
    return c


def parenthetical(ctx: Context, verb: Token, subj: Token) -> Candidate | None:
    """A cue set off by commas inside its content: "The drugs have few uses, he says, and
    are meant for short use"; "It is on his watch, Scheer said, that ...". The content is
    the governing clause without the aside; ``parts`` are the pieces on either side."""
    doc, starts, in_quote = ctx.doc, ctx.starts, ctx.in_quote
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
    if left_tok.i >= aside_l:
        # the parse hangs the aside on a clause that starts after it ("It's easy, she says, for
        # people to marvel ..."): the content is the whole sentence around the aside
        sent = sent_of(verb)
        left_tok = doc[sent.start]
        while left_tok.i < aside_l and (left_tok.is_punct or left_tok.is_space):
            left_tok = doc[left_tok.i + 1]
        right_tok = max(right_tok, doc[sent.end - 1], key=lambda t: t.i)
    while right_tok.i > left_tok.i and (right_tok.is_punct or right_tok.is_space):
        right_tok = doc[right_tok.i - 1]
    if left_tok.i >= aside_l:
        return None
    if right_tok.i <= aside_r:
        if any(k.dep_ == "mark" for k in kids):
            return None  # "..., as the company agreed to the terms": a clause, not an aside
        right_tok = doc[aside_l - 1]  # the aside ends the sentence: "A thinks B, C said."
        while right_tok.i > left_tok.i and (right_tok.is_punct or right_tok.is_space):
            right_tok = doc[right_tok.i - 1]
    if any(in_quote[t.i] for t in doc[left_tok.i : right_tok.i + 1]):
        return None
    pieces = [(left_tok.idx, doc[aside_l - 1].idx + len(doc[aside_l - 1]))]
    nxt = aside_r + 1
    while nxt <= right_tok.i and (doc[nxt].is_punct or doc[nxt].dep_ == "cc" or doc[nxt].lower_ == "that"):
        nxt += 1
    if nxt <= right_tok.i:
        pieces.append((doc[nxt].idx, right_tok.idx + len(right_tok)))
    start, end = pieces[0][0], pieces[-1][1]
    if end - start < 8:
        return None
    c = ctx.candidate(verb, start, end, "indirect", pieces, para_of(starts, start))
    c.subject = subj
    return c


def trailing_source(ctx: Context) -> list[Candidate]:
    """ "..., the paper states." when the parser reads the cue as a plural noun ("states",
    "says", "notes"): a sentence that ends with a comma, a short noun phrase and a third-person
    speech verb. The content is the sentence before the comma."""
    doc, starts, in_quote = ctx.doc, ctx.starts, ctx.in_quote
    out = []
    for tok in doc:
        if tok.tag_ not in ("NNS", "NN", "NNP", "NNPS") or not tok.lower_.endswith("s") or in_quote[tok.i]:
            continue
        if tok.lower_[:-1] not in ctx.lex.speech_verbs and tok.lower_[:-2] not in ctx.lex.speech_verbs:
            continue
        nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        if nxt is not None and not (nxt.is_space or nxt.text in (".", "!", "\n")):
            continue
        j = tok.i - 1
        while (
            j >= 0
            and tok.i - j <= 4
            and doc[j].pos_ in ("NOUN", "PROPN", "DET", "ADJ")
            and doc[j].text != ","
        ):
            j -= 1
        if j < 1 or j == tok.i - 1 or doc[j].text != ",":
            continue
        subj = doc[tok.i - 1]
        sent = sent_of(tok)
        first = doc[sent.start]
        while first.i < j and (first.is_punct or first.is_space):
            first = doc[first.i + 1]
        last = doc[j - 1]
        if last.i - first.i < 3 or any(in_quote[t.i] for t in doc[first.i : last.i + 1]):
            continue
        start, end = first.idx, last.idx + len(last)
        cand = Candidate(
            start, end, "indirect", [(start, end)], para_of(starts, start),
            cue=None, cue_span=(tok.idx, tok.idx + len(tok)), subject=subj,
        )  # fmt: skip
        out.append(cand)
    return out


def headline_colons(ctx: Context) -> list[Candidate]:
    """Headline style "McCaul: If elected, Clinton could be impeached": a short paragraph
    that opens with a name (or a group noun such as "Historians") and a colon."""
    doc, starts, in_quote = ctx.doc, ctx.starts, ctx.in_quote
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
        body = [t for t in rest if not t.is_space]
        if not (1 <= len(name) <= 5) or len(words) < 3 or (body and in_quote[body[0].i]):
            continue  # a quotation right after the colon is the direct pass's
        if len(name) > 3 and any(in_quote[t.i] for t in body):
            continue  # "Clinton Cash Debunks Hillary: Only ‘One or Two Instances’": a headline
        if is_label_line(body, in_quote):
            continue  # "Arsenal: Raya; White, Saliba", "Score: Lakers 102": a label, no statement
        if any(t.lower_ in NOT_SPEAKERS for t in name) or len(name[0].text) < 2:
            continue
        if " ".join(t.lower_ for t in name) in FIELD_LABELS:
            continue  # "Location: ...", "Director: Steven Spielberg.": a field of a listing
        if not all(t.text[:1].isupper() or t.text in (".", "'s", "’s", "-") for t in name):
            continue
        if any(t.like_num or t.pos_ in ("VERB", "AUX", "PRON") for t in name):
            continue
        if name[0].tag_ in ("RB", "CC", "IN", "DT", "UH", "PRP", "WRB", "WP") or name[-1].tag_ == "NNS":
            continue  # "So:", "Grandkids:" are not sources
        first, last = body[0], body[-1]
        while last.i > first.i and last.is_punct and not in_quote[last.i]:
            last = doc[last.i - 1]
        start, end = first.idx, last.idx + len(last)
        out.append(
            Candidate(
                start,
                end,
                "mixed" if any(in_quote[t.i] for t in body) else "indirect",
                [(start, end)],
                pi,
                cue=None,
                cue_span=(colon, colon + 1),
                subject=name[-1],
            )
        )
    return out


def is_label_line(body: list[Token], in_quote: list[int]) -> bool:
    """A line after a label rather than a statement: no verb and no quoted words, and numbers,
    a semicolon list or a list of names ("Raya; White, Saliba", "Lakers 102, Celtics 99", "Sunny,
    with a high of 75", "Ibe, McNulty, Carr"); "Lynch: No outside influence on FBI probe" stays a
    statement."""
    if any(in_quote[t.i] or t.pos_ in ("VERB", "AUX") for t in body):
        return False
    words = [t for t in body if not t.is_punct]
    names_list = (
        len(words) >= 2 and all(t.pos_ == "PROPN" for t in words) and any(t.text == "," for t in body)
    )
    return names_list or any(t.like_num or t.text == ";" for t in body)  # "Booked: Ibe, McNulty, Carr."


def as_source(ctx: Context) -> list[Candidate]:
    """A source in an "as" aside: "As The Washington Post reported, S", "as Smith noted in his
    book, S", "As reported by X, S", "As Marcus puts it, S". The content is the sentence
    without the aside (which ends at its comma)."""
    doc, starts = ctx.doc, ctx.starts
    out = []
    for mark in doc:
        verb = as_aside_verb(ctx, mark)
        if verb is None:
            continue
        pieces = around_aside(mark, verb)
        if not pieces or sum(hi - lo + 1 for lo, hi in pieces) < 4:
            continue
        first, last = doc[pieces[0][0]], doc[pieces[-1][1]]
        parts = [(doc[lo].idx, doc[hi].idx + len(doc[hi])) for lo, hi in pieces]
        qtype = quote_type(ctx, first, last)
        c = ctx.candidate(verb, parts[0][0], parts[-1][1], qtype, parts, para_of(starts, parts[0][0]))
        if c.subject is not None and may_be_source(ctx, c.subject):
            out.append(c)  # "as the report noted"; not "as the name suggests"
    return out


def as_aside_verb(ctx: Context, mark: Token) -> Token | None:
    """The speech verb of a bare "as" aside opened by mark ("as Smith noted in his column"), or
    None for "as expected", "as though ...", "as Obama agreed to the deal"."""
    doc, verb = ctx.doc, mark.head
    if mark.lower_ != "as" or mark.dep_ != "mark" or verb.dep_ != "advcl" or ctx.in_quote[verb.i]:
        return None
    if mark.i + 1 < len(doc) and doc[mark.i + 1].lower_ in ("though", "if"):
        return None  # "as though he were screaming"
    objs = [k for k in verb.children if k.dep_ in ("dobj", "ccomp", "xcomp")]
    puts_it = lemma_of(verb).lower() == "put" and [k.lower_ for k in objs] == ["it"]
    if not puts_it and (objs or lemma_of(verb).lower() not in ctx.lex.speech_verbs):
        return None  # "as expected", "as he announced the plan": no source of the sentence
    if not any(k.dep_ in ("nsubj", "agent") for k in verb.children):
        return None
    if any(not is_aside_word(k) for k in verb.children if k.dep_ != "dobj" or not puts_it):
        return None  # "as Obama agreed to the deal", "as she replied that ...": a clause of its own
    return verb


def around_aside(mark: Token, verb: Token) -> list[tuple[int, int]]:
    """The token ranges of the aside's sentence before and after it (the aside ends at its
    comma or dash, or with the sentence: "..., as Dayen noted in The Intercept.")."""
    doc, sent = verb.doc, sent_of(verb)
    close = next((t.i for t in doc[verb.i : sent.end] if t.text in (",", "—", "–")), sent.end)
    aside_l = mark.i - 1 if mark.i > sent.start and doc[mark.i - 1].text in (",", "—", "–") else mark.i
    pieces = []
    for lo, hi in ((sent.start, aside_l - 1), (close + 1, sent.end - 1)):
        while lo <= hi and (doc[lo].is_punct or doc[lo].is_space or doc[lo].dep_ == "cc"):
            lo += 1
        while hi >= lo and (doc[hi].is_punct or doc[hi].is_space):
            hi -= 1
        if hi >= lo:
            pieces.append((lo, hi))
    return pieces


def speech_noun_clauses(ctx: Context) -> list[Candidate]:
    """A speech noun with its source and its that-clause: "Trump's claim that he opposed the
    war", "an admission from Warren that the law would not have prevented a crisis", "the
    announcement by the FBI director that ...". The content is the clause."""
    doc, starts, in_quote = ctx.doc, ctx.starts, ctx.in_quote
    out = []
    for noun in doc:
        if noun.pos_ != "NOUN" or lemma_of(noun).lower() not in ctx.lex.speech_nouns or in_quote[noun.i]:
            continue
        src = noun_source(noun)
        clause = next(
            (
                k
                for k in noun.children
                if k.dep_ in ("acl", "ccomp")
                and k.i > noun.i
                and any(m.dep_ == "mark" and m.lower_ == "that" for m in k.children)
            ),
            None,
        )
        if src is None or clause is None:
            continue
        first, last = clause.left_edge, clause.right_edge
        while first.i < clause.i and (first.dep_ == "mark" or first.is_punct):
            first = doc[first.i + 1]
        last = trim_right(first, last)
        if last.i - first.i < 3:
            continue
        start, end = first.idx, last.idx + len(last)
        qtype = quote_type(ctx, first, last)
        cand = Candidate(
            start, end, qtype, [(start, end)], para_of(starts, start),
            cue=noun, cue_span=(noun.idx, noun.idx + len(noun)), subject=src,
        )  # fmt: skip
        out.append(cand)
    return out


def noun_source(noun: Token) -> Token | None:
    """Who a speech noun belongs to: "Trump's claim", "his claim", "a claim from / by Trump"
    (a name or a personal possessive)."""
    for k in noun.children:
        if k.dep_ == "poss" and (
            k.pos_ == "PROPN" or k.ent_type_ in ("PERSON", "ORG") or k.lower_ in ("his", "her")
        ):
            return k
        if k.dep_ == "prep" and k.lower_ in ("from", "by") and k.i > noun.i:
            for o in k.children:
                if o.dep_ == "pobj" and (o.pos_ == "PROPN" or o.ent_type_ in ("PERSON", "ORG")):
                    return o
    return None


ASIDE_DEPS = {"mark", "nsubj", "nsubjpass", "aux", "auxpass", "agent", "advmod", "punct", "prt"}
ASIDE_PREPS = {"in", "on", "at", "during", "last", "this"}


def is_aside_word(k: Token) -> bool:
    """A word an "as" aside may have: its subject, auxiliaries, adverbs and where it was said
    ("as Smith noted in his column", "as reported by X")."""
    return (
        k.dep_ in ASIDE_DEPS
        or (k.dep_ == "prep" and k.lower_ in ASIDE_PREPS)
        or k.ent_type_ in ("DATE", "TIME")
    )


def according_to(ctx: Context) -> list[Candidate]:
    doc, starts, in_quote = ctx.doc, ctx.starts, ctx.in_quote
    out = []
    for tok in doc:
        if tok.lower_ != "according" or in_quote[tok.i]:
            continue
        src = according_object(tok)
        if src is None:
            continue
        head = tok.head
        if is_cue(head, ctx.lex) and subject_of(head) is not None:
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
        media = media_inside(src, ctx.lex)
        speaker_tok = src
        via = None
        if lemma_of(src).lower() in ("report", "reports", "media") and media is not None:
            speaker_tok, via = media, None
        qtype = quote_type(ctx, first, last)
        c = Candidate(
            start,
            end,
            qtype,
            parts,
            para_of(starts, start),
            cue=tok,
            cue_span=(tok.idx, doc[tok.i + 1].idx + len(doc[tok.i + 1])),
            subject=speaker_tok,
            via=via,
        )
        out.append(c)
    return out


def introduced_paragraph(ctx: Context, verb: Token, subj: Token) -> Candidate | None:
    """A paragraph that ends with its cue and a colon ("In a speech last July, he said:")
    introduces the next paragraph, which is the statement (without quotation marks)."""
    doc, starts = ctx.doc, ctx.starts
    text = doc_text(doc)
    nxt = verb.i + 1
    while nxt < len(doc) and doc[nxt].dep_ in ("prt", "advmod", "npadvmod"):
        nxt += 1
    if nxt >= len(doc) or doc[nxt].text != ":":
        return None
    colon_end = doc[nxt].idx + 1
    line_end = text.find("\n", colon_end)
    if line_end < 0 or text[colon_end:line_end].strip():
        return None  # the statement follows on the same line: the parse handles it
    pi = para_of(starts, line_end + 1)
    while (
        pi < len(starts)
        and not text[starts[pi] : (starts[pi + 1] if pi + 1 < len(starts) else len(text))].strip()
    ):
        pi += 1
    if pi >= len(starts):
        return None
    p_start = starts[pi]
    p_end = (starts[pi + 1] - 1) if pi + 1 < len(starts) else len(text)
    body = text[p_start:p_end]
    start = p_start + (len(body) - len(body.lstrip()))
    end = p_start + len(body.rstrip())
    if (
        end - start < 8
        or text[start] in "“\"‘'«"
        or any(ctx.in_quote[t.i] for t in doc.char_span(start, end, alignment_mode="expand") or [])
    ):
        return None
    c = ctx.candidate(verb, start, end, "indirect", [(start, end)], pi)
    c.subject = subj
    return c


def quote_type(ctx: Context, first: Token, last: Token) -> str:
    """ "mixed" when the span from first to last holds quoted words, else "indirect"."""
    return "mixed" if any(ctx.in_quote[i] for i in range(first.i, last.i + 1)) else "indirect"


def trim_right(first: Token, last: Token) -> Token:
    """The last token before any trailing punctuation and spaces (never before first)."""
    doc = last.doc
    while last.i > first.i and (last.is_punct or last.is_space):
        last = doc[last.i - 1]
    return last
