"""The wallet's errors: one root, `WalletError`, each with the exit code scripts can rely on.

Exit codes: 0 success; 1 an unexpected error; 2 a usage error (typer's own); 3 the user
declined; 4 the key or its password; 5 the node (unreachable, or refused the transaction);
6 the chain ran the transaction and it failed (a module error); 7 bad input (amount, address,
file); 8 not enough balance.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "WalletError",
    "Declined",
    "KeyError_",
    "UnknownKey",
    "KeyExists",
    "WrongPassword",
    "KeystoreFormatError",
    "NodeError",
    "TransactionFailed",
    "InvalidInput",
    "InvalidAmount",
    "InvalidAddress",
    "InsufficientBalance",
]


class WalletError(Exception):
    """Root of every error the wallet reports to its user; ``exit_code`` is the process's."""

    exit_code: ClassVar[int] = 1

    def details(self) -> dict[str, Any]:
        """Extra fields for the ``--json`` error object."""
        return {}


class Declined(WalletError):
    """The user answered no at the confirmation (or passed ``--no``)."""

    exit_code = 3


class KeyError_(WalletError):  # noqa: N801 - the builtin name is taken
    """A problem with a key: unknown, duplicate, locked."""

    exit_code = 4


class UnknownKey(KeyError_):
    """No key of that name or address in the keystore."""


class KeyExists(KeyError_):
    """A key of that name is already in the keystore."""


class WrongPassword(KeyError_):
    """The password does not open the key."""


class KeystoreFormatError(KeyError_):
    """A keystore file (or an imported JSON) that is not a polkadot.js v3 key file."""


class NodeError(WalletError):
    """The node could not be reached, or refused the transaction before running it."""

    exit_code = 5


class TransactionFailed(WalletError):
    """The transaction's dispatch failed (a module error, by name).

    Either it was included in a block (its fee paid), or the dry run caught it before it was
    submitted (``block`` and ``index`` are then None).
    """

    exit_code = 6

    def __init__(
        self, message: str, *, error: str, docs: str, block: int | None, index: int | None
    ) -> None:
        """Record the error's name, its documentation and where the transaction landed."""
        super().__init__(message)
        self.error = error
        self.docs = docs
        self.block = block
        self.index = index

    def details(self) -> dict[str, Any]:
        """The module error and the extrinsic's position."""
        return {
            "error": self.error,
            "docs": self.docs,
            "submitted": self.block is not None,
            "block": self.block,
            "index": self.index,
        }


class InvalidInput(WalletError):
    """Input that cannot be used: an amount, an address, a file, a CID."""

    exit_code = 7


class InvalidAmount(InvalidInput):
    """An amount that is not a non-negative DSH figure with at most 12 decimals."""


class InvalidAddress(InvalidInput):
    """An address that is neither SS58 nor 32 bytes of hex (nor a key in the keystore)."""


class InsufficientBalance(WalletError):
    """The account cannot pay the amount and the fee."""

    exit_code = 8
