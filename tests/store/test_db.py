"""Database URL handling and schema upgrades (service.db)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from service.db import DEFAULT_SQLITE_PATH, database_url, lock_key, make_engine, upgrade_db


def test_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url() == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    assert DEFAULT_SQLITE_PATH.parent.is_dir()
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h:5432/db")
    assert database_url() == "postgresql+psycopg://u@h:5432/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite://") == "sqlite://"


def test_upgrade_is_idempotent_and_in_memory_works(tmp_path: Path) -> None:
    for url in (f"sqlite:///{tmp_path / 'a.db'}", "sqlite://"):
        engine = make_engine(url)
        upgrade_db(engine)
        upgrade_db(engine)
        tables = set(inspect(engine).get_table_names())
        assert {"articles", "speakers", "speaker_aliases", "quotes", "occurrences", "statements"} <= tables
        engine.dispose()


def test_lock_key_is_stable_signed_64_bit() -> None:
    k = lock_key("speaker", "kim jong un")
    assert k == lock_key("speaker", "kim jong un") != lock_key("speaker", "kim yo jong")
    assert -(2**63) <= k < 2**63


def test_migration_adds_unit_embeddings_and_downgrades(tmp_path: Path) -> None:
    from alembic import command

    from service.db import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade_db(engine)
    assert "embedding" in {c["name"] for c in inspect(engine).get_columns("occurrences")}
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    assert "embedding" not in {c["name"] for c in inspect(engine).get_columns("occurrences")}
    upgrade_db(engine)
    assert "embedding" in {c["name"] for c in inspect(engine).get_columns("occurrences")}
    engine.dispose()
