"""Pronoun resolution among thousands of people (issue 9, hostile input 2: a 270,000-character
article spent most of its attribution time comparing `Entity` dataclasses field by field, once
per candidate per pronoun). No wall-clock bound here: speed belongs to the benchmark scripts,
and a bound of this test failed on a loaded CI machine."""

from __future__ import annotations

import spacy

from service.nlp.speakers import Entity, SpeakerResolver, _last_before


def test_last_before_is_the_last_position_before() -> None:
    positions = [3, 10, 10, 42]
    assert [_last_before(positions, b) for b in (0, 3, 4, 10, 11, 42, 99)] == [-1, -1, 3, 3, 10, 10, 42]
    assert _last_before([], 5) == -1


def test_recent_person_among_thousands_of_people() -> None:
    doc = spacy.blank("en")("He said it . " * 400)
    resolver = SpeakerResolver(doc)
    people = resolver.entities.people
    for i in range(2_000):
        person = Entity(name=f"Person {i}", kind="person", key=f"p{i}", gender="f")
        person.positions = [i, i + 5_000]
        person.subject_positions = [i]
        people[person.key] = person
    people["p1999"].gender = "m"
    tok = doc[-4]
    found = resolver._recent_person(tok, "he")
    assert found is people["p1999"]  # the most recent subject of the pronoun's gender
    assert resolver._recent_person(doc[0], "she") is None  # nobody named before the first word
    people["p1999"].gender = "f"
    assert resolver._recent_person(tok, "he") is people["p1999"]  # nobody fits: the most recent
