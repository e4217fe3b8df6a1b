"""Speaker resolution inside one article.

Turns the token that heads a quote's speaker mention into the fullest name the article gives:
names (with titles and appositions collected as roles), surnames to full names, pronouns to the
right earlier speaker, role nouns ("the Defense secretary", "the agency") to the person or
organisation the article introduced with that role. General rules over the parse; no lists of
particular people.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from service.nlp.doccache import doc_text, ent_of, sent_of
from service.nlp.lexicon import first_name_genders, speaker_lexicon

_LEX = speaker_lexicon()
TITLE_WORDS = _LEX.title_words
ORG_HEADS = _LEX.organisation_heads
ORG_CLASSES = _LEX.organisation_classes
DOCUMENT_NOUNS = _LEX.document_nouns
PERSON_PRONOUNS = {"he", "she", "him", "her", "i"}
GROUP_PRONOUNS = {"they", "we", "them", "us"}
THING_PRONOUNS = {"it"}
_POSS_RE = re.compile(r"(?:'s|’s|'|’)$")


@dataclass
class Entity:
    """A person or organisation the article names."""

    name: str
    kind: str  # person | organization | group
    key: str
    aliases: set[str] = field(default_factory=set)
    roles: list[str] = field(default_factory=list)
    role_words: set[str] = field(default_factory=set)
    positions: list[int] = field(default_factory=list)  # char offsets of mentions
    subject_positions: list[int] = field(default_factory=list)  # ... of mentions as a subject
    gender: str | None = None


def _clean_name(text: str) -> str:
    text = _POSS_RE.sub("", text.strip())
    text = re.sub(r"^(?:the|The)\s+", "", text)
    text = text.strip(" ,;:\"'“”‘’")
    if text.endswith(".") and "." not in text[:-1]:
        text = text[:-1]
    return text


def _strip_titles(tokens: list[Token]) -> list[Token]:
    while tokens and (tokens[0].lower_.rstrip(".") in TITLE_WORDS or tokens[0].lower_ == "the"):
        tokens = tokens[1:]
    while tokens and tokens[-1].is_punct:
        tokens = tokens[:-1]
    return tokens


class ArticleEntities:
    """People and organisations of one article, with their roles and name forms."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.people: dict[str, Entity] = {}  # key: surname (casefolded)
        self.orgs: dict[str, Entity] = {}
        self._collect()

    # -- collection ---------------------------------------------------------------------
    def _collect(self) -> None:
        for ent in self.doc.ents:
            if ent.label_ == "PERSON":
                self._add_person(ent)
        for ent in self.doc.ents:
            if ent.label_ == "ORG":
                self._add_org(ent)
        self._extend_names()

    def _extend_names(self) -> None:
        """Where the parser tagged a full name as something else ("Secretary of Defense Lloyd
        Austin" as ORG) but the surname alone as a person, take the longest run of capitalised
        name words ending in that surname."""
        by_key = self.people
        for tok in self.doc:
            key = tok.text.casefold()
            if key not in by_key or tok.pos_ != "PROPN":
                continue
            j = tok.i
            while j > 0:
                prev = self.doc[j - 1]
                if prev.pos_ != "PROPN" or not prev.is_title or prev.lower_.rstrip(".") in TITLE_WORDS:
                    break
                if prev.whitespace_ == "" or prev.ent_type_ in ("GPE", "NORP"):
                    break
                j -= 1
            if j < tok.i and tok.i - j <= 3:
                name = doc_text(self.doc)[self.doc[j].idx : tok.idx + len(tok)]
                person = by_key[key]
                if len(name.split()) > len(person.name.split()):
                    person.aliases.add(person.name)
                    person.name = name

    def _add_person(self, ent: Span) -> None:
        toks = _strip_titles([t for t in ent if not t.is_space])
        if toks and toks[-1].lower_ in ("'s", "’s"):
            toks = toks[:-1]
        if not toks or not any(t.is_alpha for t in toks):
            return
        name = _clean_name(doc_text(self.doc)[toks[0].idx : toks[-1].idx + len(toks[-1])])
        if not name or not name[0].isupper():
            return
        if toks[-1].lower_ in ORG_HEADS:
            self._add_org(ent)  # "Austria’s Foreign Ministry" tagged as a person
            return
        key = _surname_key(name)
        person = self.people.get(key)
        if person is None:
            # a single first name may belong to a known person ("Kim" as a surname is common)
            person = Entity(name=name, kind="person", key=key)
            self.people[key] = person
        elif len(name.split()) > len(person.name.split()):
            person.aliases.add(person.name)
            person.name = name
        else:
            person.aliases.add(name)
        person.positions.append(ent.start_char)
        if ent.root.dep_ in ("nsubj", "nsubjpass") or ent.root.head.dep_ in ("nsubj", "nsubjpass"):
            person.subject_positions.append(ent.start_char)
        for role in _roles_of(ent):
            if role not in person.roles:
                person.roles.append(role)
                person.role_words.update(w.lower() for w in re.findall(r"[A-Za-z]+", role))
        if person.gender is None:
            person.gender = _gender_evidence(ent, person.role_words)

    def _add_org(self, ent: Span) -> None:
        start = ent.start
        # "Germany’s Foreign Ministry": keep the possessive owner, which tells ministries apart
        if (
            start >= 2
            and self.doc[start - 1].tag_ == "POS"
            and self.doc[start - 2].ent_type_ in ("GPE", "ORG")
        ):
            start -= 2
            while start > 0 and self.doc[start].ent_iob_ == "I":
                start -= 1
        name = _clean_name(doc_text(self.doc)[self.doc[start].idx : ent.end_char])
        if ent.label_ == "PERSON" and name.lower().startswith(tuple(w + " " for w in ("the",))):
            name = name[4:]
        if len(name) < 2:
            return
        key = name.casefold()
        org = self.orgs.get(key)
        if org is None:
            org = Entity(name=name, kind="organization", key=key)
            org.role_words.update(w.lower() for w in re.findall(r"[A-Za-z]+", name))
            self.orgs[key] = org
        org.positions.append(ent.start_char)
        if start != ent.start:
            org.positions.append(self.doc[start].idx)

    # -- lookup -----------------------------------------------------------------------------
    def person_for_token(self, tok: Token) -> Entity | None:
        """The person a proper-name token belongs to (by entity, else by surname)."""
        if tok.ent_type_ == "PERSON" or tok.pos_ == "PROPN" or tok.text[:1].isupper():
            ent = ent_of(tok)
            if ent is not None and ent.label_ == "PERSON":
                toks = _strip_titles(list(ent))
                if toks and toks[-1].lower_ in ("'s", "’s"):
                    toks = toks[:-1]
                if toks:
                    key = _surname_key(" ".join(t.text for t in toks))
                    if key in self.people:
                        return self.people[key]
            key = _surname_key(tok.text)
            if key in self.people:
                return self.people[key]
            # a compound chain: "Farah Dakhlallah" where only the head is tagged
            for t in tok.subtree:
                if t.pos_ == "PROPN":
                    k = _surname_key(t.text)
                    if k in self.people and t.i >= tok.i:
                        return self.people[k]
        return None

    def org_for_token(self, tok: Token) -> Entity | None:
        ent = ent_of(tok)
        if ent is not None and (ent.label_ == "ORG" or (ent.label_ == "PERSON" and tok.lower_ in ORG_HEADS)):
            for org in self.orgs.values():
                if ent.start_char in org.positions:
                    return org
            key = _clean_name(ent.text).casefold()
            return self.orgs.get(key)
        return None

    def person_by_role(self, words: set[str], head: str, before: int) -> Entity | None:
        best, best_score, best_pos = None, 0, -1
        for p in self.people.values():
            if head not in p.role_words:
                continue
            score = 1 + len(words & p.role_words)
            pos = _last_before(p.positions, before)
            if pos < 0:
                continue
            if score > best_score or (score == best_score and pos > best_pos):
                best, best_score, best_pos = p, score, pos
        return best

    def org_by_role(self, words: set[str], head: str, before: int) -> Entity | None:
        best, best_score, best_pos = None, 0, -1
        for o in self.orgs.values():
            pos = max((x for x in o.positions if x < before), default=-1)
            if pos < 0:
                continue
            score = len(words & o.role_words) * 2 + (1 if head in o.role_words else 0)
            last = o.name.split()[-1].lower() if o.name.split() else ""
            if _org_class(head) is not None and _org_class(head) == _org_class(last):
                score += 2
            if score > best_score or (score == best_score and score > 0 and pos > best_pos):
                best, best_score, best_pos = o, score, pos
        return best if best_score >= 2 or (best_score >= 1 and head in ORG_HEADS) else None


FEMININE = _LEX.feminine_words
MASCULINE = _LEX.masculine_words


def _gender_evidence(ent: Span, role_words: set[str]) -> str | None:
    """Gender the article states for a person: an honorific or a gendered role word."""
    doc = ent.doc
    words = set(role_words)
    if ent.start > 0:
        words.add(doc[ent.start - 1].lower_.rstrip("."))
    words.update(t.lower_.rstrip(".") for t in ent[:1])
    if words & FEMININE and not words & MASCULINE:
        return "f"
    if words & MASCULINE and not words & FEMININE:
        return "m"
    names = [t for t in ent if t.is_alpha and t.lower_.rstrip(".") not in TITLE_WORDS]
    if len(names) >= 2:
        return first_name_genders().get(names[0].lower_)
    return None


def _org_class(word: str) -> int | None:
    for i, cls in enumerate(ORG_CLASSES):
        if word in cls:
            return i
    return None


def _surname_key(name: str) -> str:
    parts = [p for p in re.split(r"[\s]+", name.strip()) if p]
    if not parts:
        return ""
    last = parts[-1]
    if last.lower().rstrip(".") in ("jr", "sr", "ii", "iii") and len(parts) > 1:
        last = parts[-2]
    # East Asian names often come family-name first ("Cho Tae-yong"): the hyphenated given
    # name is not the surname
    if len(parts) == 2 and "-" in parts[1] and "-" not in parts[0]:
        last = parts[0]
    return last.casefold()


def _roles_of(ent: Span) -> list[str]:
    """Titles given with a name: "Defense Secretary Lloyd Austin", "Maria Zakharova, the
    spokesperson for Russia's Foreign Ministry"."""
    doc = ent.doc
    root = ent.root
    roles = []
    # pre-modifiers left of the name inside its noun phrase
    left = root.left_edge
    if left.i < ent.start:
        toks = [t for t in doc[left.i : ent.start] if t.dep_ not in ("det", "punct") and not t.is_space]
        while toks and toks[0].dep_ in ("poss", "case") and toks[0].lower_ in ("his", "her", "its", "their"):
            toks = toks[1:]
        if toks and any(t.pos_ in ("NOUN", "PROPN") for t in toks) and len(toks) <= 10:
            roles.append(doc_text(doc)[toks[0].idx : toks[-1].idx + len(toks[-1])])
    # titles inside the entity ("President Volodymyr Zelensky" as one entity)
    inner = []
    for t in ent:
        if t.lower_.rstrip(".") in TITLE_WORDS:
            inner.append(t)
        else:
            break
    if inner:
        roles.append(" ".join(t.text for t in inner))
    for child in root.children:
        if child.dep_ == "appos" and child.i > root.i and child.pos_ in ("NOUN", "PROPN"):
            sub = list(child.subtree)
            if len(sub) <= 14:
                toks = [t for t in sub if not (t.dep_ == "det" and t.i == sub[0].i)]
                while toks and toks[-1].is_punct:
                    toks = toks[:-1]
                if toks:
                    roles.append(doc_text(doc)[toks[0].idx : toks[-1].idx + len(toks[-1])])
    return [r for r in roles if r]


@dataclass
class Resolved:
    name: str | None
    kind: str
    mention: tuple[int, int] | None
    entity: Entity | None = None


class SpeakerResolver:
    """Resolves speaker mentions in text order, remembering recent speakers for pronouns."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.entities = ArticleEntities(doc)
        self.last_org: Entity | None = None
        self.last: Resolved | None = None

    def resolve(self, tok: Token | None) -> Resolved:
        """The speaker named by ``tok`` (the head of a speaker mention), remembered for later
        pronouns."""
        if tok is None:
            return Resolved(None, "unknown", None)
        r = self._resolve(tok)
        if r.entity is not None and r.entity.kind != "person":
            self.last_org = r.entity
        if r.name:
            self.last = r
        return r

    def remember(self, r: Resolved) -> None:
        """Record a follow-on attribution as the latest speaker."""
        if r.name:
            self.last = r

    def _resolve(self, tok: Token) -> Resolved:
        doc = self.doc
        ents = self.entities
        lower = tok.lower_
        mention = (tok.idx, tok.idx + len(tok))
        if tok.pos_ == "PRON" or lower in PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS:
            if lower in PERSON_PRONOUNS:
                person = self._recent_person(tok, lower)
                if person is not None:
                    return Resolved(person.name, "person", mention, person)
                return Resolved(None, "person", mention)
            if lower in THING_PRONOUNS:
                sent_start = sent_of(tok).start_char
                near = [
                    (max(x for x in o.positions if sent_start <= x < tok.idx), o)
                    for o in ents.orgs.values()
                    if any(sent_start <= x < tok.idx for x in o.positions)
                ]
                if near:
                    org = max(near, key=lambda pair: pair[0])[1]
                    return Resolved(org.name, "organization", mention, org)
                if self.last_org is not None:
                    return Resolved(self.last_org.name, "organization", mention, self.last_org)
                return Resolved(None, "organization", mention)
            if lower in ("who", "that", "which"):
                if tok.head.dep_ != "relcl":
                    return Resolved(None, "unknown", mention)
                r = self._resolve(tok.head.head)  # the noun the relative clause describes
                return Resolved(r.name, r.kind, mention, r.entity)
            if self.last is not None and self.last.kind in ("group", "organization"):
                return Resolved(self.last.name, self.last.kind, mention, self.last.entity)
            return Resolved(None, "group", mention)
        person = ents.person_for_token(tok)
        if person is not None:
            return Resolved(person.name, "person", _mention_chars(tok), person)
        # apposition or compound holding a name: "the spokesperson, Maria Zakharova"
        for child in tok.children:
            if child.dep_ in ("appos", "compound") and child.pos_ == "PROPN":
                p = ents.person_for_token(child)
                if p is not None:
                    return Resolved(p.name, "person", _mention_chars(tok), p)
        named_org = ents.org_for_token(tok)
        if named_org is not None:
            return Resolved(named_org.name, "organization", _mention_chars(tok), named_org)
        if tok.lemma_.lower() in DOCUMENT_NOUNS:
            # "a statement from the Prime Minister's Office said", "the EU's statement said"
            for child in tok.children:
                if child.dep_ == "poss":
                    return self._resolve(child)
                if child.dep_ == "prep" and child.lower_ in ("from", "by", "of"):
                    for g in child.children:
                        if g.dep_ == "pobj":
                            return self._resolve(g)
        words = {t.lower_ for t in tok.subtree if t.pos_ in ("NOUN", "PROPN", "ADJ") and t.i <= tok.i}
        head = tok.lemma_.lower()
        if tok.pos_ == "NOUN":
            p = ents.person_by_role(words, head, tok.idx) if head not in ORG_HEADS else None
            if p is not None:
                return Resolved(p.name, "person", _mention_chars(tok), p)
            o = ents.org_by_role(words, head, tok.idx) if head in ORG_HEADS else None
            if o is not None:
                return Resolved(o.name, "organization", _mention_chars(tok), o)
        ent = ent_of(tok)
        if ent is not None and ent.label_ in ("GPE", "NORP", "ORG"):
            return Resolved(_clean_name(ent.text), "organization", (ent.start_char, ent.end_char))
        # a descriptive noun phrase ("South Korean lawmakers", "the security firm")
        s, e = _mention_chars(tok)
        phrase = _clean_name(doc_text(doc)[s:e])
        kind = (
            "group" if tok.tag_ in ("NNS", "NNPS") else ("organization" if head in ORG_HEADS else "unknown")
        )
        if tok.pos_ == "PROPN":
            kind = "person" if tok.ent_type_ == "PERSON" else "organization"
        return Resolved(phrase or None, kind, (s, e))

    def _recent_person(self, tok: Token, pronoun: str) -> Entity | None:
        gender = {"he": "m", "him": "m", "she": "f", "her": "f"}.get(pronoun)
        cands: list[Entity] = []
        if self.last is not None and self.last.entity is not None and self.last.entity.kind == "person":
            cands.append(self.last.entity)
        # the person most recently named as a subject, then the most recently named at all
        seen = {id(p) for p in cands}  # by identity: Entity's field-by-field == made this quadratic
        for attr in ("subject_positions", "positions"):
            recent = sorted(
                ((_last_before(getattr(p, attr), tok.idx), p) for p in self.entities.people.values()),
                key=lambda pair: -pair[0],
            )
            for pos, p in recent:
                if pos >= 0 and id(p) not in seen:
                    seen.add(id(p))
                    cands.append(p)
        for p in cands:
            if gender is None or p.gender in (None, gender):
                if gender is not None and p.gender is None:
                    p.gender = gender
                return p
        return cands[0] if cands else None


def _last_before(positions: list[int], before: int) -> int:
    """The last of the ascending ``positions`` (a person's, collected in document order) that
    is before ``before``; -1 if none. Binary search: resolving every quote stays linear-ish."""
    i = bisect_left(positions, before)
    return positions[i - 1] if i else -1


def _mention_chars(tok: Token) -> tuple[int, int]:
    """The words naming the speaker: the head's noun phrase up to the head (and name tokens
    right of it), without a leading determiner or trailing punctuation."""
    doc = tok.doc
    left = tok.left_edge
    while left.i < tok.i and (left.dep_ in ("det", "punct", "cc") or left.is_space):
        left = doc[left.i + 1]
    right = tok
    for child in tok.rights:
        if child.dep_ in ("compound", "flat") or (child.dep_ == "appos" and child.pos_ == "PROPN"):
            right = max(right, child.right_edge, key=lambda t: t.i)
    ent = ent_of(tok)
    if ent is not None:
        left = min(left, doc[ent.start], key=lambda t: t.i)
        right = max(right, doc[ent.end - 1], key=lambda t: t.i)
    while right.i > left.i and (right.is_punct or right.lower_ in ("'s", "’s")):
        right = doc[right.i - 1]
    return left.idx, right.idx + len(right)
