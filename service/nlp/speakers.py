"""Speaker resolution inside one article.

Turns the token that heads a quote's speaker mention into the fullest name the article gives:
names (with titles and appositions collected as roles, page furniture and datelines cut off),
surnames to the nearest full name with that surname (relatives who share it stay apart),
pronouns to the right earlier speaker, role nouns ("the Defense secretary", "the agency") to
the person or organisation the article introduced with that role, document nouns ("a statement
from the ministry") to their author, and unnamed sources ("researchers", "a spokesperson") to
descriptions, or to the organisation they speak for. General rules over the parse; no lists of
particular people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from service.nlp.doccache import doc_text, ent_of, lemma_of, sent_of
from service.nlp.lexicon import cue_lexicon, first_name_genders, speaker_lexicon
from service.vocab import SpeakerKind

_LEX = speaker_lexicon()
TITLE_WORDS = _LEX.title_words
ORG_HEADS = _LEX.organisation_heads
ORG_CLASSES = _LEX.organisation_classes
DOCUMENT_NOUNS = _LEX.document_nouns
FURNITURE = _LEX.page_furniture
PERSON_PRONOUNS = {"he", "she", "him", "her", "i"}
FIRST_PERSON = {"i", "we", "me", "us"}
GROUP_PRONOUNS = {"they", "we", "them", "us"}
THING_PRONOUNS = {"it"}
INDEFINITE = {"one", "someone", "somebody", "anyone", "anybody", "everyone", "everybody", "nobody", "none"}
_POSS_RE = re.compile(r"(?:'s|’s|'|’)$")
_CONNECTIVES = {"of", "and", "the", "for", "&"}
_OTHER_NAMES = {"ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}

PERSON = SpeakerKind.PERSON
ORG = SpeakerKind.ORGANIZATION
DESCRIPTION = SpeakerKind.DESCRIPTION
UNKNOWN = SpeakerKind.UNKNOWN


@dataclass(eq=False)
class Entity:
    """A person or organisation the article names (compared by identity: field-by-field
    equality made candidate lists quadratic)."""

    name: str
    kind: SpeakerKind  # person | organization
    key: str
    aliases: set[str] = field(default_factory=set)
    roles: list[str] = field(default_factory=list)
    role_words: set[str] = field(default_factory=set)
    positions: list[int] = field(default_factory=list)  # char offsets of mentions
    first_name_positions: set[int] = field(default_factory=set)  # ... by first name alone
    surname_positions: list[int] = field(default_factory=list)  # ... by surname alone
    subject_positions: list[int] = field(default_factory=list)  # ... of mentions as a subject
    gender: str | None = None
    evidence: int = 0  # signs that this "person" can speak: full name, title, subject of a verb


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


def name_tokens(tokens: list[Token]) -> list[Token]:
    """The tokens of a person's name inside an entity: without page furniture ("Getty Images
    Kevin Vickers"), a dateline or headline label before a dash ("LONDON —", "Weak - Rubio"), a
    possessive, leading titles or sentence-opening common words ("Executive Satya Nadella")."""
    toks = [t for t in tokens if not t.is_space]
    # everything up to a standalone dash, bar or colon is a label, not the name
    for i in range(len(toks) - 1, -1, -1):
        if (
            toks[i].is_punct
            and toks[i].text in ("-", "–", "—", "|", ":", "/")
            and (toks[i].whitespace_ or (i > 0 and toks[i - 1].whitespace_))
        ):
            toks = toks[i + 1 :]
            break
    # page furniture: photo credits and labels glued before the name
    cut = max((i for i, t in enumerate(toks) if t.lower_ in FURNITURE), default=-1)
    if 0 <= cut < len(toks) - 1:
        toks = toks[cut + 1 :]
    elif cut == len(toks) - 1:
        return []
    while len(toks) > 1 and _is_dateline_word(toks[0]) and not _is_dateline_word(toks[1]):
        toks = toks[1:]
    if toks and toks[-1].lower_ in ("'s", "’s"):
        toks = toks[:-1]
    toks = _strip_titles(toks)
    while len(toks) > 2 and toks[0].pos_ in ("NOUN", "ADJ", "VERB", "ADV", "DET", "ADP"):
        toks = toks[1:]
    return toks


def _is_dateline_word(tok: Token) -> bool:
    return len(tok.text) > 2 and tok.text.isupper() and tok.is_alpha


def _is_dateline(tok: Token) -> bool:
    """An all-capital place word opening a paragraph ("LONDON (Reuters) -", "WASHINGTON —")."""
    if not _is_dateline_word(tok):
        return False
    doc = tok.doc
    i = tok.i
    while i > 0 and _is_dateline_word(doc[i - 1]):
        i -= 1
    para_start = i == 0 or "\n" in doc[i - 1].text or "\n" in doc[i - 1].whitespace_
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    return para_start and (nxt is None or nxt.text in ("(", "-", "–", "—", ","))


def _name_words_ok(name: str) -> bool:
    """Whether every lower-case word of a name is a surname particle ("Ludwig van Beethoven");
    "of" or "and" make a title ("the Birth of Modern Canada"), not a person's name."""
    return all(
        w[:1].isupper() or not w[:1].isalpha() or w.split("-")[0] in _LEX.name_particles for w in name.split()
    )


def _is_name_word(word: str) -> bool:
    """Letters, with apostrophes or hyphens inside ("O’Donnell", "Waller-Bridge")."""
    return re.sub(r"(?<=\w)['’-](?=\w)", "", word).isalpha()


def _is_clause_subject(tok: Token) -> bool:
    """Whether ``tok`` is the subject of a finite verb: in "allow Clinton to focus" the parser
    makes Clinton the subject of "to focus", but the sentence is not about what Clinton does."""
    if tok.dep_ not in ("nsubj", "nsubjpass"):
        return False
    return not any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.head.children)


def _untagged_runs(doc: Doc) -> list[list[Token]]:
    """Runs of two or three capitalised proper nouns outside any entity, joined as compounds
    into their last word, that hold no title, organisation or page-furniture word."""
    runs: list[list[Token]] = []
    run: list[Token] = []
    for tok in [*doc, None]:
        if tok is not None and _untagged_name_word(tok) and (not run or run[-1].whitespace_):
            run.append(tok)
            continue
        if 2 <= len(run) <= 3 and all(t.dep_ == "compound" and t.head.i == run[-1].i for t in run[:-1]):
            runs.append(run)
        run = [tok] if tok is not None and _untagged_name_word(tok) else []
    return runs


def _untagged_name_word(tok: Token) -> bool:
    low = tok.lower_
    return (
        tok.pos_ == "PROPN"
        and tok.ent_type_ == ""
        and tok.is_alpha
        and tok.is_title
        and low not in TITLE_WORDS
        and low not in _LEX.organisation_words
        and low not in FURNITURE
    )


def _is_hyphenated_name(word: str) -> bool:
    """Whether a hyphenated word is a double-barrelled surname ("Waller-Bridge"), not an East
    Asian given name ("Tae-yong", "Jong-un")."""
    parts = [p for p in word.split("-") if p]
    return len(parts) >= 2 and all(p[:1].isupper() for p in parts)


def _surname_key(name: str) -> str:
    parts = [p for p in re.split(r"[\s]+", name.strip()) if p]
    if not parts:
        return ""
    last = parts[-1]
    if last.lower().rstrip(".") in _LEX.name_suffixes and len(parts) > 1:
        last = parts[-2]
    # East Asian names often come family-name first ("Cho Tae-yong"): the hyphenated given
    # name is not the surname; a double-barrelled surname ("Waller-Bridge") is
    if len(parts) == 2 and "-" in parts[1] and "-" not in parts[0] and not _is_hyphenated_name(parts[1]):
        last = parts[0]
    return last.casefold()


def _first_key(name: str) -> str:
    """The given name of a full name, lower-case; "" for one word or a surname with its
    particle ("De Blasio", "Van Gogh")."""
    parts = [p for p in name.split() if p]
    if len(parts) < 2 or parts[0].casefold() in _LEX.name_particles:
        return ""
    return parts[0].casefold().rstrip(".")


def _given_compatible(a: str, b: str) -> bool:
    """Whether two given names can be one person's ("Donald" / "Donald", "Bill" / "B")."""
    if not a or not b:
        return True
    if a == b:
        return True
    if min(len(a), len(b)) == 1:
        return a[0] == b[0]
    return min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a))


def _word_at(tok: Token) -> str:
    """``tok`` with hyphen-joined neighbours ("Waller-Bridge" parsed as three tokens)."""
    doc = tok.doc
    i, j = tok.i, tok.i
    while i >= 2 and doc[i - 1].text == "-" and not doc[i - 1].whitespace_ and not doc[i - 2].whitespace_:
        i -= 2
    while (
        j + 2 < len(doc) and doc[j + 1].text == "-" and not doc[j].whitespace_ and not doc[j + 1].whitespace_
    ):
        j += 2
    return doc_text(doc)[doc[i].idx : doc[j].idx + len(doc[j])]


class ArticleEntities:
    """People and organisations of one article, with their roles and name forms.

    People are keyed by their full name; a one-word mention (a surname or a first name) is
    linked to the nearest full name it can stand for, so two relatives who share a surname stay
    two people and "Trump" means whichever Trump the article last named.
    """

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.people: dict[str, Entity] = {}  # key: casefolded full name ("~word" for one word)
        self.orgs: dict[str, Entity] = {}
        self._mentions: dict[int, Entity] = {}  # entity start char -> person
        self._collect()

    # -- collection ---------------------------------------------------------------------
    def _collect(self) -> None:
        persons = [e for e in self.doc.ents if e.label_ == "PERSON"]
        singles = []
        for ent in persons:
            toks = name_tokens(list(ent))
            if len(toks) >= 2 or (len(toks) == 1 and _is_hyphenated_name(_word_at(toks[0]))):
                self._add_person(ent, toks)
            else:
                singles.append((ent, toks))
        self._untagged_names()
        for ent, toks in singles:
            self._add_person(ent, toks)
        self._extend_names()
        self._untagged_mentions()
        for ent in self.doc.ents:
            if ent.label_ == "ORG" and self._looks_like_person(ent):
                self._add_person(ent, name_tokens(list(ent)))
            elif ent.label_ == "ORG":
                self._add_org(ent)

    def _untagged_names(self) -> None:
        """Full names the tagger left untagged ("Tatiana Stanovaya, an independent expert"): a
        run of two or three capitalised proper nouns with no entity label counts as a person
        when it opens with a known first name, is described by a role noun, or its last word
        is elsewhere the subject of a reporting verb ("Stanovaya noted")."""
        speaking = {
            t.text.casefold()
            for t in self.doc
            if t.pos_ == "PROPN"
            and t.dep_ in ("nsubj", "nsubjpass")
            and cue_lexicon().is_cue_lemma(lemma_of(t.head))
        }
        for run in _untagged_runs(self.doc):
            head = run[-1]
            if run[0].lower_ in _LEX.name_particles:
                continue  # "Le Pen": a surname with its particle, not a first name
            evidence = (
                run[0].lower_ in first_name_genders()
                or head.text.casefold() in speaking
                or any(c.dep_ == "appos" and c.pos_ == "NOUN" and is_human_noun(c) for c in head.children)
            )
            if not evidence:
                continue
            name = doc_text(self.doc)[run[0].idx : head.idx + len(head)]
            person = self.person_named(name)
            person.positions.append(run[0].idx)
            person.evidence += 1
            if _is_clause_subject(head):
                person.subject_positions.append(run[0].idx)
            if person.gender is None:
                person.gender = first_name_genders().get(run[0].lower_)

    def _looks_like_person(self, ent: Span) -> bool:
        """An entity tagged as an organisation that the context shows is a person: a name of
        capitalised words without organisation words, whose surname the article gives a person
        or whose first word is a common first name, or that is described by a role noun
        ("Tatiana Stanovaya, a political analyst")."""
        toks = [t for t in ent if not t.is_space]
        if len(toks) < 2 or len(toks) > 4 or not all(t.is_title and _is_name_word(t.text) for t in toks):
            return False
        if any(t.lower_ in _LEX.organisation_words or t.lower_ in _CONNECTIVES for t in toks):
            return False
        surnames = {_surname_key(p.name) for p in self.people.values()}
        if toks[-1].lower_ in surnames or toks[0].lower_ in first_name_genders():
            return True
        return any(c.dep_ == "appos" and c.pos_ == "NOUN" and is_human_noun(c) for c in ent.root.children)

    def _untagged_mentions(self) -> None:
        """Surnames the tagger missed ("However, Wojtaszek said"): a proper-noun subject that is
        the surname of a named person counts as a mention of the nearest one."""
        for tok in self.doc:
            if tok.ent_type_ == "PERSON" or tok.pos_ != "PROPN" or not _is_clause_subject(tok):
                continue
            person = self._nearest_full(_word_at(tok), tok.idx)
            if person is not None and tok.idx not in person.positions:
                person.positions.append(tok.idx)
                person.subject_positions.append(tok.idx)
                if _word_at(tok).casefold() == _surname_key(person.name):
                    person.surname_positions.append(tok.idx)

    def _extend_names(self) -> None:
        """Where the parser tagged a full name as something else ("Secretary of Defense Lloyd
        Austin" as ORG) but the name elsewhere as a person, take the longest run of capitalised
        name words ending in that surname."""
        by_surname: dict[str, Entity] = {}
        for p in self.people.values():  # a full name wins over a one-word one
            if not p.key.startswith("~") or _surname_key(p.name) not in by_surname:
                by_surname[_surname_key(p.name)] = p
        for tok in self.doc:
            key = tok.text.casefold()
            if key not in by_surname or tok.pos_ != "PROPN" or tok.ent_type_ == "PERSON":
                continue
            j = tok.i
            while j > 0:
                prev = self.doc[j - 1]
                if prev.pos_ != "PROPN" or not prev.is_title or prev.lower_.rstrip(".") in TITLE_WORDS:
                    break
                if prev.whitespace_ == "" or prev.ent_type_ in ("GPE", "NORP") or prev.lower_ in FURNITURE:
                    break
                j -= 1
            if j < tok.i and tok.i - j <= 3:
                name = doc_text(self.doc)[self.doc[j].idx : tok.idx + len(tok)]
                person = by_surname[key]
                first = _first_key(name)
                if len(name.split()) > len(person.name.split()) and _given_compatible(
                    first, _first_key(person.name)
                ):
                    person.aliases.add(person.name)
                    person.name = name
                    if person.key.startswith("~") and name.casefold() not in self.people:
                        person.key = name.casefold()
                        self.people[person.key] = person

    def _add_person(self, ent: Span, toks: list[Token]) -> None:
        if not toks or not any(t.is_alpha for t in toks):
            return
        name = _clean_name(doc_text(self.doc)[toks[0].idx : toks[-1].idx + len(toks[-1])])
        if not name or not name[0].isupper() or not _name_words_ok(name):
            return
        if toks[-1].lower_ in ORG_HEADS:
            self._add_org(ent)  # "Austria’s Foreign Ministry" tagged as a person
            return
        words = name.split()
        if len(words) >= 2 or _is_hyphenated_name(name):
            person = self.person_named(name)
        else:
            person = self._nearest_full(name, ent.start_char) or self._single_person(name)
            if person.name != name:
                person.aliases.add(name)
            if not person.key.startswith("~") and name.casefold() == _first_key(person.name):
                person.first_name_positions.add(ent.start_char)
            elif not person.key.startswith("~") and name.casefold() == _surname_key(person.name):
                person.surname_positions.append(ent.start_char)
        self._mentions[ent.start_char] = person
        person.positions.append(ent.start_char)
        if _is_clause_subject(ent.root) or (
            ent.root.head.dep_ in ("nsubj", "nsubjpass") and _is_clause_subject(ent.root.head)
        ):
            person.subject_positions.append(ent.start_char)
            person.evidence += 1
        if len(words) >= 2 or ent.start > 0 and self.doc[ent.start - 1].lower_.rstrip(".") in TITLE_WORDS:
            person.evidence += 1
        for role in _roles_of(ent):
            if role not in person.roles and self._role_ok(role):
                person.roles.append(role)
                person.role_words.update(w.lower() for w in re.findall(r"[A-Za-z]+", role))
                person.evidence += 1
        if person.gender is None:
            person.gender = _gender_evidence(ent, person.role_words)

    @staticmethod
    def _role_ok(role: str) -> bool:
        return not any(w.lower() in FURNITURE for w in role.split())

    def person_named(self, name: str) -> Entity:
        """The person with this full name, merging forms of one name ("Donald J. Trump")."""
        key = name.casefold()
        if key in self.people:
            return self.people[key]
        surname, first = _surname_key(name), _first_key(name)
        for p in self.people.values():
            if not p.key.startswith("~") and _surname_key(p.name) == surname:
                other = _first_key(p.name)
                if not first or not other or (_given_compatible(first, other) and first[:1] == other[:1]):
                    if len(name) > len(p.name):
                        p.aliases.add(p.name)
                        p.name = name
                    else:
                        p.aliases.add(name)
                    self.people[key] = p
                    return p
        person = Entity(name=name, kind=PERSON, key=key)
        self.people[key] = person
        return person

    def _single_person(self, name: str) -> Entity:
        key = "~" + name.casefold()
        person = self.people.get(key)
        if person is None:
            person = Entity(name=name, kind=PERSON, key=key)
            self.people[key] = person
        return person

    def _nearest_full(self, word: str, at: int) -> Entity | None:
        """The full-named person a one-word mention at ``at`` stands for: among those whose
        surname (or, failing that, first name) it is, the one mentioned last before ``at``, else
        the first one mentioned after it."""
        w = word.casefold()
        full = {id(p): p for p in self.people.values() if not p.key.startswith("~")}.values()
        cands = [p for p in full if _surname_key(p.name) == w or w in {a.casefold() for a in p.aliases}]
        by_first = not cands
        if by_first:
            cands = [p for p in full if _first_key(p.name) == w]
        if not cands:
            return None
        if len(cands) == 1:
            return cands[0]
        if not by_first:
            # relatives sharing a surname: the one the article already calls by the surname alone
            # keeps it ("Ines Calloway ... says Calloway ... her sister, Delphine Calloway ...
            # Calloway shrugs": Ines), the other is named in full or by first name
            bare = [(_last_before(p.surname_positions, at), p) for p in cands]
            latest = max(bare, key=lambda pair: pair[0])
            if latest[0] >= 0:
                return latest[1]
        # a mention by first name alone ("says Michael") is no sign that a later bare surname
        # means that relative
        before = [
            (
                max(
                    (x for x in p.positions if x < at and (by_first or x not in p.first_name_positions)),
                    default=-1,
                ),
                p,
            )
            for p in cands
        ]
        best = max(before, key=lambda pair: pair[0])
        if best[0] >= 0:
            return best[1]
        return min(cands, key=lambda p: min(p.positions, default=1 << 30))

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
        toks = [t for t in self.doc[start : ent.end] if not t.is_space]
        cut = max((i for i, t in enumerate(toks) if t.lower_ in FURNITURE), default=-1)
        if cut >= 0:
            toks = toks[cut + 1 :]
        if not toks:
            return
        name = _clean_name(doc_text(self.doc)[toks[0].idx : ent.end_char])
        if ent.label_ == "PERSON" and name.lower().startswith("the "):
            name = name[4:]
        if len(name) < 2 or not any(w[:1].isupper() or w[:1].isdigit() for w in name.split()):
            return  # "the rookie defenceman" tagged as an organisation: a description
        key = name.casefold()
        org = self.orgs.get(key)
        if org is None:
            org = self._org_by_acronym(name) or Entity(name=name, kind=ORG, key=key)
            org.role_words.update(w.lower() for w in re.findall(r"[A-Za-z]+", name))
            self.orgs[key] = org
            self._link_acronyms(org, ent)
        org.positions.append(ent.start_char)
        if start != ent.start:
            org.positions.append(self.doc[start].idx)
        for child in ent.root.children:  # "Dominion Northern Bank, the country's largest lender"
            if child.dep_ == "appos" and child.pos_ == "NOUN" and child.i > ent.root.i:
                org.role_words.add(child.lower_)

    def _link_acronyms(self, org: Entity, ent: Span) -> None:
        """ "Customs and Border Protection (CBP)": the bracketed abbreviation is an alias."""
        doc = self.doc
        if ent.end + 2 < len(doc) and doc[ent.end].text == "(" and doc[ent.end + 2].text == ")":
            abbr = doc[ent.end + 1].text
            if abbr.isupper() and len(abbr) >= 2 and abbr.isalpha():
                org.aliases.add(abbr)
                self.orgs.setdefault(abbr.casefold(), org)

    def _org_by_acronym(self, name: str) -> Entity | None:
        """The organisation an abbreviation stands for ("CBP" / "Customs and Border Protection"),
        or the abbreviation already seen for a full name."""
        if name.isupper() and name.isalpha() and len(name) >= 2:
            for org in self.orgs.values():
                if acronym_of(org.name) == name:
                    org.aliases.add(name)
                    return org
            return None
        acr = acronym_of(name)
        if acr and acr.casefold() in self.orgs:
            org = self.orgs[acr.casefold()]
            if org.name.isupper():
                org.aliases.add(org.name)
                org.name = name
            return org
        return None

    def org_named(self, span: Span) -> Entity:
        """The organisation named by ``span`` (found, or added the first time it is used)."""
        name = _clean_name(span.text)
        org = self.orgs.get(name.casefold()) or self._org_by_acronym(name)
        if org is None:
            org = Entity(name=name, kind=ORG, key=name.casefold())
            org.role_words.update(w.lower() for w in re.findall(r"[A-Za-z]+", name))
        self.orgs[name.casefold()] = org
        org.positions.append(span.start_char)
        return org

    # -- lookup -----------------------------------------------------------------------------
    def person_for_token(self, tok: Token) -> Entity | None:
        """The person a proper-name token belongs to (by entity, else by surname)."""
        if tok.ent_type_ == "PERSON" or tok.pos_ == "PROPN" or tok.text[:1].isupper():
            ent = ent_of(tok)
            if ent is not None and ent.label_ == "PERSON" and ent.start_char in self._mentions:
                return self._mentions[ent.start_char]
            word = _word_at(tok)
            p = self.people.get(word.casefold()) or self._nearest_full(word, tok.idx)
            if p is None:
                p = self.people.get("~" + word.casefold())
            if p is not None:
                return p
            # a compound chain: "Farah Dakhlallah" where only the head is tagged; not inside
            # a name of another kind ("According to the Associated Press, ... Clinton")
            if ent is None or ent.label_ not in _OTHER_NAMES:
                for t in tok.subtree:
                    if t.pos_ == "PROPN" and t.i > tok.i:
                        p = self._nearest_full(t.text, t.idx) or self.people.get("~" + t.text.casefold())
                        if p is not None:
                            return p
        return None

    def org_for_token(self, tok: Token) -> Entity | None:
        ent = ent_of(tok)
        if ent is not None and (ent.label_ == "ORG" or (ent.label_ == "PERSON" and tok.lower_ in ORG_HEADS)):
            for org in self.orgs.values():
                if ent.start_char in org.positions:
                    return org
            key = _clean_name(ent.text).casefold()
            return self.orgs.get(key)
        if tok.text.isupper() and len(tok.text) >= 2 and tok.text.casefold() in self.orgs:
            return self.orgs[tok.text.casefold()]
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
        for o in {id(o): o for o in self.orgs.values()}.values():
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


def acronym_of(name: str) -> str | None:
    """The initials of a multi-word organisation name ("Customs and Border Protection" -> "CBP")."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", name) if w.lower() not in _CONNECTIVES]
    if len(words) < 2 or not all(w[0].isupper() for w in words):
        return None
    return "".join(w[0] for w in words)


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
    """A resolved speaker mention: ``name`` is None for descriptions and unresolved mentions;
    ``human`` says whether a later "he"/"she" may refer back to it; ``role`` is the description
    an organisation's speaker was given ("spokesperson")."""

    name: str | None
    kind: SpeakerKind
    mention: tuple[int, int] | None
    entity: Entity | None = None
    human: bool = False
    role: str | None = None
    singular: bool = False


def is_human_noun(tok: Token) -> bool:
    """Whether a common noun names people ("spokesperson", "officials", "researchers")."""
    lemma = lemma_of(tok).lower()
    if lemma in ORG_HEADS or lemma in DOCUMENT_NOUNS:
        return False
    return (
        lemma in _LEX.titles
        or lemma in _LEX.description_heads
        or tok.lower_ in _LEX.description_heads
        or lemma.endswith(_LEX.human_suffixes)
    )


def _in_quotation(tok: Token) -> bool:
    """Whether ``tok`` lies inside quotation marks of its paragraph."""
    text = doc_text(tok.doc)
    start = text.rfind("\n", 0, tok.idx) + 1
    before = text[start : tok.idx]
    curly = before.count("“") - before.count("”")
    return curly > 0 or before.count('"') % 2 == 1


class SpeakerResolver:
    """Resolves speaker mentions in text order, remembering recent speakers for pronouns."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.entities = ArticleEntities(doc)
        self.last_org: Entity | None = None
        self.last: Resolved | None = None
        self.quoted: list[tuple[int, int]] = []  # contents of the quotes attributed so far

    def is_person(self, tok: Token) -> bool:
        """Whether ``tok`` is part of a person's name the article gives (the tagger's PERSON, or
        a name the article's own evidence makes a person: "Amina Diallo-Kerr" tagged ORG)."""
        if tok.ent_type_ == "PERSON":
            return True
        if tok.pos_ != "PROPN":
            return False
        if self.entities.person_for_token(tok) is not None:
            return True
        first = tok.i  # a run of name words opening with a given name ("Amina Diallo-Kerr")
        while first > 0 and (self.doc[first - 1].pos_ == "PROPN" or self.doc[first - 1].text == "-"):
            first -= 1
        return first < tok.i and self.doc[first].lower_ in first_name_genders()

    def note_quote(self, parts: list[tuple[int, int]]) -> None:
        """Record the content of an attributed quote: a person named as a subject inside what
        someone said ("He said his friend, Jane Roe, ran the shop") is not the next "he"."""
        self.quoted.extend(parts)

    def _in_quoted(self, pos: int) -> bool:
        return any(s <= pos < e for s, e in self.quoted)

    def resolve(self, tok: Token | None) -> Resolved:
        """The speaker named by ``tok`` (the head of a speaker mention), remembered for later
        pronouns."""
        if tok is None:
            return Resolved(None, UNKNOWN, None)
        r = self._resolve(tok)
        if r.entity is not None and r.entity.kind != PERSON:
            self.last_org = r.entity
        if r.name or r.human:
            self.last = r
        return r

    def remember(self, r: Resolved) -> None:
        """Record a follow-on attribution as the latest speaker."""
        if r.name or r.human:
            self.last = r

    def _resolve(self, tok: Token) -> Resolved:
        lower = tok.lower_
        mention = (tok.idx, tok.idx + len(tok))
        if lower in INDEFINITE and tok.pos_ in ("PRON", "NUM", "NOUN"):
            return Resolved(None, DESCRIPTION, _mention_chars(tok))
        if tok.pos_ == "PRON" or lower in PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS:
            return self._resolve_pronoun(tok, lower, mention)
        if _is_dateline(tok):
            # "LONDON (Reuters) - Donald Trump said": the speaker is the name after the dateline
            # and before the verb (a name after it is the verb's object: "... apologised to Sanders")
            # and before the verb (a name after it is the verb's object: "... apologised to
            # Sanders"); an organisation only when no person is named there, and not the
            # bracketed news agency of the dateline
            verb = tok.head.i if tok.head.i > tok.i else len(self.doc)
            names = [t for t in sent_of(tok) if tok.i < t.i < verb and t.ent_iob_ == "B"]
            people = [t for t in names if t.ent_type_ == "PERSON"]
            orgs = [t for t in names if t.ent_type_ == "ORG" and self.doc[t.i - 1].text != "("]
            if not people and not orgs:
                return Resolved(None, UNKNOWN, None)
            nxt = (people or orgs)[0]
            ent = ent_of(nxt)
            return self._resolve(ent.root if ent is not None else nxt)
        label = self._interview_label(tok)
        if label is not None:
            return label
        signed = self._signature_at(tok)
        if signed is not None:
            return Resolved(signed.name, PERSON, mention, signed, human=True)
        r = self._resolve_named(tok)
        if r is not None:
            return r
        return self._resolve_description(tok)

    def _resolve_pronoun(self, tok: Token, lower: str, mention: tuple[int, int]) -> Resolved:
        ents = self.entities
        if lower in FIRST_PERSON and not _in_quotation(tok):
            # the narrator: a letter's or op-ed's writer (its signature), else unnamed
            writer = self._signature_after(tok)
            if writer is not None:
                return Resolved(writer.name, PERSON, mention, writer, human=True)
            return Resolved(None, UNKNOWN, mention)
        if lower in PERSON_PRONOUNS:
            last = self.last
            gender = {"he": "m", "him": "m", "she": "f", "her": "f"}.get(lower)
            if (
                last is not None
                and last.singular
                and _may_be_a_person(last)
                and (gender is None or last.entity is None or last.entity.gender in (None, gender))
                and not self._person_named_since(last, tok)
            ):
                # "a UCEA spokesperson said ... he said": the unnamed speaker, not a person named before
                return Resolved(last.name, last.kind, mention, last.entity, True, last.role, True)
            person = self._recent_person(tok, lower)
            if person is not None:
                if gender is not None and person.gender is None:
                    person.gender = gender
                return Resolved(person.name, PERSON, mention, person, human=True)
            return Resolved(None, UNKNOWN, mention, human=True)
        if lower in THING_PRONOUNS:
            sent_start = sent_of(tok).start_char
            near = [
                (max(x for x in o.positions if sent_start <= x < tok.idx), o)
                for o in ents.orgs.values()
                if any(sent_start <= x < tok.idx for x in o.positions)
            ]
            if near:
                org = max(near, key=lambda pair: pair[0])[1]
                return Resolved(org.name, ORG, mention, org)
            if self.last_org is not None:
                return Resolved(self.last_org.name, ORG, mention, self.last_org)
            return Resolved(None, UNKNOWN, mention)
        if lower in ("who", "that", "which"):
            if tok.head.dep_ != "relcl":
                return Resolved(None, UNKNOWN, mention)
            r = self._resolve(tok.head.head)  # the noun the relative clause describes
            return Resolved(r.name, r.kind, mention, r.entity, r.human, r.role)
        if self.last is not None and self.last.kind == ORG:
            return Resolved(self.last.name, self.last.kind, mention, self.last.entity)
        return Resolved(None, DESCRIPTION, mention)

    def _interview_label(self, tok: Token) -> Resolved | None:
        """A transcript's speaker label in capitals ("TAPPER: Do you ...", "JAKE TAPPER: ..."):
        the person the article names so, else the label's words as a name."""
        doc = self.doc
        end = tok.i
        while end + 1 < len(doc) and _is_caps_word(doc[end + 1]):
            end += 1
        if not _is_caps_word(tok) or end + 1 >= len(doc) or doc[end + 1].text != ":":
            return None
        start = tok.i
        while start > 0 and _is_caps_word(doc[start - 1]) and end - start < 3:
            start -= 1
        words = [t.text.title() for t in doc[start : end + 1]]
        mention = (doc[start].idx, doc[end].idx + len(doc[end]))
        ents = self.entities
        if len(words) > 1:  # "JAKE TAPPER:" names the person a later "TAPPER:" stands for
            person = ents.person_named(" ".join(words))
            person.positions.append(mention[0])
            person.evidence += 1
            return Resolved(person.name, PERSON, mention, person, human=True)
        found = ents._nearest_full(words[0], mention[0])
        if found is not None:
            return Resolved(found.name, PERSON, mention, found, human=True)
        return None  # "AP: ...", or a label of no one named: see _resolve_description

    def _resolve_named(self, tok: Token) -> Resolved | None:
        """A person or organisation the mention names, directly or through an apposition, a
        document's author or a description's organisation."""
        ents = self.entities
        person = ents.person_for_token(tok)
        if person is not None and self._can_speak(person):
            return Resolved(person.name, PERSON, _mention_chars(tok), person, human=True)
        # apposition or compound holding a name: "the spokesperson, Maria Zakharova"
        for child in tok.children:
            if child.dep_ in ("appos", "compound") and child.pos_ == "PROPN":
                p = ents.person_for_token(child)
                if p is not None:
                    return Resolved(p.name, PERSON, _mention_chars(tok), p, human=True)
        org = ents.org_for_token(tok)
        if org is not None:
            human = tok.pos_ == "NOUN" and is_human_noun(tok)
            role = self._phrase(tok) if human else None
            return Resolved(org.name, ORG, _mention_chars(tok), org, human, role, _singular(tok))
        if lemma_of(tok).lower() in DOCUMENT_NOUNS and tok.pos_ == "NOUN":
            # "a statement from the Prime Minister's Office said", "a blog post for InfoAmazonia"
            owner = self._owner(tok, ("from", "by", "of", "for", "on", "at"))
            mention = _mention_chars(tok)
            definite = any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in tok.children)
            if owner is None and definite:
                owner = self._document_author(tok)  # "the statement said": the one named before
                if owner is not None and owner.pos_ == "NOUN":
                    mention = _mention_chars(owner)  # an unnamed author: "his family"
            if owner is not None:
                r = self._resolve(owner)
                return Resolved(r.name, r.kind, mention, r.entity, r.human, r.role)
            return Resolved(None, DESCRIPTION, _mention_chars(tok))
        return None

    def _resolve_description(self, tok: Token) -> Resolved:
        """Role nouns, descriptions and other noun phrases."""
        ents = self.entities
        words = {t.lower_ for t in tok.subtree if t.pos_ in ("NOUN", "PROPN", "ADJ") and t.i <= tok.i}
        head = lemma_of(tok).lower()
        s, e = _mention_chars(tok)
        human = is_human_noun(tok)
        if tok.pos_ == "NOUN":
            definite = any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in tok.children)
            owner = self._owner(tok, ("for", "at", "of", "from", "with"))
            owner_org = self._org_of(owner) if owner is not None else None
            if owner_org is not None and human and not definite:
                # "a spokesperson for Customs and Border Protection": the organisation speaks
                return Resolved(
                    owner_org.name, ORG, (s, e), owner_org, True, self._phrase(tok), _singular(tok)
                )
            p = ents.person_by_role(words, head, tok.idx) if head not in ORG_HEADS else None
            if p is not None and (definite or owner_org is None):
                return Resolved(p.name, PERSON, (s, e), p, human=True)
            if owner_org is not None and human:
                return Resolved(
                    owner_org.name, ORG, (s, e), owner_org, True, self._phrase(tok), _singular(tok)
                )
            o = ents.org_by_role(words, head, tok.idx) if head in ORG_HEADS else None
            if o is not None:
                return Resolved(o.name, ORG, (s, e), o)
            if definite and owner is None and _singular(tok):
                r = self._antecedent(tok, head, human, (s, e))
                if r is not None:
                    return r
        ent = ent_of(tok)
        if ent is not None and ent.label_ in ("GPE", "ORG") and tok.pos_ == "PROPN":
            name = _clean_name(ent.text)
            if name and not _is_dateline(ent[0]):
                return Resolved(name, ORG, (ent.start_char, ent.end_char))
        nxt = self.doc[tok.i + 1] if tok.i + 1 < len(self.doc) else None
        if _is_caps_word(tok) and nxt is not None and nxt.text == ":":
            return Resolved(tok.text, PERSON, (s, e), None, True, None, True)  # "TAPPER: Do you ..."
        if tok.pos_ == "PROPN" and tok.ent_type_ not in ("NORP", "PERSON") and tok.tag_ != "NNPS":
            phrase = _clean_name(doc_text(self.doc)[s:e])
            if phrase and phrase[0].isupper() and not any(w.lower() in FURNITURE for w in phrase.split()):
                return Resolved(phrase, ORG, (s, e))
            return Resolved(None, UNKNOWN, (s, e))
        # a description ("South Korean lawmakers", "researchers", "the security firm")
        role = self._phrase(tok) if human else None
        return Resolved(None, DESCRIPTION, (s, e), None, human, role, human and _singular(tok))

    def _antecedent(self, tok: Token, head: str, human: bool, mention: tuple[int, int]) -> Resolved | None:
        """What a definite description no introduced role matches refers back to, within the
        last paragraphs: the person who spoke last or the organisation named last, whichever
        came later ("the defender said" after Walsh's words is Walsh; "the lender said" after
        "Dominion Northern Bank reported" is the bank); an organisation word ("the company")
        only an organisation. Unnamed-source words ("the official", "the spokeswoman") stay
        descriptions, and a person whose stated roles differ is not taken."""
        if head not in ORG_HEADS and (not human or head in _UNNAMED_SOURCES):
            return None
        since = paragraph_start(doc_text(self.doc), tok.idx, ANTECEDENT_PARAGRAPHS)
        org, org_pos = self._recent_org(since, tok.idx)
        if head in ORG_HEADS:
            return Resolved(org.name, ORG, mention, org) if org is not None else None
        last = self.last
        person = last.entity if last is not None and last.mention else None
        if (
            person is not None
            and person.kind == PERSON
            and last is not None
            and last.mention is not None
            and since <= last.mention[0] > org_pos
            and not self._person_named_since(last, tok)
            and (not person.role_words or head in person.role_words)
        ):
            return Resolved(person.name, PERSON, mention, person, human=True)
        if org is not None and org_pos > (last.mention[0] if last is not None and last.mention else -1):
            # a word for people that the organisation was introduced with ("Dominion Northern
            # Bank, the country's sixth-largest lender, ..."; "the lender said")
            if head in org.role_words and head not in TITLE_WORDS:
                return Resolved(org.name, ORG, mention, org)
        subject = self._recent_subject(since, tok.idx)
        if (
            subject is not None
            and subject[0] > org_pos
            and head in (subject[1].role_words or {head})
            and self._described_since(head, subject[0], tok)
        ):
            # the person the last paragraphs were about, already described with the word ("Then
            # Kwame Asante took over. The 24-year-old striker, introduced from the bench, drove in
            # an equaliser ... “...,” said the striker"): the latest named as a subject, with no
            # other stated role
            return Resolved(subject[1].name, PERSON, mention, subject[1], human=True)
        return None

    def _described_since(self, head: str, since: int, tok: Token) -> bool:
        """Whether a noun ``head`` (lemma) stands in the text between ``since`` and ``tok``,
        outside quoted words."""
        window = self.doc.char_span(since + 1, tok.idx, alignment_mode="expand")  # a paragraph or two
        return window is not None and any(
            t.pos_ == "NOUN" and lemma_of(t).lower() == head and not self._in_quoted(t.idx) for t in window
        )

    def _recent_subject(self, since: int, before: int) -> tuple[int, Entity] | None:
        """The person named last as a subject in [since, before), outside quoted words, and where."""
        best: tuple[int, Entity] | None = None
        for p in {id(p): p for p in self.entities.people.values()}.values():
            pos = max(
                (x for x in p.subject_positions if since <= x < before and not self._in_quoted(x)), default=-1
            )
            if pos >= 0 and self._can_speak(p) and (best is None or pos > best[0]):
                best = (pos, p)
        return best

    def _recent_org(self, since: int, before: int) -> tuple[Entity | None, int]:
        """The organisation named last in [since, before), and where (-1 when none)."""
        best, best_pos = None, -1
        for o in {id(o): o for o in self.entities.orgs.values()}.values():
            pos = max((x for x in o.positions if since <= x < before), default=-1)
            if pos > best_pos:
                best, best_pos = o, pos
        return best, best_pos

    def _document_author(self, tok: Token) -> Token | None:
        """Who wrote the document a definite document noun refers back to: the last mention of
        the same noun in the last paragraphs, and the subject of the verb it belongs to ("Kline
        said in a letter to families ... 'We know ...,' the letter said"; "the coalition
        submitted a written statement ... the statement said"), or its own owner."""
        lemma = lemma_of(tok).lower()
        since = paragraph_start(doc_text(self.doc), tok.idx, ANTECEDENT_PARAGRAPHS)
        doc_tok = None
        for j in range(tok.i - 1, max(-1, tok.i - 1 - DOCUMENT_LOOKBACK_TOKENS), -1):
            t = self.doc[j]
            if t.idx < since:
                break
            if t.pos_ == "NOUN" and lemma_of(t).lower() == lemma:
                doc_tok = t
                break
        if doc_tok is None:
            return None
        owner = self._owner(doc_tok, ("from", "by", "of"))
        if owner is not None:
            return owner
        verb = doc_tok.head
        if doc_tok.dep_ == "pobj" and verb.dep_ == "prep":
            verb = verb.head
        elif doc_tok.dep_ not in ("dobj", "nsubjpass"):
            return None
        while verb.pos_ in ("VERB", "AUX"):
            subj = [c for c in verb.children if c.dep_ == "nsubj"]
            if subj:
                return None if subj[0].lower_ in ("it", "that", "which") else subj[0]
            if verb.dep_ not in ("conj", "xcomp", "advcl") or verb.head is verb:
                return None
            verb = verb.head
        return None

    def _org_of(self, tok: Token) -> Entity | None:
        """The organisation a proper noun names, taking in coordinated name words the tagger
        split off ("Customs and Border Protection" tagged as "Customs")."""
        conj = [c for c in tok.children if c.dep_ == "conj" and c.pos_ == "PROPN"]
        if conj and any(c.dep_ == "cc" and c.lower_ in ("and", "&") for c in tok.children):
            span = self.doc[tok.left_edge.i : conj[-1].i + 1]
            if all(t.is_title or t.lower_ in _CONNECTIVES or t.is_punct for t in span):
                return self.entities.org_named(span)
        if tok.pos_ == "PROPN" and tok.ent_type_ in ("ORG", "") and tok.text.isupper() and len(tok.text) >= 2:
            return self.entities.org_for_token(tok) or self.entities.org_named(self.doc[tok.i : tok.i + 1])
        return self.entities.org_for_token(tok)

    def _phrase(self, tok: Token) -> str:
        s, e = _mention_chars(tok, whole=True)
        return _clean_name(doc_text(self.doc)[s:e])

    @staticmethod
    def _owner(tok: Token, preps: tuple[str, ...]) -> Token | None:
        """Who a noun belongs to: its possessive, a compound name, or the object of one of
        ``preps`` ("the agency's statement", "UCEA spokesperson", "a post for InfoAmazonia")."""
        for child in tok.children:
            if child.dep_ == "poss":
                return child
        for child in tok.children:
            if child.dep_ == "compound" and child.pos_ == "PROPN" and child.ent_type_ in ("ORG", "GPE", ""):
                return child
        for child in tok.children:
            if child.dep_ == "prep" and child.lower_ in preps:
                for g in child.children:
                    if g.dep_ == "pobj":
                        return g
        return None

    def _org_role(self, org: Entity, tok: Token, mention: tuple[int, int]) -> Resolved:
        """An organisation speaking through an unnamed person ("a spokesperson for ...")."""
        return Resolved(org.name, ORG, mention, org, True, self._phrase(tok), _singular(tok))

    def _person_named_since(self, last: Resolved, tok: Token) -> bool:
        """Whether a person was named as a subject after ``last`` was mentioned, before ``tok``."""
        since = last.mention[0] if last.mention else -1
        return any(
            since < x < tok.idx and not self._in_quoted(x)
            for p in self.entities.people.values()
            for x in p.subject_positions
        )

    def _can_speak(self, person: Entity) -> bool:
        """A one-word "person" with no title, no full name and never the subject of a verb may
        be a thing the tagger took for a name (a grape variety, a product)."""
        return not person.key.startswith("~") or person.evidence > 0 or bool(person.subject_positions)

    def _signature_after(self, tok: Token) -> Entity | None:
        """A letter's signature after the paragraph of ``tok``: a short line that opens with a
        person's name ("Jane Doe, Leeds"), after the letter's other paragraphs and before a
        heading or any other short line begins the next letter or section."""
        text = doc_text(self.doc)
        pos = text.find("\n", tok.idx)
        paragraphs = 0
        while pos != -1:
            start = pos + 1
            end = text.find("\n", start)
            end = len(text) if end == -1 else end
            line = text[start:end].strip()
            words = line.split()
            if len(words) > 8 or (len(words) > 4 and line[-1:] in '.?!”"'):
                # the letter's next paragraph, unless it is a heading-less new letter: a letter
                # runs a few paragraphs at most
                paragraphs += 1
                if paragraphs > SIGNATURE_PARAGRAPHS or line[-1:] not in '.?!”"’)':
                    return None
                pos = end if end < len(text) else -1
                continue
            if words:
                lead = len(text[start:end]) - len(text[start:end].lstrip())
                if paragraphs and not names_a_person(self.doc, start + lead, end):
                    return None  # past other paragraphs only a person's name signs ("Rising Costs")
                person = self._signature_name(start + lead, end)
                if person is not None:
                    return person
                if paragraphs:
                    return None  # a heading or other short line: the letter ended unsigned
            pos = end if end < len(text) else -1
        return None

    def _signature_at(self, tok: Token) -> Entity | None:
        """The writer a signature line names, when ``tok`` opens the line ("Derek Amos,
        Hollinfield" under a letter)."""
        text = doc_text(self.doc)
        if tok.idx > 0 and text[tok.idx - 1] != "\n":
            return None
        end = text.find("\n", tok.idx)
        line_end = len(text) if end == -1 else end
        if len(text[tok.idx : line_end].split()) > 8:
            return None
        return self._signature_name(tok.idx, line_end)

    def _signature_name(self, start: int, end: int) -> Entity | None:
        """The person a signature line opens with: two to four capitalised name words before a
        comma or the end of the line."""
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return None
        toks = []
        for t in span:
            if t.is_punct or t.is_space:
                break
            if not (t.is_title and t.is_alpha):
                return None
            toks.append(t)
        if not 2 <= len(toks) <= 4:
            return None
        name = doc_text(self.doc)[toks[0].idx : toks[-1].idx + len(toks[-1])]
        person = self.entities.person_named(name)
        if start not in person.positions:
            person.positions.append(start)
        person.evidence += 1
        return person

    def _recent_person(self, tok: Token, pronoun: str) -> Entity | None:
        """The nearest person before ``tok`` the pronoun can stand for: the latest speaker or the
        person most recently named as a subject, whichever came later, then the person most
        recently named at all; a person of the other stated gender is skipped."""
        gender = {"he": "m", "him": "m", "she": "f", "her": "f"}.get(pronoun)
        people = [p for p in {id(p): p for p in self.entities.people.values()}.values() if self._can_speak(p)]
        scored: dict[int, tuple[int, Entity]] = {}
        for p in people:
            pos = _last_before(p.subject_positions, tok.idx)
            if pos >= 0 and self.quoted and self._in_quoted(pos):
                pos = _last_before([x for x in p.subject_positions if not self._in_quoted(x)], tok.idx)
            if pos >= 0:
                scored[id(p)] = (pos, p)
        last = self.last
        if last is not None and last.entity is not None and last.entity.kind == PERSON:
            pos = (
                last.mention[0]
                if last.mention
                else max((x for x in last.entity.positions if x < tok.idx), default=0)
            )
            if pos < tok.idx and pos >= scored.get(id(last.entity), (-1, None))[0]:
                scored[id(last.entity)] = (pos, last.entity)
        cands = [p for _, p in sorted(scored.values(), key=lambda pair: -pair[0])]
        seen = {id(p) for p in cands}
        recent = sorted(((_last_before(p.positions, tok.idx), p) for p in people), key=lambda pair: -pair[0])
        cands.extend(p for pos, p in recent if pos >= 0 and id(p) not in seen)
        for p in cands:
            if gender is None or p.gender in (None, gender):
                return p
        return cands[0] if cands else None


# "the statement said" looks this many tokens back (within ANTECEDENT_PARAGRAPHS) for the statement.
DOCUMENT_LOOKBACK_TOKENS = 400
# A letter's first-person words look for its signature this many paragraphs on.
SIGNATURE_PARAGRAPHS = 6
# A definite description ("the defender", "the company") looks this many paragraphs back.
ANTECEDENT_PARAGRAPHS = 2
# Words for unnamed sources: a description of its own, never someone named before.
_UNNAMED_SOURCES = frozenset(
    "official spokesperson spokesman spokeswoman spokes source aide adviser advisor insider person "
    "diplomat witness analyst expert observer member resident friend relative neighbour neighbor "
    "colleague staffer employee worker officer".split()
)


def names_a_person(doc: Doc, start: int, end: int) -> bool:
    """Whether a short line (a signature) names a person: a name by the tagger, or opening with
    a known given name."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return span is not None and (
        any(t.ent_type_ == "PERSON" for t in span) or span[0].lower_ in first_name_genders()
    )


def paragraph_start(text: str, pos: int, back: int) -> int:
    """The start of the paragraph ``back`` paragraphs before the one holding ``pos``."""
    start = text.rfind("\n", 0, pos) + 1
    for _ in range(back):
        if start == 0:
            break
        start = text.rfind("\n", 0, start - 1) + 1
    return start


def _is_caps_word(tok: Token) -> bool:
    return tok.is_alpha and tok.text.isupper() and len(tok.text) >= 2


def _may_be_a_person(r: Resolved) -> bool:
    """Whether "he"/"she" may refer back to ``r``: an unnamed human source ("a spokesperson"),
    or a one-word name the tagger called an organisation ("Fiorina"), never a named
    organisation ("SMMT", "Yahoo News")."""
    if r.human or r.kind == PERSON:
        return True
    name = r.name or ""
    return r.kind == ORG and " " not in name and not name.isupper()


def _last_before(positions: list[int], before: int) -> int:
    """The last of a person's ``positions`` before ``before``; -1 if none."""
    return max((x for x in positions if x < before), default=-1)


def _singular(tok: Token) -> bool:
    return tok.tag_ in ("NN", "NNP")


def _mention_chars(tok: Token, whole: bool = False) -> tuple[int, int]:
    """The words naming the speaker: the head's noun phrase up to the head (and name tokens
    right of it; with ``whole``, its prepositional phrase too), without a leading determiner or
    trailing punctuation."""
    doc = tok.doc
    left = tok.left_edge
    while left.i < tok.i and (left.dep_ in ("det", "punct", "cc") or left.is_space):
        left = doc[left.i + 1]
    right = tok
    for child in tok.rights:
        if child.dep_ in ("compound", "flat") or (child.dep_ == "appos" and child.pos_ == "PROPN"):
            right = max(right, child.right_edge, key=lambda t: t.i)
        elif whole and child.dep_ == "prep" and child.i == tok.i + 1:
            right = max(right, child.right_edge, key=lambda t: t.i)
    ent = ent_of(tok)
    if ent is not None:
        left = min(left, doc[ent.start], key=lambda t: t.i)
        right = max(right, doc[ent.end - 1], key=lambda t: t.i)
    while right.i > left.i and (right.is_punct or right.lower_ in ("'s", "’s")):
        right = doc[right.i - 1]
    return left.idx, right.idx + len(right)
