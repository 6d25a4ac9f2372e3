"""Dispatch origins: who is making a call (FRAME's `RawOrigin`).

* `Signed` -- a transaction signed by an account;
* `Root` -- the chain itself (via `Sudo` or governance);
* `NoneOrigin` -- an unsigned inherent or unsigned transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from deepshard.primitives.codec import AccountId32
from deepshard.runtime.support.errors import BadOrigin

__all__ = [
    "Origin",
    "Signed",
    "Root",
    "NoneOrigin",
    "ROOT",
    "NONE",
    "ensure_signed",
    "ensure_root",
    "ensure_none",
]


class Origin:
    """Base of the dispatch origins."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Signed(Origin):
    """Origin of a signed transaction."""

    who: AccountId32
    """The account that signed."""


@dataclass(frozen=True, slots=True)
class Root(Origin):
    """The root origin: the chain's highest authority."""


@dataclass(frozen=True, slots=True)
class NoneOrigin(Origin):
    """The origin of inherents and unsigned transactions."""


ROOT: Final = Root()
"""The root origin."""
NONE: Final = NoneOrigin()
"""The unsigned origin."""


def ensure_signed(origin: Origin) -> AccountId32:
    """Return the signer of a `Signed` origin.

    Raises:
        BadOrigin: the origin is not signed.
    """
    if type(origin) is Signed:
        return origin.who
    raise BadOrigin


def ensure_root(origin: Origin) -> None:
    """Check that `origin` is `Root`.

    Raises:
        BadOrigin: the origin is not root.
    """
    if type(origin) is not Root:
        raise BadOrigin


def ensure_none(origin: Origin) -> None:
    """Check that `origin` is `NoneOrigin`.

    Raises:
        BadOrigin: the origin is signed or root.
    """
    if type(origin) is not NoneOrigin:
        raise BadOrigin
