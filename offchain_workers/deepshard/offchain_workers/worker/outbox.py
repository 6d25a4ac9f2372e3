"""A worker's memory in SQLite: transactions signed once, resubmitted byte for byte, never twice.

Before a worker submits anything it stores the *signed* extrinsic under a key naming the action
(``vote:12``), committed to disk; only then is it sent. After a crash the same bytes are sent
again: the chain applies one extrinsic (one nonce) at most once, so an action is never applied
twice. When the node refuses the stored bytes (their nonce was used, or their era expired) the
role's own check of chain state decides: already done (mark it), or never applied (forget the
bytes; the next block signs afresh). Other facts a role wants to keep (``kv``) live here too.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Status", "Entry", "Outbox"]


class Status:
    """Where an outbox entry stands."""

    SIGNED = "signed"
    """Signed and stored; maybe submitted, not yet seen in a block."""
    INCLUDED = "included"
    """In a block and successful (or the chain shows the action done)."""
    FAILED = "failed"
    """In a block, and the call failed (not retried)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored transaction."""

    key: str
    """The action it performs."""
    encoded: bytes
    """The signed extrinsic."""
    status: str
    """A `Status` value."""
    block: int | None
    """The block it was included in, once known."""
    error: str | None
    """Why it failed, if it did."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    key TEXT PRIMARY KEY, encoded BLOB NOT NULL, status TEXT NOT NULL,
    block INTEGER, error TEXT
);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Outbox:
    """The SQLite file of one worker (one account, one role)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    def get(self, key: str) -> Entry | None:
        """Return the entry for `key`, if any."""
        row = self._db.execute(
            "SELECT key, encoded, status, block, error FROM outbox WHERE key = ?", (key,)
        ).fetchone()
        return None if row is None else Entry(row[0], bytes(row[1]), row[2], row[3], row[4])

    def pending(self) -> list[Entry]:
        """Return the signed entries not yet seen in a block, oldest key first."""
        rows = self._db.execute(
            "SELECT key FROM outbox WHERE status = ? ORDER BY key", (Status.SIGNED,)
        ).fetchall()
        return [e for (k,) in rows if (e := self.get(k)) is not None]

    def store(self, key: str, encoded: bytes) -> None:
        """Record `encoded` as the signed transaction of `key` (durably, before submitting).

        Raises:
            sqlite3.IntegrityError: `key` already has a transaction.
        """
        self._db.execute(
            "INSERT INTO outbox (key, encoded, status) VALUES (?, ?, ?)",
            (key, encoded, Status.SIGNED),
        )

    def mark(
        self, key: str, status: str, block: int | None = None, error: str | None = None
    ) -> None:
        """Set the outcome of `key`."""
        self._db.execute(
            "UPDATE outbox SET status = ?, block = ?, error = ? WHERE key = ?",
            (status, block, error, key),
        )

    def forget(self, key: str) -> None:
        """Drop the stored bytes of `key` (the node refused them and the chain shows no effect)."""
        self._db.execute("DELETE FROM outbox WHERE key = ? AND status = ?", (key, Status.SIGNED))

    def count(self, status: str) -> int:
        """Return how many entries have `status`."""
        (n,) = self._db.execute(
            "SELECT COUNT(*) FROM outbox WHERE status = ?", (status,)
        ).fetchone()
        return int(n)

    def get_value(self, key: str) -> str | None:
        """Return a stored fact."""
        row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_value(self, key: str, value: str) -> None:
        """Store a fact."""
        self._db.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
