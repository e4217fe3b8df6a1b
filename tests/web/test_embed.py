"""The CMS embed's server side: /embed.js, the statement card for iframes, and oEmbed."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.api.sample import KIRBY_STATEMENT, OUTLETS


def test_embed_script_is_one_namespace_with_scoped_styles(client: FlaskClient) -> None:
    r = client.get("/embed.js")
    assert r.status_code == 200 and r.mimetype == "text/javascript"
    js = r.get_data(as_text=True)
    assert "win.QuoteEmbed = {" in js
    assert re.findall(r"\bwin(?:dow)?\.(\w+)\s*=", js) == ["QuoteEmbed"]  # no other global
    rules = re.findall(r'"(\.[^"{]+)\{', js)
    assert rules and all(sel.strip().startswith(".qe-") for rule in rules for sel in rule.split(","))
    assert "/v1/extract" in js and "/v1/verify" in js


def test_statement_card_lists_every_source(sample_client: FlaskClient, ids: dict[str, Any]) -> None:
    r = sample_client.get(f"/embed/statements/{ids['statement']}")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert r.headers["Content-Security-Policy"] == "frame-ancestors *"
    html = r.get_data(as_text=True)
    assert KIRBY_STATEMENT in html and "John Kirby" in html
    assert all(o in html for o in OUTLETS) and "Reported by 4 outlets" in html
    assert 'target="_blank"' in html  # links leave the frame
    missing = sample_client.get("/embed/statements/999999")
    assert missing.status_code == 404 and "not found" in missing.get_data(as_text=True).lower()


def test_oembed_describes_the_card(sample_client: FlaskClient, ids: dict[str, Any]) -> None:
    url = f"https://quotes.example/statements/{ids['statement']}"
    r = sample_client.get("/oembed", query_string={"url": url, "maxwidth": "400"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    data = r.get_json()
    assert data["version"] == "1.0" and data["type"] == "rich"
    assert data["author_name"] == "John Kirby" and data["width"] == 400 and data["height"] == 320
    assert f'src="http://localhost/embed/statements/{ids["statement"]}"' in data["html"]
    assert data["html"].startswith("<iframe") and 'width="400"' in data["html"]
    embed_url = f"http://localhost/embed/statements/{ids['statement']}"
    assert sample_client.get("/oembed", query_string={"url": embed_url}).status_code == 200


def test_oembed_refuses_what_it_cannot_embed(sample_client: FlaskClient) -> None:
    def get(**args: str) -> tuple[int, dict[str, Any]]:
        r = sample_client.get("/oembed", query_string=args)
        return r.status_code, r.get_json()

    assert get(url="https://quotes.example/speakers/1")[0] == 404
    assert get(url="https://quotes.example/statements/999999")[0] == 404
    assert get(url="https://quotes.example/statements/99999999999999999999")[0] == 404
    assert get()[0] == 404
    status, body = get(url="https://quotes.example/statements/1", format="xml")
    assert status == 501 and body["code"] == 501
    status, body = get(url="https://quotes.example/statements/1", maxwidth="wide")
    assert status == 400 and body["errors"] == {"query": {"maxwidth": ["Not a positive integer."]}}
