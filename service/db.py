"""Engine and session creation from ``DATABASE_URL`` and schema upgrades (no Flask).

- ``DATABASE_URL`` unset: an SQLite file ``var/quotes.db`` under the project root.
- ``postgresql://`` / ``postgres://`` URLs use the psycopg 3 driver (``postgresql+psycopg://``).

PostgreSQL connections plan each statement for its values (``plan_cache_mode``). SQLite
connections run in WAL mode with foreign keys on, a busy timeout, the file memory-mapped
and a 32 MiB page cache; a connection whose
execution options carry ``sqlite_begin="IMMEDIATE"`` starts its transactions with
``BEGIN IMMEDIATE`` (the write lock at once), which is how ingest serialises writers on SQLite.
``upgrade_db`` brings the schema to the Alembic head under a lock (PostgreSQL advisory lock, or
a file lock beside the SQLite file) so that several processes may start at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "quotes.db"
# SQLite reads: the file mapped into memory (pages read from the OS's cache without a read()
# call each: a full-text search touches thousands of pages) and a page cache per connection.
SQLITE_MMAP_BYTES = 1 << 30
SQLITE_CACHE_KIB = 32 * 1024
# Arbitrary constant key of the PostgreSQL advisory lock held while migrating.
MIGRATION_LOCK_KEY = 0x51554F54  # "QUOT"


def database_url(url: str | None = None) -> str:
    """The SQLAlchemy URL to use: ``url``, else ``$DATABASE_URL``, else the default SQLite file."""
    url = url or os.environ.get("DATABASE_URL") or ""
    if not url:
        DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{DEFAULT_SQLITE_PATH}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        # Relative SQLite paths are relative to the working directory; make sure the folder exists.
        path = make_url(url).database
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    return url


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (see `database_url`) with our SQLite settings."""
    resolved = database_url(url)
    u = make_url(resolved)
    if u.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(resolved, **kwargs)
        event.listen(engine, "connect", _plan_each_statement)
        return engine
    memory = u.database in (None, "", ":memory:")
    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("timeout", 60)
    connect_args.setdefault("check_same_thread", False)
    if memory:
        kwargs.setdefault("poolclass", StaticPool)
    engine = create_engine(resolved, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (pysqlite's is broken)
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _plan_each_statement(dbapi_conn: Any, _record: Any) -> None:
    """PostgreSQL plans every statement for its own values: psycopg prepares a statement run a
    few times on a connection, and PostgreSQL would then plan it once for any values; a search
    planned for a phrase of common words and run for a rare one (or the reverse) took seconds."""
    with dbapi_conn.cursor() as cur:
        cur.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_conn.commit()


def make_session_factory(engine: Engine, *, writer: bool = False) -> sessionmaker[Session]:
    """A session factory on ``engine``; ``writer=True`` takes SQLite's write lock at BEGIN."""
    bind = engine.execution_options(sqlite_begin="IMMEDIATE") if writer else engine
    return sessionmaker(bind=bind, expire_on_commit=False)


def alembic_config(url: str | None = None) -> Any:
    """The Alembic ``Config`` of this project (``alembic.ini`` at the root)."""
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection to run migrations on. SQLite: foreign keys are off while it is open (a batch
    migration recreates tables that others reference, and dropping the old table would fail or
    cascade), checked with ``PRAGMA foreign_key_check`` and switched on again afterwards."""
    with engine.connect() as conn:
        if engine.dialect.name != "sqlite":
            yield conn
            return
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, or SQLite ignores it
        try:
            yield conn
        finally:
            conn.rollback()
            broken = raw.execute("PRAGMA foreign_key_check").fetchall()
            raw.execute("PRAGMA foreign_keys=ON")
        if broken:
            raise RuntimeError(f"migration left {len(broken)} broken foreign key(s): {broken[:3]}")


def upgrade_db(engine: Engine) -> None:
    """Run Alembic migrations up to head; safe when several processes call it at once."""
    from alembic import command

    cfg = alembic_config()
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
            finally:
                conn.rollback()
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
                conn.commit()
        return
    db_path = engine.url.database
    lock: contextlib.AbstractContextManager[None] = (
        _file_lock(Path(db_path + ".migrate.lock"))
        if db_path and db_path != ":memory:"
        else contextlib.nullcontext()
    )
    with lock, migration_connection(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()


def lock_key(*parts: object) -> int:
    """A signed 64-bit key for ``pg_advisory_xact_lock`` from ``parts``."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def advisory_xact_lock(session: Session, *parts: object) -> None:
    """Take a transaction-scoped lock named by ``parts`` (PostgreSQL; SQLite writers are serial)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key(*parts)})


_ENGINES: dict[str, Engine] = {}


def get_engine(url: str | None = None, *, upgrade: bool = True) -> Engine:
    """The process's engine for ``url`` (created once), with the schema brought up to date."""
    resolved = database_url(url)
    engine = _ENGINES.get(resolved)
    if engine is None:
        engine = make_engine(resolved)
        if upgrade:
            upgrade_db(engine)
        _ENGINES[resolved] = engine
    return engine
