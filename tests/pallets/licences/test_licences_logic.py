"""The Licences pallet's pure rules against exact rational references (`fractions`)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepshard.pallets.licences import logic
from deepshard.pallets.licences.logic import PurchasePhase
from deepshard.primitives.numeric import FixedU128

U128_MAX = 2**128 - 1


def exact_price(base: int, rate: int, units: int, cap: int) -> int:
    """The price with no rounding at all: floor(base * (1 + rate/10⁹)^units), capped."""
    return min(cap, math.floor(Fraction(base) * (1 + Fraction(rate, logic.PERBILL)) ** units))


def test_no_value_yet_costs_the_base_price() -> None:
    assert logic.compute_price(1_000, 50_000_000, 0, U128_MAX) == 1_000
    assert logic.compute_price(0, logic.PERBILL, 10, U128_MAX) == 0


def test_zero_growth_keeps_the_base_price() -> None:
    assert logic.compute_price(777, 0, 10**12, U128_MAX) == 777


def test_doubling_is_exact_up_to_the_overflow_boundary() -> None:
    # (1 + 100%)^u = 2^u: the factor fits a FixedU128 while 2^u * 10¹⁸ ≤ 2¹²⁸ - 1.
    boundary = max(u for u in range(200) if 2**u * logic.FIXED_ONE <= logic.FIXED_MAX)
    assert boundary == 68
    for units in (0, 1, 2, 31, boundary):
        assert logic.compute_price(3, logic.PERBILL, units, U128_MAX) == exact_price(
            3, logic.PERBILL, units, U128_MAX
        )
    assert logic.compute_growth_factor(logic.PERBILL, boundary) == 2**boundary * logic.FIXED_ONE
    assert logic.compute_growth_factor(logic.PERBILL, boundary + 1) is None
    # Past the boundary the price saturates at the cap, although base * 2^69 would still fit.
    assert logic.compute_price(3, logic.PERBILL, boundary + 1, U128_MAX) == U128_MAX
    assert logic.compute_price(3, logic.PERBILL, 10**30, 5_000) == 5_000


def test_factor_matches_the_fixed_u128_primitive() -> None:
    # The primitive's FRAME-order `saturating_pow` is the independent twin inside the range.
    for rate in (1, 999, 500_000_000, 123_456_789, logic.PERBILL):
        fixed = FixedU128.from_rational(logic.PERBILL + rate, logic.PERBILL)
        for units in (0, 1, 5, 40, 68, 69, 100, 150, 10_000):
            ours = logic.compute_growth_factor(rate, units)
            theirs = fixed.saturating_pow(units).into_inner()
            exact = (1 + Fraction(rate, logic.PERBILL)) ** units * logic.FIXED_ONE
            if ours is None:
                assert exact > logic.FIXED_MAX
                assert theirs == logic.FIXED_MAX
            else:
                assert ours == theirs
                assert ours <= exact


def test_cap_bounds_every_price() -> None:
    assert logic.compute_price(10**20, logic.PERBILL, 10, 10**21) == 10**21
    assert logic.compute_price(10**20, logic.PERBILL, 3, 10**22) == 8 * 10**20


def test_rounding_to_the_exact_reference_at_three_halves() -> None:
    # 1.5^u = 3^u / 2^u is exact in 10¹⁸ for u ≤ 18: no truncation, so equality holds.
    for units in range(19):
        assert logic.compute_price(10**6, 500_000_000, units, U128_MAX) == exact_price(
            10**6, 500_000_000, units, U128_MAX
        )


@given(
    base=st.integers(0, 10**24),
    rate=st.integers(0, logic.PERBILL),
    units=st.integers(0, 400),
)
def test_price_is_never_above_and_close_below_the_exact_price(
    base: int, rate: int, units: int
) -> None:
    ours = logic.compute_price(base, rate, units, U128_MAX)
    exact = exact_price(base, rate, units, U128_MAX)
    factor = logic.compute_growth_factor(rate, units)
    if factor is None:
        # The factor left the FixedU128 range: saturated (a zero base stays zero).
        assert ours == (U128_MAX if base else 0)
        assert (1 + Fraction(rate, logic.PERBILL)) ** units * logic.FIXED_ONE > logic.FIXED_MAX
        return
    assert ours <= exact
    if ours < U128_MAX:
        # Each truncation loses under one ulp (10⁻¹⁸) relative to a factor ≥ 1, and a square
        # doubles the relative error before it: about 2·units ulps in all, plus two floors.
        products = 2 * units + 2 * units.bit_length()
        bound = Fraction(base) * (1 + Fraction(rate, logic.PERBILL)) ** units
        assert exact - ours <= bound * Fraction(products, logic.FIXED_ONE) + 2


@given(
    base=st.integers(0, 10**24),
    rate=st.integers(0, logic.PERBILL),
    units=st.integers(0, 10**6),
    step=st.integers(1, 1_000),
    cap=st.integers(0, U128_MAX),
)
def test_price_never_falls_as_value_grows(
    base: int, rate: int, units: int, step: int, cap: int
) -> None:
    assert logic.compute_price(base, rate, units, cap) <= logic.compute_price(
        base, rate, units + step, cap
    )


def test_price_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="Perbill"):
        logic.compute_price(1, logic.PERBILL + 1, 1, 10)
    with pytest.raises(ValueError, match="negative"):
        logic.compute_price(1, 1, -1, 10)
    with pytest.raises(ValueError, match="U128"):
        logic.compute_price(-1, 1, 1, 10)


@given(
    amount=st.integers(0, U128_MAX),
    informants=st.integers(0, logic.PERBILL),
    trainers=st.integers(0, logic.PERBILL),
)
def test_split_is_exact_to_the_unit(amount: int, informants: int, trainers: int) -> None:
    if informants + trainers > logic.PERBILL:
        with pytest.raises(ValueError, match="at most one"):
            logic.compute_split(amount, informants, trainers)
        return
    treasury, to_informants, to_trainers = logic.compute_split(amount, informants, trainers)
    assert treasury + to_informants + to_trainers == amount
    assert to_informants == math.floor(Fraction(amount * informants, logic.PERBILL))
    assert to_trainers == math.floor(Fraction(amount * trainers, logic.PERBILL))


@given(amount=st.integers(0, 10**30), weights=st.lists(st.integers(0, 10**20), max_size=8))
def test_pro_rata_rounds_down_and_keeps_the_rest(amount: int, weights: list[int]) -> None:
    shares, rest = logic.compute_pro_rata(amount, weights)
    assert sum(shares) + rest == amount
    total = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        assert share == (math.floor(Fraction(amount * weight, total)) if total else 0)
    assert rest < max(len(weights), 1) or total == 0


def test_purchase_phases() -> None:
    open_ = PurchasePhase.Open
    assert logic.next_phase(open_, 1, 2, 10, 9) is PurchasePhase.Open
    assert logic.next_phase(open_, 2, 2, 10, 9) is PurchasePhase.Served
    assert logic.next_phase(open_, 2, 2, 10, 10) is PurchasePhase.Served
    assert logic.next_phase(open_, 1, 2, 10, 10) is PurchasePhase.Expired
    assert logic.next_phase(PurchasePhase.Expired, 5, 2, 10, 3) is PurchasePhase.Expired
    with pytest.raises(ValueError, match="threshold"):
        logic.next_phase(open_, 1, 0, 10, 3)


@given(st.data())
def test_version_value_sums_the_line_of_parents(data: st.DataObject) -> None:
    count = data.draw(st.integers(1, 12))
    parents: dict[int, int | None] = {0: None}
    for v in range(1, count):
        parents[v] = data.draw(st.integers(0, v - 1))
    paid = {v: data.draw(st.integers(0, 10**20)) for v in range(count)}
    version = data.draw(st.integers(0, count - 1))
    line: list[int] = []
    current: int | None = version
    while current is not None:  # brute force: list the line first, then add it up
        line.append(current)
        current = parents[current]
    assert logic.compute_version_value(version, parents, paid) == sum(paid[v] for v in line)


def test_version_value_errors() -> None:
    with pytest.raises(ValueError, match="unknown"):
        logic.compute_version_value(3, {0: None}, {})
    with pytest.raises(ValueError, match="loops"):
        logic.compute_version_value(1, {1: 2, 2: 1}, {})
    with pytest.raises(ValueError, match="no record"):
        logic.compute_version_value(1, {1: 5}, {})
    with pytest.raises(ValueError, match="negative"):
        logic.compute_version_value(0, {0: None}, {0: -1})


def test_value_units_and_silent_keepers() -> None:
    assert logic.compute_value_units(999, 1_000) == 0
    assert logic.compute_value_units(10**21, 10**12) == 10**9
    with pytest.raises(ValueError, match="positive"):
        logic.compute_value_units(1, 0)
    a, b, c = b"a" * 32, b"b" * 32, b"c" * 32
    assert logic.compute_silent_keepers([a, b, c], {b}) == [a, c]
    assert logic.compute_silent_keepers([a, b], {a, b}) == []
    with pytest.raises(ValueError, match="twice"):
        logic.compute_silent_keepers([a, a], set())
    with pytest.raises(ValueError, match="not serving"):
        logic.compute_silent_keepers([a], {c})


accounts = st.sampled_from([bytes([n]) * 32 for n in range(1, 7)])


@given(
    paid=st.lists(st.tuples(accounts, st.integers(0, 10**9)), max_size=12),
    limit=st.integers(0, 7),
)
def test_payees_merge_by_account_and_keep_the_best_paid(
    paid: list[tuple[bytes, int]], limit: int
) -> None:
    payees = logic.compute_payees(paid, limit)
    totals = {who: sum(a for w, a in paid if w == who) for who, _ in paid}
    ranked = sorted(((w, a) for w, a in totals.items() if a), key=lambda p: (-p[1], p[0]))
    assert payees == ranked[:limit]
    assert logic.compute_payees(list(reversed(paid)), limit) == payees  # order-independent


@given(
    price=st.integers(0, 10**30),
    informants=st.lists(
        st.tuples(accounts, st.integers(1, 10**9)), max_size=4, unique_by=lambda p: p[0]
    ),
    trainers=st.lists(
        st.tuples(accounts, st.integers(1, 10**9)), max_size=4, unique_by=lambda p: p[0]
    ),
    shares=st.tuples(st.integers(0, logic.PERBILL // 2), st.integers(0, logic.PERBILL // 2)),
)
def test_payouts_add_up_to_the_price(
    price: int,
    informants: list[tuple[bytes, int]],
    trainers: list[tuple[bytes, int]],
    shares: tuple[int, int],
) -> None:
    to_treasury, payouts = logic.compute_payouts(price, *shares, informants, trainers)
    assert to_treasury + sum(a for _, a in payouts) == price
    assert all(a > 0 for _, a in payouts)
    expected: list[tuple[bytes, int]] = []
    for share, members in ((shares[0], informants), (shares[1], trainers)):
        part = math.floor(Fraction(price * share, logic.PERBILL))
        total = sum(a for _, a in members)
        for who, paid in members:
            amount = math.floor(Fraction(part * paid, total))
            if amount:
                expected.append((who, amount))
    assert payouts == expected
