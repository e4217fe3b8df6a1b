"""The web app and the embed in a real browser: Playwright for Python driving Debian's Chromium.

The seed articles are ingested with the real pipeline into a temporary database; the app is served
in this process on a free loopback port; a second server on another port plays the CMS page that
includes /embed.js. Screenshots of every page (desktop and phone width) go to ``var/screenshots``
(or $SCREENSHOT_DIR).

Chromium comes from Debian (``scripts/ensure_browser.sh``, run by ``make test``); Playwright's own
browser download is not used. Without it these tests fail (under CI) or skip (elsewhere).
"""

from __future__ import annotations

import html
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wsgi import LimitedStream

from service import create_app
from service.config import TestConfig
from service.extensions import get_db
from service.store.sources import SEEDS_DIR, read_inputs, run_ingest
from service.store.verify import verify_claim

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots"))
KEY = "browser-test-key"
TROOPS = "at least 3,000"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT = 120_000  # ms: the machine may be busy; nothing here waits that long when it is not


def _bounded_input(app: Callable[..., Any]) -> Callable[..., Any]:
    """Give the app a body stream that ends at Content-Length, as gunicorn does: werkzeug's
    development server hands over the raw socket, on which reading past the body waits for the
    client (the app drains unread bodies of rejected requests)."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        length = environ.get("CONTENT_LENGTH") or ""
        if length.isdigit():
            environ["wsgi.input"] = LimitedStream(environ["wsgi.input"], int(length))
        return app(environ, start_response)

    return wrapped


def _serve(app: Callable[..., Any]) -> tuple[BaseWSGIServer, str]:
    server = make_server("127.0.0.1", 0, _bounded_input(app), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


class HostPage:
    """The other origin: a CMS preview page with an article body and the embed's one tag."""

    def __init__(self, paragraphs: list[str]) -> None:
        self.paragraphs = paragraphs
        self.api = ""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = "\n".join(f"<p>{html.escape(p)}</p>" for p in self.paragraphs)
        page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CMS preview</title>
<style>body{{font:16px/1.6 Georgia,serif;max-width:720px;margin:2rem auto;color:rgb(20,20,20)}}
mark{{background:rgb(255,0,0)}} .note{{color:rgb(1,2,3)}}</style>
<script>window.__before = Object.keys(window);</script></head>
<body><h1>Editor preview</h1><p class="note">Host paragraph outside the article.</p>
<div id="story" contenteditable="true">{body}</div>
<script src="{self.api}/embed.js" data-target="#story" data-verify="true" async></script>
</body></html>"""
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The app on the seeds (CORS for the host page's origin) and the host page, both served."""
    seed = sorted(Path(SEEDS_DIR).glob("*.txt"))[0]
    host = HostPage([line for line in seed.read_text(encoding="utf-8").splitlines() if line.strip()])
    host_server, host_url = _serve(host)
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'seeds.db'}"
    app: Flask = create_app(TestConfig, DATABASE_URL=url, CORS_ORIGINS=[host_url], API_KEYS=[KEY])
    with app.app_context():
        summary = run_ingest(read_inputs(sorted(Path(SEEDS_DIR).glob("*.txt"))), get_db().writer_sessions)
        assert summary.added == 5
        with get_db().sessions() as session:  # loads the embedding model before any page asks
            verify_claim(session, "warm up the embedding model", None, 1)
    app_server, app_url = _serve(app)
    host.api = app_url
    yield {"app": app, "url": app_url, "host": host_url, "seed": seed}
    app_server.shutdown()
    host_server.shutdown()
    app.extensions["quotes_db"].engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: run scripts/ensure_browser.sh (make test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT)
    yield pg
    context.close()


def _shot(pg: Any, name: str, phone: bool = True) -> None:
    """Full-page screenshots at desktop and phone width; the page must not scroll sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    if phone:
        pg.set_viewport_size(PHONE)
        overflow = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        pg.screenshot(path=str(SHOTS / f"{name}-phone.png"))
        pg.set_viewport_size(DESKTOP)
        assert overflow <= 0, f"{name}: {overflow}px wider than a phone screen"


def test_search_kirby_and_see_the_troops_statement_from_four_outlets(
    page: Any, servers: dict[str, Any]
) -> None:
    page.goto(servers["url"] + "/")
    _shot(page, "home")
    page.get_by_label("Search speakers by name or alias, and quotes by their words").fill("Kirby")
    page.get_by_role("button", name="Search", exact=True).last.click()
    page.wait_for_url(re.compile(r"/\?q=Kirby"))
    _shot(page, "search-kirby")
    page.locator("#speaker-results ~ ul").get_by_role("link", name="John Kirby", exact=True).click()
    page.wait_for_url(re.compile(r"/speakers/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("John Kirby")
    card = page.locator("article.statement").filter(has_text=TROOPS).first
    card.scroll_into_view_if_needed()
    outlets = {o.strip() for o in card.locator(".variant .outlet").all_inner_texts()}
    assert len(outlets) >= 4, outlets
    assert card.locator("ins").count() > 0  # the differing words are highlighted
    _shot(page, "speaker-kirby")
    # the words filter narrows to that statement; its permalink is a page of its own
    page.get_by_label("Words").fill("3,000")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"q=3%2C000"))
    assert page.locator("article.statement").filter(has_text=TROOPS).count() >= 1
    _shot(page, "speaker-kirby-filtered")
    page.locator("article.statement").filter(has_text=TROOPS).first.get_by_role(
        "link", name="Permalink"
    ).click()
    page.wait_for_url(re.compile(r"/statements/\d+$"))
    assert len({o.strip() for o in page.locator(".variant .outlet").all_inner_texts()}) >= 4
    _shot(page, "statement")


def test_factcheck_flags_a_changed_number(page: Any, servers: dict[str, Any]) -> None:
    page.goto(servers["url"] + "/factcheck")
    page.locator("#fc-text").fill("North Korea moved at least 30,000 soldiers into eastern Russia")
    page.get_by_label("Speaker (optional)").fill("Kirby")
    page.get_by_role("button", name="Check").click()
    panel = page.locator(".verdict-panel")
    panel.wait_for()
    text = panel.inner_text()
    assert "Contradicts the record" in text and "On record" not in text
    assert "your quote says 30,000; the record says 3,000" in text
    first = page.locator("article.match").first
    assert first.locator("ins").filter(has_text="30,000").count() == 1
    assert first.locator("del").filter(has_text="3,000").count() == 1
    assert first.locator(".sources li").count() >= 4  # every source of the statement
    _shot(page, "factcheck-changed-number")
    page.locator("#fc-text").fill("North Korea moved at least 3,000 soldiers into eastern Russia")
    page.get_by_role("button", name="Check").click()
    page.wait_for_url(re.compile(r"3%2C000"))
    assert page.locator(".verdict-panel .verdict").inner_text().startswith("On record")
    _shot(page, "factcheck-on-record", phone=False)


def test_article_page_highlights_the_seed_quotes(page: Any, servers: dict[str, Any]) -> None:
    client = servers["app"].test_client()
    article = client.get("/v1/quotes?speaker=Kirby&q=3,000").get_json()["items"][0]["article"]
    stored = client.get(f"/v1/articles/{article['id']}/quotes?limit=100").get_json()["items"]
    page.goto(f"{servers['url']}/articles/{article['id']}")
    marks = page.locator(".article-text .q")
    assert page.locator(".article-text [id^='q-']").count() == len(stored) > 5
    # a quote is cut into pieces where a cue or mention (its own or another quote's) starts
    shown = "".join(marks.all_inner_texts())
    for quote in stored:
        assert quote["text"][:40] in shown, quote["text"]
    kirby = page.locator(".article-text a.q[title^='John Kirby']")
    classes = {c for c in kirby.evaluate_all("els => els.map(e => e.classList[1])")}
    assert len(classes) == 1  # one colour per speaker
    others = page.locator(".article-text a.q:not([title^='John Kirby'])")
    assert classes.isdisjoint(others.evaluate_all("els => els.map(e => e.classList[1])"))
    assert page.locator(".article-text .cue").count() > 0
    assert page.locator(".article-text .mention").count() > 0
    href = kirby.first.get_attribute("href")
    assert href and re.fullmatch(r"/speakers/\d+", href)
    _shot(page, "article")


def test_embed_highlights_quotes_on_a_page_from_another_origin(page: Any, servers: dict[str, Any]) -> None:
    assert servers["host"] != servers["url"]
    page.goto(servers["host"] + "/")
    page.wait_for_selector("#story[data-qe-state='done']")
    marks = page.locator("#story mark.qe-quote")
    assert marks.count() >= 10
    assert int(page.get_attribute("#story", "data-qe-count") or 0) >= 10
    # one namespace, no other global; the host's own styles are untouched
    added = page.evaluate("Object.keys(window).filter(k => !window.__before.includes(k) && k !== '__before')")
    assert added == ["QuoteEmbed"]
    assert page.evaluate("getComputedStyle(document.querySelector('.note')).color") == "rgb(1, 2, 3)"
    selectors = page.evaluate(
        "Array.from(document.getElementById('qe-style').sheet.cssRules).map(r => r.selectorText)"
    )
    assert selectors and all(part.strip().startswith(".qe-") for s in selectors for part in s.split(","))
    # the tooltip: speaker, type, cue; then the optional on-record check through /v1/verify
    kirby = page.locator("#story mark.qe-quote[data-qe-speaker='John Kirby'][tabindex='0']").filter(
        has_text=TROOPS
    )
    kirby.focus()
    tip = page.locator("#qe-tip")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert "John Kirby" in text and "Type: direct" in text and "Cue: stated" in text
    assert page.locator("#story mark.qe-cue").count() >= 10
    assert page.locator("#story mark.qe-mention").count() >= 5
    _shot(page, "embed-tooltip", phone=False)
    tip.get_by_role("button", name="On record?").click()
    page.wait_for_selector("#story mark.qe-quote[data-qe-verdict]")
    assert page.locator("#qe-tip .qe-verdict").inner_text().startswith("On record")
    _shot(page, "embed-verified", phone=False)


def test_keyboard_only_navigation_through_search(page: Any, servers: dict[str, Any]) -> None:
    page.goto(servers["url"] + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("Kirby")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?q=Kirby"))
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "John Kirby":
            break
    focused = page.evaluate(
        "[document.activeElement.tagName, getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == ["A", "solid"]  # a visible focus ring
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/speakers/\d+$"))
    # "/" jumps to the search box from anywhere on the page
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "header-q"


def test_add_article_in_the_browser(page: Any, servers: dict[str, Any]) -> None:
    page.goto(servers["url"] + "/articles/new")
    text = '"We will not send troops," the minister, Jane Doe, told reporters on Monday.'
    page.get_by_label("Article text or HTML").fill(text)
    page.get_by_label("Outlet").fill("Browser Wire")
    page.get_by_role("button", name="Extract and store").click()
    assert page.locator("#a-api_key").evaluate("e => e.validity.valueMissing")  # required: not sent
    page.get_by_label("API key").fill("not-the-key")
    page.get_by_role("button", name="Extract and store").click()
    assert page.locator("#e-api_key").inner_text() == "This API key is not valid."
    _shot(page, "add-article-error", phone=False)
    page.get_by_label("API key").fill(KEY)
    page.get_by_role("button", name="Extract and store").click()
    page.wait_for_url(re.compile(r"/articles/\d+\?added=added"))
    assert "1 quote found" in page.locator(".notice").inner_text()
    assert page.locator(".article-text .q").first.inner_text().startswith("We will not send troops")
    _shot(page, "add-article-done")


def test_api_reference_renders_offline(page: Any, servers: dict[str, Any]) -> None:
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(servers["url"]) else None)
    page.goto(servers["url"] + "/v1/docs/")
    page.wait_for_selector(".opblock-summary-path")
    paths = set(page.locator(".opblock-summary-path").all_inner_texts())
    assert {"/v1/speakers", "/v1/verify", "/v1/articles"} <= {p.strip() for p in paths}
    assert outside == []
    _shot(page, "api-docs", phone=False)


def test_statement_card_in_an_iframe(page: Any, servers: dict[str, Any]) -> None:
    client = servers["app"].test_client()
    kirby = client.get("/v1/speakers?q=Kirby").get_json()["items"][0]
    statements = client.get(f"/v1/speakers/{kirby['id']}/statements?q=3,000").get_json()["items"]
    oembed = client.get(
        f"/oembed?url={servers['url']}/statements/{statements[0]['id']}", base_url=servers["url"]
    ).get_json()
    assert oembed["html"].startswith(f'<iframe src="{servers["url"]}/embed/statements/')
    page.goto(servers["host"] + "/")
    page.evaluate("html => document.body.insertAdjacentHTML('beforeend', html)", oembed["html"])
    frame = page.frame_locator("iframe")
    assert "Reported by 4 outlets" in frame.locator(".count").inner_text()
    page.locator("iframe").scroll_into_view_if_needed()
    _shot(page, "embed-card", phone=False)
