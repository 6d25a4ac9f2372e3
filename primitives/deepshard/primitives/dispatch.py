"""Dispatch errors and outcomes (`sp_runtime::DispatchError` and the enums it carries).

Introduction
------------
A dispatched call either succeeds or fails with a `DispatchError`; ``System.ExtrinsicFailed``
carries it to clients. The variant indices are Substrate's:

===== ===================== ================================================================
index variant               payload
===== ===================== ================================================================
0     `Other`               none on the wire (Rust's ``&'static str`` is ``#[codec(skip)]``)
1     `CannotLookup`        none
2     `BadOrigin`           none
3     `Module`              `ModuleError`: pallet index ``u8``, error ``[u8; 4]``
4     `ConsumerRemaining`   none
5     `NoProviders`         none
6     `TooManyConsumers`    none
7     `Token`               `TokenError`
8     `Arithmetic`          `ArithmeticError`
9     `Transactional`       `TransactionalError`
10    `Exhausted`           none
11    `Corruption`          none
12    `Unavailable`         none
13    `RootNotAllowed`      none
14    `Trie`                `TrieError`
===== ===================== ================================================================

A pallet error reaches clients as ``Module(ModuleError(index=pallet index, error=[variant
index, 0, 0, 0]))``; py-substrate-interface reads the first error byte and looks the variant up
in the pallet's metadata. (Old runtimes encoded ``error`` as a single ``u8``; scalecodec's
legacy ``DispatchError`` definition still does, and stops at ``Arithmetic``.)

Substrate's ``Other`` and ``ModuleError`` carry a message that is never encoded; these values
are what goes on the wire, so they carry none. `DispatchError.message` gives Substrate's text
for every other variant.

`ApplyExtrinsicResult` is what the ``BlockBuilder_apply_extrinsic`` runtime API returns: the
outer `Result` says whether the extrinsic could be included (`TransactionValidityError`
otherwise), the inner one whether its dispatch succeeded.

The payload-less enums are `enum.IntEnum` classes (``TokenError.FundsUnavailable``); the codec
derives their metadata path from ``__module__``, so each sets it to its Rust module.
"""

from __future__ import annotations

import enum
from typing import Annotated, ClassVar, Final

from deepshard.primitives.codec import Enum, FixedLen, Result, Struct
from deepshard.primitives.numeric import U8
from deepshard.primitives.transaction_validity import TransactionValidityError

__all__ = [
    "MAX_MODULE_ERROR_ENCODED_SIZE",
    "ModuleError",
    "TokenError",
    "ArithmeticError",
    "TransactionalError",
    "TrieError",
    "DispatchError",
    "Other",
    "CannotLookup",
    "BadOrigin",
    "Module",
    "ConsumerRemaining",
    "NoProviders",
    "TooManyConsumers",
    "Token",
    "Arithmetic",
    "Transactional",
    "Exhausted",
    "Corruption",
    "Unavailable",
    "RootNotAllowed",
    "Trie",
    "DispatchOutcome",
    "DispatchResult",
    "ApplyExtrinsicResult",
    "module_error",
]

MAX_MODULE_ERROR_ENCODED_SIZE: Final = 4
"""Bytes a pallet error may take inside `ModuleError` (its variant index, then its fields)."""


class ModuleError(Struct, type_path=("sp_runtime", "ModuleError")):
    """A pallet's error: the pallet index and the error's encoding, zero-padded to 4 bytes."""

    index: U8
    """The pallet's index in the runtime (as in metadata)."""
    error: Annotated[bytes, FixedLen(MAX_MODULE_ERROR_ENCODED_SIZE)]
    """The encoded error: its variant index, then any fields, zero-padded."""

    @property
    def error_index(self) -> int:
        """Return the error's variant index in the pallet's error enum (the first byte)."""
        return self.error[0]


def module_error(pallet_index: int, error_index: int, fields: bytes = b"") -> Module:
    """Return ``DispatchError::Module`` for variant `error_index` of pallet `pallet_index`.

    Raises:
        ValueError: the error index and `fields` exceed `MAX_MODULE_ERROR_ENCODED_SIZE` bytes.
        Overflow: `pallet_index` or `error_index` is not a ``u8``.
    """
    encoded = bytes((U8(error_index),)) + fields
    if len(encoded) > MAX_MODULE_ERROR_ENCODED_SIZE:
        raise ValueError(
            f"a pallet error encodes in at most {MAX_MODULE_ERROR_ENCODED_SIZE} bytes, "
            f"got {len(encoded)}"
        )
    return Module(
        ModuleError(U8(pallet_index), encoded.ljust(MAX_MODULE_ERROR_ENCODED_SIZE, b"\0"))
    )


# --- The inner enums -----------------------------------------------------------------------


class TokenError(enum.IntEnum):
    """What went wrong in an operation on a token (a balance or an asset)."""

    __module__ = "sp_runtime"  # the metadata type path (see the module docs)

    FundsUnavailable = 0
    OnlyProvider = 1
    BelowMinimum = 2
    CannotCreate = 3
    UnknownAsset = 4
    Frozen = 5
    Unsupported = 6
    CannotCreateHold = 7
    NotExpendable = 8
    Blocked = 9

    @property
    def message(self) -> str:
        """Return Substrate's message (``From<TokenError> for &'static str``)."""
        return _TOKEN_MESSAGES[self]


_TOKEN_MESSAGES: Final = {
    TokenError.FundsUnavailable: "Funds are unavailable",
    TokenError.OnlyProvider: "Account that must exist would die",
    TokenError.BelowMinimum: "Account cannot exist with the funds that would be given",
    TokenError.CannotCreate: "Account cannot be created",
    TokenError.UnknownAsset: "The asset in question is unknown",
    TokenError.Frozen: "Funds exist but are frozen",
    TokenError.Unsupported: "Operation is not supported by the asset",
    TokenError.CannotCreateHold: "Account cannot be created for recording amount on hold",
    TokenError.NotExpendable: "Account that is desired to remain would die",
    TokenError.Blocked: "Account cannot receive the assets",
}


class ArithmeticError(enum.IntEnum):
    """An arithmetic error: ``Underflow`` (0), ``Overflow`` (1) or ``DivisionByZero`` (2)."""

    __module__ = "sp_arithmetic"  # the metadata type path (see the module docs)

    Underflow = 0
    Overflow = 1
    DivisionByZero = 2

    @property
    def message(self) -> str:
        """Return Substrate's message (``From<ArithmeticError> for &'static str``)."""
        return _ARITHMETIC_MESSAGES[self]


_ARITHMETIC_MESSAGES: Final = {
    ArithmeticError.Underflow: "An underflow would occur",
    ArithmeticError.Overflow: "An overflow would occur",
    ArithmeticError.DivisionByZero: "Division by zero",
}


class TransactionalError(enum.IntEnum):
    """A storage-layer error: ``LimitReached`` (0, too many nested layers) or ``NoLayer`` (1)."""

    __module__ = "sp_runtime"  # the metadata type path (see the module docs)

    LimitReached = 0
    NoLayer = 1

    @property
    def message(self) -> str:
        """Return Substrate's message (``From<TransactionalError> for &'static str``)."""
        if self is TransactionalError.LimitReached:
            return "Too many transactional layers have been spawned"
        return "A transactional layer was expected, but does not exist"


class TrieError(enum.IntEnum):
    """A trie or trie-proof error, as the runtime reports it (``sp_runtime::proving_trie``)."""

    __module__ = "sp_runtime.proving_trie"  # the metadata type path (see the module docs)

    InvalidStateRoot = 0
    IncompleteDatabase = 1
    ValueAtIncompleteKey = 2
    DecoderError = 3
    InvalidHash = 4
    DuplicateKey = 5
    ExtraneousNode = 6
    ExtraneousValue = 7
    ExtraneousHashReference = 8
    InvalidChildReference = 9
    ValueMismatch = 10
    IncompleteProof = 11
    RootMismatch = 12
    DecodeError = 13

    @property
    def message(self) -> str:
        """Return Substrate's message (``From<TrieError> for &'static str``)."""
        return _TRIE_MESSAGES[self]


_TRIE_MESSAGES: Final = {
    TrieError.InvalidStateRoot: "The state root is not in the database.",
    TrieError.IncompleteDatabase: "A trie item was not found in the database.",
    TrieError.ValueAtIncompleteKey: "A value was found with a key that is not byte-aligned.",
    TrieError.DecoderError: "A corrupt trie item was encountered.",
    TrieError.InvalidHash: "The hash does not match the expected value.",
    TrieError.DuplicateKey: "The proof contains duplicate keys.",
    TrieError.ExtraneousNode: "The proof contains extraneous nodes.",
    TrieError.ExtraneousValue: "The proof contains extraneous values.",
    TrieError.ExtraneousHashReference: "The proof contains extraneous hash references.",
    TrieError.InvalidChildReference: "The proof contains an invalid child reference.",
    TrieError.ValueMismatch: "The proof indicates a value mismatch.",
    TrieError.IncompleteProof: "The proof is incomplete.",
    TrieError.RootMismatch: "The root hash computed from the proof is incorrect.",
    TrieError.DecodeError: "One of the proof nodes could not be decoded.",
}


# --- DispatchError -------------------------------------------------------------------------


class DispatchError(Enum, type_path=("sp_runtime", "DispatchError")):
    """Why a dispatched call failed."""

    MESSAGE: ClassVar[str]
    """Substrate's message for a payload-less variant (``From<DispatchError> for &str``)."""

    @property
    def message(self) -> str:
        """Return Substrate's human-readable message for this error.

        A `Module` error's text lives in the metadata (the pallet's error docs), not in the
        value: this returns ``"Unknown module error"`` for it, as Substrate does for a message
        it does not carry. `Other` has no message on the wire and answers ``"Other"``.
        """
        return self.MESSAGE


class Other(DispatchError, index=0):
    """Some other error (Substrate's message string is not part of the encoding)."""

    MESSAGE = "Other"


class CannotLookup(DispatchError, index=1):
    """Some data could not be looked up (e.g. an unknown account index)."""

    MESSAGE = "Cannot lookup"


class BadOrigin(DispatchError, index=2):
    """The call's origin is not allowed to dispatch it."""

    MESSAGE = "Bad origin"


class Module(DispatchError, index=3, unnamed=True):
    """An error of a pallet."""

    MESSAGE = "Unknown module error"

    error: ModuleError
    """Which pallet, which error."""


class ConsumerRemaining(DispatchError, index=4):
    """At least one consumer remains, so the account cannot be destroyed."""

    MESSAGE = "Consumer remaining"


class NoProviders(DispatchError, index=5):
    """There are no providers, so the account cannot be created."""

    MESSAGE = "No providers"


class TooManyConsumers(DispatchError, index=6):
    """There are too many consumers, so the account cannot be created."""

    MESSAGE = "Too many consumers"


class Token(DispatchError, index=7, unnamed=True):
    """An error to do with tokens."""

    error: TokenError
    """What went wrong."""

    @property
    def message(self) -> str:
        """Return the token error's message."""
        return self.error.message


class Arithmetic(DispatchError, index=8, unnamed=True):
    """An arithmetic error."""

    error: ArithmeticError
    """What went wrong."""

    @property
    def message(self) -> str:
        """Return the arithmetic error's message."""
        return self.error.message


class Transactional(DispatchError, index=9, unnamed=True):
    """Too many transactional layers, or none where one was expected."""

    error: TransactionalError
    """What went wrong."""

    @property
    def message(self) -> str:
        """Return the transactional error's message."""
        return self.error.message


class Exhausted(DispatchError, index=10):
    """Resources exhausted, e.g. data too large to read or write."""

    MESSAGE = "Resources exhausted"


class Corruption(DispatchError, index=11):
    """The state is corrupt; this will generally not fix itself."""

    MESSAGE = "State corrupt"


class Unavailable(DispatchError, index=12):
    """Some resource (e.g. a preimage) is unavailable right now; this may fix itself."""

    MESSAGE = "Resource unavailable"


class RootNotAllowed(DispatchError, index=13):
    """The root origin is not allowed for this call."""

    MESSAGE = "Root not allowed"


class Trie(DispatchError, index=14, unnamed=True):
    """An error with tries (e.g. a bad proof)."""

    error: TrieError
    """What went wrong."""

    @property
    def message(self) -> str:
        """Return the trie error's message."""
        return self.error.message


# --- Outcomes ------------------------------------------------------------------------------

DispatchOutcome = Result[tuple[()], DispatchError]
"""The outcome of a dispatch: ``Ok(())`` or ``Err(DispatchError)``."""
DispatchResult = DispatchOutcome
"""FRAME's name for `DispatchOutcome`."""
ApplyExtrinsicResult = Result[DispatchOutcome, TransactionValidityError]
"""What ``BlockBuilder_apply_extrinsic`` returns: ``Err`` if the extrinsic cannot be included,
else ``Ok`` of its dispatch outcome (a failed dispatch is still included, and pays)."""
