"""Transaction validity (`sp_runtime::transaction_validity`): the pool's view of a transaction.

Introduction
------------
Before a transaction enters the pool or a block, the runtime's ``TaggedTransactionQueue``
answers a `TransactionValidity`: either a `ValidTransaction` (priority, the tags it requires and
provides, how long the answer holds, whether to gossip it) or a `TransactionValidityError`:

* `Invalid` (`InvalidTransaction`): the transaction can never be included as it is (bad
  signature, cannot pay, stale nonce, ...);
* `Unknown` (`UnknownTransaction`): validity cannot be decided now.

Every variant has Substrate's human message (`InvalidTransaction.message`, the ``From<..> for
&'static str`` strings); the RPC server puts them in the ``data`` of JSON-RPC errors 1010 and
1011 (`rpc_error`).

The wire values are plain data. Validation code signals failure by raising the exceptions
`TransactionInvalid` / `TransactionUnknown` (both `TransactionRejected`), which carry the value.

Both `InvalidTransaction` and `UnknownTransaction` have a variant named ``Custom``; in Python
they are `InvalidCustom` and `UnknownCustom`, and their metadata variant name is ``Custom``.
"""

from __future__ import annotations

import enum
from typing import ClassVar, Final

from deepshard.primitives.codec import Enum, Result, Struct, Vec
from deepshard.primitives.numeric import U8, U64

__all__ = [
    "TransactionPriority",
    "TransactionLongevity",
    "TransactionTag",
    "InvalidTransaction",
    "Call",
    "Payment",
    "Future",
    "Stale",
    "BadProof",
    "AncientBirthBlock",
    "ExhaustsResources",
    "InvalidCustom",
    "BadMandatory",
    "MandatoryValidation",
    "BadSigner",
    "IndeterminateImplicit",
    "UnknownOrigin",
    "UnknownTransaction",
    "CannotLookup",
    "NoUnsignedValidator",
    "UnknownCustom",
    "TransactionValidityError",
    "Invalid",
    "Unknown",
    "ValidTransaction",
    "TransactionValidity",
    "TransactionSource",
    "TransactionRejected",
    "TransactionInvalid",
    "TransactionUnknown",
    "RPC_INVALID_TRANSACTION",
    "RPC_UNKNOWN_VALIDITY",
    "rpc_error",
]

TransactionPriority = U64
"""Priority of a transaction: additive, higher is better (``u64``)."""
TransactionLongevity = U64
"""Minimum number of blocks a validity answer holds; ``u64::MAX`` means forever."""
TransactionTag = bytes
"""An opaque tag (``Vec<u8>``); no two transactions with the same provided tag go on chain."""

_TV_PATH: Final = ("sp_runtime", "transaction_validity")


# --- InvalidTransaction --------------------------------------------------------------------


class InvalidTransaction(Enum, type_path=(*_TV_PATH, "InvalidTransaction")):
    """Why a transaction is invalid (it can never be included as it is)."""

    MESSAGE: ClassVar[str]
    """Substrate's message for the variant (``From<InvalidTransaction> for &'static str``)."""

    @property
    def message(self) -> str:
        """Return Substrate's human-readable message for this error."""
        return self.MESSAGE

    def exhausted_resources(self) -> bool:
        """Whether the block's resources were the problem (`ExhaustsResources`)."""
        return isinstance(self, ExhaustsResources)

    def was_mandatory(self) -> bool:
        """Whether a mandatory dispatch failed (`BadMandatory`)."""
        return isinstance(self, BadMandatory)


class Call(InvalidTransaction, index=0):
    """The call of the transaction is not expected."""

    MESSAGE = "Transaction call is not expected"


class Payment(InvalidTransaction, index=1):
    """The transactor cannot pay the fees (e.g. the balance is too low)."""

    MESSAGE = "Inability to pay some fees (e.g. account balance too low)"


class Future(InvalidTransaction, index=2):
    """The transaction is not valid yet (e.g. its nonce is too high)."""

    MESSAGE = "Transaction will be valid in the future"


class Stale(InvalidTransaction, index=3):
    """The transaction is outdated (e.g. its nonce is too low)."""

    MESSAGE = "Transaction is outdated"


class BadProof(InvalidTransaction, index=4):
    """The transaction's proof is bad (a bad signature, or different additional signed data).

    Signer and verifier must agree on the data signed but not sent (spec version, genesis
    hash, mortality block hash...); otherwise the signature just looks bad.
    """

    MESSAGE = "Transaction has a bad signature"


class AncientBirthBlock(InvalidTransaction, index=5):
    """The transaction's birth block is ancient (older than ``BlockHashCount``)."""

    MESSAGE = "Transaction has an ancient birth block"


class ExhaustsResources(InvalidTransaction, index=6):
    """The transaction would exhaust the resources of the current block (it may fit later)."""

    MESSAGE = "Transaction would exhaust the block limits"


class InvalidCustom(InvalidTransaction, index=7, unnamed=True):
    """A runtime-specific invalidity (``InvalidTransaction::Custom`` in Substrate)."""

    MESSAGE = "InvalidTransaction custom error"

    code: U8
    """The runtime's own error code."""


class BadMandatory(InvalidTransaction, index=8):
    """A mandatory dispatch failed (a malicious author or a buggy inherent): the block is bad."""

    MESSAGE = "A call was labelled as mandatory, but resulted in an Error."


class MandatoryValidation(InvalidTransaction, index=9):
    """A transaction with a mandatory dispatch was validated (only inherents may have one)."""

    MESSAGE = "Transaction dispatch is mandatory; transactions must not be validated."


class BadSigner(InvalidTransaction, index=10):
    """The sending address is disabled or known to be invalid."""

    MESSAGE = "Invalid signing address"


class IndeterminateImplicit(InvalidTransaction, index=11):
    """The implicit data (additional signed) could not be calculated."""

    MESSAGE = "The implicit data was unable to be calculated"


class UnknownOrigin(InvalidTransaction, index=12):
    """No transaction extension authorized an origin."""

    MESSAGE = "The transaction extension did not authorize any origin"


InvalidCustom.__name__ = "Custom"  # the metadata variant name (see the module docs)


# --- UnknownTransaction --------------------------------------------------------------------


class UnknownTransaction(Enum, type_path=(*_TV_PATH, "UnknownTransaction")):
    """Why a transaction's validity cannot be decided now."""

    MESSAGE: ClassVar[str]
    """Substrate's message for the variant (``From<UnknownTransaction> for &'static str``)."""

    @property
    def message(self) -> str:
        """Return Substrate's human-readable message for this error."""
        return self.MESSAGE


class CannotLookup(UnknownTransaction, index=0):
    """Information needed to validate the transaction could not be looked up."""

    MESSAGE = "Could not lookup information required to validate the transaction"


class NoUnsignedValidator(UnknownTransaction, index=1):
    """No pallet validates this unsigned transaction."""

    MESSAGE = "Could not find an unsigned validator for the unsigned transaction"


class UnknownCustom(UnknownTransaction, index=2, unnamed=True):
    """A runtime-specific unknown validity (``UnknownTransaction::Custom`` in Substrate)."""

    MESSAGE = "UnknownTransaction custom error"

    code: U8
    """The runtime's own error code."""


UnknownCustom.__name__ = "Custom"  # the metadata variant name (see the module docs)


# --- TransactionValidityError --------------------------------------------------------------


class TransactionValidityError(Enum, type_path=(*_TV_PATH, "TransactionValidityError")):
    """A transaction failed validation: `Invalid` or `Unknown`."""

    @property
    def message(self) -> str:
        """Return Substrate's message (its ``Display``): the inner error's message."""
        reason: InvalidTransaction | UnknownTransaction = self.reason  # type: ignore[attr-defined]
        return reason.message

    def exhausted_resources(self) -> bool:
        """Whether block resource exhaustion was the reason."""
        return isinstance(self, Invalid) and self.reason.exhausted_resources()

    def was_mandatory(self) -> bool:
        """Whether a mandatory dispatch failed."""
        return isinstance(self, Invalid) and self.reason.was_mandatory()


class Invalid(TransactionValidityError, index=0, unnamed=True):
    """The transaction is invalid."""

    reason: InvalidTransaction
    """Why."""


class Unknown(TransactionValidityError, index=1, unnamed=True):
    """The transaction's validity cannot be determined."""

    reason: UnknownTransaction
    """Why."""


# --- ValidTransaction ----------------------------------------------------------------------


class ValidTransaction(Struct, type_path=(*_TV_PATH, "ValidTransaction")):
    """A valid transaction and how it relates to others in the pool.

    The defaults are Substrate's ``ValidTransaction::default()``: priority 0, no tags, valid
    forever, propagated.
    """

    priority: U64 = U64(0)
    """Orders transactions whose requirements are all met; higher goes first."""
    requires: Vec[bytes] = ()
    """Tags other transactions must provide before this one can be included."""
    provides: Vec[bytes] = ()
    """Tags this transaction provides; two transactions providing the same tag conflict, and
    the pool drops a transaction that provides none."""
    longevity: U64 = U64(U64.MAX)
    """Number of blocks this answer holds before the pool revalidates (``u64::MAX``: forever)."""
    propagate: bool = True
    """Whether the transaction is gossiped to peers (it may still be included locally)."""

    def combine_with(self, other: ValidTransaction) -> ValidTransaction:
        """Combine two answers, as FRAME does for the signed extensions of one transaction.

        The priorities add (saturating), the tags concatenate (`self`'s first), the longevity
        is the minimum and `propagate` the logical AND.
        """
        return ValidTransaction(
            priority=self.priority.saturating_add(other.priority),
            requires=self.requires + other.requires,
            provides=self.provides + other.provides,
            longevity=min(self.longevity, other.longevity),
            propagate=self.propagate and other.propagate,
        )


TransactionValidity = Result[ValidTransaction, TransactionValidityError]
"""What transaction validation answers: ``Ok(ValidTransaction)`` or ``Err(error)``."""


class TransactionSource(enum.IntEnum):
    """Where a transaction comes from; validation may treat the sources differently.

    ``InBlock`` (0): already in a block being imported; ``Local`` (1): produced by this node
    (e.g. an off-chain worker); ``External`` (2): received from the network or over RPC.
    """

    __module__ = "sp_runtime.transaction_validity"  # the metadata type path (module docs)

    InBlock = 0
    Local = 1
    External = 2


# --- Exceptions ----------------------------------------------------------------------------


class TransactionRejected(Exception):
    """Validation rejected a transaction; ``error`` is the wire value to report."""

    error: TransactionValidityError
    """The `TransactionValidityError` the runtime API answers."""

    def __init__(self, error: TransactionValidityError) -> None:
        super().__init__(error.message)
        self.error = error

    @staticmethod
    def of(error: TransactionValidityError) -> TransactionRejected:
        """Return the matching exception (`TransactionInvalid` or `TransactionUnknown`)."""
        if isinstance(error, Invalid):
            return TransactionInvalid(error.reason)
        if isinstance(error, Unknown):
            return TransactionUnknown(error.reason)
        raise TypeError(f"not a TransactionValidityError: {error!r}")


class TransactionInvalid(TransactionRejected):
    """The transaction is invalid (`InvalidTransaction` says why)."""

    def __init__(self, reason: InvalidTransaction) -> None:
        super().__init__(Invalid(reason))
        self.reason = reason
        """Why the transaction is invalid."""


class TransactionUnknown(TransactionRejected):
    """The transaction's validity cannot be decided (`UnknownTransaction` says why)."""

    def __init__(self, reason: UnknownTransaction) -> None:
        super().__init__(Unknown(reason))
        self.reason = reason
        """Why validity cannot be decided."""


# --- RPC error form (sc_rpc_api::author::error) --------------------------------------------

RPC_INVALID_TRANSACTION: Final = 1010
"""JSON-RPC error code of an invalid transaction (``POOL_INVALID_TX``)."""
RPC_UNKNOWN_VALIDITY: Final = 1011
"""JSON-RPC error code of a transaction of unknown validity (``POOL_UNKNOWN_VALIDITY``)."""


def rpc_error(error: TransactionValidityError) -> tuple[int, str, str]:
    """Return ``(code, message, data)`` of the JSON-RPC error a Substrate node answers.

    * `Invalid`: ``1010``, ``"Invalid Transaction"``, the variant's message (``"Custom error:
      N"`` for `InvalidCustom`);
    * `Unknown`: ``1011``, ``"Unknown Transaction Validity"``, the variant's Rust ``Debug``
      form (``"CannotLookup"``, ``"Custom(N)"``).
    """
    if isinstance(error, Invalid):
        reason = error.reason
        data = (
            f"Custom error: {reason.code}" if isinstance(reason, InvalidCustom) else reason.message
        )
        return RPC_INVALID_TRANSACTION, "Invalid Transaction", data
    if isinstance(error, Unknown):
        unknown = error.reason
        debug = (
            f"Custom({unknown.code})"
            if isinstance(unknown, UnknownCustom)
            else type(unknown).__name__
        )
        return RPC_UNKNOWN_VALIDITY, "Unknown Transaction Validity", debug
    raise TypeError(f"not a TransactionValidityError: {error!r}")
