"""Annotation helpers: `Compact[T]`, `Vec[T]` and fixed-length arrays.

These are ordinary typing constructs, so mypy sees the Python value type:

* ``Compact[U128]`` is ``Annotated[U128, COMPACT]``: a `U128` carried as SCALE ``Compact<u128>``;
* ``Vec[T]`` is ``tuple[T, ...]``: a length-prefixed ``Vec<T>``, decoded as a tuple
  (``list[T]`` and ``Sequence[T]`` are accepted too);
* ``Annotated[bytes, FixedLen(4)]`` is ``[u8; 4]`` and ``Annotated[tuple[T, ...], FixedLen(N)]``
  is ``[T; N]`` (named 32-byte types such as `H256` come from `fixed_bytes`);
* ``OptionBool`` is parity-scale-codec's one-byte ``OptionBool`` (0 None, 1 Some(true),
  2 Some(false)). A plain ``bool | None`` is ``Option<bool>``, which Substrate encodes like any
  other option (``01 00`` for ``Some(false)``): Rust has no specialisation for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final, TypeVar

from deepshard.primitives.numeric import FixedInt

__all__ = [
    "COMPACT",
    "Compact",
    "CompactMarker",
    "FixedLen",
    "Vec",
    "ONE_BYTE",
    "OneByteMarker",
    "OptionBool",
]

_U = TypeVar("_U", bound=FixedInt)
_T = TypeVar("_T")


class CompactMarker:
    """The `Annotated` metadata that selects the compact encoding (use `Compact[T]`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "COMPACT"


COMPACT: Final = CompactMarker()
"""Singleton marker: ``Annotated[U32, COMPACT]`` is ``Compact<u32>``."""

Compact = Annotated[_U, COMPACT]
"""``Compact[T]``: an unsigned integer `T` in SCALE's compact encoding."""

Vec = tuple[_T, ...]
"""``Vec[T]``: a length-prefixed sequence, decoded as a tuple."""


@dataclass(frozen=True, slots=True)
class FixedLen:
    """`Annotated` metadata fixing a sequence's length: ``[T; length]`` instead of ``Vec<T>``."""

    length: int
    """Number of elements (no length prefix is written)."""

    def __post_init__(self) -> None:
        if not isinstance(self.length, int) or self.length < 0:
            raise TypeError(f"FixedLen needs a non-negative int, not {self.length!r}")


class OneByteMarker:
    """The `Annotated` metadata selecting the one-byte ``OptionBool`` form (use `OptionBool`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ONE_BYTE"


ONE_BYTE: Final = OneByteMarker()
"""Singleton marker: ``Annotated[bool | None, ONE_BYTE]`` is parity-scale-codec's ``OptionBool``."""

OptionBool = Annotated[bool | None, ONE_BYTE]
"""parity-scale-codec's ``OptionBool``: one byte, 0 None, 1 Some(true), 2 Some(false)."""
