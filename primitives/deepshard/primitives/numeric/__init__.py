"""Checked numerics: fixed-width integers, per-things (`Perbill`...) and fixed point.

No floats anywhere: every value is an integer or a ratio of integers, and every rounding is
named and documented. The semantics are sp-arithmetic's (FRAME's), so a value computed here
equals the one a Substrate runtime computes for the same inputs.
"""

from deepshard.primitives.numeric.errors import DivisionByZero, NumericError, Overflow, Underflow
from deepshard.primitives.numeric.fixed_point import (
    FIXED_POINT_TYPES,
    FixedI64,
    FixedI128,
    FixedPointNumber,
    FixedU64,
    FixedU128,
)
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
from deepshard.primitives.numeric.per_things import (
    PER_THINGS,
    Perbill,
    Percent,
    Permill,
    Perquintill,
    PerThing,
    PerU16,
)
from deepshard.primitives.numeric.rounding import (
    Rounding,
    SignedRounding,
    divide_rounded,
    multiply_rational,
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
    "Rounding",
    "SignedRounding",
    "multiply_rational",
    "divide_rounded",
    "PerThing",
    "Percent",
    "PerU16",
    "Permill",
    "Perbill",
    "Perquintill",
    "PER_THINGS",
    "FixedPointNumber",
    "FixedU128",
    "FixedI128",
    "FixedU64",
    "FixedI64",
    "FIXED_POINT_TYPES",
]
