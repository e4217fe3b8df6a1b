"""Splitting quotes into statement units."""

from __future__ import annotations

from service.variants.units import split_units


def test_one_sentence_quote_is_one_unit() -> None:
    text = 'He said, "We will defend ourselves." Then he left.'
    s = text.index("We")
    e = text.index('"', s)
    units = split_units(text, s, e)
    assert [u.text for u in units] == ["We will defend ourselves."]
    assert text[units[0].start : units[0].end] == units[0].text


def test_sentences_and_abbreviations() -> None:
    text = "The U.S. Army moved. Mr. Kim said no. … We do not know yet!"
    units = split_units(text, 0, len(text))
    assert [u.text for u in units] == ["The U.S. Army moved.", "Mr. Kim said no.", "We do not know yet!"]


def test_parts_exclude_narration() -> None:
    text = '"They are fair game," he said, "and they will be treated so."'
    p1 = (1, text.index('"', 1))
    s2 = text.index('"and') + 1
    p2 = (s2, text.rindex('"'))
    units = split_units(text, 0, len(text), [p1, p2])
    assert [u.text for u in units] == ["They are fair game", "and they will be treated so."]
    assert all("he said" not in u.text for u in units)
