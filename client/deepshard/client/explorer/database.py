"""Database engines for the explorer and schema migrations (Alembic).

A URL is any SQLAlchemy URL: ``sqlite:///explorer.db`` (the default: embedded, one file) or
``postgresql+psycopg://user@host/db`` for real deployments. `upgrade` brings a database to the
newest schema and is what both ``index`` and ``serve`` run first, so an old database is migrated
in place and a new one is created. Two processes that start together (an indexer and a server on
a fresh database, as a devnet or a compose file starts them) migrate one after the other: each
takes the database's write lock (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory lock) before
it reads the schema revision.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

__all__ = [
    "DEFAULT_URL",
    "DatabaseError",
    "open_engine",
    "upgrade",
    "downgrade",
    "current_revision",
    "head",
]

DEFAULT_URL: Final = "sqlite:///explorer.db"
"""Where ``deepshard explorer`` keeps its index unless told otherwise."""

_MIGRATIONS: Final = Path(__file__).with_name("migrations")
_SQLITE_BUSY_TIMEOUT: Final = 60.0
"""Seconds a SQLite connection waits for another process's write lock before it fails."""
_MIGRATION_LOCK: Final = 0x6465_6570_7368_6172  # "deepshar": the advisory lock's key


class DatabaseError(Exception):
    """The database URL is malformed or names an engine the explorer does not support."""


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def open_engine(url: str) -> Engine:
    """Return an engine for `url` (SQLite gets foreign keys, WAL and ``synchronous=NORMAL``).

    Raises:
        DatabaseError: `url` is not a SQLAlchemy URL of SQLite or PostgreSQL.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"{url!r} is not a database URL ({exc})") from exc
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseError(f"unsupported database {backend!r}: use sqlite:// or postgresql://")
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": _SQLITE_BUSY_TIMEOUT})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(parsed)
    return engine


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def head() -> str:
    """Return the newest schema revision."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def current_revision(engine: Engine) -> str | None:
    """Return the schema revision of the database behind `engine` (None if empty)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _lock_for_migration(connection: Connection) -> None:
    """Hold the database's migration lock until `connection`'s transaction ends."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind `engine` to `revision` (the newest by default).

    Concurrent calls on one database are serialised: the second finds the schema migrated.
    """
    config = _config()
    with engine.begin() as connection:
        _lock_for_migration(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Migrate the database behind `engine` back to `revision` (``base``: drop every table)."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
