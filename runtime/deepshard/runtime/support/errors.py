"""Dispatch errors: how a call fails, as exceptions a pallet can raise.

Introduction
------------
A call fails by raising a `DispatchError`; the executive rolls back the call's writes, still
charges the fee, and emits ``System.ExtrinsicFailed`` carrying the error's wire form
(`sp_runtime::DispatchError`). Two families:

* the system-level errors of `sp_runtime::DispatchError` (`BadOrigin`, `CannotLookup`,
  `ConsumerRemaining`, `NoProviders`, `TooManyConsumers`, token and arithmetic errors, ...);
* pallet errors: each pallet declares ``class Error(PalletError)`` and one subclass per
  variant with an explicit, contiguous ``index=``; on the wire they become
  ``Module { index: <pallet index>, error: [<variant index>, 0, 0, 0] }``.

Transaction *validity* errors (bad nonce, bad signature, cannot pay) are a different thing:
they keep a transaction out of a block altogether (`deepshard.primitives.transaction_validity`).
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar

__all__ = [
    "DispatchError",
    "Other",
    "CannotLookup",
    "BadOrigin",
    "ConsumerRemaining",
    "NoProviders",
    "TooManyConsumers",
    "TokenError",
    "TokenErrorKind",
    "ArithmeticError",
    "ArithmeticErrorKind",
    "Exhausted",
    "Corruption",
    "Unavailable",
    "RootNotAllowed",
    "PalletError",
    "ensure",
]


class DispatchError(Exception):
    """Root of every error a dispatched call can fail with.

    Attributes:
        WIRE_INDEX: The variant index of this error in `sp_runtime::DispatchError`.
    """

    WIRE_INDEX: ClassVar[int] = 0

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or type(self).__name__).strip().splitlines()[0])


class Other(DispatchError):
    """Some error occurred (its message is not encoded on the wire)."""

    WIRE_INDEX = 0


class CannotLookup(DispatchError):
    """Failed to look up some data (e.g. an account index)."""

    WIRE_INDEX = 1


class BadOrigin(DispatchError):
    """A bad origin: the call was made by someone not allowed to make it."""

    WIRE_INDEX = 2


class ConsumerRemaining(DispatchError):
    """At least one consumer is remaining so the account cannot be destroyed."""

    WIRE_INDEX = 4


class NoProviders(DispatchError):
    """There are no providers so the account cannot be created."""

    WIRE_INDEX = 5


class TooManyConsumers(DispatchError):
    """There are too many consumers so the account cannot be created."""

    WIRE_INDEX = 6


class TokenErrorKind(enum.IntEnum):
    """`sp_runtime::TokenError` variants."""

    FUNDS_UNAVAILABLE = 0
    ONLY_PROVIDER = 1
    BELOW_MINIMUM = 2
    CANNOT_CREATE = 3
    UNKNOWN_ASSET = 4
    FROZEN = 5
    UNSUPPORTED = 6
    CANNOT_CREATE_HOLD = 7
    NOT_EXPENDABLE = 8
    BLOCKED = 9


class TokenError(DispatchError):
    """A token-level error (funds unavailable, below minimum, ...)."""

    WIRE_INDEX = 7

    def __init__(self, kind: TokenErrorKind) -> None:
        super().__init__(f"token error: {kind.name.lower()}")
        self.kind = kind


class ArithmeticErrorKind(enum.IntEnum):
    """`sp_arithmetic::ArithmeticError` variants."""

    UNDERFLOW = 0
    OVERFLOW = 1
    DIVISION_BY_ZERO = 2


class ArithmeticError(DispatchError):
    """An arithmetic error (underflow, overflow or division by zero)."""

    WIRE_INDEX = 8

    def __init__(self, kind: ArithmeticErrorKind) -> None:
        super().__init__(f"arithmetic error: {kind.name.lower()}")
        self.kind = kind


class Exhausted(DispatchError):
    """Resources exhausted, e.g. attempt to read/write data which is too large to manipulate."""

    WIRE_INDEX = 10


class Corruption(DispatchError):
    """The state is corrupt; this is generally not going to fix itself."""

    WIRE_INDEX = 11


class Unavailable(DispatchError):
    """Some resource (e.g. a preimage) is unavailable right now; this might fix itself later."""

    WIRE_INDEX = 12


class RootNotAllowed(DispatchError):
    """The root origin is not allowed to make this call."""

    WIRE_INDEX = 13


class PalletError(DispatchError):
    """Base of a pallet's ``Error`` class; its subclasses are the error variants.

    Declare ``class Error(PalletError)`` once per pallet, then one subclass per variant with
    ``index=`` (contiguous from 0, because clients index the error list by position) and a
    one-line docstring (shown to users as the error's documentation).
    """

    WIRE_INDEX = 3
    INDEX: ClassVar[int] = -1
    """The variant index of this error within its pallet's ``Error`` enum."""
    VARIANTS: ClassVar[dict[int, type[PalletError]]]
    """For a pallet's ``Error`` base: its variants by index."""

    def __init_subclass__(cls, *, index: int | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if PalletError in cls.__bases__:
            if index is not None:
                raise TypeError(f"{cls.__name__}: the Error base itself takes no index=")
            cls.VARIANTS = {}
            return
        if index is None:
            raise TypeError(f"{cls.__name__}: pallet error variants need an explicit index=")
        if not 0 <= index <= 255:
            raise TypeError(f"{cls.__name__}: error index {index} is outside 0..=255")
        if not cls.__doc__:
            raise TypeError(f"{cls.__name__}: pallet errors need a docstring (their docs)")
        base: type[PalletError] = next(
            b for b in cls.__mro__[1:] if issubclass(b, PalletError) and PalletError in b.__bases__
        )
        if index in base.VARIANTS:
            other = base.VARIANTS[index].__name__
            raise TypeError(f"{cls.__name__}: error index {index} is already used by {other}")
        cls.INDEX = index
        base.VARIANTS[index] = cls


def ensure(condition: bool, error: type[DispatchError] | DispatchError) -> None:
    """Raise `error` unless `condition` holds (FRAME's ``ensure!``)."""
    if not condition:
        raise error() if isinstance(error, type) else error
