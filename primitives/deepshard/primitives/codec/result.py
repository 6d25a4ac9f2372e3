"""`Result<T, E>` values: `Ok` (index 0) and `Err` (index 1).

Annotate a field as ``Result[U32, U8]`` (an alias for ``Ok[U32] | Err[U8]``); decoding yields an
`Ok` or an `Err` holding the payload in ``.value``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Ok", "Err", "Result"]

_T = TypeVar("_T")
_E = TypeVar("_E")


@dataclass(frozen=True, slots=True)
class Ok(Generic[_T]):
    """The success variant of a `Result` (wire index 0)."""

    value: _T
    """The success payload."""


@dataclass(frozen=True, slots=True)
class Err(Generic[_E]):
    """The failure variant of a `Result` (wire index 1)."""

    value: _E
    """The error payload."""


Result = Ok[_T] | Err[_E]
"""``Result[T, E]``: SCALE's ``Result<T, E>``."""
