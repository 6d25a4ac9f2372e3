"""TransactionPayment fee computation: FRAME's test vectors, queries, conversions, priority."""

from __future__ import annotations

from dataclasses import replace

import pytest

from deepshard.pallets.system import System
from deepshard.pallets.transaction_payment import (
    ConstantMultiplier,
    IdentityFee,
    TransactionPayment,
    WeightToFeeCoefficient,
    WeightToFeePolynomial,
    get_priority,
)
from deepshard.primitives.numeric import U64, U128, FixedU128, Perbill
from deepshard.primitives.weights import (
    DispatchClass,
    DispatchInfo,
    FeeDetails,
    InclusionFee,
    Pays,
    RuntimeDispatchInfo,
    Weight,
)
from deepshard.runtime.support import DispatchMeta

OPERATIONAL = DispatchClass.Operational


def meta(ref_time: int, dispatch_class=DispatchClass.Normal, pays=Pays.Yes) -> DispatchMeta:
    return DispatchMeta(Weight.from_parts(ref_time, 0), dispatch_class, pays)


def put_multiplier(ext, numerator: int, denominator: int) -> None:
    multiplier = FixedU128.saturating_from_rational(numerator, denominator)
    ext.pallet(TransactionPayment).fee_multiplier.put(multiplier)


# --- FRAME's compute_fee vectors (base weight 100, byte fee 10) --------------------------------


@pytest.fixture
def fee_ext(build):
    return build(base_weight=100, byte_fee=10)


def test_compute_fee_works_without_multiplier(fee_ext):
    pallet = fee_ext.pallet(TransactionPayment)
    assert pallet.next_fee_multiplier() == FixedU128.one()
    # Tip only, no fees works
    assert pallet.compute_fee(0, meta(0, OPERATIONAL, Pays.No), U128(10)) == 10
    # No tip, only base fee works
    assert pallet.compute_fee(0, meta(0, OPERATIONAL), U128(0)) == 100
    # Tip + base fee works
    assert pallet.compute_fee(0, meta(0, OPERATIONAL), U128(69)) == 169
    # Len (byte fee) + base fee works
    assert pallet.compute_fee(42, meta(0, OPERATIONAL), U128(0)) == 520
    # Weight fee + base fee works
    assert pallet.compute_fee(0, meta(1_000, OPERATIONAL), U128(0)) == 1_100


def test_compute_fee_works_with_multiplier(fee_ext):
    put_multiplier(fee_ext, 3, 2)
    pallet = fee_ext.pallet(TransactionPayment)
    # Base fee is unaffected by multiplier
    assert pallet.compute_fee(0, meta(0, OPERATIONAL), U128(0)) == 100
    # 123 weight, 456 length, 100 base
    fee = pallet.compute_fee(456, meta(123, OPERATIONAL), U128(789))
    assert fee == 100 + (3 * 123 // 2) + 4_560 + 789


def test_compute_fee_works_with_negative_multiplier(fee_ext):
    put_multiplier(fee_ext, 1, 2)
    pallet = fee_ext.pallet(TransactionPayment)
    assert pallet.compute_fee(0, meta(0, OPERATIONAL), U128(0)) == 100
    fee = pallet.compute_fee(456, meta(123, OPERATIONAL), U128(789))
    assert fee == 100 + (123 // 2) + 4_560 + 789


def test_compute_fee_does_not_overflow(fee_ext):
    pallet = fee_ext.pallet(TransactionPayment)
    info = DispatchMeta(Weight.MAX, OPERATIONAL, Pays.Yes)
    assert pallet.compute_fee(2**32 - 1, info, U128(U128.MAX)) == U128.MAX


def test_weight_fee_is_capped_at_the_block_maximum(build):
    pallet = build(weight_fee=2).pallet(TransactionPayment)
    # max_block ref_time is 1024: a heavier call pays for 1024
    assert pallet.weight_to_fee(Weight.from_parts(5_000, 0)) == 2 * 1_024
    assert pallet.compute_fee(0, meta(5_000), U128(0)) == 2 * 1_024


def test_fee_details_split_the_fee(fee_ext):
    put_multiplier(fee_ext, 3, 2)
    pallet = fee_ext.pallet(TransactionPayment)
    details = pallet.compute_fee_details(456, meta(123), U128(789))
    assert details == FeeDetails(
        inclusion_fee=InclusionFee(
            base_fee=U128(100), len_fee=U128(4_560), adjusted_weight_fee=U128(184)
        ),
        tip=U128(789),
    )
    assert details.final_fee() == 100 + 4_560 + 184 + 789
    assert pallet.compute_fee_details(456, meta(123, pays=Pays.No)).inclusion_fee is None


def test_dispatch_info_is_accepted_too(fee_ext):
    pallet = fee_ext.pallet(TransactionPayment)
    info = DispatchInfo(weight=Weight.from_parts(1_000, 0), class_=OPERATIONAL)
    assert pallet.compute_fee(0, info, U128(0)) == 1_100


def test_base_fee_follows_the_dispatch_class(build):
    ext = build(base_weight=100)
    system = ext.pallet(System)
    weights = system.config.block_weights
    operational = replace(weights.per_class.operational, base_extrinsic=Weight.from_parts(7, 0))
    custom = replace(weights, per_class=replace(weights.per_class, operational=operational))
    object.__setattr__(system.config, "block_weights", custom)  # a frozen config, test only
    pallet = ext.pallet(TransactionPayment)
    assert pallet.compute_fee(0, meta(0, OPERATIONAL), U128(0)) == 7
    assert pallet.compute_fee(0, meta(0), U128(0)) == 100


# --- runtime API queries (FRAME's query_info_and_fee_details_works) --------------------------


def test_query_info_and_fee_details(build):
    ext = build(base_weight=5, weight_fee=2)
    put_multiplier(ext, 3, 2)
    pallet = ext.pallet(TransactionPayment)
    info, length = meta(69), 140
    expected = 5 * 2 + length + 69 * 2 * 3 // 2
    assert pallet.query_info(length, info) == RuntimeDispatchInfo(
        weight=info.weight, class_=DispatchClass.Normal, partial_fee=U128(expected)
    )
    assert pallet.query_info(length, info, is_bare=True).partial_fee == 0
    assert pallet.query_fee_details(length, info) == FeeDetails(
        inclusion_fee=InclusionFee(
            base_fee=U128(10), len_fee=U128(length), adjusted_weight_fee=U128(69 * 3)
        ),
        tip=U128(0),
    )
    assert pallet.query_fee_details(length, info, is_bare=True) == FeeDetails(
        inclusion_fee=None, tip=U128(0)
    )


def test_query_call_info_weighs_a_runtime_call(ext):
    runtime = ext.runtime
    call = runtime.make_call(System, "remark", remark=b"hello")
    pallet = ext.pallet(TransactionPayment)
    info = pallet.query_call_info(call, 50)
    assert info.weight == Weight.from_parts(1, 0)  # System's unit weights
    assert info.partial_fee == 1 + 50
    assert pallet.query_call_fee_details(call, 50).final_fee() == 51


def test_runtime_dispatch_info_bytes_match_substrate_interface(fee_ext):
    info = fee_ext.pallet(TransactionPayment).query_info(10, meta(100))
    # {weight: {ref_time: Compact, proof_size: Compact}, class: u8, partialFee: u128}
    assert (
        info.encode()
        == bytes.fromhex("9101" + "00" + "00") + U128(100 + 10 * 10 + 100).to_le_bytes()
    )


# --- conversions -----------------------------------------------------------------------------


def test_identity_and_constant_multiplier():
    weight = Weight.from_parts(1_234, 99)
    assert IdentityFee().weight_to_fee(weight) == 1_234  # proof_size is not charged, as FRAME
    assert ConstantMultiplier(U128(3)).weight_to_fee(weight) == 3_702
    assert ConstantMultiplier(U128(U128.MAX)).weight_to_fee(weight) == U128.MAX


def test_polynomial_fee():
    # 2.5 * w + 0.000_001 * w^2 - 3, folded in order and saturating at zero
    polynomial = WeightToFeePolynomial(
        (
            WeightToFeeCoefficient(U128(2), Perbill.from_percent(50), False, 1),
            WeightToFeeCoefficient(U128(0), Perbill.from_parts(1_000), False, 2),
            WeightToFeeCoefficient(U128(3), Perbill.zero(), True, 0),
        )
    )
    assert polynomial.weight_to_fee(Weight.from_parts(1_000, 0)) == 2_500 + 1 - 3
    assert polynomial.weight_to_fee(Weight.zero()) == 0  # 0 - 3 saturates at 0
    assert polynomial.weight_to_fee(Weight.from_parts(3, 0)) == 7 + 0 - 3  # 1.5 rounds to 2


# --- priority (FRAME's should_alter_operational_priority) ------------------------------------


def test_normal_priority_scales_the_tip(ext):
    pallet = ext.pallet(TransactionPayment)
    normal, length = meta(100), 10
    for tip, expected in ((5, 60), (10, 110)):
        fee = pallet.compute_fee(length, normal, U128(tip))
        assert pallet.priority(normal, length, U128(tip), fee) == expected


def test_operational_priority_adds_a_virtual_tip(ext):
    pallet = ext.pallet(TransactionPayment)
    operational, length = meta(100, OPERATIONAL), 10
    for tip, expected in ((5, 5_810), (10, 6_110)):
        fee = pallet.compute_fee(length, operational, U128(tip))
        assert pallet.priority(operational, length, U128(tip), fee) == expected


def test_mandatory_priority_is_like_normal(ext):
    pallet = ext.pallet(TransactionPayment)
    assert pallet.priority(meta(100, DispatchClass.Mandatory), 10, U128(5), U128(115)) == 60


def test_priority_takes_the_scarcer_resource():
    max_block = Weight.from_parts(1_000, 1_000)
    info = DispatchMeta(Weight.from_parts(10, 500), DispatchClass.Normal, Pays.Yes)
    # by weight: min(1000 / 10, 1000 / 500) = 2; by length: 100 / 10 = 10 -> 2 per block
    priority = get_priority(
        info,
        10,
        U128(9),
        U128(0),
        max_block_weight=max_block,
        max_block_length=100,
        operational_fee_multiplier=5,
    )
    assert priority == (9 + 1) * 2
    # a zero-weight call counts as (1, 1); a huge length is capped at the block length
    zero = DispatchMeta(Weight.zero(), DispatchClass.Normal, Pays.Yes)
    assert (
        get_priority(
            zero,
            10**9,
            U128(0),
            U128(0),
            max_block_weight=max_block,
            max_block_length=100,
            operational_fee_multiplier=5,
        )
        == 1
    )


def test_priority_saturates_at_u64_max():
    info = DispatchMeta(Weight.from_parts(1, 1), OPERATIONAL, Pays.Yes)
    priority = get_priority(
        info,
        1,
        U128(U128.MAX),
        U128(U128.MAX),
        max_block_weight=Weight.from_parts(10, 10),
        max_block_length=10,
        operational_fee_multiplier=5,
    )
    assert priority == U64.MAX
