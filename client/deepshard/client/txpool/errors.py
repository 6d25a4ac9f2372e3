"""Errors of the transaction pool, with the JSON-RPC errors a Substrate node answers.

Introduction
------------
The pool refuses a transaction for two kinds of reasons:

* the runtime refused it: the validator raises `TransactionRejected` (`TransactionInvalid`,
  JSON-RPC 1010, or `TransactionUnknown`, 1011) and the pool lets it through unchanged, as the
  `PoolView` contract says;
* the pool itself refused it: a `PoolError` subclass (1012 and up), one per
  ``sc_transaction_pool_api::error::Error`` variant.

Each `PoolError` carries the JSON-RPC ``code``, ``message`` and ``data`` that
``sc_rpc_api::author::error`` produces for its variant (``From<Error> for ErrorObjectOwned``),
word for word. `rpc_error_of` maps either kind to ``(code, message, data)``.

Codes (``BASE_ERROR = 1000``): 1010 invalid, 1011 unknown validity, 1012 temporarily banned,
1013 already imported, 1014 priority too low, 1015 cycle detected, 1016 immediately dropped,
(1017 is unused), 1018 unactionable, 1019 no tags provided, 1020 invalid block id, 1021 future
transactions rejected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from deepshard.primitives.transaction_validity import TransactionRejected, rpc_error

__all__ = [
    "PoolError",
    "TemporarilyBanned",
    "AlreadyImported",
    "TooLowPriority",
    "CycleDetected",
    "ImmediatelyDropped",
    "Unactionable",
    "NoTagsProvided",
    "InvalidBlockId",
    "RejectedFutureTransaction",
    "rpc_error_of",
]


class PoolError(Exception):
    """The pool refused a transaction; ``code``, ``message`` and ``data`` are the RPC error."""

    CODE: ClassVar[int]
    """The JSON-RPC error code."""
    MESSAGE: ClassVar[str]
    """The JSON-RPC error message."""
    DATA: ClassVar[str | None] = None
    """The JSON-RPC error data (None: the error has no ``data``)."""

    def __init__(self) -> None:
        super().__init__(self.message if self.data is None else f"{self.message}: {self.data}")

    @property
    def code(self) -> int:
        """The JSON-RPC error code."""
        return self.CODE

    @property
    def message(self) -> str:
        """The JSON-RPC error message."""
        return self.MESSAGE

    @property
    def data(self) -> str | None:
        """The JSON-RPC error data, or None."""
        return self.DATA

    def rpc_error(self) -> tuple[int, str, str | None]:
        """Return ``(code, message, data)`` as Substrate's author RPC answers."""
        return self.code, self.message, self.data


class TemporarilyBanned(PoolError):
    """The transaction was recently removed (included, invalid, dropped) and is banned a while."""

    CODE = 1012
    MESSAGE = "Transaction is temporarily banned"


class AlreadyImported(PoolError):
    """A transaction with the same hash is already in the pool.

    Substrate's data is the ``Debug`` form of a ``Box<dyn Any>``, which is literally
    ``Any { .. }``; `hash` keeps the hash for Python callers.
    """

    CODE = 1013
    MESSAGE = "Transaction Already Imported"
    DATA = "Any { .. }"

    def __init__(self, tx_hash: bytes = b"") -> None:
        self.hash = tx_hash
        """The hash of the transaction already in the pool."""
        super().__init__()


class TooLowPriority(PoolError):
    """The transaction provides a tag of transactions whose total priority is not lower."""

    CODE = 1014
    DATA = (
        "The transaction has too low priority to replace another transaction already in the pool."
    )

    def __init__(self, old: int, new: int) -> None:
        self.old = old
        """Total priority of the transactions it would replace."""
        self.new = new
        """Priority of the incoming transaction."""
        super().__init__()

    @property
    def message(self) -> str:
        """``Priority is too low: (old vs new)``."""
        return f"Priority is too low: ({self.old} vs {self.new})"


class CycleDetected(PoolError):
    """Importing the transaction would make a dependency cycle."""

    CODE = 1015
    MESSAGE = "Cycle Detected"

    def __init__(self, discarded: Sequence[Any] = ()) -> None:
        self.discarded = tuple(discarded)
        """Other transactions the failed import pushed out of the pool (for their watchers)."""
        super().__init__()


class ImmediatelyDropped(PoolError):
    """The transaction entered the pool but was the first to go when enforcing the limits."""

    CODE = 1016
    MESSAGE = "Immediately Dropped"
    DATA = "The transaction couldn't enter the pool because of the limit"


class Unactionable(PoolError):
    """The transaction must not be propagated and this node does not author blocks."""

    CODE = 1018
    MESSAGE = "Unactionable"
    DATA = (
        "The transaction is unactionable since it is not propagable and the local node does not "
        "author blocks"
    )


class NoTagsProvided(PoolError):
    """Validation answered no ``provides`` tag, so the pool cannot identify the transaction."""

    CODE = 1019
    MESSAGE = "No tags provided"
    DATA = "Transaction does not provide any tags, so the pool can't identify it"


class InvalidBlockId(PoolError):
    """The block the pool was asked to work at is unknown."""

    CODE = 1020
    MESSAGE = "The provided block ID is not valid"


class RejectedFutureTransaction(PoolError):
    """The pool is configured to refuse transactions that would go to the future queue."""

    CODE = 1021
    MESSAGE = "The pool is not accepting future transactions"


def rpc_error_of(error: PoolError | TransactionRejected) -> tuple[int, str, str | None]:
    """Return the JSON-RPC ``(code, message, data)`` for a `submit` failure of either kind."""
    if isinstance(error, PoolError):
        return error.rpc_error()
    return rpc_error(error.error)
