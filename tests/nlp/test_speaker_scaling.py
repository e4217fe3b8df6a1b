"""Pronoun resolution stays fast when an article names thousands of people (issue 9, hostile
input 2: a 270,000-character article spent most of its attribution time comparing `Entity`
dataclasses field by field, once per candidate per pronoun)."""

from __future__ import annotations

import time

import spacy

from service.nlp.speakers import Entity, SpeakerResolver, _last_before


def test_last_before_is_the_last_position_before() -> None:
    positions = [3, 10, 10, 42]
    assert [_last_before(positions, b) for b in (0, 3, 4, 10, 11, 42, 99)] == [-1, -1, 3, 3, 10, 10, 42]
    assert _last_before([], 5) == -1


def test_recent_person_with_thousands_of_people_is_fast() -> None:
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
    start = time.perf_counter()
    for _ in range(20):
        found = resolver._recent_person(tok, "he")
    elapsed = time.perf_counter() - start
    assert found is people["p1999"]  # the most recent subject of the pronoun's gender
    assert resolver._recent_person(doc[0], "she") is None  # nobody named before the first word
    assert elapsed < 2.0, f"{elapsed:.2f}s for 20 pronouns among 2,000 people"
