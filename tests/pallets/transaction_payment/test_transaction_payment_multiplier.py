"""The fee multiplier: FRAME's TargetedFeeAdjustment in integer arithmetic, its bounds, storage."""

from __future__ import annotations

import dataclasses

import pytest

from deepshard.pallets.system import System
from deepshard.pallets.transaction_payment import (
    ConstFeeMultiplier,
    Releases,
    TargetedFeeAdjustment,
    TransactionFeePaid,
    TransactionPayment,
)
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.numeric import U64, U128, FixedU128, Perquintill
from deepshard.primitives.weights import (
    BlockWeights,
    DispatchClass,
    PerDispatchClassWeight,
    Weight,
)

ONE = 10**18  # FixedU128's inner value of 1
MAX_NORMAL = 1_000_000

ADJUSTMENT = TargetedFeeAdjustment(
    target_block_fullness=Perquintill.from_percent(25),
    adjustment_variable=FixedU128.saturating_from_rational(1, 100_000),
    minimum_multiplier=FixedU128.saturating_from_rational(1, 1_000_000_000),
)


def limits(proof_size: int = U64.MAX) -> BlockWeights:
    return (
        BlockWeights.builder(Weight.zero(), Weight.zero())
        .for_class(
            DispatchClass.non_mandatory(),
            lambda w: dataclasses.replace(w, max_total=Weight.from_parts(MAX_NORMAL, proof_size)),
        )
        .build()
    )


def used(ref_time: int, proof_size: int = 0) -> PerDispatchClassWeight:
    return PerDispatchClassWeight(
        normal=Weight.from_parts(ref_time, proof_size),
        operational=Weight.zero(),
        mandatory=Weight.zero(),
    )


def fixed(inner: int) -> FixedU128:
    return FixedU128.from_inner(inner)


# --- hand-computed vectors -------------------------------------------------------------------
# v = 1e-5 (inner 1e13); v^2 / 2 = 5e-11 (inner 5e7).
# 50% full, target 25%: diff = 0.25; v*diff = 2.5e-6 (inner 2_500_000_000_000);
# (v^2/2) * diff^2 = 5e-11 * 0.0625 = 3.125e-12 (inner 3_125_000).


def test_fuller_than_target_raises_the_multiplier():
    nxt = ADJUSTMENT.convert(FixedU128.one(), used(500_000), limits())
    assert nxt == fixed(ONE + 2_500_000_000_000 + 3_125_000)


def test_emptier_than_target_lowers_the_multiplier():
    nxt = ADJUSTMENT.convert(FixedU128.one(), used(0), limits())
    assert nxt == fixed(ONE - (2_500_000_000_000 - 3_125_000))


def test_the_change_is_proportional_to_the_previous_multiplier():
    nxt = ADJUSTMENT.convert(fixed(2 * ONE), used(500_000), limits())
    assert nxt == fixed(2 * ONE + 2 * (2_500_000_000_000 + 3_125_000))


def test_at_target_nothing_changes():
    assert ADJUSTMENT.convert(fixed(3 * ONE), used(250_000), limits()) == fixed(3 * ONE)


def test_usage_is_capped_at_the_normal_maximum():
    # 2x the maximum counts as full: diff = 0.75; v*diff = 7.5e-6; (v^2/2)*0.5625 = 2.8125e-11
    nxt = ADJUSTMENT.convert(FixedU128.one(), used(2 * MAX_NORMAL), limits())
    assert nxt == fixed(ONE + 7_500_000_000_000 + 28_125_000)


def test_the_scarcer_dimension_decides():
    # ref_time idle, proof_size half used: proof_size is the limiting dimension
    nxt = ADJUSTMENT.convert(FixedU128.one(), used(0, 500_000), limits(proof_size=MAX_NORMAL))
    assert nxt == fixed(ONE + 2_500_000_000_000 + 3_125_000)


@pytest.mark.parametrize("ref_time", [250_001, 300_000, 600_000, 1_000_000])
def test_direction_above_target(ref_time):
    previous = fixed(5 * ONE)
    assert ADJUSTMENT.convert(previous, used(ref_time), limits()) > previous


@pytest.mark.parametrize("ref_time", [0, 100_000, 249_000])
def test_direction_below_target(ref_time):
    previous = fixed(5 * ONE)
    assert ADJUSTMENT.convert(previous, used(ref_time), limits()) < previous


def test_bounds():
    minimum = ADJUSTMENT.minimum_multiplier
    # an idle chain stops at the minimum, and a stale value below it is lifted first
    assert ADJUSTMENT.convert(minimum, used(0), limits()) == minimum
    assert ADJUSTMENT.convert(FixedU128.zero(), used(250_000), limits()) == minimum
    capped = dataclasses.replace(ADJUSTMENT, maximum_multiplier=fixed(ONE + 1))
    assert capped.convert(fixed(ONE + 1), used(MAX_NORMAL), limits()) == fixed(ONE + 1)
    assert capped.max() == fixed(ONE + 1)
    assert capped.min() == minimum
    with pytest.raises(ValueError, match="exceeds the maximum"):
        dataclasses.replace(ADJUSTMENT, maximum_multiplier=FixedU128.zero())


def test_recovery_from_the_minimum():
    # FRAME's integrity check: 1% above target lifts the minimum multiplier (inner 1e9 -> +25)
    assert ADJUSTMENT.recovers_from_minimum(limits())
    stuck = dataclasses.replace(ADJUSTMENT, minimum_multiplier=FixedU128.zero())
    assert not stuck.recovers_from_minimum(limits())


def test_const_fee_multiplier():
    update = ConstFeeMultiplier(fixed(3 * ONE))
    for ref_time in (0, 250_000, MAX_NORMAL):
        assert update.convert(FixedU128.one(), used(ref_time), limits()) == fixed(3 * ONE)
    assert (update.min(), update.max()) == (fixed(3 * ONE), fixed(3 * ONE))
    assert update.target() == Perquintill.zero()
    assert ConstFeeMultiplier().multiplier == FixedU128.one()


# --- on_finalize, genesis and storage --------------------------------------------------------


def test_on_finalize_updates_the_next_multiplier(build):
    update = dataclasses.replace(ADJUSTMENT)
    ext = build(update=update)
    system = ext.pallet(System)
    # the mock's Normal max_total is 1024: a full block is diff 0.75 above the 25% target
    system.block_weight.put(used(1_024))
    pallet = ext.pallet(TransactionPayment)
    pallet.on_finalize(1)
    assert pallet.next_fee_multiplier() == fixed(ONE + 7_500_000_000_000 + 28_125_000)


def test_on_finalize_with_a_constant_multiplier(build):
    ext = build()
    ext.pallet(System).block_weight.put(used(1_024))
    pallet = ext.pallet(TransactionPayment)
    pallet.on_finalize(1)
    assert pallet.next_fee_multiplier() == FixedU128.one()


def test_genesis(build):
    ext = build(multiplier=fixed(2 * ONE))
    pallet = ext.pallet(TransactionPayment)
    assert pallet.storage_version.get() is Releases.V2
    assert pallet.next_fee_multiplier() == fixed(2 * ONE)
    raw = ext.ctx.overlay.get(pallet.fee_multiplier.key())
    assert raw == (2 * ONE).to_bytes(16, "little")  # FixedU128 encodes as its inner u128


def test_empty_storage_reads_as_one(ext):
    pallet = ext.pallet(TransactionPayment)
    pallet.fee_multiplier.kill()
    pallet.storage_version.kill()
    assert pallet.next_fee_multiplier() == FixedU128.one()
    assert pallet.storage_version.get() is Releases.V1Ancient


def test_wire_facts_are_frames():
    multiplier, version = TransactionPayment.STORAGE
    assert (multiplier.name, version.name) == ("NextFeeMultiplier", "StorageVersion")
    assert multiplier.prefix.hex() == (
        "3f1467a096bcd71a5b6a0c8155e208103f2edf3bdf381debe331ab7446addfdc"
    )
    assert multiplier.default_bytes == ONE.to_bytes(16, "little")
    assert version.default_bytes == b"\x00"
    assert multiplier.value_type is FixedU128
    assert FixedU128.TYPE_PATH == ("sp_arithmetic", "fixed_point", "FixedU128")
    assert [(name, c.name) for name, c in TransactionPayment.CONFIG.CONSTANTS] == [
        ("operational_fee_multiplier", "OperationalFeeMultiplier")
    ]
    assert TransactionPayment.CALLS == ()
    assert TransactionPayment.CRATE == "pallet_transaction_payment"
    who = AccountId32(b"\x01" * 32)
    event = TransactionFeePaid(who=who, actual_fee=U128(7), tip=U128(2))
    assert event.encode() == b"\x00" + who + U128(7).to_le_bytes() + U128(2).to_le_bytes()
