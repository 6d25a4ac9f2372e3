"""Opening the LMDB environment: directory lock, sync settings, sub-databases, schema check.

`open_environment` is the only place the environment is configured. ``sync`` and
``metasync`` are on, so a commit has reached the disk when it returns; the reader table is
cleaned of slots left by killed processes; the sub-databases are opened (created on first
use) and the schema version and pruning mode are checked, all in one write transaction that
is aborted if anything is refused, so a refused directory is left untouched.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import lmdb

from deepshard.client.db.blocks import ChainTxn, Tables
from deepshard.client.db.errors import (
    DatabaseError,
    DatabaseLocked,
    PruningModeMismatch,
    SchemaMismatch,
)
from deepshard.client.db.schema import (
    META_ARCHIVE,
    META_SCHEMA,
    SCHEMA_VERSION,
    SUB_DATABASES,
    pack_u32,
    unpack_u32,
)

__all__ = ["LOCK_FILE", "Environment", "open_environment"]

LOCK_FILE: Final = "deepshard.lock"
"""Name of the directory lock file (held with ``flock`` while the database is open)."""


@dataclass(frozen=True, slots=True)
class Environment:
    """An open LMDB environment, its sub-databases and the directory lock."""

    env: Any
    """The ``lmdb.Environment``."""
    tables: Tables
    """The sub-database handles."""
    lock_fd: int
    """The locked lock file's descriptor (closing it releases the lock)."""

    def close(self) -> None:
        """Close the environment, then release the directory lock."""
        try:
            self.env.close()
        finally:
            os.close(self.lock_fd)


def open_environment(path: Path, *, archive: bool, map_size: int, max_readers: int) -> Environment:
    """Lock `path`, open (or create) the chain database in it, and check it.

    Raises:
        DatabaseLocked: another `ChainDatabase` holds the directory.
        SchemaMismatch: another schema version, or not a chain database.
        PruningModeMismatch: created archive and opened pruned, or the other way round.
        DatabaseError: LMDB refused to open the directory.
    """
    path.mkdir(parents=True, exist_ok=True)
    lock_fd = _lock_directory(path)
    env: Any = None
    try:
        try:
            env = lmdb.open(
                str(path),
                map_size=map_size,
                max_dbs=len(SUB_DATABASES) + 1,
                max_readers=max_readers,
                sync=True,
                metasync=True,
                lock=True,
                subdir=True,
            )
        except lmdb.InvalidError as exc:
            raise SchemaMismatch(f"{path} holds a file that is not an LMDB database") from exc
        except lmdb.Error as exc:
            raise DatabaseError(f"cannot open the chain database at {path}: {exc}") from exc
        # Readers of a killed process leave stale slots; clear them before any use.
        env.reader_check()
        tables = _open_tables(env, path, archive)
    except BaseException:
        if env is not None:
            env.close()
        os.close(lock_fd)
        raise
    return Environment(env, tables, lock_fd)


def _open_tables(env: Any, path: Path, archive: bool) -> Tables:
    with env.begin(write=True) as txn:
        names = [key.decode("latin-1") for key in txn.cursor().iternext(keys=True, values=False)]
        if any(name not in SUB_DATABASES for name in names):
            raise SchemaMismatch(f"{path} holds an LMDB environment that is not a chain database")
        try:
            handles = {
                name: env.open_db(name.encode(), txn=txn, create=True) for name in SUB_DATABASES
            }
        except lmdb.Error as exc:
            raise SchemaMismatch(f"{path} is not a chain database: {exc}") from exc
        tables = Tables(**handles)
        chain = ChainTxn(txn, tables)
        schema = chain.meta(META_SCHEMA)
        mode = b"\x01" if archive else b"\x00"
        if schema is None:
            chain.put_meta(META_SCHEMA, pack_u32(SCHEMA_VERSION))
            chain.put_meta(META_ARCHIVE, mode)
        elif unpack_u32(schema) != SCHEMA_VERSION:
            raise SchemaMismatch(
                f"{path} holds a chain database of schema version {unpack_u32(schema)}; this "
                f"node reads version {SCHEMA_VERSION} (re-sync into a new directory, or use a "
                "matching node version)"
            )
        elif chain.meta(META_ARCHIVE) != mode:
            stored, wanted = ("a pruned", "as an archive") if archive else ("an archive", "pruned")
            raise PruningModeMismatch(
                f"{path} holds {stored} database; it cannot be opened {wanted} "
                "(use a new base path to change the pruning mode)"
            )
    return tables


def _lock_directory(path: Path) -> int:
    fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        raise DatabaseLocked(f"the chain database at {path} is open in another process") from exc
    return fd
