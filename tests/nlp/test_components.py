"""Pipeline components on a blank English pipeline (no model needed)."""

import spacy

import service.nlp.components  # noqa: F401  (registers the factories)


def test_paragraph_breaks_start_a_sentence_after_each_line_break():
    nlp = spacy.blank("en")
    nlp.add_pipe("paragraph_breaks")
    doc = nlp("Kirby said it\nwas too early.\n\n“We will see,” he added.")
    starts = [t.text for t in doc if t.is_sent_start]
    assert starts[:3] == ["Kirby", "was", "“"]
    assert not doc[1].is_sent_start  # elsewhere the boundaries are left unset for the parser
