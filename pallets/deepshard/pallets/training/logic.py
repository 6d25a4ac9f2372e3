"""Pure rules of the Training pallet: draws, commitments, score aggregation, clusters, payouts.

Introduction
------------
Everything here is a function of plain Python integers and bytes (exact, unbounded); the pallet
converts to and from the wire types at its storage boundary. Scores are ``i64`` statistics
quantised x10^6 (``SCORE_ONE``); ratios are `Perbill` parts (``PERBILL`` = one). The only
division is ``//`` with its rounding direction documented: payouts round down and the
remainders go to the treasury.

A round's aggregation (`compute_round_result`), in order:

1. **Consensus per (adapter, statistic)** across scorers: the bond-weighted median with
   Yuma consensus's κ = ½ (`compute_weighted_median`): the smallest value ``v`` such that
   the bond of the scores ``<= v`` is at least half the submitting bond. Scorers holding less
   than half the bond cannot move it outside the range of the others' values.
2. **Clipping** (`compute_clipped`): a scorer's value is clipped to the consensus on the side
   where the statistic is better; the part beyond earns nothing. A scorer's *agreement* is the
   number of its entries within the statistic's floor of the consensus (`compute_agreement`);
   scorers share the scorer reward by bond x agreement.
3. **Across adapters**, by profile:

   * ``deterministic``: honest replicas are bit-identical, so adapters group by sha256; the
     group whose trainers hold more than half of the *drawn* trainers' bond is accepted, every
     other revealed adapter is an outlier (`compute_hash_cluster`);
   * ``tolerant``: per statistic the median across adapters and its median absolute deviation
     (MAD); an adapter's normalised L1 distance to the medians is the sum over statistics of
     ``|x - median| / max(k·MAD, floor)``; it is an outlier when that sum exceeds the number of
     statistics (on average more than one threshold per statistic)
     (`compute_tolerant_outliers`). A quorum of revealed adapters is required, and the
     accepted adapters must still hold more than half of the drawn bond.

   Either way an outlier set never holds the majority of the drawn bond: when no accepted set
   holds it, nothing is accepted and nobody is slashed (no consensus).
4. **Proof of training** (`is_improvement`): the accepted adapters' consensus improvement of
   the held-out loss over the parent must reach ``min_improvement``, else the round makes no
   progress (bonds kept, no emission, no new version).

Payouts (`compute_pro_rata`, `compute_slash_transfers`) are exact: every share rounds down and
the remainder is returned, to go to the treasury; nothing is created or lost.

The draw (`compute_draw`) picks ``count`` of the bonded accounts, weighted by bond and without
replacement, from the round seed alone; candidates are ordered by account first, so the order
in which the chain stores them does not matter.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from deepshard.primitives.hashing import blake2_256

__all__ = [
    "PERBILL",
    "SCORE_ONE",
    "I64_MIN",
    "I64_MAX",
    "RoundPhase",
    "RoundOutcome",
    "Role",
    "ProfileMode",
    "Statistic",
    "Adapter",
    "RoundResult",
    "compute_seed",
    "compute_scorer_seed",
    "compute_commitment",
    "compute_draw",
    "compute_shard",
    "compute_weighted_median",
    "compute_clipped",
    "compute_consensus",
    "compute_agreement",
    "compute_hash_cluster",
    "compute_median",
    "compute_tolerant_outliers",
    "is_improvement",
    "compute_round_result",
    "compute_pro_rata",
    "compute_slash",
    "compute_slash_transfers",
    "next_phase",
]

PERBILL: Final = 1_000_000_000
"""Parts of a `Perbill` that make one."""
SCORE_ONE: Final = 1_000_000
"""A statistic's quantisation: the integer ``10**6`` stands for 1.0."""
I64_MIN: Final = -(2**63)
"""The smallest ``i64``."""
I64_MAX: Final = 2**63 - 1
"""The largest ``i64``."""


class RoundPhase(enum.IntEnum):
    """Where a round is in its life (a payload-less enum on the wire)."""

    __module__ = "pallet_training.types"  # the metadata type path

    Commit = 0
    """Drawn trainers commit to their adapter's hash until the commit deadline."""
    Reveal = 1
    """Trainers that committed reveal cid, sha256 and salt until the reveal deadline."""
    Score = 2
    """Drawn scorers submit their statistics for every revealed adapter."""
    Dispute = 3
    """Aggregated; pending slashes wait for the dispute window (Root may cancel them)."""
    Closed = 4
    """Slashes applied, rewards paid, version recorded (when accepted)."""


class RoundOutcome(enum.IntEnum):
    """How a round ended (a payload-less enum on the wire)."""

    __module__ = "pallet_training.types"

    Pending = 0
    """Not aggregated yet."""
    Accepted = 1
    """A cluster was accepted and improved the held-out loss: a new version."""
    NoConsensus = 2
    """No set of adapters holds the majority of the drawn bond: nothing accepted or slashed."""
    NoProgress = 3
    """The accepted cluster did not improve the held-out loss enough: no version, no emission."""
    NoReveals = 4
    """No trainer revealed, or too few under the tolerant profile's quorum."""
    NoScores = 5
    """No scorer submitted scores."""


class Role(enum.IntEnum):
    """The role a bond is for."""

    __module__ = "pallet_training.types"

    Trainer = 0
    """Fine-tunes adapters."""
    Scorer = 1
    """Scores revealed adapters."""


class ProfileMode(enum.IntEnum):
    """How adapters are compared across trainers."""

    __module__ = "pallet_training.types"

    Deterministic = 0
    """Honest replicas are bit-identical: cluster by sha256."""
    Tolerant = 1
    """Mixed hardware: median and MAD of the statistics, with a floor."""


@dataclass(frozen=True, slots=True)
class Statistic:
    """One entry of the score vector, as the runtime configuration declares it."""

    higher_is_better: bool
    """The direction in which the statistic is better."""
    floor: int
    """The least deviation (x10^6) that counts as a difference (tolerance floor, > 0)."""


@dataclass(frozen=True, slots=True)
class Adapter:
    """A revealed adapter and its trainer's drawn bond."""

    trainer: bytes
    """The trainer's account."""
    sha256: bytes
    """The adapter file's sha256."""
    bond: int
    """The trainer's bond as drawn."""


@dataclass(frozen=True, slots=True)
class RoundResult:
    """The aggregation of one round."""

    outcome: RoundOutcome
    """Accepted, NoConsensus, NoProgress, NoReveals or NoScores."""
    consensus: list[list[int]]
    """Per revealed adapter, per statistic: the consensus value (empty without scores)."""
    accepted: list[int]
    """Indices (into the revealed adapters) of the accepted cluster."""
    outliers: list[int]
    """Indices of the outliers (slashed after the dispute window)."""
    agreement: list[int]
    """Per scorer that submitted: its number of agreeing entries."""
    improvement: int
    """The accepted cluster's consensus improvement (0 without a cluster)."""
    loss: int
    """The accepted cluster's consensus held-out loss (0 without a cluster)."""


def compute_seed(parent_hash: bytes, round_id: int) -> bytes:
    """Return a round's seed: ``blake2_256(parent block hash ‖ round id as u64 LE)``.

    Raises:
        ValueError: the hash is not 32 bytes or the id is not a u64.
    """
    # Verify the inputs have their wire sizes.
    if len(parent_hash) != 32 or not 0 <= round_id < 2**64:
        raise ValueError("a seed needs a 32-byte hash and a u64 round id")
    return blake2_256(parent_hash + round_id.to_bytes(8, "little"))


def compute_scorer_seed(seed: bytes) -> bytes:
    """Return the seed of a round's scorer draw: ``blake2_256("scorers:" ‖ round seed)``."""
    return blake2_256(b"scorers:" + seed)


def compute_commitment(cid: bytes, sha256: bytes, salt: bytes, account: bytes) -> bytes:
    """Return a trainer's commitment: ``blake2_256(cid ‖ sha256 ‖ salt ‖ account)``.

    Binding the account makes a copied commitment worthless to anyone else.

    Raises:
        ValueError: the sha256 or the account is not 32 bytes.
    """
    # Verify the fixed-size parts.
    if len(sha256) != 32 or len(account) != 32:
        raise ValueError("sha256 and account are 32 bytes each")
    return blake2_256(cid + sha256 + salt + account)


def compute_draw(seed: bytes, candidates: Sequence[tuple[bytes, int]], count: int) -> list[bytes]:
    """Draw `count` accounts weighted by bond, without replacement, from `seed` alone.

    Candidates are sorted by account first. Draw ``k`` takes
    ``r = int(blake2_256(seed ‖ k as u32 LE)) mod remaining bond`` and picks the candidate
    whose cumulative bond interval holds ``r``; it then leaves the pool.

    Raises:
        ValueError: a duplicate account, a non-positive bond, or fewer candidates than `count`.
    """
    # Verify the pool.
    accounts = [who for who, _ in candidates]
    if len(dict.fromkeys(accounts)) != len(accounts):
        raise ValueError("an account is listed twice")
    if any(bond <= 0 for _, bond in candidates):
        raise ValueError("every candidate needs a positive bond")
    if not 0 <= count <= len(candidates):
        raise ValueError(f"cannot draw {count} of {len(candidates)}")
    pool = sorted(candidates)
    total = sum(bond for _, bond in pool)
    drawn: list[bytes] = []
    for k in range(count):
        r = int.from_bytes(blake2_256(seed + k.to_bytes(4, "little")), "little") % total
        for index, (who, bond) in enumerate(pool):
            if r < bond:
                drawn.append(who)
                total -= bond
                del pool[index]
                break
            r -= bond
    return drawn


def compute_shard(round_id: int, shards: Sequence[tuple[int, int]]) -> int:
    """Return the index of the shard a round trains: shards in rotation by round id.

    Raises:
        ValueError: no shard.
    """
    # Verify there is a shard.
    if not shards:
        raise ValueError("the architecture declares no shard")
    return round_id % len(shards)


def compute_weighted_median(samples: Sequence[tuple[int, int]]) -> int:
    """Return the bond-weighted median (κ = ½) of ``(value, bond)`` samples.

    The smallest value ``v`` such that the bond of the samples ``<= v`` is at least half of
    the total bond. Ties are resolved by value only, so the order of samples does not matter.

    Raises:
        ValueError: no sample, a negative bond, or a zero total bond.
    """
    # Verify the bonds.
    if not samples or any(bond < 0 for _, bond in samples):
        raise ValueError("a median needs samples with non-negative bonds")
    total = sum(bond for _, bond in samples)
    if total == 0:
        raise ValueError("a median needs a positive total bond")
    cumulative = 0
    for value, bond in sorted(samples):
        cumulative += bond
        if 2 * cumulative >= total:
            return value
    raise AssertionError("unreachable: the cumulative bond reaches the total")


def compute_clipped(value: int, consensus: int, higher_is_better: bool) -> int:
    """Clip a scorer's value to the consensus on the side where the statistic is better."""
    return min(value, consensus) if higher_is_better else max(value, consensus)


def compute_consensus(
    scores: Sequence[Sequence[Sequence[int]]], bonds: Sequence[int]
) -> list[list[int]]:
    """Return the consensus per (adapter, statistic): the weighted median across scorers.

    `scores[s][a][k]` is scorer ``s``'s statistic ``k`` of adapter ``a``.

    Raises:
        ValueError: no scorer, mismatched shapes, or bonds that do not fit the scorers.
    """
    # Verify one bond per scorer and one shape for all.
    if not scores or len(scores) != len(bonds):
        raise ValueError("one bond per scorer, and at least one scorer")
    adapters = len(scores[0])
    width = len(scores[0][0]) if adapters else 0
    if any(len(m) != adapters or any(len(row) != width for row in m) for m in scores):
        raise ValueError("every scorer scores every adapter on every statistic")
    return [
        [
            compute_weighted_median(
                [(m[a][k], bond) for m, bond in zip(scores, bonds, strict=True)]
            )
            for k in range(width)
        ]
        for a in range(adapters)
    ]


def compute_agreement(
    matrix: Sequence[Sequence[int]],
    consensus: Sequence[Sequence[int]],
    statistics: Sequence[Statistic],
) -> int:
    """Return how many of a scorer's entries agree with the consensus.

    An entry agrees when the part clipped away (beyond the consensus on the better side) and
    the shortfall (on the worse side) are both within the statistic's floor.

    Raises:
        ValueError: the shapes differ.
    """
    # Verify the shapes.
    if len(matrix) != len(consensus):
        raise ValueError("one row per adapter")
    agree = 0
    for row, target in zip(matrix, consensus, strict=True):
        if len(row) != len(statistics) or len(target) != len(statistics):
            raise ValueError("one entry per statistic")
        for value, centre, stat in zip(row, target, statistics, strict=True):
            clipped = compute_clipped(value, centre, stat.higher_is_better)
            if abs(value - clipped) <= stat.floor and abs(clipped - centre) <= stat.floor:
                agree += 1
    return agree


def compute_hash_cluster(adapters: Sequence[Adapter], drawn_bond: int) -> list[int] | None:
    """Return the indices of the adapters whose sha256 group holds > half the drawn bond.

    None when no group does (at most one can).

    Raises:
        ValueError: the drawn bond is smaller than the revealed adapters' bond.
    """
    # Verify the revealed bond is part of the drawn bond.
    if sum(a.bond for a in adapters) > drawn_bond:
        raise ValueError("the revealed adapters hold more than the drawn bond")
    groups: dict[bytes, int] = {}
    for adapter in adapters:
        groups[adapter.sha256] = groups.get(adapter.sha256, 0) + adapter.bond
    for sha, bond in sorted(groups.items()):
        if 2 * bond > drawn_bond:
            return [i for i, a in enumerate(adapters) if a.sha256 == sha]
    return None


def compute_median(values: Sequence[int]) -> int:
    """Return the lower median of `values`.

    Raises:
        ValueError: no value.
    """
    # Verify there is a value.
    if not values:
        raise ValueError("a median needs values")
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def compute_tolerant_outliers(
    consensus: Sequence[Sequence[int]], statistics: Sequence[Statistic], mad_factor: int
) -> list[int]:
    """Return the indices of the adapters far from the median of all adapters.

    Per statistic ``k``: ``m_k`` the median across adapters, ``MAD_k`` the median of
    ``|x - m_k|``, and the threshold ``t_k = max(mad_factor · MAD_k / 1000, floor_k)``
    (`mad_factor` in thousandths, rounded down). An adapter is an outlier when
    ``Σ_k |x_k - m_k| · 10⁶ // t_k`` exceeds ``len(statistics) · 10⁶``.

    Raises:
        ValueError: the shapes differ, a floor is not positive, or the factor is negative.
    """
    # Verify the layout and the factor.
    if any(s.floor <= 0 for s in statistics) or mad_factor < 0:
        raise ValueError("floors are positive and the MAD factor is not negative")
    if any(len(row) != len(statistics) for row in consensus):
        raise ValueError("one entry per statistic")
    if not consensus:
        return []
    thresholds = []
    medians = []
    for k, stat in enumerate(statistics):
        column = [row[k] for row in consensus]
        median = compute_median(column)
        mad = compute_median([abs(x - median) for x in column])
        medians.append(median)
        thresholds.append(max(mad_factor * mad // 1_000, stat.floor))
    limit = len(statistics) * SCORE_ONE
    outliers = []
    for index, row in enumerate(consensus):
        distance = sum(
            abs(x - m) * SCORE_ONE // t for x, m, t in zip(row, medians, thresholds, strict=True)
        )
        if distance > limit:
            outliers.append(index)
    return outliers


def is_improvement(improvement: int, min_improvement: int) -> bool:
    """Whether a consensus improvement of the held-out loss reaches the minimum."""
    return improvement >= min_improvement


def compute_round_result(
    adapters: Sequence[Adapter],
    drawn_bond: int,
    scores: Sequence[tuple[int, Sequence[Sequence[int]]]],
    statistics: Sequence[Statistic],
    mode: ProfileMode,
    *,
    improvement_index: int,
    loss_index: int,
    min_improvement: int,
    mad_factor: int,
    quorum: int,
) -> RoundResult:
    """Aggregate a round: consensus, agreement, cluster, proof of training (module docs).

    `scores` holds ``(scorer bond, matrix)`` for each scorer that submitted, each matrix one
    row per revealed adapter (in `adapters`' order) and one entry per statistic.

    Raises:
        ValueError: shapes that do not match the layout, or indices outside it.
    """
    # Verify the layout's indices.
    if not (0 <= improvement_index < len(statistics) and 0 <= loss_index < len(statistics)):
        raise ValueError("the improvement and loss statistics are part of the layout")
    empty = RoundResult(RoundOutcome.NoReveals, [], [], [], [0] * len(scores), 0, 0)
    needed = quorum if mode is ProfileMode.Tolerant else 1
    if len(adapters) < max(needed, 1):
        return empty
    if not scores:
        return RoundResult(RoundOutcome.NoScores, [], [], [], [], 0, 0)
    consensus = compute_consensus([m for _, m in scores], [b for b, _ in scores])
    agreement = [compute_agreement(m, consensus, statistics) for _, m in scores]
    if mode is ProfileMode.Deterministic:
        cluster = compute_hash_cluster(adapters, drawn_bond)
    else:
        outliers = compute_tolerant_outliers(consensus, statistics, mad_factor)
        kept = [i for i in range(len(adapters)) if i not in outliers]
        cluster = kept if 2 * sum(adapters[i].bond for i in kept) > drawn_bond else None
    if cluster is None:
        return RoundResult(RoundOutcome.NoConsensus, consensus, [], [], agreement, 0, 0)
    outliers = [i for i in range(len(adapters)) if i not in cluster]
    improvement = compute_median([consensus[i][improvement_index] for i in cluster])
    loss = compute_median([consensus[i][loss_index] for i in cluster])
    outcome = (
        RoundOutcome.Accepted
        if is_improvement(improvement, min_improvement)
        else RoundOutcome.NoProgress
    )
    return RoundResult(outcome, consensus, cluster, outliers, agreement, improvement, loss)


def compute_pro_rata(pot: int, weights: Sequence[int]) -> tuple[list[int], int]:
    """Split `pot` by `weights`, each share rounded down; return ``(shares, remainder)``.

    ``sum(shares) + remainder == pot`` exactly; with no weight the whole pot is the remainder.

    Raises:
        ValueError: a negative pot or weight.
    """
    # Verify the inputs.
    if pot < 0 or any(w < 0 for w in weights):
        raise ValueError("the pot and the weights are not negative")
    total = sum(weights)
    if total == 0:
        return [0] * len(weights), pot
    shares = [pot * w // total for w in weights]
    return shares, pot - sum(shares)


def compute_slash(bond: int, fraction: int) -> int:
    """Return ``bond x fraction`` (Perbill parts), rounded down.

    Raises:
        ValueError: a negative bond or a fraction outside a Perbill.
    """
    # Verify the inputs.
    if bond < 0 or not 0 <= fraction <= PERBILL:
        raise ValueError("a bond and a Perbill")
    return bond * fraction // PERBILL


def compute_slash_transfers(
    sources: Sequence[int], shares: Sequence[int]
) -> tuple[list[tuple[int, int, int]], list[int]]:
    """Route slashed amounts to their recipients: ``(source, recipient, amount)`` transfers.

    Sources pay in order, recipients are filled in order; what the shares do not take is left
    per source (for the treasury). Needs ``sum(shares) <= sum(sources)``.

    Raises:
        ValueError: a negative amount, or shares larger than the sources.
    """
    # Verify the totals.
    if any(x < 0 for x in (*sources, *shares)) or sum(shares) > sum(sources):
        raise ValueError("non-negative amounts, and shares within the slashed total")
    left = list(sources)
    transfers: list[tuple[int, int, int]] = []
    source = 0
    for recipient, share in enumerate(shares):
        owed = share
        while owed > 0:
            while left[source] == 0:
                source += 1
            amount = min(owed, left[source])
            transfers.append((source, recipient, amount))
            left[source] -= amount
            owed -= amount
    return transfers, left


def next_phase(
    phase: RoundPhase,
    now: int,
    *,
    commit_ends: int,
    reveal_ends: int,
    score_ends: int,
    dispute_ends: int,
) -> RoundPhase:
    """Return the phase a round in `phase` is in at block `now` (deadlines are first blocks out).

    Phases only move forward, one step per call, so each step's work runs once.

    Raises:
        ValueError: deadlines out of order.
    """
    # Verify the deadlines are ordered.
    if not commit_ends <= reveal_ends <= score_ends <= dispute_ends:
        raise ValueError("deadlines must be ordered")
    deadline = {
        RoundPhase.Commit: commit_ends,
        RoundPhase.Reveal: reveal_ends,
        RoundPhase.Score: score_ends,
        RoundPhase.Dispute: dispute_ends,
    }
    if phase is RoundPhase.Closed or now < deadline[phase]:
        return phase
    return RoundPhase(phase + 1)
