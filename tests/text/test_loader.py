"""Tests of article loading (service.text.loader): decoding and HTML to text."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.text.clean import clean_text
from service.text.loader import decode_bytes, html_to_text, looks_like_html, read_article_file

QUOTE = "“We assess that North Korea moved at least 3,000 soldiers into eastern Russia,” Kirby said."

PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Kirby warns North Korea | Example News</title>
<script>window.dataLayer = [];</script><style>.ad {{ color: red }}</style></head>
<body>
<header><nav><ul>
  <li><a href="/">Home</a></li><li><a href="/world">World</a></li>
  <li><a href="/politics">Politics</a></li><li><a href="/sports">Sports</a></li>
</ul></nav></header>
<aside class="ad-slot advertisement"><a href="https://ads.example.com">Buy cheap flights now</a></aside>
<main><article>
<h1>White House warns North Korea over troops in Russia</h1>
<p>The White House confirmed on Wednesday that North Korea has sent troops to Russia, officials said.</p>
<p>{QUOTE}</p>
<p>He added that the soldiers would be “fair game” if they joined the fighting in Ukraine.</p>
<table><tr><td>Troops</td><td>3,000</td></tr></table>
</article></main>
<section class="comments"><h2>Comments</h2><div class="comment"><p>First!!! Great article</p></div></section>
<footer><p>© 2024 Example News. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>
"""


def test_html_to_text_keeps_article_paragraphs_and_quote_marks() -> None:
    text = html_to_text(PAGE)
    lines = text.split("\n")
    assert QUOTE in lines
    assert "He added that the soldiers would be “fair game” if they joined the fighting in Ukraine." in lines
    assert "Politics" not in text
    assert "Buy cheap flights" not in text
    assert "window.dataLayer" not in text
    assert "First!!!" not in text
    assert "3,000\n" not in text and "Troops" not in lines


def test_offsets_point_into_the_extracted_text() -> None:
    text = html_to_text(PAGE)
    cleaned = clean_text(text)
    start = cleaned.index(QUOTE)
    assert text[start : start + len(QUOTE)] == QUOTE


def test_html_fragment_falls_back_to_plain_text() -> None:
    assert html_to_text("<p>“Hi,” she said.</p>") == "“Hi,” she said."


@pytest.mark.parametrize("html", ["", "   ", "<<<>>>", "<p>", "\x00<p>", "<html><body></body></html>"])
def test_html_to_text_never_raises(html: str) -> None:
    assert isinstance(html_to_text(html), str)


def test_looks_like_html() -> None:
    assert looks_like_html("<html><body><p>x</p></body></html>")
    assert looks_like_html('  <p class="lead">x</p>')
    assert not looks_like_html("If p <0.05 the result <p is significant.")
    assert not looks_like_html(QUOTE)


def test_decode_bytes_bom_and_bad_bytes() -> None:
    assert decode_bytes("\ufeff“Hi”".encode()) == "“Hi”"
    assert decode_bytes(b"caf\xe9 \xff") == "caf\ufffd \ufffd"


def test_read_article_file_text(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    body = f"Headline\n\n{QUOTE}\n"
    p.write_bytes(b"\xef\xbb\xbf" + body.encode())
    assert read_article_file(p) == body


def test_read_article_file_html_by_extension_and_by_sniffing(tmp_path: Path) -> None:
    for name in ("page.html", "page.htm", "page.txt"):
        p = tmp_path / name
        p.write_text(PAGE, encoding="utf-8")
        text = read_article_file(p)
        assert QUOTE in text.split("\n")
        assert "<p>" not in text
