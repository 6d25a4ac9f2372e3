"""A version's price on chain at the extremes, against exact rationals (`fractions`).

The price the pallet quotes (``price_of``, what ``LicencesApi_price`` serves) is checked where
the value behind a version is nil, where the cap binds, and on both sides of the boundary where
the growth factor leaves the `FixedU128` range; and, under hypothesis, it never falls as the
chain records versions with more value behind them.
"""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from deepshard.pallets.licences import Pricing
from deepshard.primitives.numeric import U32, U128, Perbill
from deepshard.runtime.support import ROOT

from .conftest import Builder, ExtBuilder, LicencesExt, party

U128_MAX = 2**128 - 1
TRAINER = party("TrainerA").id
INFORMANT = party("Informant").id


def exact(base: int, rate: int, value: int, unit: int, cap: int) -> int:
    """min(cap, floor(base x (1 + rate / 10^9) ^ floor(value / unit))), with no rounding inside."""
    units = value // unit
    return min(cap, math.floor(Fraction(base) * (1 + Fraction(rate, 10**9)) ** units))


def set_pricing(ext: LicencesExt, base: int, rate: int, unit: int, cap: int) -> None:
    """Root sets the curve."""
    pricing = Pricing(
        base_price=U128(base),
        growth_rate=Perbill.from_parts(rate),
        value_unit=U128(unit),
        cap=U128(cap),
    )
    ext.call("set_pricing", ROOT, pricing=pricing)


def price(ext: LicencesExt, version: int) -> int:
    """The quoted price of `version` (it exists)."""
    quoted = ext.licences.price_of(U32(version))
    assert quoted is not None
    return int(quoted)


def test_no_value_yet_costs_the_base_price(ext_builder: Builder) -> None:
    ext = ext_builder().build()
    assert price(ext, 0) == exact(1_000, 10_000_000, 0, 100, U128_MAX) == 1_000
    below_one_unit = ext.record_version({TRAINER: 99})
    assert price(ext, below_one_unit) == 1_000
    assert ext.licences.price_of(U32(below_one_unit + 1)) is None


def test_the_cap_binds(ext_builder: Builder) -> None:
    ext = ext_builder().build()
    set_pricing(ext, 1_000, 500_000_000, 100, 5_000)
    v1 = ext.record_version({TRAINER: 300})  # 1,000 x 1.5^3 = 3,375
    v2 = ext.record_version({TRAINER: 100})  # 1,000 x 1.5^4 = 5,062.5: capped
    assert price(ext, v1) == exact(1_000, 500_000_000, 300, 100, 5_000) == 3_375
    assert price(ext, v2) == exact(1_000, 500_000_000, 400, 100, 5_000) == 5_000
    v3 = ext.record_version({TRAINER: 10**20}, informant=(INFORMANT, 10**20))
    assert price(ext, v3) == 5_000


def test_the_overflow_boundary(ext_builder: Builder) -> None:
    # Growth 100 %: the factor 2^u fits a FixedU128 up to u = 68; at 69 it leaves the range
    # and the price saturates at the cap (here u128::MAX), although 3 x 2^69 would still fit.
    ext = ext_builder().build()
    set_pricing(ext, 3, 10**9, 1, U128_MAX)
    at = ext.record_version({TRAINER: 68})
    past = ext.record_version({TRAINER: 1})
    assert price(ext, at) == exact(3, 10**9, 68, 1, U128_MAX) == 3 * 2**68
    assert U128_MAX < 2**69 * 10**18
    assert price(ext, past) == U128_MAX
    set_pricing(ext, 0, 10**9, 1, U128_MAX)
    assert price(ext, past) == 0  # nothing grows from a zero base


def test_the_value_counts_informants_trainers_and_scorers_of_every_ancestor(
    ext_builder: Builder,
) -> None:
    ext = ext_builder().build()
    set_pricing(ext, 10**6, 500_000_000, 1_000, U128_MAX)
    ext.record_version({TRAINER: 1_000}, informant=(INFORMANT, 1_000), scorers_paid=500)
    v2 = ext.record_version({TRAINER: 1_500}, scorers_paid=1_000)
    value = 1_000 + 1_000 + 500 + 1_500 + 1_000  # 5,000: five units of 1,000
    assert price(ext, v2) == exact(10**6, 500_000_000, value, 1_000, U128_MAX) == 7_593_750


@settings(max_examples=25, deadline=None)
@given(
    payouts=st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**5)),
        min_size=1,
        max_size=6,
    ),
    rate=st.integers(0, 10**9),
    unit=st.integers(10**4, 10**5),  # at most a few thousand units: the reference stays quick
)
def test_price_never_falls_as_value_grows(
    payouts: list[tuple[int, int, int]], rate: int, unit: int
) -> None:
    ext = ExtBuilder([]).build()
    set_pricing(ext, 10**12, rate, unit, U128_MAX)
    prices = [price(ext, 0)]
    value = 0
    for trainer_paid, informant_paid, scorers_paid in payouts:
        version = ext.record_version(
            {TRAINER: trainer_paid},
            informant=(INFORMANT, informant_paid),
            scorers_paid=scorers_paid,
        )
        value += trainer_paid + informant_paid + scorers_paid
        prices.append(price(ext, version))
        assert prices[-1] <= exact(10**12, rate, value, unit, U128_MAX)
    assert prices == sorted(prices)
    ext.check_invariants()
