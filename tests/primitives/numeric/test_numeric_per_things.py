"""Per-things against exact `Fraction` models and sp-arithmetic's documented examples."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scalecodec.base import RuntimeConfigurationObject
from scalecodec.type_registry import load_type_registry_preset

from deepshard.primitives.numeric import (
    I32,
    PER_THINGS,
    U8,
    U16,
    U32,
    U64,
    U128,
    U256,
    DivisionByZero,
    Overflow,
    Perbill,
    Percent,
    Permill,
    Perquintill,
    PerThing,
    PerU16,
    Rounding,
    Underflow,
    divide_rounded,
    multiply_rational,
)

IDS = [t.__name__ for t in PER_THINGS]
per_type = settings(max_examples=max(40, settings().max_examples // 4))


# --- the model -----------------------------------------------------------------------------


def round_fraction(value: Fraction, rounding: Rounding) -> int:
    """Round a non-negative exact value, written independently of the package."""
    floor = math.floor(value)
    frac = value - floor
    if rounding is Rounding.DOWN:
        return floor
    if rounding is Rounding.UP:
        return math.ceil(value)
    if rounding is Rounding.NEAREST_PREF_UP:
        return floor + (frac >= Fraction(1, 2))
    return floor + (frac > Fraction(1, 2))


def parts(kind: type[PerThing]) -> st.SearchStrategy[int]:
    edges = [0, 1, 2, kind.ACCURACY // 2, kind.ACCURACY - 1, kind.ACCURACY]
    return st.one_of(st.sampled_from(edges), st.integers(0, kind.ACCURACY))


UNSIGNED_OPERANDS = [U8, U16, U32, U64, U128, U256]


def operand() -> st.SearchStrategy[int]:
    """An unsigned operand: a typed width (edges included) or a plain int."""

    @st.composite
    def build(draw: st.DrawFn) -> int:
        kind = draw(st.sampled_from([*UNSIGNED_OPERANDS, int]))
        top = (1 << 300) if kind is int else kind.MAX
        value = draw(st.one_of(st.sampled_from([0, 1, 10, top - 1, top]), st.integers(0, top)))
        return kind(value)

    return build()


# --- rounding helpers ------------------------------------------------------------------------


@given(
    st.integers(0, 10**40),
    st.integers(0, 10**40),
    st.integers(1, 10**40),
    st.sampled_from(Rounding),
)
def test_multiply_rational_matches_fraction(a: int, b: int, c: int, rounding: Rounding) -> None:
    assert multiply_rational(a, b, c, rounding) == round_fraction(Fraction(a * b, c), rounding)


def test_rounding_helpers_refuse_bad_input() -> None:
    with pytest.raises(DivisionByZero):
        divide_rounded(1, 0, Rounding.DOWN)
    with pytest.raises(ValueError, match="non-negative"):
        multiply_rational(-1, 1, 1, Rounding.DOWN)
    with pytest.raises(ValueError, match="non-negative"):
        divide_rounded(1, -1, Rounding.DOWN)


def test_nearest_rounding_ties() -> None:
    assert divide_rounded(5, 2, Rounding.NEAREST_PREF_UP) == 3
    assert divide_rounded(5, 2, Rounding.NEAREST_PREF_DOWN) == 2
    assert divide_rounded(7, 3, Rounding.NEAREST_PREF_UP) == 2
    assert divide_rounded(8, 3, Rounding.NEAREST_PREF_DOWN) == 3
    assert divide_rounded(6, 3, Rounding.UP) == 2


# --- construction and layout --------------------------------------------------------------


def test_accuracies_and_encodings() -> None:
    assert [(k.INNER, k.ACCURACY) for k in PER_THINGS] == [
        (U8, 100),
        (U16, 65_535),
        (U32, 1_000_000),
        (U32, 1_000_000_000),
        (U64, 10**18),
    ]
    assert Perbill.TYPE_PATH == ("sp_arithmetic", "per_things", "Perbill")


@pytest.mark.parametrize("kind", PER_THINGS, ids=IDS)
def test_construction(kind: type[PerThing]) -> None:
    assert kind.zero().parts == 0
    assert kind.zero().is_zero()
    assert kind.one().parts == kind.ACCURACY
    assert kind.one().is_one()
    assert type(kind.one().parts) is kind.INNER
    assert kind.from_parts(kind.ACCURACY + 1) == kind.one()  # saturating, as FRAME
    assert kind.from_parts(10**30) == kind.one()
    assert kind.checked_from_parts(kind.ACCURACY + 1) is None
    assert kind.checked_from_parts(kind.ACCURACY) == kind.one()
    with pytest.raises(Overflow):
        kind(kind.ACCURACY + 1)  # type: ignore[call-arg]  # checked, unlike from_parts
    with pytest.raises(Underflow):
        kind.from_parts(-1)
    with pytest.raises(TypeError):
        kind.from_parts(I32(1))
    with pytest.raises(TypeError):
        kind(1.0)  # type: ignore[call-arg]
    assert kind(3) == kind.from_parts(3)  # type: ignore[call-arg]  # a plain int is converted
    assert kind.from_percent(0) == kind.zero()
    assert kind.from_percent(100) == kind.one()
    assert kind.from_percent(200) == kind.one()
    assert kind.from_percent(10).parts == kind.ACCURACY // 10
    assert kind.from_percent(50).parts == kind.ACCURACY // 2


@pytest.mark.parametrize("kind", PER_THINGS, ids=IDS)
def test_values_are_frozen_ordered_and_hashable(kind: type[PerThing]) -> None:
    a, b = kind.from_parts(1), kind.from_parts(2)
    assert a < b
    assert b > a
    assert a != b
    assert a == kind.from_parts(1)
    assert len({a, kind.from_parts(1), b}) == 2
    with pytest.raises(AttributeError):
        a.parts = kind.INNER(5)  # type: ignore[misc]
    assert not kind.zero()
    assert kind.one()


@pytest.mark.parametrize("kind", PER_THINGS, ids=IDS)
def test_floats_are_refused(kind: type[PerThing]) -> None:
    with pytest.raises(TypeError):
        float(kind.one())
    with pytest.raises(TypeError):
        _ = kind.one() * 1.5


@pytest.fixture(scope="module")
def scale_config() -> Any:
    """scalecodec's type registry, the independent SCALE oracle (slow to build: once)."""
    config = RuntimeConfigurationObject()
    config.update_type_registry(load_type_registry_preset("legacy"))
    return config


@pytest.mark.parametrize("kind", PER_THINGS, ids=IDS)
@per_type
@given(data=st.data())
def test_le_bytes_match_scalecodec(
    kind: type[PerThing], data: st.DataObject, scale_config: Any
) -> None:
    value = kind.from_parts(data.draw(parts(kind)))
    encoded = bytes(scale_config.create_scale_object(kind.__name__).encode(int(value.parts)).data)
    assert value.to_le_bytes() == encoded
    assert kind.from_le_bytes(encoded) == value


@pytest.mark.parametrize("kind", [Percent, Permill, Perbill, Perquintill])
def test_decoding_refuses_parts_above_accuracy(kind: type[PerThing]) -> None:
    with pytest.raises(Overflow):
        kind.from_le_bytes(kind.INNER(kind.ACCURACY + 1).to_le_bytes())
    with pytest.raises(ValueError, match="bytes"):
        kind.from_le_bytes(b"\x00" * (kind.INNER.BYTES + 1))


def test_str_prints_exact_percentages() -> None:
    assert str(Perbill.from_rational(1, 3)) == "33.3333333%"
    assert str(Perbill.from_percent(50)) == "50%"
    assert str(Perbill.from_parts(1)) == "0.0000001%"
    assert str(Permill.from_parts(1)) == "0.0001%"
    assert str(Percent.from_percent(7)) == "7%"
    assert str(Perquintill.from_parts(5)) == "0.0000000000000005%"
    assert str(PerU16.from_parts(7)) == "7/65535"
    assert repr(Perbill.from_parts(3)) == "Perbill(parts=U32(3))"


# --- rationals against the exact model -----------------------------------------------------


@pytest.mark.parametrize("kind", PER_THINGS, ids=IDS)
@per_type
@given(
    q=st.integers(1, 2**130),
    data=st.data(),
    rounding=st.sampled_from(Rounding),
)
def test_from_rational_matches_model(
    kind: type[PerThing], q: int, data: st.DataObject, rounding: Rounding
) -> None:
    p = data.draw(st.one_of(st.sampled_from([0, 1, q - 1, q]), st.integers(0, q)))
    expected = round_fraction(Fraction(p, q) * kind.ACCURACY, rounding)
    result = kind.checked_from_rational(p, q, rounding)
    assert result is not None
    assert result.parts == expected
    assert kind.from_rational(p, q, rounding) == result
    if rounding is Rounding.DOWN:
        assert kind.from_rational(p, q) == result


@pytest.mark.parametrize("kind", PER_THINGS, ids=IDS)
def test_from_rational_saturates_or_refuses_outside_zero_one(kind: type[PerThing]) -> None:
    assert kind.from_rational(2, 1) == kind.one()
    assert kind.from_rational(1, 0) == kind.one()
    assert kind.checked_from_rational(2, 1) is None
    assert kind.checked_from_rational(1, 0) is None
    with pytest.raises(Underflow):
        kind.from_rational(-1, 2)


# --- multiplication against the exact model ------------------------------------------------


@pytest.mark.parametrize("kind", PER_THINGS, ids=IDS)
@per_type
@given(data=st.data(), n=operand())
def test_integer_multiplication_matches_model(
    kind: type[PerThing], data: st.DataObject, n: int
) -> None:
    p = kind.from_parts(data.draw(parts(kind)))
    exact = Fraction(int(p.parts) * int(n), kind.ACCURACY)
    for got, rounding in [
        (p * n, Rounding.NEAREST_PREF_DOWN),
        (p.mul_floor(n), Rounding.DOWN),
        (p.mul_ceil(n), Rounding.UP),
    ]:
        assert type(got) is type(n)
        assert got == round_fraction(exact, rounding)
        assert got <= n  # never overflows


@pytest.mark.parametrize("kind", PER_THINGS, ids=IDS)
@per_type
@given(data=st.data(), n=operand())
def test_reciprocal_multiplication_matches_model(
    kind: type[PerThing], data: st.DataObject, n: int
) -> None:
    p = kind.from_parts(data.draw(parts(kind)))
    if p.is_zero():
        with pytest.raises(DivisionByZero):
            p.saturating_reciprocal_mul(n)
        return
    exact = Fraction(int(n) * kind.ACCURACY, int(p.parts))
    bound = n.MAX if isinstance(n, U8 | U16 | U32 | U64 | U128 | U256) else None
    for got, rounding in [
        (p.saturating_reciprocal_mul(n), Rounding.NEAREST_PREF_UP),
        (p.saturating_reciprocal_mul_floor(n), Rounding.DOWN),
        (p.saturating_reciprocal_mul_ceil(n), Rounding.UP),
    ]:
        expected = round_fraction(exact, rounding)
        assert type(got) is type(n)
        assert got == (expected if bound is None else min(expected, bound))


@pytest.mark.parametrize("kind", PER_THINGS, ids=IDS)
@per_type
@given(data=st.data())
def test_per_thing_arithmetic_matches_model(kind: type[PerThing], data: st.DataObject) -> None:
    a_parts, b_parts = data.draw(parts(kind)), data.draw(parts(kind))
    a, b = kind.from_parts(a_parts), kind.from_parts(b_parts)
    acc = kind.ACCURACY
    assert (a * b).parts == a_parts * b_parts // acc
    assert a.saturating_mul(b) == a * b
    assert a.square().parts == a_parts * a_parts // acc
    assert a.saturating_add(b).parts == min(a_parts + b_parts, acc)
    assert a.saturating_sub(b).parts == max(a_parts - b_parts, 0)
    assert a.left_from_one().parts == acc - a_parts
    assert a.less_epsilon().parts == max(a_parts - 1, 0)
    assert a.plus_epsilon().parts == min(a_parts + 1, acc)
    if a_parts + b_parts <= acc:
        assert (a + b).parts == a_parts + b_parts
        assert a.checked_add(b) == a + b
    else:
        assert a.checked_add(b) is None
        with pytest.raises(Overflow):
            _ = a + b
    if a_parts >= b_parts:
        assert (a - b).parts == a_parts - b_parts
        assert a.checked_sub(b) == a - b
    else:
        assert a.checked_sub(b) is None
        with pytest.raises(Underflow):
            _ = a - b
    rounding = data.draw(st.sampled_from(Rounding))
    if b_parts == 0 or a_parts > b_parts:
        assert a.saturating_div(b, rounding) == kind.one()
    else:
        assert a.saturating_div(b, rounding).parts == round_fraction(
            Fraction(a_parts * acc, b_parts), rounding
        )
    factor = data.draw(st.integers(0, 2**70))
    assert a.int_mul(factor).parts == min(a_parts * factor, acc)


@pytest.mark.parametrize("kind", PER_THINGS, ids=IDS)
@per_type
@given(data=st.data(), exponent=st.integers(0, 64))
def test_saturating_pow_stays_within_rounding_error(
    kind: type[PerThing], data: st.DataObject, exponent: int
) -> None:
    p = kind.from_parts(data.draw(parts(kind)))
    result = p.saturating_pow(exponent).parts
    exact = Fraction(int(p.parts), kind.ACCURACY) ** exponent * kind.ACCURACY
    # Every product rounds down, so the result is below the exact power by at most one part
    # per multiplication (FRAME's square-and-multiply does at most 2 * bit_length of them).
    assert math.floor(exact) - 2 * exponent.bit_length() - 1 <= result <= math.floor(exact)


def test_mixing_per_thing_types_is_refused() -> None:
    with pytest.raises(TypeError):
        _ = Perbill.one() * Permill.one()
    with pytest.raises(TypeError):
        _ = Perbill.one() + Permill.one()
    with pytest.raises(TypeError):
        Perbill.one().saturating_add(Permill.one())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _ = U128(10) * Perbill.one()  # only `per_thing * n`, as in FRAME
    with pytest.raises(TypeError):
        Perbill.one().mul_floor(I32(10))  # signed operands are refused
    with pytest.raises(Underflow):
        Perbill.one().mul_floor(-10)
    with pytest.raises(TypeError):
        Perbill.one().mul_floor(True)


# --- sp-arithmetic's documented examples ---------------------------------------------------


def test_sp_arithmetic_percent_examples() -> None:
    pc = Percent.from_percent
    # Mul rounds to nearest, mul_floor down, mul_ceil up.
    assert pc(34) * 10 == 3
    assert pc(36) * 10 == 4
    assert pc(34).mul_floor(10) == 3
    assert pc(36).mul_floor(10) == 3
    assert pc(34).mul_ceil(10) == 4
    assert pc(36).mul_ceil(10) == 4
    # Reciprocal multiplication.
    assert pc(50).saturating_reciprocal_mul(10) == 20
    assert pc(60).saturating_reciprocal_mul(10) == 17
    assert pc(60).saturating_reciprocal_mul_floor(10) == 16
    assert pc(61).saturating_reciprocal_mul(10) == 16
    assert pc(61).saturating_reciprocal_mul_ceil(10) == 17
    # from_rational rounds down; with_rounding names the mode.
    assert Percent.from_rational(989, 1000) == Percent.from_parts(98)
    r = Percent.checked_from_rational
    assert r(989, 1000, Rounding.DOWN) == Percent.from_parts(98)
    assert r(984, 1000, Rounding.NEAREST_PREF_UP) == Percent.from_parts(98)
    assert r(985, 1000, Rounding.NEAREST_PREF_DOWN) == Percent.from_parts(98)
    assert r(985, 1000, Rounding.NEAREST_PREF_UP) == Percent.from_parts(99)
    assert r(986, 1000, Rounding.NEAREST_PREF_DOWN) == Percent.from_parts(99)
    assert r(981, 1000, Rounding.UP) == Percent.from_parts(99)
    assert r(1001, 1000, Rounding.UP) is None
    # saturating_div.
    assert pc(2).saturating_div(pc(3), Rounding.DOWN) == pc(66)
    assert pc(1).saturating_div(pc(3), Rounding.NEAREST_PREF_UP) == pc(33)
    assert pc(2).saturating_div(pc(3), Rounding.NEAREST_PREF_DOWN) == pc(67)
    assert pc(1).saturating_div(pc(3), Rounding.UP) == pc(34)


@pytest.mark.parametrize("kind", PER_THINGS, ids=IDS)
def test_sp_arithmetic_per_thing_tests(kind: type[PerThing]) -> None:
    acc = kind.ACCURACY
    # per_thing_mul_rounds_to_nearest_number
    assert [kind.from_percent(x) * U64(10) for x in (33, 34, 35, 36)] == [3, 3, 3, 4]
    # per_thing_mul_works: accuracy test
    assert kind.from_rational(1, 3) * kind.INNER(30) == 10
    # multiplication with bounds
    assert kind.one() * U128(U128.MAX) == U128.MAX
    assert kind.zero() * U128(U128.MAX) == 0
    # per_things_mul_operates_in_output_type
    half = kind.from_parts(acc // 2)
    assert half * U64(100) == 50
    assert type(half * U64(100)) is U64
    assert half * U128(100) == 50
    assert type(half * U128(100)) is U128
    # per_thing_from_rationale_approx_works (computed in the upper type)
    assert kind.from_rational(acc - 1, acc + 1) == kind.from_parts(acc - 2)
    assert kind.from_rational(1, acc - 1) == kind.from_parts(1)
    assert kind.from_rational(1, acc) == kind.from_parts(1)
    assert kind.from_rational(2, 2 * acc - 1) == kind.from_parts(1)
    assert kind.from_rational(1, acc + 1) == kind.zero()
    assert kind.from_rational(3 * acc // 2, 3 * acc) == kind.from_parts(acc // 2)
    assert kind.from_rational(1, 4) == kind.from_rational(2, 8)
    assert kind.from_rational(1, U128.MAX) == kind.zero()
    # saturating_pow_works
    assert kind.from_parts(acc // 2).saturating_pow(0) == kind.one()
    assert kind.from_parts(acc // 2).saturating_pow(1) == kind.from_parts(acc // 2)
    assert kind.from_parts(acc // 2).saturating_pow(2) == kind.from_parts(acc // 2).square()
    for n in range(1, 17):
        assert kind.from_parts(acc // 2).saturating_pow(n) == kind.from_parts(acc // 2**n)
    assert kind.zero().saturating_pow(3) == kind.zero()
    assert kind.one().saturating_pow(3) == kind.one()
    assert kind.from_parts(acc // 2).saturating_pow(2**31) == kind.zero()
    # saturating_reciprocal_mul_works
    assert kind.one().saturating_reciprocal_mul(kind.INNER(10)) == 10
    assert kind.from_parts(acc // 2).saturating_reciprocal_mul(kind.INNER(10)) == 20
    assert kind.from_parts(1).saturating_reciprocal_mul(kind.INNER(acc)) == kind.INNER.MAX
    assert kind.from_percent(60).saturating_reciprocal_mul(kind.INNER(10)) == 17
    assert kind.from_percent(60).saturating_reciprocal_mul_floor(kind.INNER(10)) == 16
    assert kind.from_percent(61).saturating_reciprocal_mul(kind.INNER(10)) == 16
    assert kind.from_percent(61).saturating_reciprocal_mul_ceil(kind.INNER(10)) == 17
    # saturating_truncating_mul_works
    assert kind.from_percent(49).mul_floor(kind.INNER(10)) == 4
    if acc % 2 == 0:
        assert kind.from_percent(50).mul_floor(acc**2) == acc**2 // 2
    # from_parts_cannot_overflow
    assert kind.from_parts(min(acc + 1, kind.INNER.MAX)) == kind.one()


def test_perbill_times_balance_like_substrate() -> None:
    # A 10% commission on a balance: exact, and rounding to nearest with ties down.
    assert Perbill.from_percent(10) * U128(1_000_000_000_000) == 100_000_000_000
    assert Perbill.from_parts(500_000_000) * U128(3) == 1  # 1.5 rounds down on a tie
    assert Perbill.from_parts(500_000_001) * U128(3) == 2
    # u128::MAX / 10^9 = 340282366920938463463374607431.768..., to nearest:
    assert Perbill.from_parts(1) * U128(U128.MAX) == 340282366920938463463374607432
