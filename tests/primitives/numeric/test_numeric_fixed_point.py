"""Fixed-point numbers against exact `Fraction` models and sp-arithmetic's own tests."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepshard.primitives.numeric import (
    FIXED_POINT_TYPES,
    I8,
    I128,
    U8,
    U64,
    U128,
    DivisionByZero,
    FixedI64,
    FixedI128,
    FixedInt,
    FixedPointNumber,
    FixedU64,
    FixedU128,
    Overflow,
    Perbill,
    Percent,
    Permill,
    Perquintill,
    Rounding,
    SignedRounding,
    Underflow,
)

IDS = [t.__name__ for t in FIXED_POINT_TYPES]
per_type = settings(max_examples=max(50, settings().max_examples // 4))


# --- the model -----------------------------------------------------------------------------


def exact(x: FixedPointNumber) -> Fraction:
    return Fraction(int(x.inner), x.DIV)


def round_signed(value: Fraction, rounding: SignedRounding) -> int:
    """Round an exact signed value, written from the definitions of `SignedRounding`."""
    floor, ceil = math.floor(value), math.ceil(value)
    if floor == ceil:
        return floor
    toward_zero, away = (floor, ceil) if value > 0 else (ceil, floor)
    half = value - floor == Fraction(1, 2)
    nearest = floor if value - floor < Fraction(1, 2) else ceil
    match rounding:
        case SignedRounding.HIGH:
            return ceil
        case SignedRounding.LOW:
            return floor
        case SignedRounding.MAJOR:
            return away
        case SignedRounding.MINOR:
            return toward_zero
        case SignedRounding.NEAREST_PREF_HIGH:
            return ceil if half else nearest
        case SignedRounding.NEAREST_PREF_LOW:
            return floor if half else nearest
        case SignedRounding.NEAREST_PREF_MAJOR:
            return away if half else nearest
        case _:
            return toward_zero if half else nearest


def inners(kind: type[FixedPointNumber]) -> st.SearchStrategy[int]:
    lo, hi, div = kind.INNER.MIN, kind.INNER.MAX, kind.DIV
    edges = [v for v in (lo, lo + 1, -div, -1, 0, 1, div, 2 * div, hi - 1, hi) if lo <= v <= hi]
    return st.one_of(
        st.sampled_from(edges),
        st.integers(lo, hi),
        st.integers(max(lo, -(10**6) * div), min(hi, 10**6 * div)),  # ordinary magnitudes
    )


def values(kind: type[FixedPointNumber]) -> st.SearchStrategy[FixedPointNumber]:
    return inners(kind).map(kind.from_inner)


def fits(kind: type[FixedPointNumber], inner: int) -> bool:
    return kind.INNER.MIN <= inner <= kind.INNER.MAX


def clamp(kind: type[FixedPointNumber], inner: int) -> int:
    return max(kind.INNER.MIN, min(kind.INNER.MAX, inner))


INT_OPERANDS: list[type[FixedInt]] = [U8, I8, U64, U128, I128]


@st.composite
def int_operand(draw: st.DrawFn) -> int:
    kind = draw(st.sampled_from(INT_OPERANDS))
    return kind(
        draw(
            st.one_of(st.sampled_from([kind.MIN, 0, 1, kind.MAX]), st.integers(kind.MIN, kind.MAX))
        )
    )


# --- construction, layout, presentation ----------------------------------------------------


def test_layout() -> None:
    assert [(k.INNER.__name__, k.DIV, k.DECIMALS) for k in FIXED_POINT_TYPES] == [
        ("U128", 10**18, 18),
        ("I128", 10**18, 18),
        ("U64", 10**9, 9),
        ("I64", 10**9, 9),
    ]
    assert FixedU128.TYPE_PATH == ("sp_arithmetic", "fixed_point", "FixedU128")


@pytest.mark.parametrize("kind", FIXED_POINT_TYPES, ids=IDS)
@per_type
@given(data=st.data())
def test_le_bytes_are_the_inner_integer(kind: type[FixedPointNumber], data: st.DataObject) -> None:
    x = data.draw(values(kind))
    encoded = x.to_le_bytes()
    assert encoded == int(x.inner).to_bytes(kind.INNER.BYTES, "little", signed=kind.INNER.SIGNED)
    assert kind.from_le_bytes(encoded) == x
    assert type(kind.from_le_bytes(encoded).inner) is kind.INNER


@pytest.mark.parametrize("kind", FIXED_POINT_TYPES, ids=IDS)
@per_type
@given(data=st.data())
def test_str_is_the_exact_decimal(kind: type[FixedPointNumber], data: st.DataObject) -> None:
    x = data.draw(values(kind))
    text = str(x)
    assert Fraction(Decimal(text)) == exact(x)
    assert "e" not in text.lower()
    assert not text.endswith(".")
    assert kind.from_decimal_str(text) == x
    whole, _, fraction = repr(x).removeprefix(f"{kind.__name__}(").removesuffix(")").partition(".")
    assert len(fraction) == kind.DECIMALS
    assert Fraction(Decimal(f"{whole}.{fraction}")) == exact(x)


def test_str_and_repr_examples() -> None:
    assert str(FixedU128.saturating_from_rational(5, 2)) == "2.5"
    assert str(FixedU128.one()) == "1"
    assert str(FixedU128.zero()) == "0"
    assert str(FixedU128.from_inner(1)) == "0.000000000000000001"
    assert str(FixedI128.saturating_from_rational(-1, 2)) == "-0.5"
    assert str(FixedU128.max_value()) == "340282366920938463463.374607431768211455"
    assert str(FixedI128.min_value()) == "-170141183460469231731.687303715884105728"
    # sp-arithmetic's fmt_should_work (Debug)
    assert repr(FixedU128.zero()) == "FixedU128(0.000000000000000000)"
    assert repr(FixedU128.one()) == "FixedU128(1.000000000000000000)"
    assert repr(FixedU64.saturating_from_rational(1, 2)) == "FixedU64(0.500000000)"
    assert repr(FixedI128.saturating_from_rational(-314, 100)) == "FixedI128(-3.140000000000000000)"
    assert repr(-FixedI64.one()) == "FixedI64(-1.000000000)"
    assert repr(FixedI64.from_inner(-5)) == "FixedI64(-0.000000005)"


def test_from_decimal_str_refuses_what_it_cannot_hold() -> None:
    for bad in ("", "1.", ".5", "1e3", "0x10", "1.2.3", "\u0661", "--1", "nan"):
        with pytest.raises(ValueError, match="not a decimal"):
            FixedU128.from_decimal_str(bad)
    with pytest.raises(ValueError, match="decimal places"):
        FixedU64.from_decimal_str("0.0000000001")  # ten places
    with pytest.raises(Underflow):
        FixedU128.from_decimal_str("-1")
    with pytest.raises(Overflow):
        FixedI64.from_decimal_str("9223372037")
    assert FixedI64.from_decimal_str("+1.25") == FixedI64.saturating_from_rational(5, 4)


@pytest.mark.parametrize("kind", FIXED_POINT_TYPES, ids=IDS)
def test_construction(kind: type[FixedPointNumber]) -> None:
    assert kind.one().inner == kind.DIV
    assert kind.accuracy() == kind.DIV
    assert kind.zero().is_zero()
    assert kind.one().is_one()
    assert not kind.from_inner(1).is_one()
    assert kind.min_value().inner == kind.INNER.MIN
    assert kind.max_value().inner == kind.INNER.MAX
    assert kind.from_integer(3).inner == 3 * kind.DIV
    assert kind.checked_from_integer(kind.INNER.MAX) is None
    assert kind.saturating_from_integer(kind.INNER.MAX) == kind.max_value()
    assert kind.saturating_from_integer(-(10**40)) == kind.min_value()
    with pytest.raises(Overflow):
        kind.from_integer(kind.INNER.MAX)
    with pytest.raises(Overflow):
        kind.from_inner(kind.INNER.MAX + 1)
    with pytest.raises(TypeError):
        kind.from_inner(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        kind(True)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        float(kind.one())
    with pytest.raises(AttributeError):
        kind.one().inner = kind.INNER(0)  # type: ignore[misc]
    assert not kind.zero()
    assert kind.one()
    assert kind.zero() < kind.one() < kind.saturating_from_integer(2)
    assert len({kind.one(), kind.from_inner(kind.DIV)}) == 1


# --- rationals -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", FIXED_POINT_TYPES, ids=IDS)
@per_type
@given(n=st.integers(-(2**130), 2**130), d=st.integers(-(2**130), 2**130))
def test_rational_constructors_match_model(kind: type[FixedPointNumber], n: int, d: int) -> None:
    if d == 0:
        assert kind.checked_from_rational(n, d) is None
        with pytest.raises(DivisionByZero):
            kind.saturating_from_rational(n, d)
        return
    inner = round_signed(Fraction(n, d) * kind.DIV, SignedRounding.MINOR)
    checked = kind.checked_from_rational(n, d)
    if fits(kind, inner):
        assert checked is not None
        assert checked.inner == inner
        assert kind.saturating_from_rational(n, d) == checked
    else:
        assert checked is None
        bound = kind.min_value() if (n < 0) != (d < 0) else kind.max_value()
        assert kind.saturating_from_rational(n, d) == bound
    a, b = abs(n), abs(d)
    rounding = Rounding.NEAREST_PREF_DOWN
    inner = round_signed(Fraction(a, b) * kind.DIV, SignedRounding.NEAREST_PREF_MINOR)
    if fits(kind, inner):
        assert kind.from_rational(a, b).inner == inner
        assert kind.from_rational(a, b, rounding) == kind.from_rational(a, b)
    else:
        with pytest.raises(Overflow):
            kind.from_rational(a, b)


# --- arithmetic against the model ----------------------------------------------------------


@pytest.mark.parametrize("kind", FIXED_POINT_TYPES, ids=IDS)
@per_type
@given(data=st.data())
def test_add_sub_neg_match_model(kind: type[FixedPointNumber], data: st.DataObject) -> None:
    x, y = data.draw(values(kind)), data.draw(values(kind))
    a, b = int(x.inner), int(y.inner)
    for op, checked, saturating, value in [
        (lambda: x + y, x.checked_add(y), x.saturating_add(y), a + b),
        (lambda: x - y, x.checked_sub(y), x.saturating_sub(y), a - b),
    ]:
        assert saturating.inner == clamp(kind, value)
        if fits(kind, value):
            assert op().inner == value
            assert checked is not None
            assert checked.inner == value
        else:
            assert checked is None
            with pytest.raises(Overflow if value > 0 else Underflow):
                op()
    if fits(kind, -a):
        assert (-x).inner == -a
    else:
        with pytest.raises(Overflow if -a > 0 else Underflow):
            _ = -x
    assert x.saturating_abs().inner == clamp(kind, abs(a))


@pytest.mark.parametrize("kind", FIXED_POINT_TYPES, ids=IDS)
@per_type
@given(data=st.data(), rounding=st.sampled_from(SignedRounding))
def test_mul_div_match_model(
    kind: type[FixedPointNumber], data: st.DataObject, rounding: SignedRounding
) -> None:
    x, y = data.draw(values(kind)), data.draw(values(kind))
    product = exact(x) * exact(y) * kind.DIV
    truncated = round_signed(product, SignedRounding.MINOR)
    checked = x.checked_mul(y)
    if fits(kind, truncated):
        assert checked is not None
        assert checked.inner == truncated
        assert (x * y) == checked
        assert x.saturating_mul(y) == checked
    else:
        assert checked is None
        with pytest.raises(Overflow if truncated > 0 else Underflow):
            _ = x * y
        bound = kind.min_value() if product < 0 else kind.max_value()
        assert x.saturating_mul(y) == bound
    rounded = round_signed(product, rounding)
    got = x.checked_mul_with_rounding(y, rounding)
    assert (got.inner if got is not None else None) == (rounded if fits(kind, rounded) else None)
    if y.is_zero():
        assert x.checked_div(y) is None
        assert x.checked_div_with_rounding(y, rounding) is None
        with pytest.raises(DivisionByZero):
            x.saturating_div(y)
        return
    quotient = exact(x) / exact(y) * kind.DIV
    truncated = round_signed(quotient, SignedRounding.MINOR)
    checked = x.checked_div(y)
    if fits(kind, truncated):
        assert checked is not None
        assert checked.inner == truncated
        assert x.saturating_div(y) == checked
    else:
        assert checked is None
        assert x.saturating_div(y) == (kind.min_value() if quotient < 0 else kind.max_value())
    rounded = round_signed(quotient, rounding)
    got = x.checked_div_with_rounding(y, rounding)
    assert (got.inner if got is not None else None) == (rounded if fits(kind, rounded) else None)


@pytest.mark.parametrize("kind", FIXED_POINT_TYPES, ids=IDS)
@per_type
@given(data=st.data(), n=int_operand())
def test_integer_operations_match_model(
    kind: type[FixedPointNumber], data: st.DataObject, n: FixedInt
) -> None:
    x = data.draw(values(kind))
    target = type(n)
    product = round_signed(exact(x) * int(n), SignedRounding.MINOR)
    in_range = target.MIN <= product <= target.MAX
    assert x.checked_mul_int(n) == (product if in_range else None)
    saturated = x.saturating_mul_int(n)
    assert type(saturated) is target
    assert saturated == max(target.MIN, min(target.MAX, product))
    plain = x.checked_mul_int(int(n))  # a plain int is unbounded
    assert plain == product
    assert type(plain) is int
    if n == 0:
        assert x.checked_div_int(n) is None
        with pytest.raises(DivisionByZero):
            x.saturating_div_int(n)
    else:
        quotient = round_signed(exact(x) / int(n), SignedRounding.MINOR)
        in_range = target.MIN <= quotient <= target.MAX
        assert x.checked_div_int(n) == (quotient if in_range else None)
        assert x.saturating_div_int(n) == max(target.MIN, min(target.MAX, quotient))
    acc = x.saturating_mul_acc_int(n)
    assert type(acc) is target
    if not x.is_negative() or n <= 0:
        assert acc == max(target.MIN, min(target.MAX, int(saturated) + int(n)))


@pytest.mark.parametrize("kind", FIXED_POINT_TYPES, ids=IDS)
@per_type
@given(data=st.data())
def test_trunc_floor_ceil_match_model(kind: type[FixedPointNumber], data: st.DataObject) -> None:
    x = data.draw(values(kind))
    value = exact(x)
    assert exact(x.trunc()) == math.trunc(value)
    lowest = math.trunc(Fraction(kind.INNER.MIN, kind.DIV))
    highest = math.trunc(Fraction(kind.INNER.MAX, kind.DIV))
    assert exact(x.floor()) == max(math.floor(value), lowest)
    assert exact(x.ceil()) == min(math.ceil(value), highest)
    if not x.is_zero():
        reciprocal = x.reciprocal()
        inner = round_signed(1 / value * kind.DIV, SignedRounding.MINOR)
        assert (reciprocal.inner if reciprocal is not None else None) == (
            inner if fits(kind, inner) else None
        )
    else:
        assert x.reciprocal() is None


@pytest.mark.parametrize("kind", FIXED_POINT_TYPES, ids=IDS)
@per_type
@given(data=st.data(), exponent=st.integers(0, 200))
def test_saturating_pow_bounds(
    kind: type[FixedPointNumber], data: st.DataObject, exponent: int
) -> None:
    inner = data.draw(st.integers(-3 * kind.DIV, 3 * kind.DIV).filter(lambda v: fits(kind, v)))
    x = kind.from_inner(inner)
    result = x.saturating_pow(exponent)
    power = exact(x) ** exponent * kind.DIV
    if power > kind.INNER.MAX or power < kind.INNER.MIN:
        return  # saturation happened somewhere on the way: covered by the examples below
    # Every product truncates toward zero, so the magnitude can only shrink. Each truncation
    # loses under one unit, and a loss in x**k reaches x**n scaled by at most n/k times
    # |x|**(n-k): summed over the squarings and products, under 2n + 2 bit_length + 1 units
    # (times |power| / DIV when |x| > 1).
    steps = 2 * exponent + 2 * exponent.bit_length() + 1
    assert abs(int(result.inner)) <= abs(power)
    assert abs(power) - abs(int(result.inner)) <= steps * max(1, abs(power) / kind.DIV)
    assert (result.inner < 0) <= (power < 0)


def test_saturating_pow_refuses_bad_exponents() -> None:
    with pytest.raises(ValueError, match="u32"):
        FixedU128.one().saturating_pow(-1)
    with pytest.raises(ValueError, match="u32"):
        FixedU128.one().saturating_pow(2**32)


# --- per-things -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", FIXED_POINT_TYPES, ids=IDS)
@per_type
@given(data=st.data())
def test_per_thing_conversions_match_model(
    kind: type[FixedPointNumber], data: st.DataObject
) -> None:
    x = data.draw(values(kind))
    value = exact(x)
    clamped = min(max(value, Fraction(0)), Fraction(1))
    assert x.into_perbill().parts == math.floor(clamped * 10**9 + Fraction(1, 2)) - (
        (clamped * 10**9 * 2) % 2 == 1
    )
    for per in (Percent, Permill, Perbill, Perquintill):
        assert x.into_clamped_perthing(per).parts == math.floor(clamped * per.ACCURACY)
    p = Perbill.from_parts(data.draw(st.integers(0, 10**9)))
    assert exact(kind.from_perthing(p)) == Fraction(int(p.parts), 10**9)


# --- sp-arithmetic's own tests ---------------------------------------------------------------


@pytest.mark.parametrize("kind", FIXED_POINT_TYPES, ids=IDS)
def test_sp_arithmetic_examples(kind: type[FixedPointNumber]) -> None:
    signed = kind.INNER.SIGNED
    inner_max, inner_min, acc = kind.INNER.MAX, kind.INNER.MIN, kind.DIV
    i = kind.saturating_from_integer
    r = kind.saturating_from_rational
    # checked_div_works
    a, b, c, d = kind.max_value(), kind.min_value(), kind.zero(), kind.one()
    assert i(6).checked_div(i(2)) == i(3)
    assert i(5).checked_div(i(2)) == r(5, 2)
    assert a.checked_div(i(2)) == kind.from_inner(inner_max // 2)
    assert a.checked_div(kind.max_value()) == i(1)
    assert a.checked_div(d) == a
    assert b.checked_div(d) == b
    assert a.checked_div(c) is None
    assert c.checked_div(i(1)) == c
    if signed:
        assert a.checked_div(i(-2)) == kind.from_inner(-(inner_max // 2))
        assert b.checked_div(i(-2)) == kind.from_inner(-(inner_min // 2))
        assert b.checked_div(b) == kind.one()
        assert b.checked_div(a) == i(-1)  # truncated toward zero from -1.000...
    # saturating_div_int_works
    assert i(5).saturating_div_int(U8(2)) == 2
    assert b.saturating_div_int(I128(1)) == math.trunc(Fraction(inner_min, acc))
    if signed:
        assert i(5).saturating_div_int(I8(-2)) == -2
        assert b.saturating_div_int(I128(-1)) == inner_max // acc
    # saturating_abs_works
    assert kind.from_inner(inner_max).saturating_abs() == kind.max_value()
    if signed:
        assert kind.from_inner(inner_min).saturating_abs() == kind.max_value()
        assert r(-1, 2).saturating_abs() == r(1, 2)
    # saturating_mul_acc_int_works
    assert kind.zero().saturating_mul_acc_int(I8(42)) == 42
    assert kind.one().saturating_mul_acc_int(I8(42)) == 84
    assert kind.one().saturating_mul_acc_int(I128(I128.MAX)) == I128.MAX
    assert kind.one().saturating_mul_acc_int(I128(I128.MIN)) == I128.MIN
    assert kind.one().saturating_mul_acc_int(U128(U128.MAX // 2)) == U128.MAX - 1
    assert kind.one().saturating_mul_acc_int(U128(0)) == 0
    if signed:
        half = r(-1, 2)
        assert half.saturating_mul_acc_int(I8(42)) == 21
        assert half.saturating_mul_acc_int(U8(42)) == 21
        assert half.saturating_mul_acc_int(U128(U128.MAX - 1)) == U128.MAX // 2
    # saturating_pow_should_work
    assert i(2).saturating_pow(0) == i(1)
    assert i(2).saturating_pow(1) == i(2)
    assert i(2).saturating_pow(3) == i(8)
    assert i(2).saturating_pow(50) == i(1125899906842624)
    assert i(1).saturating_pow(1000) == i(1)
    assert i(1).saturating_pow(2**32 - 1) == i(1)
    assert i(114209).saturating_pow(5) == kind.max_value()
    assert i(0).saturating_pow(2**32 - 1) == i(0)
    assert i(2).saturating_pow(2**32 - 1) == kind.max_value()
    if signed:
        assert i(2).saturating_pow(68) == kind.max_value()
        assert i(-1).saturating_pow(1000) == i(1)
        assert i(-1).saturating_pow(1001) == i(-1)
        assert i(-1).saturating_pow(2**32 - 1) == i(-1)
    # trunc_works, ceil_works, floor_works
    assert r(5, 2).trunc() == i(2)
    assert r(5, 2).ceil() == i(3)
    assert r(5, 2).floor() == i(2)
    assert a.ceil() == a.trunc()
    assert b.ceil() == b.trunc()
    assert a.floor() == a.trunc()
    assert b.floor() == b.trunc()
    if signed:
        assert r(-5, 2).trunc() == i(-2)
        assert r(-5, 2).ceil() == i(-2)
        assert r(-5, 2).floor() == i(-3)
        assert i(-2).floor() == i(-2)  # exact; sp-arithmetic's floor gives -3 here
    # is_positive_negative_works
    assert kind.one().is_positive()
    assert not kind.one().is_negative()
    assert not kind.zero().is_positive()
    assert not kind.zero().is_negative()
    if signed:
        assert i(-1).is_negative()
        assert not i(-1).is_positive()
    # perthing_into_works
    for per in (Percent, Permill, Perbill, Perquintill):
        assert kind.from_perthing(per.from_percent(10)).inner == acc // 10


def test_fixed_u128_const_helpers() -> None:
    # from_rational rounds to nearest (ties down), like FRAME's const fn.
    assert FixedU128.from_rational(1, 3).inner == 333_333_333_333_333_333
    assert FixedU128.from_rational(2, 3).inner == 666_666_666_666_666_667
    assert FixedU128.checked_from_rational(2, 3).inner == 666_666_666_666_666_666  # type: ignore[union-attr]
    with pytest.raises(DivisionByZero):
        FixedU128.from_rational(1, 0)
    with pytest.raises(Overflow):
        FixedU128.from_rational(2**128, 1)
    # into_perbill rounds to nearest, clamps to [0, 1].
    assert FixedU128.from_rational(1, 3).into_perbill() == Perbill.from_parts(333_333_333)
    assert FixedU128.from_rational(2, 3).into_perbill() == Perbill.from_parts(666_666_667)
    assert FixedU128.saturating_from_integer(2).into_perbill() == Perbill.one()
    assert FixedI128.saturating_from_integer(-2).into_perbill() == Perbill.zero()
    # const mul and div round to nearest, ties toward negative infinity.
    third = FixedI128.from_rational(1, 3)
    assert third.checked_mul_with_rounding(FixedI128.saturating_from_integer(2)) == (
        FixedI128.from_inner(666_666_666_666_666_666)
    )
    neg_tiny = FixedI128.from_inner(-1)
    half = FixedI128.from_rational(1, 2)
    assert neg_tiny.checked_mul_with_rounding(half) == FixedI128.from_inner(-1)  # tie: down
    assert neg_tiny.checked_mul(half) == FixedI128.zero()  # truncation: toward zero


def test_fee_multiplier_like_transaction_payment() -> None:
    multiplier = FixedU128.saturating_from_rational(3, 2)
    assert multiplier.saturating_mul_int(U128(1_000)) == 1_500
    assert FixedU128.one().saturating_mul_int(U128(U128.MAX)) == U128.MAX
    assert FixedU128.saturating_from_integer(2).saturating_mul_int(U128(U128.MAX)) == U128.MAX
    # Truncation toward zero: a third of 100 is 33.
    assert FixedU128.saturating_from_rational(1, 3).saturating_mul_int(U128(100)) == 33
    assert type(multiplier.saturating_mul_int(U128(1))) is U128


def test_mixing_is_refused() -> None:
    with pytest.raises(TypeError):
        _ = FixedU128.one() + FixedI128.one()
    with pytest.raises(TypeError):
        FixedU128.one().checked_mul(FixedU64.one())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _ = FixedU128.one() * U128(2)
    with pytest.raises(TypeError):
        _ = FixedU128.one() / FixedU128.one()  # type: ignore[operator]
    with pytest.raises(TypeError):
        FixedU128.one().saturating_mul_int(2.0)  # type: ignore[type-var]
