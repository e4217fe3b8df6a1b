"""The web app's pages, rendered by the server (Flask test client, sample data, both databases)."""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.api.sample import KIRBY_STATEMENT, OUTLETS

HTML = {"Accept": "text/html"}


def _page(client: FlaskClient, url: str, status: int = 200) -> str:
    r = client.get(url, headers=HTML)
    assert r.status_code == status, (url, r.status_code, r.get_data(as_text=True)[:500])
    assert r.mimetype == "text/html"
    html: str = r.get_data(as_text=True)
    return html


def _assert_accessible_shell(html: str) -> None:
    assert '<html lang="en">' in html
    assert 'href="#main"' in html and '<main id="main"' in html
    assert 'role="banner"' in html and 'aria-label="Main"' in html and 'role="contentinfo"' in html
    assert '<meta name="viewport"' in html
    # nothing is loaded from another host: styles and scripts are the service's own
    assert not re.search(r'<script[^>]*src="(https?:)?//', html)
    assert not re.search(r'<link rel="(stylesheet|icon)"[^>]*href="(https?:)?//', html)


def test_home_shows_totals_top_speakers_and_latest_articles(sample_client: FlaskClient) -> None:
    html = _page(sample_client, "/")
    _assert_accessible_shell(html)
    assert "Every quote in 4 articles" in html
    assert "John Kirby" in html and "Lloyd Austin" in html
    assert "Headline 3" in html


def test_search_finds_speakers_by_alias_and_quotes_by_words(
    sample_client: FlaskClient, ids: dict[str, Any]
) -> None:
    html = _page(sample_client, "/?q=Kirby")
    _assert_accessible_shell(html)
    assert f'href="/speakers/{ids["kirby"]}"' in html
    assert "White House national security spokesman" in html and "4 quotes" in html
    assert "Lloyd Austin" not in html.split('id="quote-results"')[0]
    html = _page(sample_client, "/?q=3,000+soldiers")
    assert html.count('class="quote-row"') == 3  # the fourth wording says "troops"
    assert _page(sample_client, "/?q=zzzz").count("No speaker is called") == 1


def test_speaker_page_shows_roles_aliases_and_variants_side_by_side(
    sample_client: FlaskClient, ids: dict[str, Any]
) -> None:
    html = _page(sample_client, f"/speakers/{ids['kirby']}")
    _assert_accessible_shell(html)
    assert "<h1" in html and "John Kirby" in html and "John F. Kirby" in html
    assert "White House national security spokesman" in html
    card = html[html.index(f'id="s-{ids["statement"]}"') :]
    assert KIRBY_STATEMENT in card
    assert [o for o in OUTLETS if f'<span class="outlet">{o}</span>' in card] == OUTLETS
    for label in ("Reference", "Verbatim", "Trimmed"):
        assert f">{label}</span>" in card
    # the differing words of the reworded variant are marked
    assert "<ins" in card and ">troops</ins>" in card.replace("has moved some 3,000 ", "")
    assert "4</strong> outlets" in card


def test_speaker_page_filters_and_paginates(sample_client: FlaskClient, ids: dict[str, Any]) -> None:
    url = f"/speakers/{ids['kirby']}"
    assert f'id="s-{ids["statement"]}"' in _page(sample_client, f"{url}?outlet=Korea+Daily")
    assert "No statement matches these filters." in _page(sample_client, f"{url}?outlet=Nobody")
    assert "No statement matches" in _page(sample_client, f"{url}?q=zebra")
    assert f'id="s-{ids["statement"]}"' in _page(sample_client, f"{url}?since=2024-10-25&until=2024-12-31")
    assert "No statement matches" in _page(sample_client, f"{url}?until=2024-01-01")
    html = _page(sample_client, f"{url}?since=yesterday")
    assert "is not a date" in html and f'id="s-{ids["statement"]}"' in html
    assert "No statement" in _page(sample_client, f"{url}?page=2")
    assert f'id="s-{ids["statement"]}"' in _page(sample_client, f"{url}?page=abc")


def test_missing_things_get_html_404_pages(sample_client: FlaskClient) -> None:
    for url in ("/speakers/999999", "/statements/999999", "/articles/999999"):
        assert "Not found" in _page(sample_client, url, 404)
    # the API keeps its JSON errors
    r = sample_client.get("/v1/speakers/999999")
    assert r.status_code == 404 and r.get_json()["code"] == 404


def test_statement_permalink_has_sources_and_oembed_discovery(
    sample_client: FlaskClient, ids: dict[str, Any]
) -> None:
    html = _page(sample_client, f"/statements/{ids['statement']}")
    _assert_accessible_shell(html)
    assert KIRBY_STATEMENT in html and all(o in html for o in OUTLETS)
    assert 'type="application/json+oembed"' in html
    assert f"/embed/statements/{ids['statement']}" in html


def test_article_page_marks_each_quote_in_its_speakers_colour(
    sample_client: FlaskClient, ids: dict[str, Any]
) -> None:
    html = _page(sample_client, f"/articles/{ids['articles'][0]}")
    _assert_accessible_shell(html)
    kirby = re.findall(rf'<a class="q sp-(\d)[^"]*" href="/speakers/{ids["kirby"]}"', html)
    austin = re.findall(rf'<a class="q sp-(\d)[^"]*" href="/speakers/{ids["austin"]}"', html)
    assert kirby and austin and set(kirby).isdisjoint(austin)
    assert len(re.findall(r'id="q-\d+"', html)) == 2
    text = html.split('class="article-text"')[1].split("</article>")[0]
    assert '<span class="mention' not in text  # the sample stores no mention offsets


def test_factcheck_flags_a_changed_number(sample_client: FlaskClient) -> None:
    html = _page(
        sample_client, "/factcheck?text=North+Korea+moved+at+least+8,000+soldiers+into+eastern+Russia"
    )
    verdict = html[html.index('class="verdict-panel') :]
    assert "Contradicts the record" in verdict
    assert "your quote says 8,000; the record says 3,000" in verdict
    html = _page(sample_client, f"/factcheck?text={KIRBY_STATEMENT}&speaker=Kirby")
    assert "On record, word for word" in html
    assert "Not found on record" in _page(sample_client, "/factcheck?text=The+price+of+rice&speaker=Nobody")
    assert 'class="verdict-panel' not in _page(sample_client, "/factcheck")


def test_add_article_needs_the_api_key_and_shows_the_quotes(app: Flask) -> None:
    app.config["API_KEYS"] = ["s3cret"]
    client = app.test_client()
    html = _page(client, "/articles/new")
    assert 'name="api_key"' in html and 'type="file"' in html
    form = {"text": 'Kirby said "we are ready" today.', "outlet": "Test Wire", "published_at": "2024-10-24"}
    r = client.post("/articles/new", data={**form, "api_key": "wrong"})
    assert r.status_code == 422 and "This API key is not valid." in r.get_data(as_text=True)
    r = client.post("/articles/new", data={**form, "api_key": "s3cret", "published_at": "soon"})
    assert r.status_code == 422 and "Use a date such as" in r.get_data(as_text=True)
    r = client.post("/articles/new", data={**form, "api_key": "s3cret"})
    assert r.status_code == 303
    page = client.get(r.headers["Location"], headers=HTML).get_data(as_text=True)
    assert "Article stored: 1 quote found." in page and ">we are ready</a>" in page and "Test Wire" in page
    r = client.post("/articles/new", data={**form, "api_key": "s3cret"})  # the same text again
    assert r.status_code == 303 and "added=duplicate" in r.headers["Location"]


def test_add_article_from_an_uploaded_html_file(client: FlaskClient) -> None:
    page = '<html><body><article><p>The minister said "prices will fall" next year, officials noted.</p>'
    page += "<p>More text follows here to make an article body that trafilatura keeps.</p>"
    page += "</article></body></html>"
    data = {"file": (io.BytesIO(page.encode()), "story.html"), "text": ""}
    r = client.post("/articles/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 303, r.get_data(as_text=True)[:300]
    html = client.get(r.headers["Location"], headers=HTML).get_data(as_text=True)
    assert ">prices will fall</a>" in html and "<html>" not in html.split('class="article-text"')[1]


def test_add_article_without_text_is_refused(client: FlaskClient) -> None:
    r = client.post("/articles/new", data={"text": "   "})
    assert r.status_code == 422 and "Paste the article text" in r.get_data(as_text=True)


def test_speaker_page_is_validated_by_the_speakers_data_version(
    sample_client: FlaskClient, ids: dict[str, Any]
) -> None:
    url = f"/speakers/{ids['kirby']}"
    first = sample_client.get(url, headers=HTML)
    etag = first.headers["ETag"]
    again = sample_client.get(url, headers={**HTML, "If-None-Match": etag})
    assert again.status_code == 304
    other = sample_client.get(f"{url}?page=2", headers=HTML)
    assert other.headers["ETag"] != etag  # the query is part of the validator
    assert sample_client.get(url, headers=HTML).get_data() == first.get_data()  # from the body cache
