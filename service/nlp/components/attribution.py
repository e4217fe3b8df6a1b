"""`speaker_attribution`: resolves each candidate's speaker, links follow-on quotes to the
previous speaker and joins quotes split by their attribution (“A,” he said. “B.”)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from service.nlp.components.quotes import candidate_span, candidates_from_doc
from service.nlp.extensions import QUOTES_KEY, char_pair, char_pairs, clear_extensions
from service.nlp.speakers import Resolved, SpeakerResolver
from service.nlp.syntax import Candidate
from service.nlp.types import Quote, Speaker, TextSpan
from service.vocab import SpeakerKind

# A follow-on quote paragraph inherits the speaker of a quote at most this many paragraphs back.
FOLLOW_ON_PARAGRAPHS = 2


@dataclass
class Record:
    """A candidate with its resolved speaker (offsets only; texts are cut at output time)."""

    cand: Candidate
    speaker: Resolved
    parts: list[tuple[int, int]]
    start: int
    end: int


def attribute(doc: Doc, cands: list[Candidate]) -> list[Record]:
    """Resolve speakers in text order and merge split direct quotes."""
    resolver = SpeakerResolver(doc)
    records: list[Record] = []
    for c in cands:
        if c.follow_on:
            prev = _previous_speaker(records, c)
            if prev is None:
                continue
            resolver.remember(prev)
            speaker = Resolved(prev.name, prev.kind, None, prev.entity, prev.human, prev.role)
        elif (
            c.subject is None and records and records[-1].cand.para == c.para and _named(records[-1].speaker)
        ):
            # a cue hanging off the previous quote (“...,” adding, “...”): same speaker
            speaker = records[-1].speaker
        else:
            speaker = resolver.resolve(_colon_label(doc, c) or c.subject)
            if not speaker.name and c.cue is not None and (c.subject is None or c.subject.pos_ != "PRON"):
                named = _person_beside_cue(c.cue, c.subject, resolver.is_person)
                if named is not None:
                    speaker = resolver.resolve(named)
        rec = Record(c, speaker, list(c.parts), c.start, c.end)
        resolver.note_quote(rec.parts)
        if records and _joins(records[-1], rec):
            last = records[-1]
            last.parts.extend(rec.parts)
            last.end = max(last.end, rec.end)
            if last.cand.cue is None and rec.cand.cue is not None:
                last.cand.cue, last.cand.cue_span = rec.cand.cue, rec.cand.cue_span
                last.speaker = rec.speaker
            continue
        records.append(rec)
    return records


def _colon_label(doc: Doc, c: Candidate) -> Token | None:
    """The person a direct quote is introduced by with a colon ("... he tweeted about it.
    Donald Trump: “Appreciate the ...”"): a name standing alone (after punctuation or a line
    break) right before the colon and the opening mark."""
    if c.type != "direct":
        return None
    span = doc.char_span(c.start - 1, c.start, alignment_mode="expand")
    if span is None or span.start < 2:
        return None
    colon, name = doc[span.start - 1], doc[span.start - 2]
    if colon.text != ":" or name.ent_type_ != "PERSON" or not span[0].is_quote:
        return None
    first = name.i
    while first > 0 and doc[first].ent_iob_ == "I":
        first -= 1
    # the name stands alone before the colon; "wrote of Ms. Merkel:" names whom it is about
    if first > 0 and not (doc[first - 1].is_punct or doc[first - 1].is_space):
        return None
    return name


def _person_beside_cue(cue: Token, subject: Token | None, is_person: Callable[[Token], bool]) -> Token | None:
    """A person named right beside the cue when the parse gave the speaker as a description or
    a word fragment: before it ("The UN coordinator for Sudan, Amina Diallo-Kerr, said";
    "defence barrister Aidan Moore KC suggested"), or, when the subject follows the cue, after it
    ("said co-author Felipe Arancibia, a ..."). A name after a preposition ("a spokeswoman for
    Jane Doe said") is whom the speaker speaks for, not the speaker."""
    doc = cue.doc
    sent = cue.sent
    i = cue.i - 1
    while i > sent.start and (doc[i].text == "," or doc[i].pos_ in ("ADV", "AUX", "PART")):
        i -= 1
    post_nominals = 0
    while i > sent.start and not is_person(doc[i]) and doc[i].pos_ == "PROPN" and post_nominals < 2:
        i -= 1  # "Aidan Moore KC", "Harry Harris Jr."
        post_nominals += 1
    if is_person(doc[i]):
        first = i  # back over the name and its titles: "Senator Jane Doe", "Amina Diallo-Kerr"
        while first > sent.start and (
            doc[first - 1].pos_ == "PROPN"
            or doc[first - 1].text == "-"
            or doc[first - 1].lower_ in _TITLE_LEADS
        ):
            first -= 1
        if first == 0 or doc[first - 1].pos_ != "ADP":
            return doc[i]
    inverted = subject is None or subject.i > cue.i or subject.is_punct
    if not inverted:
        return None
    for j in range(cue.i + 1, min(cue.i + 7, sent.end)):
        t = doc[j]
        if is_person(t):
            return t
        if t.text in (",", ".", ";", ":") or t.pos_ in ("VERB", "ADP", "PRON"):
            return None
    return None


_TITLE_LEADS = frozenset({"mr", "mrs", "ms", "dr", "sir", "dame", "lord", "lady"})


def _previous_speaker(records: list[Record], c: Candidate) -> Resolved | None:
    for rec in reversed(records):
        if c.para - rec.cand.para > FOLLOW_ON_PARAGRAPHS:
            return None
        if _named(rec.speaker):
            return rec.speaker
    return None


def _named(r: Resolved) -> bool:
    """Whether a resolved speaker is someone a later quote can inherit (a name, or an unnamed
    human source such as "a spokesperson")."""
    return bool(r.name) or (r.human and r.mention is not None)


def _joins(prev: Record, cur: Record) -> bool:
    """Whether ``cur`` continues ``prev`` across its attribution in the same paragraph."""
    if prev.cand.type != "direct" or cur.cand.type != "direct" or prev.cand.para != cur.cand.para:
        return False
    if cur.cand.follow_on:
        return True
    same_cue = prev.cand.cue is not None and cur.cand.cue is not None and prev.cand.cue.i == cur.cand.cue.i
    return same_cue


def record_span(doc: Doc, rec: Record, taken: set[tuple[int, int]]) -> Span:
    """``rec`` as a span of the quotes group, with its speaker resolution as Span extensions."""
    c, sp = rec.cand, rec.speaker
    span = candidate_span(doc, replace(c, start=rec.start, end=rec.end), taken)
    x = span._
    x.quote_parts = tuple(sorted(tuple(p) for p in rec.parts))
    ent = sp.entity
    x.speaker_mention = sp.mention
    roles = list(ent.roles) if ent and ent.kind == SpeakerKind.PERSON else []
    if sp.role and sp.role not in roles:
        roles.append(sp.role)
    kind = sp.kind if sp.name or sp.kind == SpeakerKind.DESCRIPTION else SpeakerKind.UNKNOWN
    x.speaker = {
        "name": sp.name,
        "kind": str(kind),
        "aliases": sorted(a for a in (ent.aliases if ent else ()) if a != sp.name),
        "roles": roles,
    }
    return span


class SpeakerAttribution:
    """Adapter from ``attribute`` to a pipeline component: reads the candidates of
    ``doc.spans["quotes"]`` and replaces them with the resolved, joined quotes."""

    def __call__(self, doc: Doc) -> Doc:
        old = list(doc.spans.get(QUOTES_KEY, ()))
        records = attribute(doc, candidates_from_doc(doc))
        taken: set[tuple[int, int]] = set()
        doc.spans[QUOTES_KEY] = [record_span(doc, rec, taken) for rec in records]
        clear_extensions(doc, [s for s in old if (s.start_char, s.end_char) not in taken])
        return doc


@Language.factory("speaker_attribution", assigns=["doc.spans"], requires=["doc.ents", "doc.spans"])
def make_speaker_attribution(nlp: Language, name: str) -> SpeakerAttribution:
    return SpeakerAttribution()


def quotes_from_doc(doc: Doc, text: str) -> list[Quote]:
    """The quotes of ``doc.spans["quotes"]`` with offsets and texts cut from ``text`` (the
    caller's text, of which ``doc.text`` is the cleaned same-length copy)."""
    out = []
    for span in doc.spans.get(QUOTES_KEY, ()):
        x = span._
        bounds = char_pair(x.quote_bounds)
        if bounds is None:
            continue
        start, end = bounds
        sp = x.speaker or {}
        kind = str(sp.get("kind") or "")
        speaker = Speaker(
            name=sp.get("name"),
            mention=_span(text, char_pair(x.speaker_mention)),
            kind=SpeakerKind(kind) if kind in SpeakerKind._value2member_map_ else SpeakerKind.UNKNOWN,
            aliases=tuple(sp.get("aliases") or ()),
            roles=tuple(sp.get("roles") or ()),
        )
        parts = tuple(TextSpan(s, e, text[s:e]) for s, e in char_pairs(x.quote_parts))
        out.append(
            Quote(
                start=start,
                end=end,
                text=text[start:end],
                type=span.label_.lower(),
                parts=parts,
                cue=_span(text, char_pair(x.cue)),
                speaker=speaker,
                via=_span(text, char_pair(x.via)),
            )
        )
    return out


def _span(text: str, se: tuple[int, int] | None) -> TextSpan | None:
    if se is None:
        return None
    s, e = se
    return TextSpan(s, e, text[s:e])
