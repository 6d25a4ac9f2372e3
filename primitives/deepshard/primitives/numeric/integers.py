"""Fixed-width integers that refuse silent overflow.

Introduction
------------
`U8` ... `U256` and `I8` ... `I256` subclass `int`, so they are as cheap to compare, hash and
format as a plain `int`, and they double as SCALE codec annotations (the codec maps each class
to its little-endian width through `BITS`, `BYTES` and `SIGNED`). Their arithmetic is *strict*,
and it is the arithmetic of Rust's fixed-width integers (what FRAME runs), never silently
Python's:

* operands must be of the same class: ``U32(1) + 1`` and ``U32(1) + U64(1)`` raise `TypeError`
  (convert explicitly, e.g. ``U64(x)``), so a width is never chosen by accident; so do
  ``U32(1) + 1.5`` and ``1 + U32(1)``. (Python gives a float or a `Fraction` operand on the
  *left* the first word, and those accept any int: ``1.5 + U32(1)`` is a float. That is why
  the runtime lint bans float literals outright.) Comparisons
  (``==``, ``<``, ...) with plain integers and other widths are allowed: they cannot lose
  information. ``sum()`` needs a typed start value: ``sum(xs, U128(0))``;
* a result outside the type's range raises `Overflow` (above `MAX`) or `Underflow` (below
  `MIN`); it never wraps. ``<<`` is checked the same way: bits shifted out raise, where Rust's
  ``<<`` would drop them;
* ``/`` is refused (it would produce a float);
* ``//`` and ``%`` **truncate toward zero, as Rust's ``/`` and ``%`` do**, not toward minus
  infinity as Python's do. The remainder takes the sign of the dividend, so
  ``a == (a // b) * b + a % b`` still holds. For the unsigned types, and whenever both operands
  have the same sign, the two conventions agree; they differ only for a negative quotient:
  ``I32(-7) // I32(2) == I32(-3)`` (Python's int gives -4) and ``I32(-7) % I32(2) == I32(-1)``
  (Python's int gives 1). This is deliberate: these types model the integers of the FRAME
  runtime, and a result must not depend on which language computed it. `div_euclid` and
  `rem_euclid` give the Euclidean convention (remainder never negative) by name;
* wrapping, saturating and checked arithmetic must be asked for by name (`wrapping_add`,
  `saturating_sub`, `checked_mul`, ...), with Rust's meaning for each.

Subclassing a concrete width (``class BlockNumber(U32): ...``) makes a distinct newtype with the
same range that does not mix with its parent.
"""

from __future__ import annotations

import numbers
from typing import Any, ClassVar, Self

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


def _trunc_divmod(a: int, b: int) -> tuple[int, int]:
    """Return Rust's ``(a / b, a % b)``: the quotient truncated toward zero; `b` is not zero."""
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    return q, a - q * b


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

    def __init_subclass__(
        cls, *, bits: int | None = None, signed: bool | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if bits is None and signed is None:
            if not hasattr(cls, "BITS"):
                raise TypeError(f"{cls.__name__} must be declared with bits= and signed=")
            return  # a newtype of a concrete width: inherit its range
        if bits is None or signed is None or bits <= 0 or bits % 8:
            raise TypeError(f"{cls.__name__}: bits= (a multiple of 8) and signed= go together")
        cls.BITS = bits
        cls.BYTES = bits // 8
        cls.SIGNED = signed
        cls.MIN = -(1 << (bits - 1)) if signed else 0
        cls.MAX = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1

    def __new__(cls, value: int = 0) -> Self:
        """Convert `value` (any `int`, including another width) to this type, checking range.

        Raises:
            TypeError: `value` is not an integer (floats, strings and bools are refused), or
                this class has no width (`FixedInt` itself).
            Overflow: `value` is above `MAX`.
            Underflow: `value` is below `MIN`.
        """
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{cls.__name__} takes an int, not {type(value).__name__}")
        if not hasattr(cls, "BITS"):
            raise TypeError("FixedInt has no width; use U8 ... U256 or I8 ... I256")
        if value > cls.MAX:
            raise Overflow(f"value does not fit in {cls.__name__} (above {cls.MAX})")
        if value < cls.MIN:
            raise Underflow(f"value does not fit in {cls.__name__} (below {cls.MIN})")
        return _new_int(cls, value)

    # --- construction helpers -------------------------------------------------------------

    @classmethod
    def _checked(cls, value: int) -> Self:
        # The result itself stays out of the message: it can be too long to print.
        if value > cls.MAX:
            raise Overflow(f"{cls.__name__} arithmetic overflowed (above {cls.MAX})")
        if value < cls.MIN:
            raise Underflow(f"{cls.__name__} arithmetic underflowed (below {cls.MIN})")
        return _new_int(cls, value)

    @classmethod
    def _optional(cls, value: int) -> Self | None:
        return _new_int(cls, value) if cls.MIN <= value <= cls.MAX else None

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
        """Decode exactly `BYTES` little-endian bytes (two's complement for signed types).

        Raises:
            ValueError: `data` is not exactly `BYTES` long.
        """
        if len(data) != cls.BYTES:
            raise ValueError(f"{cls.__name__} needs {cls.BYTES} bytes, got {len(data)}")
        return _new_int(cls, int.from_bytes(data, "little", signed=cls.SIGNED))

    def to_le_bytes(self) -> bytes:
        """Encode as `BYTES` little-endian bytes (the SCALE encoding)."""
        return int.to_bytes(self, self.BYTES, "little", signed=self.SIGNED)

    def _operand(self, other: object) -> int | None:
        """Return `other` as an int if it has this exact type; None if it is not a number.

        Returning None lets the operator answer `NotImplemented`, so a non-numeric right operand
        (a `Perbill`, say) may still handle the operation itself.

        Raises:
            TypeError: `other` is an int of another type (a plain int, a bool, another width)
                or another kind of number (float, Fraction, Decimal).
        """
        if type(other) is type(self):
            return int(other)
        if isinstance(other, int | numbers.Number):
            # Other numbers (float, Fraction, Decimal) would happily compute a float or a
            # fraction in their reflected method: refuse here rather than answer NotImplemented.
            raise TypeError(
                f"{type(self).__name__} arithmetic needs another {type(self).__name__}, "
                f"not {type(other).__name__}; convert explicitly"
            )
        return None

    def _divisor(self, other: object, what: str) -> int | None:
        divisor = self._operand(other)
        if divisor == 0:
            raise DivisionByZero(f"{type(self).__name__} {what} by zero")
        return divisor

    def _refuse_reflected(self, other: object) -> Any:
        """Reflected operators only run when the left operand is not of this type: refuse."""
        if isinstance(other, int | numbers.Number):
            raise TypeError(
                f"{type(other).__name__} and {type(self).__name__} do not mix; convert explicitly"
            )
        return NotImplemented

    # --- strict checked operators ---------------------------------------------------------

    def __add__(self, other: object) -> Self:
        o = self._operand(other)
        if o is None:
            return NotImplemented
        return self._checked(int(self) + o)

    def __radd__(self, other: object) -> Self:
        return self._refuse_reflected(other)  # type: ignore[no-any-return]

    def __sub__(self, other: object) -> Self:
        o = self._operand(other)
        if o is None:
            return NotImplemented
        return self._checked(int(self) - o)

    def __rsub__(self, other: object) -> Self:
        return self._refuse_reflected(other)  # type: ignore[no-any-return]

    def __mul__(self, other: object) -> Self:
        o = self._operand(other)
        if o is None:
            return NotImplemented
        return self._checked(int(self) * o)

    def __rmul__(self, other: object) -> Self:
        return self._refuse_reflected(other)  # type: ignore[no-any-return]

    def __floordiv__(self, other: object) -> Self:
        """Quotient truncated toward zero (Rust's ``/``); ``MIN // -1`` overflows."""
        o = self._divisor(other, "division")
        if o is None:
            return NotImplemented
        return self._checked(_trunc_divmod(int(self), o)[0])

    def __rfloordiv__(self, other: object) -> Self:
        return self._refuse_reflected(other)  # type: ignore[no-any-return]

    def __mod__(self, other: object) -> Self:
        """Remainder with the sign of the dividend (Rust's ``%``); ``MIN % -1`` overflows."""
        o = self._divisor(other, "remainder")
        if o is None:
            return NotImplemented
        q, r = _trunc_divmod(int(self), o)
        if q > self.MAX:
            raise Overflow(f"{type(self).__name__} remainder overflowed (MIN % -1)")
        return _new_int(type(self), r)

    def __rmod__(self, other: object) -> Self:
        return self._refuse_reflected(other)  # type: ignore[no-any-return]

    def __divmod__(self, other: object) -> tuple[Self, Self]:
        o = self._divisor(other, "division")
        if o is None:
            return NotImplemented
        q, r = _trunc_divmod(int(self), o)
        return self._checked(q), _new_int(type(self), r)

    def __rdivmod__(self, other: object) -> tuple[Self, Self]:
        return self._refuse_reflected(other)  # type: ignore[no-any-return]

    def __pow__(self, exponent: object, modulo: object = None) -> Self:  # type: ignore[override]
        """Checked power; the exponent is any non-negative int (Rust's `pow` takes a `u32`)."""
        if modulo is not None:
            raise TypeError("modular pow is not supported; compute it explicitly")
        e = self._exponent(exponent)
        base = int(self)
        # Refuse before computing a number far larger than the type could ever hold.
        if abs(base) > 1 and e > self.BITS:
            if base < 0 and e % 2:
                raise Underflow(f"{type(self).__name__} power underflowed")
            raise Overflow(f"{type(self).__name__} power overflowed")
        return self._checked(base**e)

    def __rpow__(self, other: object, modulo: object = None) -> Self:
        return self._refuse_reflected(other)  # type: ignore[no-any-return]

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
        """Bitwise not within the width (Rust's ``!``): ``~U8(0) == U8(255)``."""
        return self._wrapped(~int(self))

    def __and__(self, other: object) -> Self:
        o = self._operand(other)
        if o is None:
            return NotImplemented
        return _new_int(type(self), int(self) & o)

    def __or__(self, other: object) -> Self:
        o = self._operand(other)
        if o is None:
            return NotImplemented
        return _new_int(type(self), int(self) | o)

    def __xor__(self, other: object) -> Self:
        o = self._operand(other)
        if o is None:
            return NotImplemented
        return _new_int(type(self), int(self) ^ o)

    def __rand__(self, other: object) -> Self:
        return self._refuse_reflected(other)  # type: ignore[no-any-return]

    __ror__ = __rand__
    __rxor__ = __rand__

    @staticmethod
    def _exponent(value: object) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise TypeError("the exponent or shift must be a non-negative int")
        return int(value)

    def __lshift__(self, shift: object) -> Self:
        """Checked shift left: raises if `shift` >= `BITS` or if any bit is shifted out."""
        s = self._exponent(shift)
        if s >= self.BITS:
            raise Overflow(f"shift by {s} overflows {type(self).__name__}")
        return self._checked(int(self) << s)

    def __rshift__(self, shift: object) -> Self:
        """Shift right (arithmetic for signed types, as Rust's ``>>``); big shifts give 0 or -1."""
        return _new_int(type(self), int(self) >> self._exponent(shift))

    def __rlshift__(self, other: object) -> Self:
        return self._refuse_reflected(other)  # type: ignore[no-any-return]

    __rrshift__ = __rlshift__

    def __float__(self) -> float:
        raise TypeError("fixed-width integers never become floats")

    def __complex__(self) -> complex:
        raise TypeError("fixed-width integers never become complex numbers")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({int(self)})"

    def __str__(self) -> str:
        return int.__repr__(self)

    # --- named arithmetic (Rust's checked_*/saturating_*/wrapping_*) ----------------------

    def checked_add(self, other: Self) -> Self | None:
        """Return ``self + other``, or None if it would leave the type's range."""
        return self._optional(int(self) + self._same(other))

    def checked_sub(self, other: Self) -> Self | None:
        """Return ``self - other``, or None if it would leave the type's range."""
        return self._optional(int(self) - self._same(other))

    def checked_mul(self, other: Self) -> Self | None:
        """Return ``self * other``, or None if it would leave the type's range."""
        return self._optional(int(self) * self._same(other))

    def checked_div(self, other: Self) -> Self | None:
        """Return ``self // other`` (truncated), or None if `other` is zero or it overflows."""
        divisor = self._same(other)
        if divisor == 0:
            return None
        return self._optional(_trunc_divmod(int(self), divisor)[0])

    def checked_rem(self, other: Self) -> Self | None:
        """Return ``self % other`` (Rust's remainder), or None if `other` is zero.

        As in Rust, ``MIN.checked_rem(-1)`` is None too (the matching quotient overflows).
        """
        divisor = self._same(other)
        if divisor == 0:
            return None
        q, r = _trunc_divmod(int(self), divisor)
        return _new_int(type(self), r) if q <= self.MAX else None

    def checked_neg(self) -> Self | None:
        """Return ``-self``, or None if it does not fit (any non-zero unsigned value, `MIN`)."""
        return self._optional(-int(self))

    def checked_pow(self, exponent: int) -> Self | None:
        """Return ``self ** exponent``, or None if it would leave the type's range."""
        try:
            return self**exponent
        except (Overflow, Underflow):
            return None

    def saturating_add(self, other: Self) -> Self:
        """Return ``self + other`` clamped to the type's range."""
        return self._saturated(int(self) + self._same(other))

    def saturating_sub(self, other: Self) -> Self:
        """Return ``self - other`` clamped to the type's range."""
        return self._saturated(int(self) - self._same(other))

    def saturating_mul(self, other: Self) -> Self:
        """Return ``self * other`` clamped to the type's range."""
        return self._saturated(int(self) * self._same(other))

    def saturating_div(self, other: Self) -> Self:
        """Return ``self // other`` (truncated) clamped to the range (``MIN // -1`` is `MAX`).

        Raises:
            DivisionByZero: `other` is zero (Rust panics).
        """
        divisor = self._same(other)
        if divisor == 0:
            raise DivisionByZero(f"{type(self).__name__} division by zero")
        return self._saturated(_trunc_divmod(int(self), divisor)[0])

    def saturating_neg(self) -> Self:
        """Return ``-self`` clamped to the type's range (`MIN` becomes `MAX`; unsigned: 0)."""
        return self._saturated(-int(self))

    def saturating_pow(self, exponent: int) -> Self:
        """Return ``self ** exponent`` clamped to the type's range."""
        e = self._exponent(exponent)
        base = int(self)
        if abs(base) > 1 and e > self.BITS:
            return self._saturated((-1 if base < 0 and e % 2 else 1) << (self.BITS + 1))
        return self._saturated(base**e)

    def wrapping_add(self, other: Self) -> Self:
        """Return ``self + other`` modulo ``2**BITS`` (two's complement for signed types)."""
        return self._wrapped(int(self) + self._same(other))

    def wrapping_sub(self, other: Self) -> Self:
        """Return ``self - other`` modulo ``2**BITS`` (two's complement for signed types)."""
        return self._wrapped(int(self) - self._same(other))

    def wrapping_mul(self, other: Self) -> Self:
        """Return ``self * other`` modulo ``2**BITS`` (two's complement for signed types)."""
        return self._wrapped(int(self) * self._same(other))

    def wrapping_div(self, other: Self) -> Self:
        """Return ``self // other`` (truncated) modulo ``2**BITS`` (``MIN // -1`` is `MIN`).

        Raises:
            DivisionByZero: `other` is zero (Rust panics).
        """
        divisor = self._same(other)
        if divisor == 0:
            raise DivisionByZero(f"{type(self).__name__} division by zero")
        return self._wrapped(_trunc_divmod(int(self), divisor)[0])

    def wrapping_rem(self, other: Self) -> Self:
        """Return ``self % other`` (Rust's remainder; ``MIN % -1`` is 0).

        Raises:
            DivisionByZero: `other` is zero (Rust panics).
        """
        divisor = self._same(other)
        if divisor == 0:
            raise DivisionByZero(f"{type(self).__name__} remainder by zero")
        return _new_int(type(self), _trunc_divmod(int(self), divisor)[1])

    def wrapping_neg(self) -> Self:
        """Return ``-self`` modulo ``2**BITS`` (``-MIN`` is `MIN`; unsigned: ``2**BITS - self``)."""
        return self._wrapped(-int(self))

    def wrapping_pow(self, exponent: int) -> Self:
        """Return ``self ** exponent`` modulo ``2**BITS`` (two's complement for signed types)."""
        return self._wrapped(pow(int(self), self._exponent(exponent), 1 << self.BITS))

    def div_euclid(self, other: Self) -> Self:
        """Euclidean quotient: ``q`` with ``self == q * other + r`` and ``0 <= r < |other|``.

        Raises:
            DivisionByZero: `other` is zero.
            Overflow: the quotient does not fit (``MIN.div_euclid(-1)``).
        """
        divisor = self._same(other)
        if divisor == 0:
            raise DivisionByZero(f"{type(self).__name__} division by zero")
        r = int(self) % abs(divisor)
        return self._checked((int(self) - r) // divisor)

    def rem_euclid(self, other: Self) -> Self:
        """Euclidean remainder: always ``0 <= r < |other|``.

        Raises:
            DivisionByZero: `other` is zero.
        """
        divisor = self._same(other)
        if divisor == 0:
            raise DivisionByZero(f"{type(self).__name__} remainder by zero")
        return _new_int(type(self), int(self) % abs(divisor))

    def _same(self, other: object) -> int:
        o = self._operand(other)
        if o is None:
            raise TypeError(
                f"{type(self).__name__} arithmetic needs another {type(self).__name__}, "
                f"not {type(other).__name__}"
            )
        return o


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
