"""Dispatch origins: who is making a call (FRAME's `RawOrigin`).

* `Signed` -- a transaction signed by an account;
* `Root` -- the chain itself (via `Sudo` or governance);
* `NoneOrigin` -- an unsigned inherent or unsigned transaction.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Final

from deepshard.primitives.codec import AccountId32, Enum
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
    "RawOrigin",
    "raw_origin",
    "origin_from_raw",
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


# --- the origin on the wire (``dispatch_as``) -----------------------------------------------


class RawOrigin(
    Enum,
    type_path=("frame_support", "dispatch", "RawOrigin"),
    type_params=(("AccountId", AccountId32),),
):
    """FRAME System's origin as encoded in calls: ``Root`` 0, ``Signed(AccountId)`` 1, ``None`` 2.

    Its variants are `RAW_ROOT`, `RawSigned` and `RAW_NONE` (``None`` is not a Python name, so
    the variant classes are built with `types.new_class`).
    """


def _variant(name: str, index: int, annotations: dict[str, object] | None = None) -> type:
    def body(namespace: dict[str, object]) -> None:
        namespace["__doc__"] = f"The {name} origin."
        namespace["__module__"] = __name__
        if annotations:
            namespace["__annotations__"] = annotations

    options = {"index": index, "unnamed": True} if annotations else {"index": index}
    return types.new_class(name, (RawOrigin,), options, body)


_RawRoot = _variant("Root", 0)
RawSigned = _variant("Signed", 1, {"who": AccountId32})
_RawNone = _variant("None", 2)


def raw_origin(origin: Origin) -> RawOrigin:
    """Return the wire form of a dispatch origin."""
    if type(origin) is Signed:
        made: RawOrigin = RawSigned(origin.who)
        return made
    if type(origin) is Root:
        return _RawRoot()  # type: ignore[no-any-return]
    return _RawNone()  # type: ignore[no-any-return]


def origin_from_raw(raw: RawOrigin) -> Origin:
    """Return the dispatch origin a `RawOrigin` value denotes."""
    if isinstance(raw, RawSigned):
        return Signed(AccountId32(raw.who))  # type: ignore[attr-defined]
    if isinstance(raw, _RawRoot):
        return ROOT
    return NONE
