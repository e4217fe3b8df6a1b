"""Bulk ingest modes (`run_ingest(workers=...)`): one thread, threads, worker processes. They
store the same rows, in input order, and report every article once."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from service.db import make_engine, make_session_factory, upgrade_db
from service.nlp.types import Quote as XQuote
from service.nlp.types import Speaker as XSpeaker
from service.nlp.types import TextSpan
from service.store.articles import ArticleInput
from service.store.export import write_jsonl
from service.store.sources import SEEDS_DIR, SPEAKER_REGISTRY, read_inputs, run_ingest
from service.variants.embeddings import embed, pseudo_embed

SPEAKERS = ["Kim Jong Un", "John Kirby", "Maria Zakharova"]
SAYINGS = [
    "We will send 3,000 soldiers to Russia",
    "The troops are in eastern Russia",
    "South Korea should not support Ukraine",
    "We will send 3,000 soldiers to Russia this month",
]


def article(i: int) -> ArticleInput:
    who = SPEAKERS[i % len(SPEAKERS)]
    said = SAYINGS[i % len(SAYINGS)]
    text = f'{who} said "{said}." It was day {i}.'
    return ArticleInput(f"a{i}", text, outlet=f"Outlet {i % 2}", published_at=None)


def fake_extract(texts: list[str]) -> list[list[XQuote]]:
    out = []
    for t in texts:
        s = t.index('"') + 1
        e = t.index('"', s) - 1  # without the full stop
        who = next(n for n in SPEAKERS if t.startswith(n))
        sp = XSpeaker(who, TextSpan(0, len(who), who), "person")
        out.append([XQuote(s, e, t[s:e], "direct", (), None, sp)])
    return out


def ingest_and_export(tmp_path: Path, name: str, workers: int, articles: list[ArticleInput]) -> tuple:
    engine = make_engine(f"sqlite:///{tmp_path / name}.db")
    upgrade_db(engine)
    factory = make_session_factory(engine, writer=True)
    seen: list[str] = []
    summary = run_ingest(
        articles, factory, extract_many=fake_extract, registry=None, batch_size=3,
        progress=lambda r: seen.append(r.external_id), embed_fn=pseudo_embed, workers=workers,
    )  # fmt: skip
    with factory() as s:
        buf = io.StringIO()
        write_jsonl(s, buf)
    engine.dispose()
    rows = [json.loads(x) for x in buf.getvalue().splitlines()]
    return (summary.added, summary.duplicates), seen, rows


@pytest.mark.forks
@pytest.mark.parametrize("workers", [1, 2])
def test_bulk_modes_store_what_one_thread_stores(tmp_path: Path, workers: int) -> None:
    articles = [article(i) for i in range(10)] + [article(3)]  # the last one repeats a text
    base = ingest_and_export(tmp_path, "base", 0, articles)
    assert base[0] == (10, 1)
    assert sorted(base[1]) == sorted(a.external_id for a in articles)
    assert len(base[2]) == 10 and len({r["statement"]["id"] for r in base[2]}) < 10  # grouped
    got = ingest_and_export(tmp_path, f"w{workers}", workers, articles)
    assert got[0] == base[0]
    assert sorted(got[1]) == sorted(base[1])
    assert got[2] == base[2]


@pytest.mark.forks
def test_bulk_mode_reports_stored_articles_as_duplicates(tmp_path: Path) -> None:
    articles = [article(i) for i in range(5)]
    engine = make_engine(f"sqlite:///{tmp_path / 'again'}.db")
    upgrade_db(engine)
    factory = make_session_factory(engine, writer=True)
    kw = {"extract_many": fake_extract, "registry": None, "embed_fn": pseudo_embed, "batch_size": 2}
    first = run_ingest(articles[:3], factory, workers=1, **kw)  # type: ignore[arg-type]
    second = run_ingest(articles, factory, workers=2, **kw)  # type: ignore[arg-type]
    engine.dispose()
    assert (first.added, first.duplicates) == (3, 0)
    assert (second.added, second.duplicates) == (2, 3)


@pytest.mark.slow
@pytest.mark.forks
def test_seed_articles_stored_by_two_workers_as_by_one(tmp_path: Path) -> None:
    """The real pipeline and embedding model: `ingest --workers 2` (extraction in worker
    processes, storage here) stores the same rows as `--workers 1`."""
    articles = list(read_inputs([SEEDS_DIR]))
    assert len(articles) >= 5

    def export(workers: int) -> list[dict]:
        engine = make_engine(f"sqlite:///{tmp_path / f'seeds{workers}'}.db")
        upgrade_db(engine)
        factory = make_session_factory(engine, writer=True)
        summary = run_ingest(articles, factory, registry=SPEAKER_REGISTRY, batch_size=2, embed_fn=embed,
                             workers=workers)  # fmt: skip
        assert summary.added == len(articles)
        with factory() as s:
            buf = io.StringIO()
            write_jsonl(s, buf)
        engine.dispose()
        return [json.loads(x) for x in buf.getvalue().splitlines()]

    two = export(2)  # first: its workers fork from a server process that loads the model
    one = export(1)
    assert len(one) > 50 and len({r["statement"]["id"] for r in one if r.get("statement")}) > 10
    assert two == one


def test_bulk_batches_hold_at_most_batch_chars_of_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run of long articles is extracted in smaller batches (the parse of a batch sets the peak
    memory); every article is still stored once, in order."""
    import service.store.sources as sources

    monkeypatch.setattr(sources, "BATCH_CHARS", 120)
    seen: list[list[str]] = []

    def recording_extract(texts: list[str]) -> list[list[XQuote]]:
        seen.append(list(texts))
        return fake_extract(texts)

    engine = make_engine(f"sqlite:///{tmp_path / 'q.db'}")
    upgrade_db(engine)
    factory = make_session_factory(engine, writer=True)
    articles = [article(i) for i in range(9)]
    summary = run_ingest(articles, factory, extract_many=recording_extract, registry=None, batch_size=16,
                         embed_fn=pseudo_embed)  # fmt: skip
    assert [r.external_id for r in summary.results] == [a.external_id for a in articles]
    assert all(r.status == "added" for r in summary.results)
    assert len(seen) > 1
    assert all(len(b) == 1 or sum(map(len, b)) <= 120 for b in seen)
    assert [t for b in seen for t in b] == [a.text for a in articles]
    engine.dispose()


def test_the_last_batches_go_to_the_workers_in_small_pieces_in_order() -> None:
    from service.store.bulk import split_tail

    batches = [list(range(i, i + 5)) for i in range(0, 50, 5)]
    pieces = split_tail(batches, workers=2)
    assert [x for p in pieces for x in p] == list(range(50))  # nothing lost, reordered or doubled
    assert pieces[:6] == batches[:6]
    assert all(len(p) <= 2 for p in pieces[6:])
    assert split_tail([[1, 2, 3]], workers=4) == [[1, 2], [3]]
    assert split_tail([], workers=2) == []
