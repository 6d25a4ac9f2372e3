"""The chain's aggregation of a round's scores, replayed from indexed rows for display.

The Training pallet aggregates a round in two steps (DESIGN.md §8), and the round page shows
both:

1. **consensus**: per revealed adapter and statistic, the scorer-bond-weighted median (κ = ½) of
   the submitted values -- the "quantised score" of each trainer on each statistic;
2. **outlier band**: per statistic, the lower median ``m`` of the adapters' consensus values,
   their median absolute deviation ``MAD``, and the tolerance ``t = max(k · MAD / 1000, floor)``
   (``k`` the runtime's ``MadFactor`` in thousandths, ``floor`` the statistic's); an adapter is
   an outlier when the sum over statistics of ``|x - m| · 10⁶ // t`` exceeds ``10⁶`` per
   statistic. Under the deterministic profile the chain clusters by adapter hash instead, and
   the band is the behavioural audit shown beside the verdict.

Integers throughout, as on chain; the explorer only reads the chain through RPC, so this is a
re-statement checked against the pallet's own functions in the tests, not an import of them.
The round's phase at any height follows from its deadlines (`phase_at`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "SCORE_ONE",
    "Band",
    "weighted_median",
    "lower_median",
    "consensus",
    "band",
    "distance",
    "phase_at",
    "statistics_view",
]

SCORE_ONE: Final = 1_000_000
"""A score of one (statistics are integers x10^6)."""


@dataclass(frozen=True, slots=True)
class Band:
    """A statistic's median and the tolerance around it (all x10^6)."""

    median: int
    """The lower median of the adapters' consensus values."""
    mad: int
    """The lower median of their absolute deviations from `median`."""
    tolerance: int
    """``max(mad_factor · mad // 1000, floor)``: one unit of outlier distance."""

    @property
    def low(self) -> int:
        """The band's lower edge."""
        return self.median - self.tolerance

    @property
    def high(self) -> int:
        """The band's upper edge."""
        return self.median + self.tolerance


def weighted_median(samples: Sequence[tuple[int, int]]) -> int:
    """Return the smallest value whose cumulative bond reaches half the total bond.

    Raises:
        ValueError: no sample, a negative bond, or no bond at all.
    """
    if not samples or any(bond < 0 for _, bond in samples):
        raise ValueError("a weighted median needs samples with non-negative bonds")
    total = sum(bond for _, bond in samples)
    if total == 0:
        raise ValueError("a weighted median needs a positive total bond")
    reached = 0
    for value, bond in sorted(samples):
        reached += bond
        if 2 * reached >= total:
            return value
    raise AssertionError("unreachable")


def lower_median(values: Sequence[int]) -> int:
    """Return the lower median of `values`.

    Raises:
        ValueError: no value.
    """
    if not values:
        raise ValueError("a median needs values")
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def consensus(
    matrices: Sequence[tuple[int, Sequence[Sequence[int]]]], adapters: int, width: int
) -> list[list[int]]:
    """Return the weighted median per (adapter, statistic) of ``(scorer bond, matrix)`` pairs.

    Raises:
        ValueError: no matrix, or a matrix that is not `adapters` rows of `width` values.
    """
    if not matrices:
        raise ValueError("a consensus needs at least one scorer")
    for _, matrix in matrices:
        if len(matrix) != adapters or any(len(row) != width for row in matrix):
            raise ValueError("every scorer scores every adapter on every statistic")
    return [
        [weighted_median([(m[a][k], bond) for bond, m in matrices]) for k in range(width)]
        for a in range(adapters)
    ]


def band(values: Sequence[int], floor: int, mad_factor: int) -> Band:
    """Return the median, MAD and tolerance of one statistic's consensus values.

    Raises:
        ValueError: no value, a floor that is not positive, or a negative factor.
    """
    if floor <= 0 or mad_factor < 0:
        raise ValueError("the floor is positive and the MAD factor is not negative")
    median = lower_median(values)
    mad = lower_median([abs(x - median) for x in values])
    return Band(median, mad, max(mad_factor * mad // 1_000, floor))


def distance(row: Sequence[int], bands: Sequence[Band]) -> int:
    """Return an adapter's outlier distance ``Σ |x - m| · 10⁶ // t``.

    The chain finds the adapter outlying when it exceeds ``len(bands) · 10⁶``.
    """
    pairs = zip(row, bands, strict=True)
    return sum(abs(x - b.median) * SCORE_ONE // b.tolerance for x, b in pairs)


def phase_at(
    number: int,
    *,
    opened: int,
    commit_ends: int,
    reveal_ends: int | None,
    aggregated: int | None,
    closed: int | None,
) -> str | None:
    """Return the phase of a round in the state after block `number` (None before it opened).

    Deadlines are the first blocks out: the pallet moves the round on in the ``on_initialize``
    of the deadline block, aggregating (``Dispute``) at ``score_ends`` and closing at
    ``dispute_ends``; `aggregated` and `closed` are the blocks whose events say so (a round
    in ``Score`` stays there until its ``RoundAggregated``).
    """
    if number < opened:
        return None
    if closed is not None and number >= closed:
        return "Closed"
    if aggregated is not None and number >= aggregated:
        return "Dispute"
    if number < commit_ends:
        return "Commit"
    if reveal_ends is None or number < reveal_ends:
        return "Reveal"
    return "Score"


def statistics_view(
    layout: Sequence[Mapping[str, Any]],
    trainers: Sequence[str],
    rows: Sequence[Sequence[int]],
    mad_factor: int,
    outliers: Sequence[str],
) -> list[dict[str, Any]]:
    """One entry per statistic: its band and each trainer's consensus value, for the page.

    `rows` holds the consensus row of each of `trainers` (revealed order); `outliers` are the
    trainers the chain found outlying.
    """
    bands = [
        band([row[k] for row in rows], int(spec["floor"]), mad_factor)
        for k, spec in enumerate(layout)
    ]
    views = []
    for k, (spec, found) in enumerate(zip(layout, bands, strict=True)):
        views.append(
            {
                "name": str(spec["name"]),
                "higher_is_better": bool(spec["higher_is_better"]),
                "floor": int(spec["floor"]),
                "median": found.median,
                "mad": found.mad,
                "tolerance": found.tolerance,
                "low": found.low,
                "high": found.high,
                "values": [
                    {
                        "trainer": trainer,
                        "value": row[k],
                        "outside": not found.low <= row[k] <= found.high,
                        "outlier": trainer in outliers,
                    }
                    for trainer, row in zip(trainers, rows, strict=True)
                ],
            }
        )
    return views
