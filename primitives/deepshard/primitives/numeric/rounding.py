"""Rounding modes and the exact ``a * b / c`` at the heart of every ratio type.

Introduction
------------
sp-arithmetic names its rounding modes `Rounding` (for magnitudes) and `SignedRounding` (for
signed results); this module mirrors both, with the same meaning, and `multiply_rational`,
which computes ``a * b / c`` exactly (Python integers are unbounded, so no 256-bit helper is
needed) and rounds the one division at the end. Every ratio type in this package reduces to it,
so every result is the exact quotient rounded once, as sp-arithmetic's are.
"""

from __future__ import annotations

import enum

from deepshard.primitives.numeric.errors import DivisionByZero

__all__ = ["Rounding", "SignedRounding", "multiply_rational", "divide_rounded"]


class Rounding(enum.Enum):
    """How to round a non-negative quotient (sp-arithmetic's `Rounding`)."""

    UP = "up"
    """Toward infinity (the ceiling)."""
    DOWN = "down"
    """Toward zero (the floor, for non-negative values)."""
    NEAREST_PREF_UP = "nearest_pref_up"
    """To the nearest integer; exactly half-way rounds up."""
    NEAREST_PREF_DOWN = "nearest_pref_down"
    """To the nearest integer; exactly half-way rounds down."""

    @staticmethod
    def from_signed(rounding: SignedRounding, negative: bool) -> Rounding:
        """The magnitude rounding that rounds a value of the given sign as `rounding` asks."""
        if rounding is SignedRounding.MAJOR:
            return Rounding.UP
        if rounding is SignedRounding.MINOR:
            return Rounding.DOWN
        if rounding is SignedRounding.HIGH:
            return Rounding.DOWN if negative else Rounding.UP
        if rounding is SignedRounding.LOW:
            return Rounding.UP if negative else Rounding.DOWN
        if rounding is SignedRounding.NEAREST_PREF_MAJOR:
            return Rounding.NEAREST_PREF_UP
        if rounding is SignedRounding.NEAREST_PREF_MINOR:
            return Rounding.NEAREST_PREF_DOWN
        if rounding is SignedRounding.NEAREST_PREF_HIGH:
            return Rounding.NEAREST_PREF_DOWN if negative else Rounding.NEAREST_PREF_UP
        return Rounding.NEAREST_PREF_UP if negative else Rounding.NEAREST_PREF_DOWN


class SignedRounding(enum.Enum):
    """How to round a quotient that may be negative (sp-arithmetic's `SignedRounding`)."""

    HIGH = "high"
    """Toward positive infinity."""
    LOW = "low"
    """Toward negative infinity."""
    NEAREST_PREF_HIGH = "nearest_pref_high"
    """To the nearest integer; exactly half-way rounds toward positive infinity."""
    NEAREST_PREF_LOW = "nearest_pref_low"
    """To the nearest integer; exactly half-way rounds toward negative infinity."""
    MAJOR = "major"
    """Away from zero."""
    MINOR = "minor"
    """Toward zero (truncation)."""
    NEAREST_PREF_MAJOR = "nearest_pref_major"
    """To the nearest integer; exactly half-way rounds away from zero."""
    NEAREST_PREF_MINOR = "nearest_pref_minor"
    """To the nearest integer; exactly half-way rounds toward zero."""


def divide_rounded(numerator: int, denominator: int, rounding: Rounding) -> int:
    """Return ``numerator / denominator`` rounded as `rounding` says; both are non-negative.

    Raises:
        DivisionByZero: `denominator` is zero.
        ValueError: an operand is negative.
    """
    if numerator < 0 or denominator < 0:
        raise ValueError("divide_rounded takes non-negative operands")
    if denominator == 0:
        raise DivisionByZero("rational with a zero denominator")
    quotient, remainder = divmod(numerator, denominator)
    if rounding is Rounding.DOWN:
        return quotient
    if rounding is Rounding.UP:
        return quotient + (remainder > 0)
    twice = 2 * remainder
    if rounding is Rounding.NEAREST_PREF_UP:
        return quotient + (twice >= denominator)
    return quotient + (twice > denominator)


def multiply_rational(a: int, b: int, c: int, rounding: Rounding) -> int:
    """Return ``a * b / c`` computed exactly and rounded once; all operands are non-negative.

    This is sp-arithmetic's `multiply_by_rational_with_rounding` without its `u128` result
    bound: callers check the result against their own type.

    Raises:
        DivisionByZero: `c` is zero.
        ValueError: an operand is negative.
    """
    if a < 0 or b < 0:
        raise ValueError("multiply_rational takes non-negative operands")
    return divide_rounded(a * b, c, rounding)
