"""Decimal fixed point: `FixedU128`, `FixedI128`, `FixedU64`, `FixedI64`.

Introduction
------------
sp-arithmetic's fixed-point numbers, with the same meaning for every operation. A value is an
integer `inner` read as ``inner / DIV`` (``DIV = 10**18`` for the 128-bit types, ``10**9`` for
the 64-bit ones). `FixedU128` is FRAME's fee `Multiplier`.

Rounding, which is where implementations drift apart, is named everywhere:

* ``a * b`` and `checked_mul`/`saturating_mul` truncate toward zero (FRAME's `CheckedMul`);
  `checked_mul_with_rounding` takes any `SignedRounding` (FRAME's ``const fn mul`` uses
  `SignedRounding.NEAREST_PREF_LOW`, which is its default here);
* `checked_div`/`saturating_div` truncate toward zero (FRAME's `CheckedDiv`);
  `checked_div_with_rounding` takes any `SignedRounding`;
* `from_rational(a, b)` rounds to nearest, half-way down (FRAME's inherent
  ``const fn from_rational``); `checked_from_rational` and `saturating_from_rational` truncate
  toward zero (FRAME's `FixedPointNumber` trait methods);
* `checked_mul_int`/`saturating_mul_int` (``fee = multiplier.saturating_mul_int(fee)``)
  truncate toward zero; `checked_div_int`/`saturating_div_int` too;
* `saturating_pow` is FRAME's square-and-multiply with truncating products, step for step.

``+``, ``-``, unary ``-`` and ``*`` raise `Overflow`/`Underflow` where FRAME would panic; the
``checked_*`` methods answer None and the ``saturating_*`` ones clamp. ``/`` is not defined: the
runtime lint bans the operator, so division is always asked for by name. `floor`, `ceil` and
`is_one` are exact (sp-arithmetic's `floor` returns ``n - 1`` for a negative integer ``n``, and
its `is_one` tests ``inner == 1``); `str()` prints the exact decimal, and `from_decimal_str`
reads one back.

SCALE: a fixed-point number encodes as its `inner` integer (`to_le_bytes`/`from_le_bytes`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Self, TypeVar, cast

from deepshard.primitives.numeric.errors import DivisionByZero, Overflow, Underflow
from deepshard.primitives.numeric.integers import I64, I128, U64, U128, FixedInt
from deepshard.primitives.numeric.per_things import Perbill, PerThing
from deepshard.primitives.numeric.rounding import Rounding, SignedRounding, multiply_rational

__all__ = [
    "FixedPointNumber",
    "FixedU128",
    "FixedI128",
    "FixedU64",
    "FixedI64",
    "FIXED_POINT_TYPES",
]

_N = TypeVar("_N", bound=int)
_DECIMAL = re.compile(r"([+-]?)([0-9]+)(?:\.([0-9]+))?")
_P = TypeVar("_P", bound=PerThing)


def _integer(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} must be an integer, not {type(value).__name__}")
    return int(value)


def _signed_mul_div(a: int, b: int, c: int, rounding: SignedRounding) -> int:
    """Return ``a * b / c`` (``c > 0``) rounded as `rounding` says, for signed `a` and `b`."""
    negative = (a < 0) != (b < 0)
    magnitude = multiply_rational(abs(a), abs(b), c, Rounding.from_signed(rounding, negative))
    return -magnitude if negative else magnitude


def _fits(kind: type[int], value: int) -> bool:
    if issubclass(kind, FixedInt):
        return kind.MIN <= value <= kind.MAX
    return True


def _as(template: _N, value: int) -> _N:
    if isinstance(template, FixedInt):
        return cast(_N, type(template)(value))
    return cast(_N, value)


def _bound_of(template: int, negative: bool) -> int:
    """The bound of `template`'s type on the side of the result's sign (FRAME's `to_bound`)."""
    if not isinstance(template, FixedInt):
        raise Overflow("a plain int has no bound to saturate at")
    return template.MIN if negative else template.MAX


class FixedPointNumber:
    """Shared behaviour of the fixed-point types; each subclass is a frozen dataclass."""

    __slots__ = ()

    inner: FixedInt
    """The raw integer; the value is ``inner / DIV``."""
    INNER: ClassVar[type[FixedInt]]
    """The integer type of `inner`, which is also the SCALE encoding."""
    DIV: ClassVar[int]
    """The number of inner units in one (a power of ten)."""
    DECIMALS: ClassVar[int]
    """``log10(DIV)``: the number of decimal places."""
    TYPE_PATH: ClassVar[tuple[str, ...]]
    """The scale-info type path of the Substrate type (for metadata)."""

    def __post_init__(self) -> None:
        raw: object = self.inner
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise TypeError(f"{type(self).__name__} inner must be an int")
        object.__setattr__(self, "inner", raw if type(raw) is self.INNER else self.INNER(raw))

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def from_inner(cls, inner: int) -> Self:
        """Build from the raw integer (``inner / DIV``).

        Raises:
            Overflow, Underflow: `inner` does not fit `INNER`.
        """
        return cls(cls.INNER(_integer(inner, "inner")))  # type: ignore[call-arg]

    @classmethod
    def _optional(cls, inner: int) -> Self | None:
        return cls.from_inner(inner) if cls.INNER.MIN <= inner <= cls.INNER.MAX else None

    @classmethod
    def _saturated(cls, inner: int) -> Self:
        return cls.from_inner(max(cls.INNER.MIN, min(cls.INNER.MAX, inner)))

    @classmethod
    def _checked(cls, inner: int) -> Self:
        if inner > cls.INNER.MAX:
            raise Overflow(f"{cls.__name__} overflowed")
        if inner < cls.INNER.MIN:
            raise Underflow(f"{cls.__name__} underflowed")
        return cls.from_inner(inner)

    @classmethod
    def zero(cls) -> Self:
        """Zero."""
        return cls.from_inner(0)

    @classmethod
    def one(cls) -> Self:
        """One (``inner == DIV``)."""
        return cls.from_inner(cls.DIV)

    @classmethod
    def min_value(cls) -> Self:
        """The smallest representable value."""
        return cls.from_inner(cls.INNER.MIN)

    @classmethod
    def max_value(cls) -> Self:
        """The largest representable value."""
        return cls.from_inner(cls.INNER.MAX)

    @classmethod
    def accuracy(cls) -> int:
        """`DIV`: the number of inner units in one."""
        return cls.DIV

    @classmethod
    def checked_from_integer(cls, n: int) -> Self | None:
        """Return ``n`` as a fixed-point number, or None if it does not fit."""
        return cls._optional(_integer(n, "n") * cls.DIV)

    @classmethod
    def saturating_from_integer(cls, n: int) -> Self:
        """Return ``n`` as a fixed-point number, clamped to the type's range."""
        return cls._saturated(_integer(n, "n") * cls.DIV)

    @classmethod
    def from_integer(cls, n: int) -> Self:
        """Return ``n`` as a fixed-point number.

        Raises:
            Overflow, Underflow: ``n`` does not fit.
        """
        return cls._checked(_integer(n, "n") * cls.DIV)

    @classmethod
    def from_rational(cls, a: int, b: int, rounding: Rounding = Rounding.NEAREST_PREF_DOWN) -> Self:
        """Approximate ``a / b`` (both non-negative) rounding to nearest, half-way down.

        This is FRAME's inherent ``from_rational``; other roundings can be named.

        Raises:
            DivisionByZero: `b` is zero.
            Overflow: the result does not fit.
            ValueError: `a` or `b` is negative.
        """
        num, den = _integer(a, "a"), _integer(b, "b")
        if den == 0:
            raise DivisionByZero(f"{cls.__name__}.from_rational with a zero denominator")
        return cls._checked(multiply_rational(cls.DIV, num, den, rounding))

    @classmethod
    def checked_from_rational(cls, n: int, d: int) -> Self | None:
        """Return ``n / d`` truncated toward zero, or None if ``d == 0`` or it does not fit."""
        num, den = _integer(n, "n"), _integer(d, "d")
        if den == 0:
            return None
        inner = _signed_mul_div(num if den > 0 else -num, cls.DIV, abs(den), _MINOR)
        return cls._optional(inner)

    @classmethod
    def saturating_from_rational(cls, n: int, d: int) -> Self:
        """Return ``n / d`` truncated toward zero, clamped to the range by the result's sign.

        Raises:
            DivisionByZero: `d` is zero (FRAME panics).
        """
        num, den = _integer(n, "n"), _integer(d, "d")
        if den == 0:
            raise DivisionByZero(f"{cls.__name__}.saturating_from_rational by zero")
        result = cls.checked_from_rational(num, den)
        if result is not None:
            return result
        return cls.min_value() if (num < 0) != (den < 0) else cls.max_value()

    @classmethod
    def from_perthing(cls, p: PerThing) -> Self:
        """Convert a per-thing exactly (FRAME's ``From<P: PerThing>``)."""
        return cls.saturating_from_rational(int(p.parts), p.ACCURACY)

    @classmethod
    def from_decimal_str(cls, text: str) -> Self:
        """Read an exact decimal such as ``"1.5"``, ``"-0.000000001"`` or ``"42"``.

        Raises:
            ValueError: `text` is not a plain decimal, or has more than `DECIMALS` places.
            Overflow, Underflow: the value does not fit.
        """
        match = _DECIMAL.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"not a decimal number: {text!r}")
        sign, whole, fraction = match.group(1), match.group(2), match.group(3) or ""
        if len(fraction) > cls.DECIMALS:
            raise ValueError(f"{cls.__name__} has only {cls.DECIMALS} decimal places: {text!r}")
        inner = int(whole) * cls.DIV + int(fraction.ljust(cls.DECIMALS, "0"))
        return cls._checked(-inner if sign == "-" else inner)

    @classmethod
    def from_le_bytes(cls, data: bytes) -> Self:
        """Decode the SCALE encoding (`INNER`, little-endian).

        Raises:
            ValueError: `data` has the wrong length.
        """
        return cls(cls.INNER.from_le_bytes(data))  # type: ignore[call-arg]

    def to_le_bytes(self) -> bytes:
        """Encode as SCALE: `inner`, little-endian."""
        return self.inner.to_le_bytes()

    def into_inner(self) -> int:
        """Return the raw integer."""
        return self.inner

    # --- inspection -----------------------------------------------------------------------

    def is_zero(self) -> bool:
        """Whether this is zero."""
        return self.inner == 0

    def is_one(self) -> bool:
        """Whether this is exactly one."""
        return self.inner == self.DIV

    def is_positive(self) -> bool:
        """Whether this is above zero."""
        return self.inner > 0

    def is_negative(self) -> bool:
        """Whether this is below zero."""
        return self.inner < 0

    # --- addition and subtraction ---------------------------------------------------------

    def _other(self, other: object) -> int:
        if type(other) is not type(self):
            raise TypeError(f"{type(self).__name__} needs another {type(self).__name__}")
        return int(other.inner)

    def checked_add(self, other: Self) -> Self | None:
        """Return ``self + other``, or None if it does not fit."""
        return self._optional(int(self.inner) + self._other(other))

    def checked_sub(self, other: Self) -> Self | None:
        """Return ``self - other``, or None if it does not fit."""
        return self._optional(int(self.inner) - self._other(other))

    def saturating_add(self, other: Self) -> Self:
        """Return ``self + other`` clamped to the range."""
        return self._saturated(int(self.inner) + self._other(other))

    def saturating_sub(self, other: Self) -> Self:
        """Return ``self - other`` clamped to the range."""
        return self._saturated(int(self.inner) - self._other(other))

    def __add__(self, other: object) -> Self:
        if type(other) is not type(self):
            return NotImplemented
        return self._checked(int(self.inner) + self._other(other))

    def __sub__(self, other: object) -> Self:
        if type(other) is not type(self):
            return NotImplemented
        return self._checked(int(self.inner) - self._other(other))

    def __neg__(self) -> Self:
        return self._checked(-int(self.inner))

    def saturating_abs(self) -> Self:
        """Return ``|self|``, with ``|min_value()|`` saturating at `max_value`."""
        return self._saturated(abs(int(self.inner)))

    # --- multiplication and division ------------------------------------------------------

    def checked_mul_with_rounding(
        self, other: Self, rounding: SignedRounding = SignedRounding.NEAREST_PREF_LOW
    ) -> Self | None:
        """Return ``self * other`` rounded as asked, or None if it does not fit."""
        return self._optional(
            _signed_mul_div(int(self.inner), self._other(other), self.DIV, rounding)
        )

    def checked_mul(self, other: Self) -> Self | None:
        """Return ``self * other`` truncated toward zero, or None if it does not fit."""
        return self.checked_mul_with_rounding(other, _MINOR)

    def saturating_mul(self, other: Self) -> Self:
        """Return ``self * other`` truncated toward zero, clamped to the range."""
        return self._saturated(
            _signed_mul_div(int(self.inner), self._other(other), self.DIV, _MINOR)
        )

    def __mul__(self, other: object) -> Self:
        if type(other) is not type(self):
            return NotImplemented
        return self._checked(_signed_mul_div(int(self.inner), self._other(other), self.DIV, _MINOR))

    def checked_div_with_rounding(
        self, other: Self, rounding: SignedRounding = SignedRounding.NEAREST_PREF_LOW
    ) -> Self | None:
        """Return ``self / other`` rounded as asked, or None if `other` is zero or no fit."""
        divisor = self._other(other)
        if divisor == 0:
            return None
        sign = -1 if divisor < 0 else 1
        return self._optional(
            _signed_mul_div(int(self.inner), sign * self.DIV, abs(divisor), rounding)
        )

    def checked_div(self, other: Self) -> Self | None:
        """Return ``self / other`` truncated toward zero, or None if `other` is zero or no fit."""
        return self.checked_div_with_rounding(other, _MINOR)

    def saturating_div(self, other: Self) -> Self:
        """Return ``self / other`` truncated toward zero, clamped to the range.

        Raises:
            DivisionByZero: `other` is zero.
        """
        divisor = self._other(other)
        if divisor == 0:
            raise DivisionByZero(f"{type(self).__name__} division by zero")
        sign = -1 if divisor < 0 else 1
        return self._saturated(
            _signed_mul_div(int(self.inner), sign * self.DIV, abs(divisor), _MINOR)
        )

    def reciprocal(self) -> Self | None:
        """Return ``1 / self`` truncated toward zero, or None if `self` is zero."""
        return self.one().checked_div(self)

    def saturating_pow(self, exponent: int) -> Self:
        """Return ``self ** exponent`` with FRAME's square-and-multiply, saturating.

        Each step is a truncating `saturating_mul`, in FRAME's order, so the result is FRAME's.

        Raises:
            ValueError: `exponent` is negative or does not fit a `u32` (FRAME casts it to one).
        """
        e = _integer(exponent, "exponent")
        if not 0 <= e <= 0xFFFF_FFFF:
            raise ValueError("the exponent must fit a u32")
        result = self.one()
        if e == 0:
            return result
        base = self
        for bit in range(e.bit_length()):
            if (e >> bit) & 1:
                result = result.saturating_mul(base)
            base = base.saturating_mul(base)
        return result

    # --- integers -------------------------------------------------------------------------

    def checked_mul_int(self, n: _N) -> _N | None:
        """Return ``self * n`` truncated toward zero in `n`'s type, or None if it does not fit.

        `n` is a `U8` ... `I256` or a plain int (which has no bound).
        """
        value = _signed_mul_div(int(self.inner), _integer(n, "n"), self.DIV, _MINOR)
        return _as(n, value) if _fits(type(n), value) else None

    def saturating_mul_int(self, n: _N) -> _N:
        """Return ``self * n`` truncated toward zero, clamped to `n`'s type.

        This is how FRAME applies the fee multiplier: ``multiplier.saturating_mul_int(fee)``.
        """
        result = self.checked_mul_int(n)
        if result is not None:
            return result
        return _as(n, _bound_of(n, (self.inner < 0) != (n < 0)))

    def checked_div_int(self, d: _N) -> _N | None:
        """Return ``self / d`` truncated toward zero in `d`'s type, or None (zero, or no fit)."""
        divisor = _integer(d, "d")
        if divisor == 0:
            return None
        magnitude = abs(int(self.inner)) // abs(divisor) // self.DIV
        value = -magnitude if (self.inner < 0) != (divisor < 0) else magnitude
        return _as(d, value) if _fits(type(d), value) else None

    def saturating_div_int(self, d: _N) -> _N:
        """Return ``self / d`` truncated toward zero, clamped to `d`'s type.

        Raises:
            DivisionByZero: `d` is zero (FRAME panics).
        """
        if _integer(d, "d") == 0:
            raise DivisionByZero(f"{type(self).__name__}.saturating_div_int by zero")
        result = self.checked_div_int(d)
        if result is not None:
            return result
        return _as(d, _bound_of(d, (self.inner < 0) != (d < 0)))

    def saturating_mul_acc_int(self, n: _N) -> _N:
        """Return ``self * n + n``, saturating (FRAME's `saturating_mul_acc_int`)."""
        value = _integer(n, "n")
        if isinstance(n, FixedInt):
            if self.is_negative() and value > 0:
                product = self.zero().saturating_sub(self).saturating_mul_int(n)
                return cast(_N, n.saturating_sub(product))
            return cast(_N, self.saturating_mul_int(n).saturating_add(n))
        return cast(_N, self.saturating_mul_int(n) + value)

    # --- rounding to integers -------------------------------------------------------------

    def trunc(self) -> Self:
        """The integer part, toward zero."""
        magnitude = abs(int(self.inner)) // self.DIV * self.DIV
        return self.from_inner(-magnitude if self.inner < 0 else magnitude)

    def floor(self) -> Self:
        """The largest integer not above `self`; saturates at ``min_value().trunc()``."""
        value = int(self.inner) // self.DIV * self.DIV
        return self.from_inner(value) if value >= self.INNER.MIN else self.min_value().trunc()

    def ceil(self) -> Self:
        """The smallest integer not below `self`; saturates at ``max_value().trunc()``."""
        value = -(-int(self.inner) // self.DIV) * self.DIV
        return self.from_inner(value) if value <= self.INNER.MAX else self.max_value().trunc()

    # --- per-things -----------------------------------------------------------------------

    def into_perbill(self) -> Perbill:
        """Convert to a `Perbill`, rounding to nearest (half-way down), clamped to [0, 1]."""
        if self.inner <= 0:
            return Perbill.zero()
        if self.inner >= self.DIV:
            return Perbill.one()
        parts = multiply_rational(int(self.inner), Perbill.ACCURACY, self.DIV, _NEAREST_DOWN)
        return Perbill.from_parts(parts)

    def into_clamped_perthing(self, kind: type[_P]) -> _P:
        """Convert to the per-thing `kind`, rounding down, clamped to [0, 1]."""
        if self.inner < 0:
            return kind.zero()
        if self.inner > self.DIV:
            return kind.one()
        return kind.from_rational(int(self.inner), self.DIV)

    # --- ordering (only between values of the same type) ---------------------------------

    def __lt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self.inner < other.inner)

    def __le__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self.inner <= other.inner)

    def __gt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self.inner > other.inner)

    def __ge__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self.inner >= other.inner)

    # --- refusals and presentation --------------------------------------------------------

    def __float__(self) -> float:
        raise TypeError("fixed-point numbers never become floats; use str() for display")

    def __bool__(self) -> bool:
        return self.inner != 0

    def __str__(self) -> str:
        """The exact decimal, without trailing zeros: ``"1.5"``, ``"-0.25"``, ``"3"``."""
        whole, fraction = divmod(abs(int(self.inner)), self.DIV)
        sign = "-" if self.inner < 0 else ""
        digits = str(fraction).rjust(self.DECIMALS, "0").rstrip("0")
        return f"{sign}{whole}.{digits}" if digits else f"{sign}{whole}"

    def __repr__(self) -> str:
        """FRAME's debug form, every decimal place shown: ``FixedU128(1.500000000000000000)``."""
        whole, fraction = divmod(abs(int(self.inner)), self.DIV)
        sign = "-" if self.inner < 0 else ""
        return f"{type(self).__name__}({sign}{whole}.{str(fraction).rjust(self.DECIMALS, '0')})"


_MINOR = SignedRounding.MINOR
_NEAREST_DOWN = Rounding.NEAREST_PREF_DOWN


@dataclass(frozen=True, slots=True, repr=False)
class FixedU128(FixedPointNumber):
    """Unsigned fixed point with 18 decimals in a `U128` (FRAME's fee `Multiplier`)."""

    inner: U128
    """The raw integer; the value is ``inner / 10**18``."""
    INNER: ClassVar[type[FixedInt]] = U128
    DIV: ClassVar[int] = 10**18
    DECIMALS: ClassVar[int] = 18
    TYPE_PATH: ClassVar[tuple[str, ...]] = ("sp_arithmetic", "fixed_point", "FixedU128")


@dataclass(frozen=True, slots=True, repr=False)
class FixedI128(FixedPointNumber):
    """Signed fixed point with 18 decimals in an `I128`."""

    inner: I128
    """The raw integer; the value is ``inner / 10**18``."""
    INNER: ClassVar[type[FixedInt]] = I128
    DIV: ClassVar[int] = 10**18
    DECIMALS: ClassVar[int] = 18
    TYPE_PATH: ClassVar[tuple[str, ...]] = ("sp_arithmetic", "fixed_point", "FixedI128")


@dataclass(frozen=True, slots=True, repr=False)
class FixedU64(FixedPointNumber):
    """Unsigned fixed point with 9 decimals in a `U64`."""

    inner: U64
    """The raw integer; the value is ``inner / 10**9``."""
    INNER: ClassVar[type[FixedInt]] = U64
    DIV: ClassVar[int] = 10**9
    DECIMALS: ClassVar[int] = 9
    TYPE_PATH: ClassVar[tuple[str, ...]] = ("sp_arithmetic", "fixed_point", "FixedU64")


@dataclass(frozen=True, slots=True, repr=False)
class FixedI64(FixedPointNumber):
    """Signed fixed point with 9 decimals in an `I64`."""

    inner: I64
    """The raw integer; the value is ``inner / 10**9``."""
    INNER: ClassVar[type[FixedInt]] = I64
    DIV: ClassVar[int] = 10**9
    DECIMALS: ClassVar[int] = 9
    TYPE_PATH: ClassVar[tuple[str, ...]] = ("sp_arithmetic", "fixed_point", "FixedI64")


FIXED_POINT_TYPES: tuple[type[FixedPointNumber], ...] = (FixedU128, FixedI128, FixedU64, FixedI64)
"""Every fixed-point type."""
