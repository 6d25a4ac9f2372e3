"""Checked numerics: fixed-width integers, per-things (`Perbill`...) and fixed point.

No floats anywhere: every value is an integer or a ratio of integers, and every rounding is
named and documented.
"""

from deepshard.primitives.numeric.errors import DivisionByZero, NumericError, Overflow, Underflow
from deepshard.primitives.numeric.integers import (
    I8,
    I16,
    I32,
    I64,
    I128,
    I256,
    SIGNED_TYPES,
    U8,
    U16,
    U32,
    U64,
    U128,
    U256,
    UNSIGNED_TYPES,
    FixedInt,
)

__all__ = [
    "NumericError",
    "Overflow",
    "Underflow",
    "DivisionByZero",
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
