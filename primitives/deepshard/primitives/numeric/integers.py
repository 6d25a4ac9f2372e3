"""Fixed-width integers that refuse silent overflow.

Introduction
------------
`U8` ... `U256` and `I8` ... `I256` subclass `int`, so they are as cheap to compare, hash and
format as a plain `int`, and they double as SCALE codec annotations (the codec maps each class
to its little-endian width). Their arithmetic is *strict*:

* operands must be of the same class: ``U32(1) + 1`` and ``U32(1) + U64(1)`` raise `TypeError`
  (convert explicitly, e.g. ``U64(x)``), so a width is never chosen by accident;
* a result outside the type's range raises `Overflow` or `Underflow` (never wraps);
* ``/`` is refused (it would produce a float); use ``//``, which floors like Python's ``//``
  (identical to Rust's truncating division for the unsigned types);
* wrapping, saturating and checked arithmetic must be asked for by name
  (`wrapping_add`, `saturating_sub`, `checked_mul`, ...).

Comparisons with plain integers are allowed: they cannot lose information.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self, cast

from deepshard.primitives.numeric.errors import DivisionByZero, Overflow, Underflow

__all__ = [
    "FixedInt",
    "U8",
    "U16",
    "U32",
    "U64",
    "U128",
    "U256",
    "I8",
    "I16",
    "I32",
    "I64",
    "I128",
    "I256",
    "UNSIGNED_TYPES",
    "SIGNED_TYPES",
]

_new_int = int.__new__


class FixedInt(int):
    """Base of the fixed-width integer types; not instantiated itself."""

    __slots__ = ()

    BITS: ClassVar[int]
    """Width of the type in bits."""
    SIGNED: ClassVar[bool]
    """Whether the type is two's-complement signed."""
    MIN: ClassVar[int]
    """Smallest value of the type."""
    MAX: ClassVar[int]
    """Largest value of the type."""
    BYTES: ClassVar[int]
    """Width of the type in bytes (its SCALE encoding length)."""

    def __init_subclass__(cls, *, bits: int, signed: bool, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.BITS = bits
        cls.BYTES = bits // 8
        cls.SIGNED = signed
        cls.MIN = -(1 << (bits - 1)) if signed else 0
        cls.MAX = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1

    def __new__(cls, value: int = 0) -> Self:
        """Convert `value` (any `int`, including another width) to this type, checking range.

        Raises:
            TypeError: `value` is not an integer (floats, strings and bools are refused).
            Overflow: `value` is above `MAX`.
            Underflow: `value` is below `MIN`.
        """
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{cls.__name__} takes an int, not {type(value).__name__}")
        if value > cls.MAX:
            raise Overflow(f"{value} does not fit in {cls.__name__} (max {cls.MAX})")
        if value < cls.MIN:
            raise Underflow(f"{value} does not fit in {cls.__name__} (min {cls.MIN})")
        return _new_int(cls, value)

    # --- construction helpers -------------------------------------------------------------

    @classmethod
    def _checked(cls, value: int) -> Self:
        if value > cls.MAX:
            raise Overflow(f"{cls.__name__} arithmetic overflowed (result {value})")
        if value < cls.MIN:
            raise Underflow(f"{cls.__name__} arithmetic underflowed (result {value})")
        return _new_int(cls, value)

    @classmethod
    def _wrapped(cls, value: int) -> Self:
        value &= (1 << cls.BITS) - 1
        if cls.SIGNED and value > cls.MAX:
            value -= 1 << cls.BITS
        return _new_int(cls, value)

    @classmethod
    def _saturated(cls, value: int) -> Self:
        return _new_int(cls, cls.MAX if value > cls.MAX else cls.MIN if value < cls.MIN else value)

    @classmethod
    def from_le_bytes(cls, data: bytes) -> Self:
        """Decode exactly `BYTES` little-endian bytes.

        Raises:
            ValueError: `data` is not exactly `BYTES` long.
        """
        if len(data) != cls.BYTES:
            raise ValueError(f"{cls.__name__} needs {cls.BYTES} bytes, got {len(data)}")
        return _new_int(cls, int.from_bytes(data, "little", signed=cls.SIGNED))

    def to_le_bytes(self) -> bytes:
        """Encode as `BYTES` little-endian bytes (the SCALE encoding)."""
        return int.to_bytes(self, self.BYTES, "little", signed=self.SIGNED)

    def _same(self, other: object) -> int:
        if type(other) is not type(self):
            raise TypeError(
                f"{type(self).__name__} arithmetic needs another {type(self).__name__}, "
                f"not {type(other).__name__}; convert explicitly"
            )
        return int(cast(int, other))

    # --- strict checked operators ---------------------------------------------------------

    def __add__(self, other: object) -> Self:
        return self._checked(int(self) + self._same(other))

    def __radd__(self, other: object) -> Self:
        return self._checked(self._same(other) + int(self))

    def __sub__(self, other: object) -> Self:
        return self._checked(int(self) - self._same(other))

    def __rsub__(self, other: object) -> Self:
        return self._checked(self._same(other) - int(self))

    def __mul__(self, other: object) -> Self:
        return self._checked(int(self) * self._same(other))

    def __rmul__(self, other: object) -> Self:
        return self._checked(self._same(other) * int(self))

    def __floordiv__(self, other: object) -> Self:
        divisor = self._same(other)
        if divisor == 0:
            raise DivisionByZero(f"{type(self).__name__} division by zero")
        return self._checked(int(self) // divisor)

    def __rfloordiv__(self, other: object) -> Self:
        dividend = self._same(other)
        if int(self) == 0:
            raise DivisionByZero(f"{type(self).__name__} division by zero")
        return self._checked(dividend // int(self))

    def __mod__(self, other: object) -> Self:
        divisor = self._same(other)
        if divisor == 0:
            raise DivisionByZero(f"{type(self).__name__} remainder by zero")
        return self._checked(int(self) % divisor)

    def __rmod__(self, other: object) -> Self:
        dividend = self._same(other)
        if int(self) == 0:
            raise DivisionByZero(f"{type(self).__name__} remainder by zero")
        return self._checked(dividend % int(self))

    def __divmod__(self, other: object) -> tuple[Self, Self]:
        return self // other, self % other

    def __pow__(self, exponent: object, modulo: object = None) -> Self:  # type: ignore[override]
        if modulo is not None:
            raise TypeError("modular pow is not supported; compute it explicitly")
        if not isinstance(exponent, int) or isinstance(exponent, bool) or exponent < 0:
            raise TypeError("the exponent must be a non-negative int")
        base = int(self)
        # Refuse before computing a number far larger than the type could ever hold.
        if abs(base) > 1 and exponent > self.BITS:
            raise Overflow(f"{type(self).__name__} power overflowed")
        return self._checked(base**exponent)

    def __truediv__(self, other: object) -> Any:
        raise TypeError("true division would produce a float; use // or a fixed-point type")

    __rtruediv__ = __truediv__

    def __neg__(self) -> Self:
        return self._checked(-int(self))

    def __pos__(self) -> Self:
        return self

    def __abs__(self) -> Self:
        return self._checked(abs(int(self)))

    def __invert__(self) -> Self:
        return self._wrapped(~int(self))

    def __and__(self, other: object) -> Self:
        return _new_int(type(self), int(self) & self._same(other))

    __rand__ = __and__

    def __or__(self, other: object) -> Self:
        return _new_int(type(self), int(self) | self._same(other))

    __ror__ = __or__

    def __xor__(self, other: object) -> Self:
        return _new_int(type(self), int(self) ^ self._same(other))

    __rxor__ = __xor__

    def __lshift__(self, shift: object) -> Self:
        if not isinstance(shift, int) or shift < 0:
            raise TypeError("shift amount must be a non-negative int")
        if shift >= self.BITS:
            raise Overflow(f"shift by {shift} overflows {type(self).__name__}")
        return self._checked(int(self) << shift)

    def __rshift__(self, shift: object) -> Self:
        if not isinstance(shift, int) or shift < 0:
            raise TypeError("shift amount must be a non-negative int")
        return _new_int(type(self), int(self) >> shift)

    def __float__(self) -> float:
        raise TypeError("fixed-width integers never become floats")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({int(self)})"

    def __str__(self) -> str:
        return int.__repr__(self)

    # --- named arithmetic (FRAME's checked_*/saturating_*/wrapping_*) ---------------------

    def checked_add(self, other: Self) -> Self | None:
        """Return ``self + other``, or None if it would overflow."""
        value = int(self) + self._same(other)
        return _new_int(type(self), value) if self.MIN <= value <= self.MAX else None

    def checked_sub(self, other: Self) -> Self | None:
        """Return ``self - other``, or None if it would underflow."""
        value = int(self) - self._same(other)
        return _new_int(type(self), value) if self.MIN <= value <= self.MAX else None

    def checked_mul(self, other: Self) -> Self | None:
        """Return ``self * other``, or None if it would overflow."""
        value = int(self) * self._same(other)
        return _new_int(type(self), value) if self.MIN <= value <= self.MAX else None

    def checked_div(self, other: Self) -> Self | None:
        """Return ``self // other``, or None if `other` is zero (or the result overflows)."""
        divisor = self._same(other)
        if divisor == 0:
            return None
        value = int(self) // divisor
        return _new_int(type(self), value) if self.MIN <= value <= self.MAX else None

    def saturating_add(self, other: Self) -> Self:
        """Return ``self + other`` clamped to the type's range."""
        return self._saturated(int(self) + self._same(other))

    def saturating_sub(self, other: Self) -> Self:
        """Return ``self - other`` clamped to the type's range."""
        return self._saturated(int(self) - self._same(other))

    def saturating_mul(self, other: Self) -> Self:
        """Return ``self * other`` clamped to the type's range."""
        return self._saturated(int(self) * self._same(other))

    def wrapping_add(self, other: Self) -> Self:
        """Return ``self + other`` modulo ``2**BITS`` (two's complement for signed types)."""
        return self._wrapped(int(self) + self._same(other))

    def wrapping_sub(self, other: Self) -> Self:
        """Return ``self - other`` modulo ``2**BITS`` (two's complement for signed types)."""
        return self._wrapped(int(self) - self._same(other))

    def wrapping_mul(self, other: Self) -> Self:
        """Return ``self * other`` modulo ``2**BITS`` (two's complement for signed types)."""
        return self._wrapped(int(self) * self._same(other))


class U8(FixedInt, bits=8, signed=False):
    """Unsigned 8-bit integer."""

    __slots__ = ()


class U16(FixedInt, bits=16, signed=False):
    """Unsigned 16-bit integer."""

    __slots__ = ()


class U32(FixedInt, bits=32, signed=False):
    """Unsigned 32-bit integer."""

    __slots__ = ()


class U64(FixedInt, bits=64, signed=False):
    """Unsigned 64-bit integer."""

    __slots__ = ()


class U128(FixedInt, bits=128, signed=False):
    """Unsigned 128-bit integer (Substrate's `Balance`)."""

    __slots__ = ()


class U256(FixedInt, bits=256, signed=False):
    """Unsigned 256-bit integer."""

    __slots__ = ()


class I8(FixedInt, bits=8, signed=True):
    """Signed 8-bit integer."""

    __slots__ = ()


class I16(FixedInt, bits=16, signed=True):
    """Signed 16-bit integer."""

    __slots__ = ()


class I32(FixedInt, bits=32, signed=True):
    """Signed 32-bit integer."""

    __slots__ = ()


class I64(FixedInt, bits=64, signed=True):
    """Signed 64-bit integer."""

    __slots__ = ()


class I128(FixedInt, bits=128, signed=True):
    """Signed 128-bit integer."""

    __slots__ = ()


class I256(FixedInt, bits=256, signed=True):
    """Signed 256-bit integer."""

    __slots__ = ()


UNSIGNED_TYPES: tuple[type[FixedInt], ...] = (U8, U16, U32, U64, U128, U256)
"""The unsigned integer types, narrowest first."""

SIGNED_TYPES: tuple[type[FixedInt], ...] = (I8, I16, I32, I64, I128, I256)
"""The signed integer types, narrowest first."""
