"""Turning ingest inputs (text/HTML files, JSON lines) into `ArticleInput`s, and the bulk ingest run.

- ``.txt`` / ``.html`` files: external id = file name; metadata (outlet, headline, date, URL) from
  the seeds' data file ``seeds/articles.json`` when it has the file name, else from the page.
- ``.jsonl`` files: one ``{"id", "text", "format"?, "url"?, "title"?, "author"?, "outlet"?,
  "published_at"?}`` a line; HTML ``text`` (declared or detected) is converted as for files.
- HTML everywhere: the stored text is the extracted article text; fields the input leaves out
  are taken from the page's metadata (`service.text.html`).
- directories: their ``*.txt``, ``*.html``, ``*.htm`` and ``*.jsonl`` files.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker

from service.db import PROJECT_ROOT
from service.nlp.workers import PRELOAD, extract_batch
from service.parallel import start_server
from service.store.articles import (
    MAX_PUBLISHED,
    MIN_PUBLISHED,
    ArticleInput,
    IngestResult,
    date_in_range,
    find_duplicate,
    parse_date,
)
from service.store.bulk import run_processes, run_threaded
from service.store.ingest import ingest_article
from service.store.speakers import load_registry
from service.text.loader import FORMATS, PreparedInput, prepare_input
from service.variants.embeddings import Embedder, embed

log = logging.getLogger(__name__)

SEEDS_DIR = PROJECT_ROOT / "seeds"
ARTICLES_METADATA = SEEDS_DIR / "articles.json"
SPEAKER_REGISTRY = SEEDS_DIR / "speakers.json"
URL_CHARS = 2000
OUTLET_CHARS = 300
FILE_SUFFIXES = (".txt", ".html", ".htm", ".jsonl")
# A bulk ingest batch holds at most this many characters of text (besides ``batch_size`` articles):
# the parse of a batch sets the process's peak memory, so a run of long articles goes in smaller
# batches.
BATCH_CHARS = 40_000


class InputError(ValueError):
    """An input file that cannot be read as articles."""


def load_metadata(path: Path = ARTICLES_METADATA) -> dict[str, dict[str, Any]]:
    """Article metadata keyed by file name (empty when the file is missing)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    articles = data.get("articles", data) if isinstance(data, dict) else {}
    return {k: v for k, v in articles.items() if isinstance(v, dict)}


def _published_at(value: Any, where: str) -> dt.date | None:
    """The publication date of an input (None when missing or unreadable); InputError when out of range."""
    day = parse_date(value)
    if not date_in_range(day):
        raise InputError(f"{where}: published_at {day} is outside {MIN_PUBLISHED}..{MAX_PUBLISHED}")
    return day


def _from_record(rec: dict[str, Any], where: str) -> ArticleInput:
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(f'{where}: expected an object with a non-empty string "text"')
    ext = rec.get("id")
    if ext is None or str(ext) == "":
        raise InputError(f'{where}: missing "id"')
    fmt = rec.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f'{where}: "format" must be "text" or "html"')
    return article_input(str(ext), prepare_input(text, fmt), rec, where)


def article_input(
    external_id: str, prepared: PreparedInput, given: dict[str, Any], where: str
) -> ArticleInput:
    """An `ArticleInput` from prepared text; ``given`` metadata (title/headline, author, outlet,
    outlet_url, url, published_at) wins over what the page says. InputError when no text is left."""
    if not prepared.text.strip():
        raise InputError(f"{where}: no article text in the {prepared.format} input")
    page = prepared.metadata
    published = _published_at(given.get("published_at"), where)
    if published is None and date_in_range(page.published_at):
        published = page.published_at
    return ArticleInput(
        external_id=external_id,
        text=prepared.text,
        url=given.get("url") or _article_url(page.url),
        headline=given.get("title") or given.get("headline") or page.title,
        author=given.get("author") or page.author,
        outlet=given.get("outlet") or (page.outlet[:OUTLET_CHARS] if page.outlet else None),
        outlet_url=given.get("outlet_url") or None,
        published_at=published,
    )


def _article_url(url: str | None) -> str | None:
    """A page's canonical URL when it names an article: a site's home page (some pages give it
    as their canonical URL) would make every later article of the site a duplicate."""
    if not url or len(url) > URL_CHARS:
        return None
    return url if urlsplit(url).path.strip("/") else None


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to read: the given files, and the article files inside given directories."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.suffix.lower() in FILE_SUFFIXES and f.is_file()))
        else:
            out.append(p)
    return out


def read_inputs(
    paths: Iterable[Path], metadata: dict[str, dict[str, Any]] | None = None
) -> Iterator[ArticleInput]:
    """Articles from files (see module docstring), in order."""
    from service.text.loader import iter_json_lines, read_input_file

    meta = load_metadata() if metadata is None else metadata
    for path in expand_paths(paths):
        if path.suffix.lower() == ".jsonl":
            with path.open(encoding="utf-8") as fh:
                records = iter_json_lines(fh, str(path))
                while True:
                    try:
                        where, rec = next(records)
                    except StopIteration:
                        break
                    except ValueError as exc:
                        raise InputError(str(exc)) from exc
                    yield _from_record(rec, where)
            continue
        prepared = read_input_file(path)
        if not prepared.text.strip():
            log.warning("skipped %s: no article text in the %s", path, prepared.format)
            continue
        yield article_input(path.name, prepared, meta.get(path.name, {}), str(path))


@dataclass
class IngestSummary:
    """Counts of one ingest run."""

    results: list[IngestResult] = field(default_factory=list)

    @property
    def added(self) -> int:
        """Articles stored by this run."""
        return sum(1 for r in self.results if r.status == "added")

    @property
    def duplicates(self) -> int:
        """Articles already stored (same URL or content): nothing changed for them."""
        return sum(1 for r in self.results if r.status == "duplicate")


def run_ingest(
    articles: Iterable[ArticleInput],
    session_factory: sessionmaker[Session],
    *,
    extract_many: Callable[[list[str]], Iterable[list[Any]]] | None = None,
    batch_size: int = 16,
    registry: Path | None = SPEAKER_REGISTRY,
    progress: Callable[[IngestResult], None] | None = None,
    embed_fn: Embedder = embed,
    workers: int = 0,
) -> IngestSummary:
    """Ingest ``articles``: load the speaker registry, skip stored ones before extraction, extract
    the rest in batches and store each article in its own transaction, in input order (unit
    embeddings by ``embed_fn``).

    ``workers``: 0 runs every stage in the calling thread (one request, one job); 1 overlaps
    extraction, embeddings and storage in one process (threads); N > 1 extracts in N worker
    processes (see `service.store.bulk`; with the default extraction they fork from the
    `service.parallel.start_server` process, started here unless the caller started it earlier).
    The stored result is the same."""
    if workers > 1 and extract_many is None:
        start_server([PRELOAD])  # loads the model while the registry and the input are read
    if registry is not None and registry.exists():
        load_registry(session_factory, registry)
    summary = IngestSummary()

    def report(r: IngestResult) -> None:
        summary.results.append(r)
        if progress:
            progress(r)

    batches = _new_batches(articles, session_factory, batch_size, report)
    if workers > 1:
        if extract_many is None:  # forked from the server that loads the model
            work = functools.partial(extract_batch, batch_size=batch_size)
            run_processes(batches, session_factory, work, embed_fn, report, workers, server=True)
        else:
            own = extract_many

            def extract(texts: list[str]) -> list[list[Any]]:
                return list(own(texts))

            run_processes(batches, session_factory, extract, embed_fn, report, workers)
        return summary
    if extract_many is None:
        from service.nlp.pipeline import get_extractor

        extractor = get_extractor()

        def extract_many(texts: list[str]) -> Iterable[list[Any]]:
            return extractor.extract_many(texts, batch_size=batch_size)

    if workers == 1:
        run_threaded(batches, session_factory, extract_many, embed_fn, report)
    else:
        for batch in batches:
            texts = [a.text for a in batch]
            for a, quotes in zip(batch, extract_many(texts), strict=True):
                report(ingest_article(session_factory, a, quotes, embed_fn=embed_fn))
    return summary


def _new_batches(
    articles: Iterable[ArticleInput],
    session_factory: sessionmaker[Session],
    batch_size: int,
    report: Callable[[IngestResult], None],
) -> Iterator[list[ArticleInput]]:
    """Batches of the articles not stored yet (at most ``batch_size`` articles and, unless one article
    is longer, `BATCH_CHARS` characters); the others (stored before, or the same text
    earlier in this input) are reported as duplicates right away."""
    seen: set[str] = set()
    batch: list[ArticleInput] = []
    chars = 0
    for a in articles:
        if a.content_hash in seen:  # the same text twice in one run
            report(IngestResult(a.external_id, "duplicate", None, "same content (earlier in this input)"))
            continue
        seen.add(a.content_hash)
        if batch and chars + len(a.text) > BATCH_CHARS:
            yield from _drop_stored(batch, session_factory, report)
            batch, chars = [], 0
        batch.append(a)
        chars += len(a.text)
        if len(batch) >= batch_size:
            yield from _drop_stored(batch, session_factory, report)
            batch, chars = [], 0
    if batch:
        yield from _drop_stored(batch, session_factory, report)


def _drop_stored(
    batch: list[ArticleInput], session_factory: sessionmaker[Session], report: Callable[[IngestResult], None]
) -> Iterator[list[ArticleInput]]:
    todo: list[ArticleInput] = []
    with session_factory() as s:
        # a read: no SQLite write lock (bulk ingest stores on another thread meanwhile)
        s.connection(execution_options={"sqlite_begin": "DEFERRED"})
        for a in batch:
            dup = find_duplicate(s, a)
            if dup is not None:
                report(IngestResult(a.external_id, "duplicate", dup[0], dup[1]))
            else:
                todo.append(a)
    if todo:
        yield todo
