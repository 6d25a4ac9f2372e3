"""Weights, dispatch info and block limits: arithmetic, FRAME's builders, paths, vectors."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepshard.primitives.codec import Compact, Struct, codec_for
from deepshard.primitives.numeric import U32, U64, U128, Overflow, Perbill, Underflow
from deepshard.primitives.weights import (
    EXTRINSIC_BASE_WEIGHT,
    ROCKS_DB_WEIGHT,
    WEIGHT_REF_TIME_PER_SECOND,
    BlockLength,
    BlockWeights,
    DispatchClass,
    DispatchInfo,
    FeeDetails,
    InclusionFee,
    InvalidBlockWeights,
    Pays,
    PerDispatchClassU32,
    PerDispatchClassWeight,
    PerDispatchClassWeightsPerClass,
    RuntimeDbWeight,
    RuntimeDispatchInfo,
    Weight,
    WeightsPerClass,
)

U64_MAX = (1 << 64) - 1
parts = st.integers(0, U64_MAX)
weights = st.builds(Weight.from_parts, parts, parts)


# --- Weight arithmetic -----------------------------------------------------------------------


@given(weights, weights)
def test_checked_and_saturating_add(a: Weight, b: Weight) -> None:
    ref, proof = int(a.ref_time) + int(b.ref_time), int(a.proof_size) + int(b.proof_size)
    fits = ref <= U64_MAX and proof <= U64_MAX
    assert a.checked_add(b) == (Weight.from_parts(ref, proof) if fits else None)
    assert a.saturating_add(b) == Weight.from_parts(min(ref, U64_MAX), min(proof, U64_MAX))
    if fits:
        assert a + b == b + a == Weight.from_parts(ref, proof)
    else:
        with pytest.raises(Overflow):
            _ = a + b


@given(weights, weights)
def test_checked_and_saturating_sub(a: Weight, b: Weight) -> None:
    ref, proof = int(a.ref_time) - int(b.ref_time), int(a.proof_size) - int(b.proof_size)
    fits = ref >= 0 and proof >= 0
    assert a.checked_sub(b) == (Weight.from_parts(ref, proof) if fits else None)
    assert a.saturating_sub(b) == Weight.from_parts(max(ref, 0), max(proof, 0))
    if fits:
        assert a - b == Weight.from_parts(ref, proof)
        assert (a - b) + b == a
    else:
        with pytest.raises(Underflow):
            _ = a - b


@given(weights, weights)
def test_comparisons(a: Weight, b: Weight) -> None:
    pairs = ((a.ref_time, b.ref_time), (a.proof_size, b.proof_size))
    assert a.all_lte(b) == all(x <= y for x, y in pairs)
    assert a.all_lt(b) == all(x < y for x, y in pairs)
    assert a.all_gt(b) == all(x > y for x, y in pairs)
    assert a.all_gte(b) == all(x >= y for x, y in pairs)
    assert a.any_gt(b) == any(x > y for x, y in pairs)
    assert a.any_lt(b) == any(x < y for x, y in pairs)
    assert a.any_gte(b) == any(x >= y for x, y in pairs)
    assert a.any_lte(b) == any(x <= y for x, y in pairs)
    assert a.any_eq(b) == any(x == y for x, y in pairs)
    assert a.any_gt(b) == (not a.all_lte(b))
    assert a.min(b).all_lte(a)
    assert a.min(b).all_lte(b)
    assert a.all_lte(a.max(b))
    assert b.all_lte(a.max(b))


@given(weights, weights, weights)
def test_try_add(a: Weight, b: Weight, limit: Weight) -> None:
    total = a.checked_add(b)
    expected = total if total is not None and total.all_lte(limit) else None
    assert a.try_add(b, limit) == expected


@given(weights, st.integers(0, U64_MAX))
def test_scalar_mul_div(w: Weight, scalar: int) -> None:
    ref, proof = int(w.ref_time) * scalar, int(w.proof_size) * scalar
    fits = ref <= U64_MAX and proof <= U64_MAX
    assert w.checked_mul(scalar) == (Weight.from_parts(ref, proof) if fits else None)
    assert w.saturating_mul(scalar) == Weight.from_parts(min(ref, U64_MAX), min(proof, U64_MAX))
    if scalar:
        assert w.checked_div(scalar) == Weight.from_parts(
            int(w.ref_time) // scalar, int(w.proof_size) // scalar
        )
    else:
        assert w.checked_div(scalar) is None


@given(weights, st.integers(0, 1_000_000_000))
def test_perbill_times_weight_rounds_to_nearest(w: Weight, ratio_parts: int) -> None:
    ratio = Perbill.from_parts(ratio_parts)
    scaled = ratio * w

    def nearest_half_down(n: int) -> int:
        quotient, remainder = divmod(n * ratio_parts, 1_000_000_000)
        return quotient + (2 * remainder > 1_000_000_000)

    assert scaled == Weight.from_parts(
        nearest_half_down(int(w.ref_time)), nearest_half_down(int(w.proof_size))
    )


def test_weight_basics() -> None:
    assert Weight.zero() == Weight.from_parts(0, 0)
    assert Weight.zero().is_zero()
    assert Weight.from_all(U64_MAX) == Weight.MAX
    assert Weight.from_parts(1, 2).set_ref_time(5) == Weight.from_parts(5, 2)
    assert Weight.from_parts(1, 2).set_proof_size(5) == Weight.from_parts(1, 5)
    assert Weight.from_parts(5, 0).to_json() == {"ref_time": 5, "proof_size": 0}
    with pytest.raises(Overflow):
        Weight.from_parts(U64_MAX + 1, 0)
    with pytest.raises(TypeError):
        _ = Weight.zero() + 1  # type: ignore[operator]


def test_weight_encoding_is_two_compacts() -> None:
    assert Weight.from_parts(0, 0).encode() == b"\x00\x00"
    assert Weight.from_parts(4660, 1).encode() == bytes.fromhex("d14804")
    assert Weight.decode(bytes.fromhex("d14804")) == Weight.from_parts(4660, 1)
    assert Weight.MAX.encode() == (b"\x13" + b"\xff" * 8) * 2


def test_runtime_db_weight() -> None:
    assert ROCKS_DB_WEIGHT.reads(2) == Weight.from_parts(50_000_000, 0)
    assert ROCKS_DB_WEIGHT.writes(1) == Weight.from_parts(100_000_000, 0)
    assert ROCKS_DB_WEIGHT.reads_writes(1, 1) == Weight.from_parts(125_000_000, 0)
    assert RuntimeDbWeight(U64(U64_MAX), U64(1)).reads(2).ref_time == U64_MAX


# --- dispatch info and fees ------------------------------------------------------------------


def test_dispatch_info_vector() -> None:
    info = DispatchInfo(Weight.from_parts(4660, 0), DispatchClass.Normal, Pays.Yes)
    assert info.encode() == bytes.fromhex("d148000000")
    operational = DispatchInfo(Weight.from_parts(1, 2), DispatchClass.Mandatory, Pays.No)
    assert operational.encode() == bytes.fromhex("04080201")
    assert DispatchInfo.decode(operational.encode()) == operational


def test_runtime_dispatch_info_json() -> None:
    # pallet_transaction_payment's own serde test vector.
    info = RuntimeDispatchInfo(Weight.from_parts(5, 0), DispatchClass.Normal, U128(1_000_000))
    assert info.to_json() == {
        "weight": {"ref_time": 5, "proof_size": 0},
        "class": "normal",
        "partialFee": "1000000",
    }
    assert DispatchClass.Operational.to_json() == "operational"


def test_fee_details() -> None:
    fee = InclusionFee(U128(1), U128(2), U128(3))
    assert fee.inclusion_fee() == 6
    assert FeeDetails(fee, U128(4)).final_fee() == 10
    assert FeeDetails(None).final_fee() == 0
    assert FeeDetails(None, U128(7)).encode() == b"\x00" + (7).to_bytes(16, "little")
    big = U128(U128.MAX)
    assert InclusionFee(big, big, big).inclusion_fee() == U128.MAX


def test_per_dispatch_class_access() -> None:
    per = PerDispatchClassU32(U32(1), U32(2), U32(3))
    assert [per.get(c) for c in DispatchClass] == [1, 2, 3]
    assert per.with_value(DispatchClass.Operational, U32(9)) == PerDispatchClassU32(
        U32(1), U32(9), U32(3)
    )
    consumed = PerDispatchClassWeight(Weight.from_parts(1, 1), Weight.from_parts(2, 2), Weight.MAX)
    assert consumed.total() == Weight.MAX


# --- metadata identity -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "path"),
    [
        (Weight, ("sp_weights", "weight_v2", "Weight")),
        (RuntimeDbWeight, ("sp_weights", "RuntimeDbWeight")),
        (DispatchClass, ("frame_support", "dispatch", "DispatchClass")),
        (Pays, ("frame_support", "dispatch", "Pays")),
        (DispatchInfo, ("frame_support", "dispatch", "DispatchInfo")),
        (PerDispatchClassU32, ("frame_support", "dispatch", "PerDispatchClass")),
        (PerDispatchClassWeight, ("frame_support", "dispatch", "PerDispatchClass")),
        (PerDispatchClassWeightsPerClass, ("frame_support", "dispatch", "PerDispatchClass")),
        (WeightsPerClass, ("frame_system", "limits", "WeightsPerClass")),
        (BlockWeights, ("frame_system", "limits", "BlockWeights")),
        (BlockLength, ("frame_system", "limits", "BlockLength")),
        (RuntimeDispatchInfo, ("pallet_transaction_payment", "types", "RuntimeDispatchInfo")),
        (InclusionFee, ("pallet_transaction_payment", "types", "InclusionFee")),
        (FeeDetails, ("pallet_transaction_payment", "types", "FeeDetails")),
    ],
)
def test_type_paths(declared: object, path: tuple[str, ...]) -> None:
    assert codec_for(declared).info.path == path


def test_enum_variants() -> None:
    variants = codec_for(DispatchClass).info.variants
    assert [(v.name, v.index) for v in variants] == [
        ("Normal", 0),
        ("Operational", 1),
        ("Mandatory", 2),
    ]
    assert [(v.name, v.index) for v in codec_for(Pays).info.variants] == [("Yes", 0), ("No", 1)]


def test_per_dispatch_class_type_params() -> None:
    (param,) = codec_for(PerDispatchClassU32).info.params
    assert param.name == "T"
    assert param.type is codec_for(U32).info


# --- block limits: FRAME's builders against real runtimes' constants -------------------------


class _WeightsPerClassV1(Struct):
    """``WeightsPerClass`` of a runtime from before Weight v2 (``Weight`` = u64)."""

    base_extrinsic: U64
    max_extrinsic: U64 | None
    max_total: U64 | None
    reserved: U64 | None


class _BlockWeightsV1(Struct):
    """``BlockWeights`` of a runtime from before Weight v2."""

    base_block: U64
    max_block: U64
    normal: _WeightsPerClassV1
    operational: _WeightsPerClassV1
    mandatory: _WeightsPerClassV1


def _ref_time_projection(bw: BlockWeights) -> _BlockWeightsV1:
    def per_class(limits: WeightsPerClass) -> _WeightsPerClassV1:
        def ref(w: Weight | None) -> U64 | None:
            return None if w is None else w.ref_time

        return _WeightsPerClassV1(
            limits.base_extrinsic.ref_time,
            ref(limits.max_extrinsic),
            ref(limits.max_total),
            ref(limits.reserved),
        )

    return _BlockWeightsV1(
        bw.base_block.ref_time,
        bw.max_block.ref_time,
        per_class(bw.per_class.normal),
        per_class(bw.per_class.operational),
        per_class(bw.per_class.mandatory),
    )


# System.BlockWeights of the V14 fixtures in py-substrate-interface's test suite
# (test/fixtures/metadata_hex.json): the Substrate node (75% normal) and Karura (70% normal),
# both with 5 ms base block, 125 µs base extrinsic and 10% average initialization.
SUBSTRATE_NODE_BLOCK_WEIGHTS = (
    "00f2052a0100000000204aa9d1010000405973070000000001c06e96a62e010000010098f73e5d010000"
    "010000000000000000405973070000000001c0f6e810a30100000100204aa9d1010000010088526a7400"
    "00004059730700000000000000"
)
KARURA_BLOCK_WEIGHTS = (
    "00f2052a010000000088526a74000000405973070000000001c05ef1d14500000001002ca07d51000000"
    "010000000000000000405973070000000001c0baa3be68000000010088526a7400000001005cb2ec2200"
    "00004059730700000000000000"
)


@pytest.mark.parametrize(
    ("constant", "block_ref_time", "normal_percent"),
    [
        (SUBSTRATE_NODE_BLOCK_WEIGHTS, 2 * 10**12, 75),
        (KARURA_BLOCK_WEIGHTS, 5 * 10**11, 70),
    ],
)
def test_with_sensible_defaults_matches_real_runtimes(
    constant: str, block_ref_time: int, normal_percent: int
) -> None:
    bw = BlockWeights.with_sensible_defaults(
        Weight.from_parts(block_ref_time, U64_MAX),
        Perbill.from_percent(normal_percent),
        base_block=Weight.from_parts(5_000_000_000, 0),
        base_extrinsic=Weight.from_parts(125_000_000, 0),
    )
    assert _ref_time_projection(bw) == _BlockWeightsV1.decode(bytes.fromhex(constant))
    assert BlockWeights.decode(bw.encode()) == bw


def test_with_sensible_defaults_proof_size() -> None:
    expected = Weight.from_parts(U64(2) * WEIGHT_REF_TIME_PER_SECOND, U64_MAX)
    bw = BlockWeights.with_sensible_defaults(expected, Perbill.from_percent(75))
    normal_limit = bw.get(DispatchClass.Normal).max_total
    assert normal_limit == Weight.from_parts(1_500_000_000_000, 13_835_058_055_282_163_711)
    reserved = bw.get(DispatchClass.Operational).reserved
    assert reserved is not None
    assert normal_limit is not None
    assert reserved + normal_limit == expected
    mandatory = bw.get(DispatchClass.Mandatory)
    assert (mandatory.max_extrinsic, mandatory.max_total, mandatory.reserved) == (None,) * 3
    assert mandatory.base_extrinsic == EXTRINSIC_BASE_WEIGHT


def test_builder_validation() -> None:
    with pytest.raises(InvalidBlockWeights) as info:
        BlockWeights.with_sensible_defaults(Weight.from_parts(1000, 1000), Perbill.from_percent(75))
    assert info.value.errors
    assert all(e.startswith("[") for e in info.value.errors)
    simple = BlockWeights.simple_max(Weight.from_parts(10**12, 10**6))
    assert simple.max_block == Weight.from_parts(10**12, 10**6)
    assert simple.get(DispatchClass.Normal).max_extrinsic is None
    broken = dataclasses.replace(simple, max_block=Weight.zero())
    assert broken.validation_errors()
    with pytest.raises(InvalidBlockWeights):
        broken.validate()


def test_block_length_vector() -> None:
    # System.BlockLength of the Substrate node fixture: 5 MiB, 75% for Normal.
    length = BlockLength.max_with_normal_ratio(5 * 1024 * 1024, Perbill.from_percent(75))
    assert length.encode() == bytes.fromhex("00003c000000500000005000")
    assert BlockLength.with_max(7).max == PerDispatchClassU32(U32(7), U32(7), U32(7))


def test_compact_weight_annotation_is_compact_u64() -> None:
    (ref_time, proof_size) = codec_for(Weight).info.fields
    assert ref_time.type is codec_for(Compact[U64]).info
    assert proof_size.type is codec_for(Compact[U64]).info
