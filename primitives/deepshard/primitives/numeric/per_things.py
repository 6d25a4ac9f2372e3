"""Parts-per-X ratios in ``[0, 1]``: `Percent`, `PerU16`, `Permill`, `Perbill`, `Perquintill`.

Introduction
------------
These are sp-arithmetic's per-things, with the same meaning for every operation, so that a
result computed here equals the one a FRAME runtime computes. A value is a count of `parts`
out of `ACCURACY`; it never leaves ``[0, 1]``:

* construction: ``Perbill(U32(x))`` is checked (raises `Overflow` above `ACCURACY`; this is
  also what decoding does); `from_parts` saturates at one, as FRAME's does;
  `checked_from_parts` answers None instead;
* ``p * n`` for an unsigned integer `n` (a `U8` ... `U256`, or a non-negative plain int)
  returns ``n * p`` in `n`'s type, **rounded to the nearest integer, half-way rounding down**
  (FRAME's ``impl Mul<N>``); `mul_floor` and `mul_ceil` round down and up. The result never
  overflows (it is at most `n`);
* ``p * q`` for two per-things of the same type rounds down; `square` and `saturating_pow`
  follow FRAME's algorithm step for step, so their rounding matches too;
* `from_rational(p, q, rounding)` approximates ``p / q`` with the named `Rounding` (default
  down, as FRAME's `from_rational`), saturating at one when ``p > q`` or ``q == 0``;
  `checked_from_rational` answers None in those cases;
* ``+`` and ``-`` are checked (`Overflow` above one, `Underflow` below zero); `saturating_add`,
  `saturating_sub` and `left_from_one` (``1 - p``) clamp.

SCALE: a per-thing encodes as its `parts` (`INNER`, little-endian), `to_le_bytes` and
`from_le_bytes` do exactly that, and decoding refuses ``parts > ACCURACY`` as Substrate's does.
`TYPE_PATH` is the scale-info path Substrate uses in metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeVar, cast, overload

from deepshard.primitives.numeric.errors import DivisionByZero, Overflow, Underflow
from deepshard.primitives.numeric.integers import U8, U16, U32, U64, FixedInt
from deepshard.primitives.numeric.rounding import Rounding, multiply_rational

__all__ = ["PerThing", "Percent", "PerU16", "Permill", "Perbill", "Perquintill", "PER_THINGS"]

_N = TypeVar("_N", bound=int)


def _unsigned(value: object, what: str) -> int:
    """Return `value` as a non-negative int, refusing floats, bools and signed widths."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} must be an unsigned integer, not {type(value).__name__}")
    if isinstance(value, FixedInt) and value.SIGNED:
        raise TypeError(f"{what} must be an unsigned integer type, not {type(value).__name__}")
    if value < 0:
        raise Underflow(f"{what} must not be negative (got {int(value)})")
    return int(value)


def _like(template: _N, value: int) -> _N:
    """Return `value` in the type of `template` (a fixed-width type, or a plain int)."""
    if isinstance(template, FixedInt):
        return cast(_N, type(template)(value))
    return cast(_N, value)


class PerThing:
    """Shared behaviour of the per-things; each subclass is a frozen dataclass with `parts`."""

    __slots__ = ()

    parts: FixedInt
    """Parts out of `ACCURACY` (declared with its exact width by each subclass)."""
    INNER: ClassVar[type[FixedInt]]
    """The integer type of `parts`, which is also the SCALE encoding."""
    ACCURACY: ClassVar[int]
    """How many parts make one whole."""
    TYPE_PATH: ClassVar[tuple[str, ...]]
    """The scale-info type path of the Substrate type (for metadata)."""

    def __post_init__(self) -> None:
        raw: object = self.parts
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise TypeError(f"{type(self).__name__} parts must be an int")
        parts = raw if type(raw) is self.INNER else self.INNER(raw)
        if parts > self.ACCURACY:
            raise Overflow(f"{type(self).__name__} parts {parts} exceed {self.ACCURACY}")
        object.__setattr__(self, "parts", parts)

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def _make(cls, parts: int) -> Self:
        return cls(cls.INNER(parts))  # type: ignore[call-arg]

    @classmethod
    def zero(cls) -> Self:
        """Nothing: zero parts."""
        return cls._make(0)

    @classmethod
    def one(cls) -> Self:
        """The whole: `ACCURACY` parts."""
        return cls._make(cls.ACCURACY)

    @classmethod
    def from_parts(cls, parts: int) -> Self:
        """Build from a number of parts, saturating at one (FRAME's `from_parts`).

        Raises:
            TypeError: `parts` is not an unsigned integer.
            Underflow: `parts` is negative.
        """
        return cls._make(min(_unsigned(parts, "parts"), cls.ACCURACY))

    @classmethod
    def checked_from_parts(cls, parts: int) -> Self | None:
        """Build from a number of parts, or None if `parts` exceeds `ACCURACY`."""
        value = _unsigned(parts, "parts")
        return cls._make(value) if value <= cls.ACCURACY else None

    @classmethod
    def from_percent(cls, percent: int) -> Self:
        """Build ``percent / 100`` rounding down; above 100 saturates at one."""
        value = min(_unsigned(percent, "percent"), 100)
        return cls._make(value * cls.ACCURACY // 100)

    @classmethod
    def checked_from_rational(
        cls, p: int, q: int, rounding: Rounding = Rounding.DOWN
    ) -> Self | None:
        """Approximate ``p / q`` with `rounding`; None if ``q == 0`` or ``p > q``.

        This is FRAME's `from_rational_with_rounding` (an `Err` there is None here).
        """
        num, den = _unsigned(p, "numerator"), _unsigned(q, "denominator")
        if den == 0 or num > den:
            return None
        return cls._make(multiply_rational(cls.ACCURACY, num, den, rounding))

    @classmethod
    def from_rational(cls, p: int, q: int, rounding: Rounding = Rounding.DOWN) -> Self:
        """Approximate ``p / q`` with `rounding` (down by default, as FRAME's `from_rational`).

        Saturates at one when ``p > q`` or ``q == 0``, as FRAME does. For example
        ``Percent.from_rational(989, 1000)`` is 98%.
        """
        result = cls.checked_from_rational(p, q, rounding)
        return cls.one() if result is None else result

    @classmethod
    def from_le_bytes(cls, data: bytes) -> Self:
        """Decode the SCALE encoding (`INNER`, little-endian).

        Raises:
            ValueError: `data` has the wrong length.
            Overflow: the parts exceed `ACCURACY` (Substrate refuses them too).
        """
        return cls(cls.INNER.from_le_bytes(data))  # type: ignore[call-arg]

    def to_le_bytes(self) -> bytes:
        """Encode as SCALE: the parts, little-endian, `INNER.BYTES` long."""
        return self.parts.to_le_bytes()

    # --- inspection -----------------------------------------------------------------------

    def deconstruct(self) -> int:
        """Return the number of parts (FRAME's `deconstruct`)."""
        return self.parts

    def is_zero(self) -> bool:
        """Whether this is zero."""
        return self.parts == 0

    def is_one(self) -> bool:
        """Whether this is one."""
        return self.parts == self.ACCURACY

    # --- multiplying integers -------------------------------------------------------------

    def _mul_int(self, n: _N, rounding: Rounding) -> _N:
        value = _unsigned(n, "the multiplicand")
        return _like(n, multiply_rational(value, int(self.parts), self.ACCURACY, rounding))

    def mul_floor(self, n: _N) -> _N:
        """Return ``self * n`` rounded down, in `n`'s type."""
        return self._mul_int(n, Rounding.DOWN)

    def mul_ceil(self, n: _N) -> _N:
        """Return ``self * n`` rounded up, in `n`'s type."""
        return self._mul_int(n, Rounding.UP)

    def _reciprocal_mul(self, n: _N, rounding: Rounding) -> _N:
        value = _unsigned(n, "the multiplicand")
        if self.parts == 0:
            raise DivisionByZero(f"reciprocal of a zero {type(self).__name__}")
        result = multiply_rational(value, self.ACCURACY, int(self.parts), rounding)
        if isinstance(n, FixedInt):
            result = min(result, n.MAX)
        return _like(n, result)

    def saturating_reciprocal_mul(self, n: _N) -> _N:
        """Return ``n / self`` rounded to nearest (half-way up), saturating at `n`'s maximum.

        A plain int has no maximum, so it never saturates.

        Raises:
            DivisionByZero: `self` is zero (FRAME panics).
        """
        return self._reciprocal_mul(n, Rounding.NEAREST_PREF_UP)

    def saturating_reciprocal_mul_floor(self, n: _N) -> _N:
        """Like `saturating_reciprocal_mul`, rounding down."""
        return self._reciprocal_mul(n, Rounding.DOWN)

    def saturating_reciprocal_mul_ceil(self, n: _N) -> _N:
        """Like `saturating_reciprocal_mul`, rounding up."""
        return self._reciprocal_mul(n, Rounding.UP)

    def int_mul(self, n: int) -> Self:
        """Return ``self * n`` as a per-thing, saturating at one (FRAME's `int_mul`)."""
        return self.from_parts(int(self.parts) * _unsigned(n, "the multiplier"))

    @overload
    def __mul__(self, other: Self) -> Self: ...
    @overload
    def __mul__(self, other: _N) -> _N: ...
    def __mul__(self, other: object) -> Any:
        """``p * q`` (same type, rounds down) or ``p * n`` (an integer, rounds to nearest)."""
        if type(other) is type(self):
            return self._make(int(self.parts) * int(other.parts) // self.ACCURACY)
        if isinstance(other, int) and not isinstance(other, bool):
            return self._mul_int(other, Rounding.NEAREST_PREF_DOWN)
        return NotImplemented

    # --- per-thing arithmetic -------------------------------------------------------------

    def _other(self, other: Self) -> int:
        if type(other) is not type(self):
            raise TypeError(f"{type(self).__name__} needs another {type(self).__name__}")
        return int(other.parts)

    def saturating_mul(self, other: Self) -> Self:
        """Return ``self * other`` rounded down (it cannot leave ``[0, 1]``)."""
        return self._make(int(self.parts) * self._other(other) // self.ACCURACY)

    def square(self) -> Self:
        """Return ``self * self`` rounded down."""
        return self._make(int(self.parts) ** 2 // self.ACCURACY)

    def saturating_pow(self, exponent: int) -> Self:
        """Return ``self ** exponent``, with FRAME's square-and-multiply and its roundings.

        Every intermediate product rounds down, in the same order as FRAME's `Pow`, so the
        result is bit-for-bit FRAME's (which can be a few parts below the exact power).
        """
        e = _unsigned(exponent, "exponent")
        if e == 0 or self.is_one():
            return self.one()
        base = int(self.parts)
        result = base
        e -= 1
        accuracy = self.ACCURACY
        while e > 0 and result != 0:
            if e % 2:
                result = result * base // accuracy
                e -= 1
            base = base * base // accuracy
            e //= 2
        return self._make(result)

    def saturating_add(self, other: Self) -> Self:
        """Return ``self + other``, saturating at one."""
        return self._make(min(int(self.parts) + self._other(other), self.ACCURACY))

    def saturating_sub(self, other: Self) -> Self:
        """Return ``self - other``, saturating at zero."""
        return self._make(max(int(self.parts) - self._other(other), 0))

    def checked_add(self, other: Self) -> Self | None:
        """Return ``self + other``, or None above one."""
        value = int(self.parts) + self._other(other)
        return self._make(value) if value <= self.ACCURACY else None

    def checked_sub(self, other: Self) -> Self | None:
        """Return ``self - other``, or None below zero."""
        value = int(self.parts) - self._other(other)
        return self._make(value) if value >= 0 else None

    def __add__(self, other: object) -> Self:
        if type(other) is not type(self):
            return NotImplemented
        value = int(self.parts) + int(other.parts)
        if value > self.ACCURACY:
            raise Overflow(f"{type(self).__name__} addition above one")
        return self._make(value)

    def __sub__(self, other: object) -> Self:
        if type(other) is not type(self):
            return NotImplemented
        value = int(self.parts) - int(other.parts)
        if value < 0:
            raise Underflow(f"{type(self).__name__} subtraction below zero")
        return self._make(value)

    def left_from_one(self) -> Self:
        """Return the complement ``1 - self``."""
        return self._make(self.ACCURACY - int(self.parts))

    def less_epsilon(self) -> Self:
        """Return the next lower value (one part less), or zero if this is zero."""
        return self._make(max(int(self.parts) - 1, 0))

    def plus_epsilon(self) -> Self:
        """Return the next higher value (one part more), or one if this is one."""
        return self._make(min(int(self.parts) + 1, self.ACCURACY))

    def saturating_div(self, other: Self, rounding: Rounding) -> Self:
        """Return ``self / other`` rounded as asked, saturating at one (also for zero `other`)."""
        return self.from_rational(int(self.parts), self._other(other), rounding)

    # --- ordering (only between values of the same type) ---------------------------------

    def __lt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self.parts < other.parts)

    def __le__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self.parts <= other.parts)

    def __gt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self.parts > other.parts)

    def __ge__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self.parts >= other.parts)

    # --- refusals and presentation --------------------------------------------------------

    def __float__(self) -> float:
        raise TypeError("per-things never become floats; use mul_floor or from_rational")

    def __bool__(self) -> bool:
        return self.parts != 0

    def __str__(self) -> str:
        """The exact value as a percentage (``"33.3333333%"``), or ``parts/ACCURACY``."""
        accuracy = self.ACCURACY
        digits = len(str(accuracy)) - 1
        if accuracy != 10**digits:
            return f"{int(self.parts)}/{accuracy}"
        if digits <= 2:
            return f"{int(self.parts) * 10 ** (2 - digits)}%"
        scale = 10 ** (digits - 2)
        units, rest = divmod(int(self.parts), scale)
        if rest == 0:
            return f"{units}%"
        fraction = str(rest).rjust(digits - 2, "0").rstrip("0")
        return f"{units}.{fraction}%"


@dataclass(frozen=True, slots=True)
class Percent(PerThing):
    """Parts per hundred, in a `U8` (sp-arithmetic's `Percent`)."""

    parts: U8
    """Parts out of 100."""
    INNER: ClassVar[type[FixedInt]] = U8
    ACCURACY: ClassVar[int] = 100
    TYPE_PATH: ClassVar[tuple[str, ...]] = ("sp_arithmetic", "per_things", "Percent")


@dataclass(frozen=True, slots=True)
class PerU16(PerThing):
    """Parts per 65535, in a `U16` (sp-arithmetic's `PerU16`)."""

    parts: U16
    """Parts out of 65535."""
    INNER: ClassVar[type[FixedInt]] = U16
    ACCURACY: ClassVar[int] = 65_535
    TYPE_PATH: ClassVar[tuple[str, ...]] = ("sp_arithmetic", "per_things", "PerU16")


@dataclass(frozen=True, slots=True)
class Permill(PerThing):
    """Parts per million, in a `U32` (sp-arithmetic's `Permill`)."""

    parts: U32
    """Parts out of 1_000_000."""
    INNER: ClassVar[type[FixedInt]] = U32
    ACCURACY: ClassVar[int] = 1_000_000
    TYPE_PATH: ClassVar[tuple[str, ...]] = ("sp_arithmetic", "per_things", "Permill")


@dataclass(frozen=True, slots=True)
class Perbill(PerThing):
    """Parts per billion, in a `U32` (sp-arithmetic's `Perbill`)."""

    parts: U32
    """Parts out of 1_000_000_000."""
    INNER: ClassVar[type[FixedInt]] = U32
    ACCURACY: ClassVar[int] = 1_000_000_000
    TYPE_PATH: ClassVar[tuple[str, ...]] = ("sp_arithmetic", "per_things", "Perbill")


@dataclass(frozen=True, slots=True)
class Perquintill(PerThing):
    """Parts per 10^18, in a `U64` (sp-arithmetic's `Perquintill`)."""

    parts: U64
    """Parts out of 1_000_000_000_000_000_000."""
    INNER: ClassVar[type[FixedInt]] = U64
    ACCURACY: ClassVar[int] = 1_000_000_000_000_000_000
    TYPE_PATH: ClassVar[tuple[str, ...]] = ("sp_arithmetic", "per_things", "Perquintill")


PER_THINGS: tuple[type[PerThing], ...] = (Percent, PerU16, Permill, Perbill, Perquintill)
"""Every per-thing type, coarsest first."""
