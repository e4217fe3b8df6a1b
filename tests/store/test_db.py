"""Database URL handling and schema upgrades (service.db)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from service.db import (
    DEFAULT_SQLITE_PATH,
    SQLITE_CACHE_KIB,
    SQLITE_MMAP_BYTES,
    database_url,
    lock_key,
    make_engine,
    upgrade_db,
)


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


def test_sqlite_connections_map_the_file_and_keep_a_page_cache(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == SQLITE_MMAP_BYTES
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -SQLITE_CACHE_KIB
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


def test_migration_fills_unit_stems_and_covering_band_indexes(tmp_path: Path) -> None:
    from alembic import command

    from service.db import alembic_config
    from service.variants.similarity import features, pack_stems

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0009")
        for sql in (
            "INSERT INTO articles (id, external_id, text, content_hash, created_at) "
            "VALUES (1, 'a', 'x', 'h', 0)",
            'INSERT INTO quotes (id, article_id, start, "end", text, type, created_at) '
            "VALUES (1, 1, 0, 1, 'x', 'direct', 0)",
            'INSERT INTO occurrences (id, quote_id, article_id, start, "end", text, type, created_at) '
            "VALUES (1, 1, 1, 0, 1, 'North Korea sent 3,000 troops.', 'direct', 0)",
        ):
            conn.exec_driver_sql(sql)
    upgrade_db(engine)
    with engine.connect() as conn:
        stems = conn.exec_driver_sql("SELECT stems FROM occurrences").scalar_one()
    assert stems == pack_stems(features("North Korea sent 3,000 troops.").stems)
    indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("occurrence_bands")}
    assert indexes["ix_occurrence_bands_band"] == ["band", "speaker_id", "occurrence_id"]
    engine.dispose()


def test_migration_turns_groups_into_descriptions_and_short_keys_into_null(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from service.db import alembic_config, migration_connection

    engine = make_engine(db_url)
    cfg = alembic_config()
    with migration_connection(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
        conn.execute(
            text(
                "INSERT INTO speakers (id, name, key, kind, unit_count, created_at) VALUES "
                "(1, 'Researchers', 'researchers', 'group', 0, CURRENT_TIMESTAMP), "
                "(2, 'Kirby', '~kirby', 'person', 0, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO articles (id, external_id, text, content_hash, created_at) "
                "VALUES (1, 'a', 'x', 'h', CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                'INSERT INTO quotes (id, article_id, start, "end", text, type, speaker_id, created_at) '
                "VALUES (1, 1, 0, 1, 'x', 'direct', 1, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO speaker_aliases (speaker_id, alias, key, kind, created_at) "
                "VALUES (2, 'Kirby', 'kirby', 'surname', CURRENT_TIMESTAMP)"
            )
        )
        conn.commit()
    upgrade_db(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT kind, key FROM speakers ORDER BY id")).all() == [
            ("description", "researchers"),
            ("person", None),
        ]
        assert conn.execute(text("SELECT speaker_kind FROM quotes")).scalar() == "description"
        assert conn.execute(text("SELECT count(*) FROM speaker_aliases")).scalar() == 1  # nothing cascaded
    with migration_connection(engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
        conn.commit()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT kind, key FROM speakers ORDER BY id")).all()
    assert rows[0] == ("group", "researchers") and rows[1][1] is not None
    engine.dispose()
