"""Configuration of every pallet in the Deepshard runtime (the template's ``configs/mod.rs``).

Units: one DSH is ``UNIT`` = 10**12 of the smallest unit; blocks are produced every
`MILLISECS_PER_BLOCK`; weights are picoseconds of reference-machine time, and the fee of a
weight is its ``ref_time`` in the smallest unit (FRAME's ``IdentityFee``), plus one unit per
encoded byte.
"""

from __future__ import annotations

from typing import Final

from deepshard.pallets import aura, balances, grandpa, sudo, system, timestamp, transaction_payment
from deepshard.primitives.numeric import U16, U32, U64, U128
from deepshard.primitives.weights import (
    DEFAULT_NORMAL_RATIO,
    WEIGHT_REF_TIME_PER_SECOND,
    BlockLength,
    BlockWeights,
    Weight,
)

__all__ = [
    "UNIT",
    "MILLI_UNIT",
    "EXISTENTIAL_DEPOSIT",
    "MILLISECS_PER_BLOCK",
    "SS58_PREFIX",
    "TOKEN_SYMBOL",
    "TOKEN_DECIMALS",
    "SYSTEM",
    "TIMESTAMP",
    "AURA",
    "GRANDPA",
    "BALANCES",
    "TRANSACTION_PAYMENT",
    "SUDO",
]

TOKEN_DECIMALS: Final = 12
"""Decimals of the DSH token."""
TOKEN_SYMBOL: Final = "DSH"
"""Symbol of the token."""
UNIT: Final = 10**TOKEN_DECIMALS
"""One DSH in the smallest unit."""
MILLI_UNIT: Final = UNIT // 1_000
"""A thousandth of a DSH."""
EXISTENTIAL_DEPOSIT: Final = MILLI_UNIT
"""The smallest balance an account may hold."""
MILLISECS_PER_BLOCK: Final = 6_000
"""Target block time."""
SS58_PREFIX: Final = 42
"""SS58 address prefix (the generic Substrate one)."""

_MAXIMUM_BLOCK_WEIGHT = Weight.from_parts(2 * int(WEIGHT_REF_TIME_PER_SECOND), 5 * 1024 * 1024)

SYSTEM: Final = system.Config(
    block_weights=BlockWeights.with_sensible_defaults(_MAXIMUM_BLOCK_WEIGHT, DEFAULT_NORMAL_RATIO),
    block_length=BlockLength.max_with_normal_ratio(5 * 1024 * 1024, DEFAULT_NORMAL_RATIO),
    block_hash_count=U32(2_400),
    ss58_prefix=U16(SS58_PREFIX),
)
TIMESTAMP: Final = timestamp.Config(
    minimum_period=U64(MILLISECS_PER_BLOCK // 2), on_timestamp_set=(aura.Aura,)
)
AURA: Final = aura.Config()
GRANDPA: Final = grandpa.Config()
BALANCES: Final = balances.Config(existential_deposit=U128(EXISTENTIAL_DEPOSIT))
TRANSACTION_PAYMENT: Final = transaction_payment.Config(currency=balances.Balances)
SUDO: Final = sudo.Config()
