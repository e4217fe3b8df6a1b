"""HTML pages to article text and metadata (service.text.html, service.text.loader.prepare_input)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.text.html import convert_html, decode_entities, has_entities
from service.text.loader import prepare_input, read_input_file
from tests.fixtures.html_pages import big_page, page

CAPTION = "Goats graze on a ridge above Glen Ellen"


def test_jsonld_body_replaces_a_caption_only_page() -> None:
    p = convert_html(page("jsonld_body.html"))
    assert p.body_source == "json-ld"
    assert CAPTION not in p.text
    assert len(p.text) > 1500
    assert p.text.count("\n") == 7  # one paragraph a line, as in the JSON-LD
    assert "“Those goats were so smart,” remembers Shanna Challenger" in p.text


def test_jsonld_metadata_and_scripts_never_become_text() -> None:
    p = convert_html(page("jsonld_body.html"))
    for leak in ("schema.org", "articleChangeDateShort", "20230613", "__APP_STATE__", "max-width"):
        assert leak not in p.text
    m = p.metadata
    assert m.title == "Farmers turn to goats to clear wildfire fuel"
    assert m.author == "Maria Delgado"
    assert m.published_at == dt.date(2023, 6, 12)
    assert m.outlet == "The Valley Ledger"
    assert m.url == "https://www.valleyledger.example/news/2023/06/12/goats-wildfire-fuel"


def _article_only_in_jsonld(body_html: bool) -> str:
    paragraphs = [
        f"Paragraph {i}: “We counted {i} boats in the harbour,” said Harbour Master Ian Rowe."
        for i in range(12)
    ]
    body = "".join(f"<p>{x}</p>" for x in paragraphs) if body_html else "\n\n".join(paragraphs)
    ld = {
        "@context": "https://schema.org",
        "@type": ["NewsArticle"],
        "headline": "Boats",
        "articleBody": body,
    }
    return (
        "<html><head><title>Boats</title>"
        f'<script type="application/ld+json">{json.dumps(ld)}</script></head>'
        "<body><div id='app'><figure><figcaption>Boats in the harbour at dawn on Tuesday, May 7, "
        "seen from the north pier.</figcaption></figure></div></body></html>"
    )


@pytest.mark.parametrize("body_html", [False, True])
def test_jsonld_body_plain_or_html(body_html: bool) -> None:
    p = convert_html(_article_only_in_jsonld(body_html))
    assert p.body_source == "json-ld"
    lines = p.text.split("\n")
    assert len(lines) == 12
    assert lines[3] == "Paragraph 3: “We counted 3 boats in the harbour,” said Harbour Master Ian Rowe."


def test_visible_body_kept_when_jsonld_is_not_longer() -> None:
    p = convert_html(page("entities_captions.html"))
    assert p.body_source == "html"


def test_entities_decoded_and_furniture_left_out() -> None:
    p = convert_html(page("entities_captions.html"))
    assert "&" not in p.text
    assert "“Nobody who destroys the forest illegally will go unpunished,” she said." in p.text
    assert "so-called ‘Schutzverträge’ —" in p.text
    for furniture in (
        "Header Image",  # figure caption
        "Photo: Ana Lima",
        "Users Urged to Remain Cautious",  # related stories
        "Share on Facebook",
        "All rights reserved",
        "page_title",
    ):
        assert furniture not in p.text
    assert not p.text.startswith("Deforestation alerts rise")  # the headline is metadata
    assert p.metadata.title == "Deforestation alerts rise in the Amazon as dry season begins"
    assert p.metadata.author == "João Ferreira"
    assert p.metadata.outlet == "Rainforest Report"
    assert p.metadata.published_at == dt.date(2024, 8, 19)


def test_double_escaped_entities_are_decoded() -> None:
    html = (
        "<html><body><article><p>&amp;ldquo;We will appeal,&amp;rdquo; the lawyer said on Friday "
        "after the verdict.</p></article></body></html>"
    )
    assert convert_html(html).text == "“We will appeal,” the lawyer said on Friday after the verdict."


def test_letters_page_keeps_each_letter_and_signature() -> None:
    p = convert_html(page("letters.html"))
    lines = p.text.split("\n")
    for signature in ("Margaret Holloway", "Derek Sutcliffe", "Dr Anil Mehta"):
        assert signature in lines
    assert any(line.startswith("As a retired bus driver") for line in lines)
    assert "£9.40" in p.text
    assert p.metadata.outlet == "The Northern Courier"


def test_big_page_is_converted_quickly_to_its_article() -> None:
    html = big_page()
    assert 780_000 <= len(html) <= 820_000
    p = convert_html(html)
    assert p.text.startswith("Satellite alerts of forest loss")
    assert "Officials Urge Calm" not in p.text and "We will not give up" not in p.text
    assert "Section 12 &" not in p.text and len(p.text) < 3000


def test_prepare_input_formats() -> None:
    html = page("letters.html")
    declared = prepare_input(html, "html")
    assert declared.converted and declared.format == "html" and "Derek Sutcliffe" in declared.text
    assert prepare_input(html) == declared  # detected
    as_text = prepare_input(html, "text")
    assert not as_text.converted and as_text.text == html
    entity_text = prepare_input("&ldquo;Yes,&rdquo; she said.")
    assert entity_text.converted and entity_text.text == "“Yes,” she said."
    plain = prepare_input("“Yes,” she said. AT&T agreed.")
    assert not plain.converted and plain.text == "“Yes,” she said. AT&T agreed."
    with pytest.raises(ValueError):
        prepare_input("x", "pdf")


def test_entities_helpers() -> None:
    assert has_entities("a &rsquo; b") and has_entities("&#8220;x&#x201d;")
    assert not has_entities("R&D and AT&T; Q&A")
    assert decode_entities("&lsquo;Parasite&rsquo;") == "‘Parasite’"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/&;\"'“”ab p=\n!-[]{}")), max_size=200))
def test_convert_html_never_raises(html: str) -> None:
    p = convert_html(html)
    assert isinstance(p.text, str)
    assert "\r" not in p.text and "\n\n" not in p.text


def test_page_in_a_declared_legacy_charset(tmp_path: Path) -> None:
    html = (
        '<html><head><meta charset="windows-1252"><title>Storm</title></head><body><article>'
        "<p>“We will rebuild,” the mayor said on Monday after the storm passed through town.</p>"
        "<p>Crews worked through the night to clear the roads and restore power to homes.</p>"
        "</article></body></html>"
    )
    path = tmp_path / "storm.html"
    path.write_bytes(html.encode("cp1252"))
    prepared = read_input_file(path)
    assert prepared.text.startswith("“We will rebuild,” the mayor said")
    assert "\ufffd" not in prepared.text


def test_wire_story_drops_pull_quote_ads_newsletter_comments() -> None:
    p = convert_html(page("wire_story.html"))
    assert p.text.count("We owe it to the families who lost everything") == 1  # pull quote left out
    for furniture in ("Advertisement", "Sign up", "Finally!", "Trending", "It Was Terrifying", "Read more"):
        assert furniture not in p.text
    assert p.metadata.author == "Sam Whitaker" and p.metadata.published_at == dt.date(2022, 11, 3)
