"""Types of the Balances pallet: reason ids, holds, freezes, locks, reserves, status, consequences.

The consequences say what a prospective withdrawal or deposit would do.

The account balances themselves (`AccountData`: free, reserved, frozen, flags) are declared with
the System pallet, because they are stored inside ``System.Account`` (FRAME's ``AccountStore =
System``).
"""

from __future__ import annotations

import enum

from deepshard.primitives.codec import Enum, FixedBytes, Struct
from deepshard.primitives.numeric import U128
from deepshard.runtime.support import (
    ArithmeticError,
    ArithmeticErrorKind,
    TokenError,
    TokenErrorKind,
)

__all__ = [
    "ReasonId",
    "IdAmount",
    "LockId",
    "Reasons",
    "BalanceLock",
    "ReserveData",
    "BalanceStatus",
    "Free",
    "Reserved",
    "FREE",
    "RESERVED",
    "Preservation",
    "Fortitude",
    "WithdrawConsequence",
    "DepositConsequence",
]


class ReasonId(FixedBytes, length=8):
    """An 8-byte id of a hold or freeze reason (``[u8; 8]``), e.g. ``ReasonId(b"trainstk")``.

    The owning pallet picks it; one id per purpose (a trainer's stake, a licence escrow ...).
    """


class IdAmount(
    Struct,
    type_path=("frame_support", "traits", "tokens", "misc", "IdAmount"),
    type_params=(("Id", ReasonId), ("Balance", U128)),
):
    """An amount held or frozen for one reason."""

    id: ReasonId
    """The reason."""
    amount: U128
    """The amount held or frozen for it."""


class LockId(FixedBytes, length=8):
    """The 8-byte id of a legacy balance lock (FRAME's ``LockIdentifier``) or reserve."""


class Reasons(Enum, type_path=("pallet_balances", "types", "Reasons")):
    """Which withdrawals a legacy lock blocks."""


class Fee(Reasons, index=0):
    """Only paying transaction fees."""


class Misc(Reasons, index=1):
    """Everything except paying transaction fees."""


class All(Reasons, index=2):
    """Every withdrawal."""


class BalanceLock(
    Struct, type_path=("pallet_balances", "types", "BalanceLock"), type_params=(("Balance", U128),)
):
    """A legacy balance lock (FRAME's ``LockableCurrency``).

    Deepshard freezes instead, so ``Balances.Locks`` stays empty; it is declared for clients.
    """

    id: LockId
    """Who set the lock."""
    amount: U128
    """The amount locked."""
    reasons: Reasons
    """The withdrawals it blocks."""


class ReserveData(
    Struct,
    type_path=("pallet_balances", "types", "ReserveData"),
    type_params=(("ReserveIdentifier", LockId), ("Balance", U128)),
):
    """A named reserve (FRAME's ``NamedReservableCurrency``).

    Deepshard holds instead, so ``Balances.Reserves`` stays empty; it is declared for clients.
    """

    id: LockId
    """The reserve's name."""
    amount: U128
    """The amount reserved under it."""


class BalanceStatus(Enum, type_path=("frame_support", "traits", "tokens", "misc", "BalanceStatus")):
    """Status of funds: free or reserved."""


class Free(BalanceStatus, index=0):
    """Funds are free, as corresponding to `free` item in Balances."""


class Reserved(BalanceStatus, index=1):
    """Funds are reserved, as corresponding to `reserved` item in Balances."""


FREE = Free()
"""The `Free` balance status."""
RESERVED = Reserved()
"""The `Reserved` balance status."""


class Preservation(enum.Enum):
    """Whether an operation may reduce an account's balance to the point of reaping it."""

    EXPENDABLE = "expendable"
    """The account may be reaped."""
    PROTECT = "protect"
    """The account must stay alive if this pallet's provider reference is its only one."""
    PRESERVE = "preserve"
    """The account must keep at least the existential deposit in its free balance."""


class Fortitude(enum.Enum):
    """Whether an operation respects freezes (polite) or ignores them (force)."""

    POLITE = "polite"
    """Frozen balance stays untouched."""
    FORCE = "force"
    """Frozen balance may be taken (slashing, forced operations)."""


class WithdrawConsequence(enum.Enum):
    """What withdrawing an amount from an account would do (FRAME's `WithdrawConsequence`)."""

    SUCCESS = "success"
    """The withdrawal leaves the account alive."""
    REDUCED_TO_ZERO = "reduced_to_zero"
    """The withdrawal leaves less than the existential deposit: the account would be reaped."""
    BALANCE_LOW = "balance_low"
    """The free balance is smaller than the amount."""
    WOULD_DIE = "would_die"
    """The account would be reaped but has consumers, so it may not be."""
    FROZEN = "frozen"
    """The amount would dip into frozen balance."""
    UNDERFLOW = "underflow"
    """The total issuance is smaller than the amount (a broken invariant)."""

    def into_result(self, keep_nonzero: bool) -> None:
        """Raise the dispatch error matching this consequence, if it is a failure.

        Args:
            keep_nonzero: Treat `REDUCED_TO_ZERO` as a failure (``TokenError::NotExpendable``).

        Raises:
            TokenError: funds unavailable, only provider, frozen or not expendable.
            ArithmeticError: underflow.
        """
        if self is WithdrawConsequence.BALANCE_LOW:
            raise TokenError(TokenErrorKind.FUNDS_UNAVAILABLE)
        if self is WithdrawConsequence.WOULD_DIE:
            raise TokenError(TokenErrorKind.ONLY_PROVIDER)
        if self is WithdrawConsequence.FROZEN:
            raise TokenError(TokenErrorKind.FROZEN)
        if self is WithdrawConsequence.UNDERFLOW:
            raise ArithmeticError(ArithmeticErrorKind.UNDERFLOW)
        if self is WithdrawConsequence.REDUCED_TO_ZERO and keep_nonzero:
            raise TokenError(TokenErrorKind.NOT_EXPENDABLE)


class DepositConsequence(enum.Enum):
    """What depositing an amount into an account would do (FRAME's `DepositConsequence`)."""

    SUCCESS = "success"
    """The deposit is possible."""
    BELOW_MINIMUM = "below_minimum"
    """The account would hold less than the existential deposit."""
    OVERFLOW = "overflow"
    """The balance or the total issuance would overflow."""

    def into_result(self) -> None:
        """Raise the dispatch error matching this consequence, if it is a failure.

        Raises:
            TokenError: below minimum.
            ArithmeticError: overflow.
        """
        if self is DepositConsequence.BELOW_MINIMUM:
            raise TokenError(TokenErrorKind.BELOW_MINIMUM)
        if self is DepositConsequence.OVERFLOW:
            raise ArithmeticError(ArithmeticErrorKind.OVERFLOW)
