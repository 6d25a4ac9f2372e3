"""Pure rules of the Licences pallet: a licence's price, a payment's split, a purchase's phase.

Introduction
------------
The price of a licence for a model version grows with the value the network has created up
to that version (what the Informants and Training pallets paid out for accepted batches and
rounds, counted in *value units*)::

    price = min(cap, floor(base_price * (1 + growth_rate) ^ value_units))

The factor ``(1 + growth_rate) ^ value_units`` is a `FixedU128` (inner integer over
``FIXED_ONE`` = 10¹⁸) computed by exponentiation by squaring, every product truncated toward
zero; as soon as a product no longer fits the `FixedU128` range the price saturates at the cap
(a zero base price stays zero).
The growth rate is a `Perbill` (so it is zero or at least one part per billion): the relative
error of the truncated products (at most two ulps of 10⁻¹⁸ per product, about 2·log₂ u products)
stays far below the smallest step ``1 + 10⁻⁹`` between consecutive exponents, so the price
never falls as the value grows.

A payment is split between the treasury, the informants of the version's batches and its
trainers by two `Perbill` shares; each group's part is shared pro rata to what its members were
paid, rounded down, and every remainder goes to the treasury, so the split is exact to the unit.

A purchase is ``Open`` until its deadline; it is ``Served`` as soon as ``threshold`` keepers
have delivered their share, and ``Expired`` (buyer refunded, silent keepers slashed) if the
deadline passes first (`next_phase`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence, Set
from typing import Final

__all__ = [
    "FIXED_ONE",
    "FIXED_MAX",
    "PERBILL",
    "PurchasePhase",
    "compute_version_value",
    "compute_value_units",
    "compute_silent_keepers",
    "compute_growth_factor",
    "compute_price",
    "compute_split",
    "compute_pro_rata",
    "compute_payees",
    "compute_payouts",
    "next_phase",
]

FIXED_ONE: Final = 10**18
"""The inner value of one in `FixedU128`."""
FIXED_MAX: Final = 2**128 - 1
"""The largest inner value of a `FixedU128`."""
PERBILL: Final = 1_000_000_000
"""One, in `Perbill` parts."""
_U128_MAX: Final = 2**128 - 1


class PurchasePhase(enum.IntEnum):
    """Where a purchase is in its life (a payload-less enum on the wire)."""

    __module__ = "pallet_licences.types"  # the metadata type path

    Open = 0
    """Paid into escrow; keepers are delivering their shares."""
    Served = 1
    """At least ``threshold`` keepers delivered: the escrow was paid out."""
    Expired = 2
    """The deadline passed first: the buyer was refunded, silent keepers slashed."""


def compute_version_value(
    version: int, parents: Mapping[int, int | None], paid: Mapping[int, int]
) -> int:
    """What the chain paid for everything behind `version`, its ancestors included.

    Walks ``parents`` back to the root, adding what each version's round and batch were paid
    (a version missing from ``paid`` paid nothing).

    Raises:
        ValueError: the version is unknown, a parent is missing, the chain loops, or an
            amount is negative.
    """
    # Verify the version is known.
    if version not in parents:
        raise ValueError(f"unknown version {version}")
    total = 0
    seen: set[int] = set()
    current: int | None = version
    while current is not None:
        # Verify the chain neither loops nor breaks, and amounts are balances.
        if current in seen:
            raise ValueError(f"the version chain loops at {current}")
        if current not in parents:
            raise ValueError(f"version {current} has no record")
        amount = paid.get(current, 0)
        if amount < 0:
            raise ValueError(f"version {current} paid a negative amount")
        seen.add(current)
        total += amount
        current = parents[current]
    return total


def compute_value_units(value: int, unit: int) -> int:
    """How many whole value units `value` is worth (rounded down: the price never runs ahead).

    Raises:
        ValueError: the unit is not positive or the value is negative.
    """
    # Verify the unit and the value.
    if unit <= 0 or value < 0:
        raise ValueError("the value unit must be positive and the value not negative")
    return value // unit


def compute_silent_keepers(keepers: Sequence[bytes], delivered: Set[bytes]) -> list[bytes]:
    """The keepers of a purchase that did not deliver, in their order (the ones to slash).

    Raises:
        ValueError: a keeper is listed twice, or a delivery came from no listed keeper.
    """
    # Verify the keeper list and the deliveries.
    if len(set(keepers)) != len(keepers):
        raise ValueError("a keeper is listed twice")
    if not delivered <= set(keepers):
        raise ValueError("a delivery from a keeper not serving the purchase")
    return [k for k in keepers if k not in delivered]


def _checked_fixed_mul(a: int, b: int) -> int | None:
    """The `FixedU128` product of two inner values, truncated; None if it leaves the range."""
    product = (a * b) // FIXED_ONE
    return product if product <= FIXED_MAX else None


def compute_growth_factor(growth_rate: int, value_units: int) -> int | None:
    """The inner `FixedU128` value of ``(1 + growth_rate) ^ value_units``, or None on overflow.

    ``growth_rate`` is in `Perbill` parts. Exponentiation by squaring: a square is only taken
    when a higher bit of the exponent still needs it, so an overflowing square means the whole
    power (a product of factors ≥ 1 that includes it) overflows too.

    Raises:
        ValueError: the growth rate is not a `Perbill` or the exponent is negative.
    """
    # Verify the growth rate is a Perbill and the exponent a count.
    if not 0 <= growth_rate <= PERBILL:
        raise ValueError(f"growth rate {growth_rate} is not a Perbill")
    if value_units < 0:
        raise ValueError(f"value units {value_units} are negative")
    base = FIXED_ONE + growth_rate * (FIXED_ONE // PERBILL)
    result = FIXED_ONE
    exponent = value_units
    while exponent:
        if exponent & 1:
            product = _checked_fixed_mul(result, base)
            if product is None:
                return None
            result = product
        exponent >>= 1
        if exponent:
            square = _checked_fixed_mul(base, base)
            if square is None:
                return None
            base = square
    return result


def compute_price(base_price: int, growth_rate: int, value_units: int, cap: int) -> int:
    """The price of a licence: ``min(cap, floor(base_price * (1 + growth_rate)^value_units))``.

    Raises:
        ValueError: an amount is not a balance, or as `compute_growth_factor`.
    """
    # Verify the amounts are balances.
    if not 0 <= base_price <= _U128_MAX or not 0 <= cap <= _U128_MAX:
        raise ValueError("base price and cap must be U128 balances")
    factor = compute_growth_factor(growth_rate, value_units)
    if factor is None:
        return cap if base_price else 0
    return min(cap, (base_price * factor) // FIXED_ONE)


def compute_pro_rata(amount: int, weights: Sequence[int]) -> tuple[list[int], int]:
    """Share ``amount`` in proportion to ``weights``, rounded down; return the shares and the rest.

    With no weight at all, nothing is shared and the rest is the whole amount.

    Raises:
        ValueError: a weight or the amount is negative.
    """
    # Verify the amount and the weights.
    if amount < 0 or any(w < 0 for w in weights):
        raise ValueError("amounts and weights must not be negative")
    total = sum(weights)
    if total == 0:
        return [0] * len(weights), amount
    shares = [(amount * w) // total for w in weights]
    return shares, amount - sum(shares)


def compute_split(amount: int, informants_share: int, trainers_share: int) -> tuple[int, int, int]:
    """Split a payment into (treasury, informants, trainers) parts that sum to ``amount``.

    The informants' and trainers' parts are their `Perbill` shares, rounded down; the treasury
    takes the rest.

    Raises:
        ValueError: the amount is negative or the shares exceed one together.
    """
    # Verify the shares are Perbills summing to at most one.
    if amount < 0:
        raise ValueError("the amount must not be negative")
    if informants_share < 0 or trainers_share < 0 or informants_share + trainers_share > PERBILL:
        raise ValueError("the informants' and trainers' shares must sum to at most one")
    informants = (amount * informants_share) // PERBILL
    trainers = (amount * trainers_share) // PERBILL
    return amount - informants - trainers, informants, trainers


def next_phase(
    phase: PurchasePhase, delivered: int, threshold: int, deadline: int, now: int
) -> PurchasePhase:
    """The phase of a purchase at block ``now`` once ``delivered`` shares are in.

    Raises:
        ValueError: the threshold is zero.
    """
    # Verify the threshold.
    if threshold <= 0:
        raise ValueError("the threshold must be at least one")
    if phase is not PurchasePhase.Open:
        return phase
    if delivered >= threshold:
        return PurchasePhase.Served
    if now >= deadline:
        return PurchasePhase.Expired
    return PurchasePhase.Open


def compute_payees(paid: Sequence[tuple[bytes, int]], limit: int) -> list[tuple[bytes, int]]:
    """Merge ``(account, amount paid)`` records by account and keep the `limit` best paid.

    The result is ordered by amount, largest first, ties by account bytes, so it does not
    depend on the order of the records; accounts paid nothing are dropped.

    Raises:
        ValueError: an amount is negative or the limit is negative.
    """
    # Verify the limit and the amounts.
    if limit < 0 or any(amount < 0 for _, amount in paid):
        raise ValueError("the limit and the amounts must not be negative")
    merged: dict[bytes, int] = {}
    for who, amount in paid:
        merged[who] = merged.get(who, 0) + amount
    ranked = sorted(
        ((who, amount) for who, amount in merged.items() if amount > 0),
        key=lambda item: (-item[1], item[0]),
    )
    return ranked[:limit]


def compute_payouts(
    price: int,
    informants_share: int,
    trainers_share: int,
    informants: Sequence[tuple[bytes, int]],
    trainers: Sequence[tuple[bytes, int]],
) -> tuple[int, list[tuple[bytes, int]]]:
    """Split a licence's price: the treasury's part and ``(account, amount)`` for each payee.

    The informants' and trainers' parts (`compute_split`) are shared pro rata to what each
    member was paid (`compute_pro_rata`); what rounding leaves, and a group's whole part when
    it has no member, goes to the treasury. Payees that would get nothing are left out, so
    ``treasury + sum(amounts) == price`` exactly.

    Raises:
        ValueError: as `compute_split` and `compute_pro_rata`.
    """
    treasury, informants_part, trainers_part = compute_split(
        price, informants_share, trainers_share
    )
    payouts: list[tuple[bytes, int]] = []
    for part, members in ((informants_part, informants), (trainers_part, trainers)):
        shares, rest = compute_pro_rata(part, [amount for _, amount in members])
        treasury += rest
        payouts.extend(
            (who, share) for (who, _), share in zip(members, shares, strict=True) if share
        )
    return treasury, payouts
