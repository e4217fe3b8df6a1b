"""The command line on HTML input: `extract` and `ingest` with files, JSON lines and directories."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select

from models import Article
from service.cli import cli
from tests.api.conftest import FakeExtractor
from tests.api.test_writes import HTML_PAGE
from tests.fixtures.html_pages import HTML_DIR


class FakeBatchExtractor(FakeExtractor):
    def extract_many(
        self, texts: Iterable[str], batch_size: int = 16, n_process: int = 1
    ) -> Iterator[list[Any]]:
        for text in texts:
            yield self.extract(text)


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("service.nlp.pipeline.get_extractor", lambda: FakeBatchExtractor())


def _lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_extract_html_file_gives_text_and_metadata(tmp_path: Path) -> None:
    page = tmp_path / "harbour.html"
    page.write_text(HTML_PAGE, encoding="utf-8")
    plain = tmp_path / "plain.txt"
    plain.write_text('"Plain," he said.', encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(page), str(plain)])
    assert result.exit_code == 0, result.output
    html_line, text_line = _lines(result.output)
    assert html_line["id"] == "harbour.html"
    q = html_line["quotes"][0]
    assert html_line["text"][q["start"] : q["end"]] == q["text"] == "We are open for business again,"
    assert html_line["metadata"]["author"] == "Ruth Okafor"
    assert html_line["metadata"]["published_at"] == "2024-05-07"
    assert set(text_line) == {"id", "quotes"}  # unconverted text: offsets into the file as given


def test_extract_jsonl_stdin_detects_or_takes_the_format() -> None:
    stdin = "".join(
        json.dumps(rec) + "\n"
        for rec in (
            {"id": "page", "text": HTML_PAGE},
            {"id": "declared", "text": HTML_PAGE, "format": "text"},
            {"id": "plain", "text": '"Hello," she said.'},
        )
    )
    result = CliRunner().invoke(cli, ["extract", "--jsonl"], input=stdin)
    assert result.exit_code == 0, result.output
    page, declared, plain = _lines(result.output)
    assert page["text"].startswith("The harbour reopened") and "metadata" in page
    assert "text" not in declared and "metadata" not in declared
    assert "text" not in plain and plain["quotes"][0]["start"] == 1
    bad = CliRunner().invoke(cli, ["extract", "--jsonl"], input='{"id": 1, "text": "x", "format": "pdf"}\n')
    assert bad.exit_code != 0 and "format" in bad.output


def test_extract_directory_and_jsonl_file(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(HTML_PAGE, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "b1", "text": HTML_PAGE}) + "\n", encoding="utf-8")
    (tmp_path / "ignored.png").write_bytes(b"\x89PNG")
    result = CliRunner().invoke(cli, ["extract", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = _lines(result.output)
    assert [x["id"] for x in lines] == ["a.html", "b1"]
    assert all(x["text"].startswith("The harbour reopened") for x in lines)


def test_extract_fixture_pages() -> None:
    result = CliRunner().invoke(cli, ["extract", str(HTML_DIR)])
    assert result.exit_code == 0, result.output
    by_id = {x["id"]: x for x in _lines(result.output)}
    assert set(by_id) == {"entities_captions.html", "jsonld_body.html", "letters.html", "wire_story.html"}
    for line in by_id.values():
        assert "schema.org" not in line["text"] and "&" not in line["text"].replace("R&D", "")
    assert by_id["jsonld_body.html"]["metadata"]["outlet"] == "The Valley Ledger"


def test_ingest_html_stores_page_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "harbour.html").write_text(HTML_PAGE, encoding="utf-8")
    rec = {"id": "j1", "text": HTML_PAGE.replace("Harbour reopens", "Pier closes"), "outlet": "Given Outlet"}
    (tmp_path / "in" / "more.jsonl").write_text(json.dumps(rec) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", "-q", str(tmp_path / "in")])
    assert result.exit_code == 0, result.output
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = {r.external_id: r for r in conn.execute(select(Article))}
    engine.dispose()
    page = rows["harbour.html"]
    assert page.headline == "Harbour reopens" and page.author == "Ruth Okafor"
    assert str(page.published_at) == "2024-05-07" and page.text.startswith("The harbour reopened")
    assert page.url == "https://coasttimes.example/2024/05/07/harbour-reopens"
    # the JSON line's own outlet wins; the same canonical URL makes it a duplicate of the page
    assert "j1" not in rows
    assert "1 added, 1 unchanged" in result.output
