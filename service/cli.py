"""Command-line interface: `python -m service extract|ingest|export|serve`.

Each command imports what it needs lazily so that `--help` stays fast and nothing heavy runs
at import time.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from service.memory import cap_malloc_arenas, keep_freed_heap

if TYPE_CHECKING:
    from service.store.articles import ArticleInput
    from service.text.loader import PreparedInput


@click.group()
def cli() -> None:
    """Quote attribution and speaker tracking for news articles."""
    # Long runs (ingest, extract, worker, serve) allocate from the model runtimes' threads.
    cap_malloc_arenas()


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--jsonl", "jsonl", is_flag=True, help='Read {"id", "text", "format"?} lines on stdin.')
@click.option("--format", "fmt", type=click.Choice(["text", "html"]), help="Input format [detected].")
@click.option("--pretty", is_flag=True, help="Print a readable listing instead of JSON.")
@click.option("--batch-size", default=16, show_default=True, help="Articles parsed per batch.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Processes that extract (sharing one loaded model).")  # fmt: skip
def extract(
    files: tuple[Path, ...], jsonl: bool, fmt: str | None, pretty: bool, batch_size: int, workers: int
) -> None:
    """Extract quotes from FILES or directories (plain text, HTML, JSON lines) or from JSON lines
    on stdin. When the input was converted (HTML), the line carries the ``text`` the offsets
    index into and the page ``metadata``."""
    keep_freed_heap()
    if workers > 1:
        from service.nlp.workers import PRELOAD, extract_batch
        from service.parallel import map_batches, start_server

        start_server([PRELOAD])  # the workers' model loads while the input is read
    if jsonl:
        records = _records(_read_jsonl(sys.stdin), fmt)
    elif files:
        records = _file_records(files, fmt)
    else:
        raise click.UsageError("give FILE arguments or --jsonl with JSON lines on stdin")
    texts = [r.prepared.text for r in records]
    results: Iterable[list[Any]]
    if workers > 1:
        work = functools.partial(extract_batch, batch_size=batch_size)
        batches = [texts[i : i + batch_size] for i in range(0, len(texts), batch_size)]
        results = (qs for chunk in map_batches(work, batches, workers, server=True) for qs in chunk)
    else:
        from service.nlp.pipeline import get_extractor

        results = get_extractor().extract_many(texts, batch_size=batch_size)
    for record, quotes in zip(records, results, strict=True):
        if pretty:
            click.echo(_pretty(record.id, quotes))
        else:
            line: dict[str, Any] = {"id": record.id, "quotes": [q.to_dict() for q in quotes]}
            if record.prepared.converted:
                line["text"] = record.prepared.text
            if record.prepared.format == "html":
                line["metadata"] = record.prepared.metadata.to_dict()
            click.echo(json.dumps(line, ensure_ascii=False))


class _Record(NamedTuple):
    id: str
    prepared: PreparedInput


def _records(raw: list[dict[str, Any]], fmt: str | None) -> list[_Record]:
    from service.text.loader import prepare_input

    out = []
    for n, rec in enumerate(raw, 1):
        rec_fmt = rec.get("format", fmt)
        if rec_fmt is not None and rec_fmt not in ("text", "html"):
            raise click.ClickException(f'stdin:{n}: "format" must be "text" or "html"')
        out.append(_Record(str(rec["id"]), prepare_input(rec["text"], rec_fmt)))
    return out


def _file_records(paths: tuple[Path, ...], fmt: str | None) -> list[_Record]:
    """Records of files: text/HTML files as one article each, ``.jsonl`` files line by line;
    directories contribute their article files."""
    from service.store.sources import expand_paths
    from service.text.loader import iter_json_lines, read_input_file

    out: list[_Record] = []
    for path in expand_paths(paths):
        if path.suffix.lower() != ".jsonl":
            out.append(_Record(path.name, read_input_file(path, fmt)))
            continue
        with path.open(encoding="utf-8") as fh:
            try:
                lines = [
                    {**rec, "id": rec.get("id", where.rsplit(":", 1)[1])}
                    for where, rec in iter_json_lines(fh, str(path))
                    if _has_text(rec, where)
                ]
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
        out.extend(_records(lines, fmt))
    return out


def _has_text(rec: dict[str, Any], where: str) -> bool:
    if not isinstance(rec.get("text"), str):
        raise click.ClickException(f'{where}: expected an object with a string "text"')
    return True


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--batch-size", default=16, show_default=True, help="Articles extracted per batch.")
@click.option("--registry", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Speaker registry JSON [seeds/speakers.json].")  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="Only print the summary.")
@click.option("--queue", "use_queue", is_flag=True,
              help="Enqueue one job per article on the ingest queue (REDIS_URL) for `worker`s.")  # fmt: skip
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Processes that extract (1: one process, stages on threads).")  # fmt: skip
def ingest(
    paths: tuple[Path, ...],
    batch_size: int,
    registry: Path | None,
    quiet: bool,
    use_queue: bool,
    workers: int,
) -> None:
    """Store articles from text/HTML files, JSON-lines files or directories (DATABASE_URL)."""
    keep_freed_heap()
    if workers > 1 and not use_queue:
        from service.nlp.workers import PRELOAD
        from service.parallel import start_server

        start_server([PRELOAD])  # the workers' model loads while this process starts up
    from tqdm import tqdm

    from service.db import get_engine, make_session_factory
    from service.store.articles import IngestResult
    from service.store.sources import SPEAKER_REGISTRY, InputError, expand_paths, read_inputs, run_ingest
    from service.variants.embeddings import get_embedder

    try:
        embed_fn = get_embedder(os.environ.get("QUOTES_EMBEDDINGS"))
        articles = list(read_inputs(paths))
    except (InputError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if use_queue:
        _enqueue(articles, registry or SPEAKER_REGISTRY, quiet)
        return
    factory = make_session_factory(get_engine(), writer=True)
    bar = tqdm(total=len(articles), unit="article", disable=len(articles) < 2 or None, file=sys.stderr)
    lines: list[str] = []

    def report(r: IngestResult) -> None:
        bar.update(1)
        if r.status == "duplicate":
            lines.append(f"{r.external_id}: unchanged, already ingested ({r.reason})")
        else:
            lines.append(
                f"{r.external_id}: added ({r.quotes} quotes, {r.units} units, "
                f"{r.speakers_created} new speakers, {r.statements_created} new statements)"
            )

    summary = run_ingest(articles, factory, batch_size=batch_size, registry=registry or SPEAKER_REGISTRY,
                         progress=report, embed_fn=embed_fn, workers=workers)  # fmt: skip
    bar.close()
    if not quiet:
        for line in lines:
            click.echo(line)
    n_files = len(expand_paths(paths))
    click.echo(
        f"{summary.added} added, {summary.duplicates} unchanged (already ingested) from {n_files} file(s)"
    )


def _enqueue(articles: list[ArticleInput], registry: Path, quiet: bool) -> None:
    """`ingest --queue`: load the speaker registry here, then one job per article."""
    from redis.exceptions import RedisError

    from service.db import get_engine, make_session_factory
    from service.jobs.queue import enqueue_articles, get_queue, redis_url
    from service.store.speakers import load_registry

    if registry.exists():
        load_registry(make_session_factory(get_engine(), writer=True), registry)
    try:
        jobs = enqueue_articles(articles, get_queue())
    except RedisError as exc:
        raise click.ClickException(f"cannot reach Redis at {redis_url()}: {exc}") from exc
    if not quiet:
        for article, job in zip(articles, jobs, strict=True):
            click.echo(f"{article.external_id}: queued as job {job.id}")
    click.echo(f"{len(jobs)} job(s) queued on {redis_url()}")


@cli.command()
@click.option("--queue", "queue_name", help="Queue to work [$QUEUE_NAME, else ingest].")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--name", help="Worker name (default: RQ's, unique).")
@click.option("--extractor", hidden=True, help="module:factory of a stand-in extractor (tests).")
@click.option("--heartbeat", default=10, show_default=True, type=click.IntRange(1),
              help="Seconds between heartbeats while a job runs.")  # fmt: skip
@click.option("--grace", default=20, show_default=True, type=click.IntRange(1),
              help="Seconds past a missed heartbeat until a job is abandoned and retried.")  # fmt: skip
@click.option("--maintenance", default=30, show_default=True, type=click.IntRange(1),
              help="Seconds between cleanups that re-queue abandoned jobs.")  # fmt: skip
@click.option("--worker-ttl", default=60, show_default=True, type=click.IntRange(16),
              help="Seconds a worker's registration lives without a heartbeat.")  # fmt: skip
def worker(
    queue_name: str | None,
    burst: bool,
    name: str | None,
    extractor: str | None,
    heartbeat: int,
    grace: int,
    maintenance: int,
    worker_ttl: int,
) -> None:
    """Run a queue worker: ingest the articles queued by `ingest --queue` and `POST /v1/articles`
    (REDIS_URL, DATABASE_URL). Start one per core; stop with SIGTERM (finishes the current job)."""
    from redis.exceptions import RedisError

    from service.jobs.queue import redis_url
    from service.jobs.worker import run_worker

    try:
        run_worker(
            queue_name=queue_name,
            burst=burst,
            name=name,
            extractor=extractor,
            heartbeat=heartbeat,
            grace=grace,
            maintenance=maintenance,
            worker_ttl=worker_ttl,
            preload=extractor is None,
        )
    except RedisError as exc:
        raise click.ClickException(f"cannot reach Redis at {redis_url()}: {exc}") from exc


@cli.command()
@click.option("--batch-size", default=16, show_default=True, help="Articles extracted per batch.")
def reresolve(batch_size: int) -> None:
    """Re-resolve the speakers of every stored article with the current rules (DATABASE_URL).

    Extracts each article again and moves quotes whose speaker changed, with their statement
    units; nothing stored is lost, and running it again changes nothing.
    """
    from tqdm import tqdm

    from service.db import get_engine, make_session_factory
    from service.store.reresolve import reresolve_all
    from service.variants.embeddings import get_embedder

    try:
        embed_fn = get_embedder(os.environ.get("QUOTES_EMBEDDINGS"))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    factory = make_session_factory(get_engine(), writer=True)
    bar = tqdm(unit="article", file=sys.stderr, disable=None)

    def report(_external_id: str, _moved: int) -> None:
        bar.update(1)

    summary = reresolve_all(factory, batch_size=batch_size, embed_fn=embed_fn, progress=report)
    bar.close()
    click.echo(
        f"{summary.articles} articles re-resolved: {summary.quotes_moved} quotes moved to another speaker "
        f"in {len(summary.changed_articles)} articles, {summary.speakers_created} speakers created, "
        f"{summary.speakers_removed} speakers left without quotes removed"
    )


@cli.command()
@click.option("--jsonl", "fmt", flag_value="jsonl", default=True, help="JSON lines (default).")
@click.option("--csv", "fmt", flag_value="csv", help="CSV with a header row.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Output file [stdout].")
def export(fmt: str, output: Path | None) -> None:
    """Export every grouped unit: article, offsets, text, type, speaker and statement."""
    from service.db import get_engine, make_session_factory
    from service.store.export import write_csv, write_jsonl

    factory = make_session_factory(get_engine())
    write = write_csv if fmt == "csv" else write_jsonl
    with factory() as session:
        if output is None:
            write(session, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as fh:
                write(session, fh)


def _read_jsonl(stream) -> "list[dict]":  # noqa: UP037
    from service.text.loader import iter_json_lines

    out = []
    try:
        for where, rec in iter_json_lines(stream, "stdin"):
            if not isinstance(rec.get("text"), str):
                raise click.ClickException(f'{where}: expected an object with a string "text"')
            rec.setdefault("id", where.rsplit(":", 1)[1])
            out.append(rec)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    return out


def _pretty(article_id: str, quotes: list) -> str:
    lines = [f"== {article_id}: {len(quotes)} quotes"]
    for q in quotes:
        who = q.speaker.name or "(unknown speaker)"
        cue = q.cue.text if q.cue else "-"
        via = f" via {q.via.text}" if q.via else ""
        lines.append(f"[{q.start}:{q.end}] {q.type:<8} {who} ({cue}{via})")
        lines.append(f"    {q.text}")
    return "\n".join(lines)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", type=click.IntRange(min=1), help="Gunicorn sync workers [config WORKERS].")
def serve(host: str, port: int, workers: int | None) -> None:
    """Serve the REST API under gunicorn (sync workers)."""
    from service.api.server import run_gunicorn

    run_gunicorn(host, port, workers)


def main() -> None:
    """Entry point for `python -m service`."""
    cli(prog_name="python -m service")
