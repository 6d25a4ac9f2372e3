"""The storage overlay: pending changes over a backend, in nested transactional layers.

Introduction
------------
Every write of the runtime lands in an `Overlay`, never directly in the backend (the trie).
Layers nest: `start_transaction` opens one, `commit_transaction` folds it into the layer
below, `rollback_transaction` undoes every write made since it was opened. The executive opens
a layer around each dispatched call, so a failed call leaves no partial write (FRAME's
`#[transactional]`, EELS's `begin_transaction`/`rollback_transaction`).

Reads stay O(1) however deep the nesting: the overlay keeps one flat change map plus, per layer,
an undo journal of the values that layer overwrote (the first time it touched each key). The
backend is the parent block's state and never changes under the overlay, so each backend value
is read once and remembered (a trie lookup costs a walk from the root).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final, Protocol

__all__ = ["StateBackend", "MemoryBackend", "Overlay", "TransactionDepthError"]

_ABSENT: Final = object()
"""Journal marker: the key had no pending change before this layer touched it."""

MAX_TRANSACTION_DEPTH: Final = 255
"""Nesting limit of transactional layers, as FRAME's `TRANSACTIONAL_LIMIT`."""


class TransactionDepthError(RuntimeError):
    """Transactional layers were nested too deep, or closed when none was open."""


class StateBackend(Protocol):
    """Read access to committed state: the trie at the parent block's state root."""

    def get(self, key: bytes) -> bytes | None:
        """Return the value at `key`, or None."""
        ...

    def iter_keys(self, prefix: bytes, start_after: bytes | None = None) -> Iterator[bytes]:
        """Yield keys starting with `prefix` in ascending order, after `start_after` if given."""
        ...


class MemoryBackend:
    """A `StateBackend` over a plain mapping (tests and genesis building)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[bytes, bytes] | None = None) -> None:
        self._data = dict(data or {})

    def get(self, key: bytes) -> bytes | None:
        """Return the value at `key`, or None."""
        return self._data.get(key)

    def iter_keys(self, prefix: bytes, start_after: bytes | None = None) -> Iterator[bytes]:
        """Yield keys starting with `prefix` in ascending order, after `start_after` if given."""
        for key in sorted(self._data):
            if key.startswith(prefix) and (start_after is None or key > start_after):
                yield key


class Overlay:
    """Pending storage changes (value bytes, or None for a deletion) over a `StateBackend`."""

    __slots__ = ("_backend", "_changes", "_journals", "_read_cache")

    def __init__(self, backend: StateBackend) -> None:
        self._backend = backend
        self._changes: dict[bytes, bytes | None] = {}
        self._journals: list[dict[bytes, object]] = []
        self._read_cache: dict[bytes, bytes | None] = {}

    # --- reads -----------------------------------------------------------------------------

    def get(self, key: bytes) -> bytes | None:
        """Return the current value at `key`: the pending change if any, else the backend's."""
        change = self._changes.get(key, _ABSENT)
        if change is not _ABSENT:
            return change  # type: ignore[return-value]
        cache = self._read_cache
        if key in cache:
            return cache[key]
        value = cache[key] = self._backend.get(key)
        return value

    def contains(self, key: bytes) -> bool:
        """Whether `key` currently has a value."""
        return self.get(key) is not None

    def iter_keys(self, prefix: bytes, start_after: bytes | None = None) -> Iterator[bytes]:
        """Yield current keys starting with `prefix` in ascending order (pending changes merged).

        The pending keys are snapshotted when iteration starts; writing while iterating is
        allowed and does not disturb the iteration.
        """
        pending = sorted(
            (key, value)
            for key, value in self._changes.items()
            if key.startswith(prefix) and (start_after is None or key > start_after)
        )
        backend = self._backend.iter_keys(prefix, start_after)
        next_backend = next(backend, None)
        index = 0
        while True:
            if index < len(pending):
                key, value = pending[index]
                if next_backend is None or key <= next_backend:
                    index += 1
                    if next_backend == key:
                        next_backend = next(backend, None)
                    if value is not None:
                        yield key
                    continue
            if next_backend is None:
                return
            yield next_backend
            next_backend = next(backend, None)

    # --- writes ----------------------------------------------------------------------------

    def _record(self, key: bytes) -> None:
        journal = self._journals[-1]
        if key not in journal:
            journal[key] = self._changes.get(key, _ABSENT)

    def set(self, key: bytes, value: bytes) -> None:
        """Write `value` at `key`."""
        if self._journals:
            self._record(key)
        self._changes[key] = value

    def delete(self, key: bytes) -> None:
        """Delete `key` (a no-op if it has no value)."""
        if self._journals:
            self._record(key)
        self._changes[key] = None

    def clear_prefix(self, prefix: bytes, limit: int | None = None) -> int:
        """Delete up to `limit` keys starting with `prefix`; return how many were deleted."""
        keys: list[bytes] = []
        for key in self.iter_keys(prefix):
            if limit is not None and len(keys) >= limit:
                break
            keys.append(key)
        for key in keys:
            self.delete(key)
        return len(keys)

    # --- transactional layers --------------------------------------------------------------

    @property
    def transaction_depth(self) -> int:
        """How many transactional layers are open."""
        return len(self._journals)

    def start_transaction(self) -> None:
        """Open a transactional layer.

        Raises:
            TransactionDepthError: `MAX_TRANSACTION_DEPTH` layers are already open.
        """
        if len(self._journals) >= MAX_TRANSACTION_DEPTH:
            raise TransactionDepthError("too many nested transactional layers")
        self._journals.append({})

    def commit_transaction(self) -> None:
        """Keep the writes of the innermost layer, folding them into the layer below.

        Raises:
            TransactionDepthError: no layer is open.
        """
        if not self._journals:
            raise TransactionDepthError("commit without an open transactional layer")
        journal = self._journals.pop()
        if self._journals:
            outer = self._journals[-1]
            for key, previous in journal.items():
                if key not in outer:
                    outer[key] = previous

    def rollback_transaction(self) -> None:
        """Undo every write made since the innermost layer was opened, and close it.

        Raises:
            TransactionDepthError: no layer is open.
        """
        if not self._journals:
            raise TransactionDepthError("rollback without an open transactional layer")
        changes = self._changes
        for key, previous in self._journals.pop().items():
            if previous is _ABSENT:
                del changes[key]
            else:
                changes[key] = previous  # type: ignore[assignment]

    # --- results ---------------------------------------------------------------------------

    def changes(self) -> dict[bytes, bytes | None]:
        """Return a copy of all pending changes (None marks a deletion).

        Raises:
            TransactionDepthError: a transactional layer is still open.
        """
        if self._journals:
            raise TransactionDepthError("cannot take changes while a layer is open")
        return dict(self._changes)

    def rebase(self, backend: StateBackend) -> None:
        """Continue over `backend`, which already holds every pending change: forget them.

        The benchmarking step uses it to start a measured action from stored state, as FRAME
        commits a benchmark's setup to the database before measuring.

        Raises:
            TransactionDepthError: a transactional layer is still open.
        """
        if self._journals:
            raise TransactionDepthError("cannot rebase while a layer is open")
        self._backend = backend
        self._changes = {}
        self._read_cache = {}
