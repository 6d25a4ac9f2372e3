"""Configuration of every pallet in the Deepshard runtime (the template's ``configs/mod.rs``).

Units: one DSH is ``UNIT`` = 10**12 of the smallest unit; blocks are produced every
`MILLISECS_PER_BLOCK`; weights are picoseconds of reference-machine time, and the fee of a
weight is its ``ref_time`` in the smallest unit (FRAME's ``IdentityFee``), plus one unit per
encoded byte.
"""

from __future__ import annotations

from typing import Final

from deepshard.pallets import (
    aura,
    balances,
    grandpa,
    informants,
    licences,
    multisig,
    proxy,
    sudo,
    system,
    timestamp,
    training,
    transaction_payment,
    treasury,
    utility,
)
from deepshard.primitives.numeric import I64, U16, U32, U64, U128, Perbill
from deepshard.primitives.weights import (
    DEFAULT_NORMAL_RATIO,
    WEIGHT_REF_TIME_PER_SECOND,
    BlockLength,
    BlockWeights,
    Weight,
)
from deepshard.runtime.version import VERSION

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
    "TREASURY",
    "INFORMANTS",
    "TRAINING",
    "LICENCES",
    "UTILITY",
    "MULTISIG",
    "PROXY",
    "deposit",
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
    version=VERSION,
    ss58_prefix=U16(SS58_PREFIX),
    weights=system.BenchmarkedWeights(),
)
TIMESTAMP: Final = timestamp.Config(
    minimum_period=U64(MILLISECS_PER_BLOCK // 2),
    on_timestamp_set=(aura.Aura,),
    weights=timestamp.BenchmarkedWeights(),
)
AURA: Final = aura.Config()
GRANDPA: Final = grandpa.Config()
BALANCES: Final = balances.Config(
    existential_deposit=U128(EXISTENTIAL_DEPOSIT), weights=balances.BenchmarkedWeights()
)
TRANSACTION_PAYMENT: Final = transaction_payment.Config(currency=balances.Balances)
SUDO: Final = sudo.Config(weights=sudo.BenchmarkedWeights())
TREASURY: Final = treasury.Config(
    currency=balances.Balances,
    weights=treasury.BenchmarkedWeights(),
    emission_per_block=U128(10 * UNIT),
    max_emission_budget=U128(1_000_000 * UNIT),
)
"""Emission: 10 DSH a block into the reward budget, which holds at most 1,000,000 DSH."""
INFORMANTS: Final = informants.Config(
    currency=balances.Balances,
    treasury=treasury.Treasury,
    weights=informants.BenchmarkedWeights(),
    min_batch_stake=U128(10 * UNIT),
    batch_deposit=U128(UNIT),
    max_open_batches=U32(16),
    max_batches_per_block=U32(64),
    default_voting_period=U32(600),  # one hour of 6-second blocks
    min_curator_bond=U128(100 * UNIT),
    unbonding_period=U32(14_400),  # one day
    max_unlocking_chunks=U32(16),
    max_votes_per_batch=U32(1_000),
    min_turnout=Perbill.from_parts(100_000_000),
    max_curator_share=Perbill.from_parts(50_000_000),
    value_per_sqrt_item=U128(UNIT),
    max_batch_value=U128(1_000 * UNIT),
    slash_fraction=Perbill.from_parts(200_000_000),
    curator_reward_per_batch=U128(5 * UNIT),
    # Half the block: closings never crowd out transactions; the worst case (a full deadline
    # plus one closing) fits, as the pallet's integrity test checks.
    max_closing_weight=Weight.from_parts(int(WEIGHT_REF_TIME_PER_SECOND), 0),
)
"""The Informants pallet: stakes, curator bonds, the adaptive threshold and rewards."""
TRAINING: Final = training.Config(
    currency=balances.Balances,
    treasury=treasury.Treasury,
    informants=informants.Informants,
    weights=training.BenchmarkedWeights(),
    min_trainer_bond=U128(100 * UNIT),
    min_scorer_bond=U128(100 * UNIT),
    max_bonded=U32(256),
    unbonding_period=U32(14_400),  # one day
    max_unlocking_chunks=U32(16),
    trainers_per_round=U32(5),
    scorers_per_round=U32(5),
    commit_period=U32(600),  # an hour to train
    reveal_period=U32(100),
    score_period=U32(300),
    dispute_period=U32(1_200),
    liveness_slash=Perbill.from_parts(10_000_000),
    outlier_slash=Perbill.from_parts(500_000_000),
    round_emission=U128(500 * UNIT),
    scorer_reward=U128(50 * UNIT),
    min_improvement=I64(1_000),  # 0.001 nats of held-out loss
    max_cid_length=U32(128),
    # a round step never takes more than half the block
    max_round_weight=Weight.from_parts(int(WEIGHT_REF_TIME_PER_SECOND), 0),
)
"""The Training pallet: bonds, rounds of 5 trainers and 5 scorers, slashes and emission."""
LICENCES: Final = licences.Config(
    currency=balances.Balances,
    treasury=treasury.Treasury,
    training=training.Training,
    informants=informants.Informants,
    weights=licences.BenchmarkedWeights(),
    base_price=U128(1_000 * UNIT),
    growth_rate=Perbill.from_parts(10_000_000),  # 1% per value unit
    value_unit=U128(100 * UNIT),
    price_cap=U128(500_000 * UNIT),
    informants_share=Perbill.from_parts(300_000_000),
    trainers_share=Perbill.from_parts(500_000_000),
    purchase_period=U32(100),  # ten minutes to serve a purchase
    keeper_min_bond=U128(1_000 * UNIT),
    keeper_slash=Perbill.from_parts(100_000_000),
    min_threshold=U32(1),
    max_keepers=U32(16),
    unbonding_period=U32(14_400),  # one day
    max_purchases_per_block=U32(32),
    max_cid_length=U32(128),
    # the expiries of a block never take more than half of it (checked by integrity_test)
    max_expiry_weight=Weight.from_parts(int(WEIGHT_REF_TIME_PER_SECOND), 0),
)
"""The Licences pallet: a licence costs 1,000 DSH plus 1% per 100 DSH paid out behind its version
(at most 500,000 DSH, within a dev account's endowment); 30% to informants, 50% to trainers."""

UTILITY: Final = utility.Config()


def deposit(items: int, bytes_: int) -> U128:
    """The deposit for storing `items` items of `bytes_` bytes in all (FRAME's node ``deposit``).

    One DSH per hundred items plus a hundred-thousandth of a DSH per byte.
    """
    return U128(items * (UNIT // 100) + bytes_ * (UNIT // 100_000))


MULTISIG: Final = multisig.Config(
    # one item of 88 bytes (the operation) when opened, 32 bytes per threshold unit
    deposit_base=deposit(1, 88),
    deposit_factor=deposit(0, 32),
    max_signatories=U32(100),
)
PROXY: Final = proxy.Config(
    # one item (the list and its deposit) plus 33 bytes per proxy (an account and a type)
    proxy_deposit_base=deposit(1, 8),
    proxy_deposit_factor=deposit(0, 33),
    max_proxies=U32(proxy.MAX_PROXIES),
    max_pending=U32(proxy.MAX_PENDING),
    # one item plus 68 bytes per announcement (an account, a hash and a block number)
    announcement_deposit_base=deposit(1, 8),
    announcement_deposit_factor=deposit(0, 68),
)
