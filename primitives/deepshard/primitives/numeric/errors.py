"""Arithmetic errors, named as FRAME's `sp_arithmetic::ArithmeticError` variants."""

from __future__ import annotations

__all__ = ["NumericError", "Overflow", "Underflow", "DivisionByZero"]


class NumericError(ArithmeticError):
    """Root of the arithmetic errors raised by Deepshard's checked numeric types."""


class Overflow(NumericError, OverflowError):
    """A result was above the largest value of its type."""


class Underflow(NumericError, OverflowError):
    """A result was below the smallest value of its type."""


class DivisionByZero(NumericError, ZeroDivisionError):
    """A division or remainder by zero."""
