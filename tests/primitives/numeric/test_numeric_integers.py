"""Fixed-width integers against plain Python ints (with Rust's semantics) as the model."""

from __future__ import annotations

import math
import pickle
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scalecodec.base import RuntimeConfigurationObject
from scalecodec.type_registry import load_type_registry_preset

from deepshard.primitives.numeric import (
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
    DivisionByZero,
    FixedInt,
    NumericError,
    Overflow,
    Underflow,
)

ALL_TYPES = UNSIGNED_TYPES + SIGNED_TYPES
IDS = [t.__name__ for t in ALL_TYPES]

# Every property runs once per width (12 of them): a quarter of the profile's examples each
# keeps the default run short and still scales with `HYPOTHESIS_PROFILE=thorough`.
per_width = settings(max_examples=max(50, settings().max_examples // 4))


# --- the model -----------------------------------------------------------------------------


def in_range(kind: type[FixedInt], value: int) -> bool:
    return kind.MIN <= value <= kind.MAX


def wrap(kind: type[FixedInt], value: int) -> int:
    """Two's-complement wrap, written differently from the implementation (offset modulo)."""
    return (value - kind.MIN) % (1 << kind.BITS) + kind.MIN


def saturate(kind: type[FixedInt], value: int) -> int:
    return min(max(value, kind.MIN), kind.MAX)


def rust_div(a: int, b: int) -> int:
    """Rust's `/`: the exact quotient truncated toward zero."""
    return math.trunc(Fraction(a, b))


def rust_rem(a: int, b: int) -> int:
    return a - b * rust_div(a, b)


def values(kind: type[FixedInt]) -> st.SearchStrategy[int]:
    """Any value of the type, with the boundaries drawn often."""
    edges = (kind.MIN, kind.MIN + 1, -2, -1, 0, 1, 2, kind.MAX - 1, kind.MAX)
    return st.one_of(
        st.sampled_from([v for v in edges if in_range(kind, v)]),
        st.integers(kind.MIN, kind.MAX),
    )


def check(kind: type[FixedInt], expected: int, compute: object) -> None:
    """`compute()` must equal `expected` typed as `kind`, or raise the matching range error."""
    assert callable(compute)
    if expected > kind.MAX:
        with pytest.raises(Overflow):
            compute()
    elif expected < kind.MIN:
        with pytest.raises(Underflow):
            compute()
    else:
        result = compute()
        assert type(result) is kind
        assert result == expected


def check_optional(kind: type[FixedInt], expected: int | None, result: object) -> None:
    if expected is None or not in_range(kind, expected):
        assert result is None
    else:
        assert type(result) is kind
        assert result == expected


# --- construction and layout --------------------------------------------------------------


@pytest.mark.parametrize("kind", ALL_TYPES, ids=IDS)
def test_bounds_and_layout(kind: type[FixedInt]) -> None:
    bits = int(kind.__name__[1:])
    assert bits == kind.BITS
    assert bits // 8 == kind.BYTES
    assert kind.__name__.startswith("I") == kind.SIGNED
    if kind.SIGNED:
        assert (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) == (kind.MIN, kind.MAX)
    else:
        assert (0, 2**bits - 1) == (kind.MIN, kind.MAX)
    assert kind(kind.MAX) == kind.MAX
    assert kind(kind.MIN) == kind.MIN
    with pytest.raises(Overflow):
        kind(kind.MAX + 1)
    with pytest.raises(Underflow):
        kind(kind.MIN - 1)
    assert kind() == 0


@pytest.mark.parametrize("bad", [1.0, "1", b"\x01", True, False, None, Fraction(1)])
def test_construction_refuses_non_integers(bad: object) -> None:
    with pytest.raises(TypeError):
        U32(bad)  # type: ignore[arg-type]


def test_errors_form_one_hierarchy() -> None:
    assert issubclass(Overflow, NumericError)
    assert issubclass(Overflow, OverflowError)
    assert issubclass(Underflow, NumericError)
    assert issubclass(Underflow, OverflowError)
    assert issubclass(DivisionByZero, NumericError)
    assert issubclass(DivisionByZero, ZeroDivisionError)
    assert issubclass(NumericError, ArithmeticError)


def test_fixed_int_itself_has_no_width() -> None:
    with pytest.raises(TypeError):
        FixedInt(1)


def test_newtype_subclass_inherits_range_and_does_not_mix() -> None:
    class BlockNumber(U32):
        __slots__ = ()

    assert BlockNumber.MAX == U32.MAX
    assert BlockNumber.BYTES == 4
    n = BlockNumber(7) + BlockNumber(1)
    assert type(n) is BlockNumber
    assert n == 8
    with pytest.raises(TypeError):
        _ = BlockNumber(1) + U32(1)
    with pytest.raises(Overflow):
        BlockNumber(U32.MAX) + BlockNumber(1)


def test_subclass_needs_a_width() -> None:
    with pytest.raises(TypeError):

        class Broken(FixedInt):
            __slots__ = ()

    with pytest.raises(TypeError):

        class Odd(FixedInt, bits=12, signed=False):
            __slots__ = ()


@pytest.mark.parametrize("kind", ALL_TYPES, ids=IDS)
@per_width
@given(data=st.data())
def test_le_bytes_roundtrip(kind: type[FixedInt], data: st.DataObject) -> None:
    value = data.draw(values(kind))
    encoded = kind(value).to_le_bytes()
    assert encoded == value.to_bytes(kind.BYTES, "little", signed=kind.SIGNED)
    decoded = kind.from_le_bytes(encoded)
    assert type(decoded) is kind
    assert decoded == value


@pytest.mark.parametrize("kind", ALL_TYPES, ids=IDS)
def test_from_le_bytes_needs_exact_length(kind: type[FixedInt]) -> None:
    with pytest.raises(ValueError, match="bytes"):
        kind.from_le_bytes(bytes(kind.BYTES + 1))
    with pytest.raises(ValueError, match="bytes"):
        kind.from_le_bytes(bytes(kind.BYTES - 1))


def test_le_bytes_match_scalecodec() -> None:
    config = RuntimeConfigurationObject()
    config.update_type_registry(load_type_registry_preset("core"))
    for kind in ALL_TYPES:
        name = kind.__name__.lower()
        for value in (kind.MIN, kind.MIN + 1, 0, kind.MAX // 3, kind.MAX):
            obj = config.create_scale_object(name)
            assert bytes(obj.encode(value).data) == kind(value).to_le_bytes(), (kind, value)


# --- strict typing ------------------------------------------------------------------------


VALUE_OPERATORS = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a // b,
    lambda a, b: a % b,
    divmod,
    lambda a, b: a & b,
    lambda a, b: a | b,
    lambda a, b: a ^ b,
]
COUNT_OPERATORS = [lambda a, b: a**b, lambda a, b: a << b, lambda a, b: a >> b]


@pytest.mark.parametrize("op", VALUE_OPERATORS)
def test_plain_ints_and_other_widths_do_not_mix(op: object) -> None:
    assert callable(op)
    for left, right in [(U32(3), U64(1)), (U64(1), U32(3)), (I8(3), U8(1)), (3, U8(1))]:
        with pytest.raises(TypeError):
            op(left, right)
        with pytest.raises(TypeError):
            op(right, left)
    with pytest.raises(TypeError):
        op(U8(3), True)


@pytest.mark.parametrize("op", COUNT_OPERATORS)
def test_exponents_and_shift_counts_are_plain_counts(op: object) -> None:
    assert callable(op)
    assert type(op(U8(2), 3)) is U8  # the count is any non-negative int
    assert type(op(U8(2), U32(3))) is U8
    with pytest.raises(TypeError):
        op(2, U8(3))  # but a plain int is never promoted by a typed count


def test_other_numbers_are_refused_and_other_objects_get_notimplemented() -> None:
    for number in (1.5, Fraction(1, 2), Decimal(1), 1j):
        with pytest.raises(TypeError):
            _ = U8(1) + number
        with pytest.raises(TypeError):
            _ = U8(1) * number
    assert U8(1).__mul__("x") is NotImplemented
    assert U8(1).__radd__(object()) is NotImplemented


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        float(U64(1))
    with pytest.raises(TypeError):
        _ = U64(4) / U64(2)
    with pytest.raises(TypeError):
        _ = 4 / U64(2)
    with pytest.raises(TypeError):
        math.sqrt(U64(4))
    with pytest.raises(TypeError):
        complex(U64(4))


def test_comparisons_with_plain_ints_and_widths_are_allowed() -> None:
    assert U8(3) == 3
    assert U8(3) == U64(3)  # type: ignore[comparison-overlap]
    assert U8(3) < 4
    assert I8(-1) < U8(0)
    assert hash(U128(5)) == hash(5)
    assert sorted([U8(3), U8(1), U8(2)]) == [1, 2, 3]


def test_repr_str_and_format() -> None:
    assert repr(U32(7)) == "U32(7)"
    assert repr(I8(-7)) == "I8(-7)"
    assert str(I8(-7)) == "-7"
    assert f"{U16(255):#x}" == "0xff"


def test_pickle_roundtrip_keeps_type() -> None:
    value = I128(-(2**100))
    restored = pickle.loads(pickle.dumps(value))
    assert type(restored) is I128
    assert restored == value


def test_sum_needs_a_typed_start() -> None:
    with pytest.raises(TypeError):
        sum([U8(1), U8(2)])
    assert sum([U8(1), U8(2)], U8(0)) == 3


# --- operators against the model ----------------------------------------------------------


@pytest.mark.parametrize("kind", ALL_TYPES, ids=IDS)
@per_width
@given(data=st.data())
def test_arithmetic_operators_match_model(kind: type[FixedInt], data: st.DataObject) -> None:
    a, b = data.draw(values(kind)), data.draw(values(kind))
    x, y = kind(a), kind(b)
    check(kind, a + b, lambda: x + y)
    check(kind, a - b, lambda: x - y)
    check(kind, a * b, lambda: x * y)
    assert (x & y, x | y, x ^ y) == (a & b, a | b, a ^ b)
    assert type(x & y) is type(x | y) is type(x ^ y) is kind
    if b == 0:
        for op in (lambda: x // y, lambda: x % y, lambda: divmod(x, y)):
            with pytest.raises(DivisionByZero):
                op()
        return
    q, r = rust_div(a, b), rust_rem(a, b)
    check(kind, q, lambda: x // y)
    if in_range(kind, q):
        assert x % y == r
        assert type(x % y) is kind
        assert divmod(x, y) == (q, r)
        assert (x // y) * y + (x % y) == x  # the division identity, Rust's way
    else:  # MIN // -1: Rust panics on both
        with pytest.raises(Overflow):
            _ = x % y
        with pytest.raises(Overflow):
            divmod(x, y)


@pytest.mark.parametrize("kind", ALL_TYPES, ids=IDS)
@per_width
@given(data=st.data())
def test_unary_and_shift_operators_match_model(kind: type[FixedInt], data: st.DataObject) -> None:
    a = data.draw(values(kind))
    x = kind(a)
    check(kind, -a, lambda: -x)
    check(kind, abs(a), lambda: abs(x))
    assert +x is x
    assert ~x == wrap(kind, ~a)
    assert type(~x) is kind
    shift = data.draw(st.integers(0, kind.BITS + 2))
    assert x >> shift == a >> shift
    assert type(x >> shift) is kind
    if shift >= kind.BITS:
        with pytest.raises(Overflow):
            _ = x << shift
    else:
        check(kind, a << shift, lambda: x << shift)
    exponent = data.draw(st.integers(0, kind.BITS + 3))
    check(kind, a**exponent, lambda: x**exponent)


@pytest.mark.parametrize("kind", ALL_TYPES, ids=IDS)
@per_width
@given(data=st.data())
def test_checked_methods_match_model(kind: type[FixedInt], data: st.DataObject) -> None:
    a, b = data.draw(values(kind)), data.draw(values(kind))
    x, y = kind(a), kind(b)
    check_optional(kind, a + b, x.checked_add(y))
    check_optional(kind, a - b, x.checked_sub(y))
    check_optional(kind, a * b, x.checked_mul(y))
    check_optional(kind, -a, x.checked_neg())
    exponent = data.draw(st.integers(0, 2 * kind.BITS))
    check_optional(kind, a**exponent, x.checked_pow(exponent))
    if b == 0:
        assert x.checked_div(y) is None
        assert x.checked_rem(y) is None
    else:
        q = rust_div(a, b)
        check_optional(kind, q, x.checked_div(y))
        check_optional(kind, rust_rem(a, b) if in_range(kind, q) else None, x.checked_rem(y))


@pytest.mark.parametrize("kind", ALL_TYPES, ids=IDS)
@per_width
@given(data=st.data())
def test_saturating_methods_match_model(kind: type[FixedInt], data: st.DataObject) -> None:
    a, b = data.draw(values(kind)), data.draw(values(kind))
    x, y = kind(a), kind(b)
    for got, exact in [
        (x.saturating_add(y), a + b),
        (x.saturating_sub(y), a - b),
        (x.saturating_mul(y), a * b),
        (x.saturating_neg(), -a),
    ]:
        assert type(got) is kind
        assert got == saturate(kind, exact)
    exponent = data.draw(st.integers(0, 2 * kind.BITS))
    assert x.saturating_pow(exponent) == saturate(kind, a**exponent)
    if b == 0:
        with pytest.raises(DivisionByZero):
            x.saturating_div(y)
    else:
        assert x.saturating_div(y) == saturate(kind, rust_div(a, b))


@pytest.mark.parametrize("kind", ALL_TYPES, ids=IDS)
@per_width
@given(data=st.data())
def test_wrapping_methods_match_model(kind: type[FixedInt], data: st.DataObject) -> None:
    a, b = data.draw(values(kind)), data.draw(values(kind))
    x, y = kind(a), kind(b)
    for got, exact in [
        (x.wrapping_add(y), a + b),
        (x.wrapping_sub(y), a - b),
        (x.wrapping_mul(y), a * b),
        (x.wrapping_neg(), -a),
    ]:
        assert type(got) is kind
        assert got == wrap(kind, exact)
    exponent = data.draw(st.integers(0, 2 * kind.BITS))
    assert x.wrapping_pow(exponent) == wrap(kind, a**exponent)
    if b == 0:
        with pytest.raises(DivisionByZero):
            x.wrapping_div(y)
        with pytest.raises(DivisionByZero):
            x.wrapping_rem(y)
    else:
        assert x.wrapping_div(y) == wrap(kind, rust_div(a, b))
        assert x.wrapping_rem(y) == rust_rem(a, b)


@pytest.mark.parametrize("kind", ALL_TYPES, ids=IDS)
@per_width
@given(data=st.data())
def test_euclidean_division_matches_model(kind: type[FixedInt], data: st.DataObject) -> None:
    a, b = data.draw(values(kind)), data.draw(values(kind))
    x, y = kind(a), kind(b)
    if b == 0:
        with pytest.raises(DivisionByZero):
            x.div_euclid(y)
        with pytest.raises(DivisionByZero):
            x.rem_euclid(y)
        return
    r = a % abs(b)
    q = (a - r) // b
    assert 0 <= r < abs(b)
    assert q * b + r == a
    assert x.rem_euclid(y) == r
    check(kind, q, lambda: x.div_euclid(y))


# --- the rounding direction, spelled out -----------------------------------------------------


def test_division_truncates_toward_zero_like_rust() -> None:
    assert I32(-7) // I32(2) == -3  # Python's int: -4
    assert I32(-7) % I32(2) == -1  # Python's int: 1
    assert I32(7) // I32(-2) == -3
    assert I32(7) % I32(-2) == 1
    assert I32(-7) // I32(-2) == 3
    assert I32(-7) % I32(-2) == -1
    assert I32(-7).div_euclid(I32(2)) == -4
    assert I32(-7).rem_euclid(I32(2)) == 1
    assert I32(7).div_euclid(I32(-2)) == -3
    assert U32(7) // U32(2) == 3


def test_signed_min_over_minus_one() -> None:
    for kind in SIGNED_TYPES:
        lo, minus_one = kind(kind.MIN), kind(-1)
        with pytest.raises(Overflow):
            _ = lo // minus_one
        with pytest.raises(Overflow):
            _ = lo % minus_one
        assert lo.checked_div(minus_one) is None
        assert lo.checked_rem(minus_one) is None
        assert lo.wrapping_div(minus_one) == kind.MIN
        assert lo.wrapping_rem(minus_one) == 0
        assert lo.saturating_div(minus_one) == kind.MAX
        assert lo.wrapping_neg() == kind.MIN
        assert lo.saturating_neg() == kind.MAX
        with pytest.raises(Overflow):
            abs(lo)


def test_rust_documented_examples() -> None:
    assert U8(255).wrapping_add(U8(1)) == 0
    assert I8(127).wrapping_add(I8(1)) == -128
    assert U8(200).saturating_add(U8(100)) == 255
    assert I8(-100).saturating_sub(I8(100)) == -128
    assert U8(0).checked_sub(U8(1)) is None
    assert I8(-128).checked_neg() is None
    assert U8(3).wrapping_pow(6) == 217  # 729 mod 256
    assert I8(-2).saturating_pow(9) == -128
    assert I8(-2).checked_pow(7) == -128
    assert U32(5).wrapping_neg() == 2**32 - 5
    assert ~U8(0) == 255
    assert ~I8(0) == -1


def test_huge_powers_raise_without_computing() -> None:
    with pytest.raises(Overflow):
        U256(2) ** (10**12)
    with pytest.raises(Underflow):
        I256(-3) ** (10**12 + 1)
    assert U256(1) ** (10**12) == 1
    assert I8(-1) ** (10**12 + 1) == -1
    assert U64(0) ** 0 == 1


def test_exponents_and_shifts_must_be_non_negative_ints() -> None:
    for bad in (-1, 1.0, True):
        with pytest.raises(TypeError):
            _ = U8(2) ** bad
        with pytest.raises(TypeError):
            _ = U8(2) << bad
    with pytest.raises(TypeError):
        pow(U8(2), 3, 5)


def test_checked_shift_left_drops_no_bits() -> None:
    assert U8(1) << 7 == 128
    with pytest.raises(Overflow):
        _ = U8(128) << 1  # Rust's `<<` would give 0
    with pytest.raises(Overflow):
        _ = I8(64) << 1  # Rust's `<<` would give -128
    assert I8(-64) << 1 == -128
    assert I8(-128) >> 7 == -1
    assert U128(2**127) >> 200 == 0


@pytest.mark.parametrize("kind", [U8, U16, U32, U64, U128, U256, I8, I16, I32, I64, I128, I256])
def test_named_methods_refuse_mixed_operands(kind: type[FixedInt]) -> None:
    other = U8 if kind is not U8 else U16
    for name in (
        "checked_add",
        "checked_sub",
        "checked_mul",
        "checked_div",
        "checked_rem",
        "saturating_add",
        "saturating_sub",
        "saturating_mul",
        "saturating_div",
        "wrapping_add",
        "wrapping_sub",
        "wrapping_mul",
        "wrapping_div",
        "wrapping_rem",
        "div_euclid",
        "rem_euclid",
    ):
        with pytest.raises(TypeError):
            getattr(kind(1), name)(other(1))
        with pytest.raises(TypeError):
            getattr(kind(1), name)(1)
        with pytest.raises(TypeError):
            getattr(kind(1), name)("1")
