"""Pure rules of the Informants pallet: CIDs, vote weights, the adaptive threshold, value, payouts.

Introduction
------------
Everything here is a function of integers (plain Python ``int``, unbounded and exact); the
pallet converts to and from the wire types at its storage boundary. Ratios are `Perbill` parts
(``PERBILL`` = one), scores are `Percent` parts (0..=100). There is no division other than
``//`` with a documented rounding direction, and the rounding always favours the chain's
safety: turnout rounds down, the threshold rounds up, payouts round down.

The decision (`compute_outcome`)::

    turnout  = voting weight / total curator bond           (Perbill, rounded down)
    expired  if turnout < min_turnout
    accepted if aye weight / voting weight > threshold(turnout)     (exact comparison)
    rejected otherwise

``threshold`` is a piecewise-linear curve through integer points ``(turnout, threshold)``: it
falls from a supermajority at low turnout to a simple majority at full turnout (*adaptive quorum
biasing*: the fewer curators speak, the more of them must agree).

A curator's vote weight is its active bond when the batch closes, capped at
``max_curator_share`` of the total bond (`compute_vote_weight`). A cap, not a concave weight:
a concave weight (say the square root of the bond) pays a whale to split its bond over many
accounts, which the chain cannot see; under a cap, splitting never gains weight beyond the
bond itself. With the cap below ``min_turnout`` no single curator can reach the quorum alone.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

__all__ = [
    "PERBILL",
    "PERCENT",
    "CRITERIA",
    "BatchPhase",
    "Outcome",
    "Tally",
    "is_valid_cid",
    "compute_vote_weight",
    "compute_turnout",
    "compute_threshold",
    "is_valid_curve",
    "compute_outcome",
    "compute_weighted_median",
    "SCORE_BUCKETS",
    "compute_histogram_update",
    "compute_histogram_medians",
    "compute_claim",
    "compute_quality",
    "compute_batch_value",
    "compute_pro_rata",
    "compute_slash",
    "next_phase",
]

PERBILL: Final = 1_000_000_000
"""Parts of a `Perbill` that make one."""
PERCENT: Final = 100
"""Parts of a `Percent` that make one."""
CRITERIA: Final = ("novelty", "reproducibility", "alignment", "truthfulness", "objectivity")
"""The five criteria a curator scores (the seed's list), in their wire order."""

_SHA2_256: Final = 0x12
_DIGEST_LENGTH: Final = 32
_DAG_PB: Final = 0x70
_RAW: Final = 0x55
_CID_V1: Final = 0x01


class BatchPhase(enum.IntEnum):
    """Where a batch is in its life; stored with the batch (a payload-less enum on the wire)."""

    __module__ = "pallet_informants.types"  # the metadata type path

    Voting = 0
    """Curators may vote until the voting period ends."""
    Closing = 1
    """The period ended; the batch waits in the closing queue for its turn (bounded work)."""
    Accepted = 2
    """The vote passed: the informant was paid and the batch waits in the training queue."""
    Rejected = 3
    """The vote failed: part of the stake went to the treasury."""
    Expired = 4
    """Too few curators voted: the stake went back, unpaid."""
    Trained = 5
    """An accepted batch the training pallet took; kept only until its votes are claimed."""


class Outcome(enum.Enum):
    """The decision of a closed vote."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Tally:
    """The weights of a closed vote."""

    aye: int
    """Weight of the aye votes."""
    nay: int
    """Weight of the nay votes."""
    total_bond: int
    """The electorate: total active curator bond when the batch was submitted."""

    @property
    def voting(self) -> int:
        """Weight of every vote cast."""
        return self.aye + self.nay


# --- CIDs ---------------------------------------------------------------------------------------


def _read_varint(data: bytes, offset: int) -> tuple[int, int] | None:
    """Read an unsigned LEB128 varint (multiformats' minimal form, at most 9 bytes)."""
    value = 0
    for shift_index in range(9):
        if offset >= len(data):
            return None
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << (7 * shift_index)
        if byte & 0x80 == 0:
            if byte == 0 and shift_index > 0:
                return None  # not minimal
            return value, offset
    return None


def is_valid_cid(cid: bytes) -> bool:
    """Whether `cid` is a binary CID this chain accepts: sha2-256, dag-pb or raw.

    * CIDv0: the bare multihash ``0x12 0x20 <32-byte digest>`` (dag-pb implied);
    * CIDv1: ``varint(1) varint(codec) 0x12 0x20 <32-byte digest>`` with codec dag-pb (0x70)
      or raw (0x55).
    """
    # Verify a CIDv0: exactly a sha2-256 multihash.
    if len(cid) == 2 + _DIGEST_LENGTH and cid[0] == _SHA2_256:
        return cid[1] == _DIGEST_LENGTH
    # Verify a CIDv1: version, codec, then a sha2-256 multihash and nothing after it.
    version = _read_varint(cid, 0)
    if version is None or version[0] != _CID_V1:
        return False
    codec = _read_varint(cid, version[1])
    if codec is None or codec[0] not in (_DAG_PB, _RAW):
        return False
    rest = cid[codec[1] :]
    return len(rest) == 2 + _DIGEST_LENGTH and rest[0] == _SHA2_256 and rest[1] == _DIGEST_LENGTH


# --- votes --------------------------------------------------------------------------------------


def compute_vote_weight(bond: int, total_bond: int, max_share: int) -> int:
    """Return a curator's vote weight: its bond, capped at `max_share` (Perbill) of the total.

    Raises:
        ValueError: a negative bond or a share above one.
    """
    # Verify the inputs are a balance and a Perbill.
    if bond < 0 or total_bond < 0 or not 0 <= max_share <= PERBILL:
        raise ValueError("bonds are non-negative and the share is a Perbill")
    return min(bond, total_bond * max_share // PERBILL)


def compute_turnout(voting: int, total_bond: int) -> int:
    """Return the turnout ``voting / total_bond`` in Perbill parts, rounded down (0 if no bond).

    Raises:
        ValueError: negative weights, or more voting weight than bond.
    """
    # Verify the weights are consistent.
    if voting < 0 or total_bond < 0 or voting > total_bond:
        raise ValueError(f"voting weight {voting} must lie within 0..={total_bond}")
    if total_bond == 0:
        return 0
    return voting * PERBILL // total_bond


def is_valid_curve(curve: Sequence[tuple[int, int]]) -> bool:
    """Whether `curve` is a valid threshold curve (points in Perbill parts).

    It has at least one point, turnouts strictly increasing within ``0..=1`` and thresholds
    non-increasing within ``1/2..<1``.
    """
    if not curve:
        return False
    for turnout, threshold in curve:
        if not (0 <= turnout <= PERBILL and PERBILL // 2 <= threshold < PERBILL):
            return False
    return all(a[0] < b[0] and a[1] >= b[1] for a, b in itertools.pairwise(curve))


def compute_threshold(turnout: int, curve: Sequence[tuple[int, int]]) -> int:
    """Return the approval threshold (Perbill parts) at `turnout`, interpolated on `curve`.

    Below the first point the first threshold holds, above the last point the last; between two
    points the line through them, rounded *up* (a threshold never rounds in the batch's favour).

    Raises:
        ValueError: `curve` is not a valid curve (`is_valid_curve`) or `turnout` is not a
            Perbill.
    """
    # Verify the curve and the turnout.
    if not is_valid_curve(curve):
        raise ValueError(f"invalid threshold curve {list(curve)}")
    if not 0 <= turnout <= PERBILL:
        raise ValueError(f"turnout {turnout} is not a Perbill")
    if turnout <= curve[0][0]:
        return curve[0][1]
    for (t0, h0), (t1, h1) in itertools.pairwise(curve):
        if turnout <= t1:
            # h0 - (h0 - h1)(t - t0)/(t1 - t0), the subtracted part rounded down.
            return h0 - (h0 - h1) * (turnout - t0) // (t1 - t0)
    return curve[-1][1]


def compute_outcome(
    tally: Tally, min_turnout: int, curve: Sequence[tuple[int, int]]
) -> tuple[Outcome, int, int]:
    """Decide a vote; return ``(outcome, turnout, threshold)`` (Perbill parts).

    The turnout is the voting weight over the electorate, at most one (curators who bonded
    after the batch was submitted can add weight beyond it). Expired when the turnout is below
    `min_turnout` (or nobody with weight voted); accepted
    when ``aye / voting`` strictly exceeds the threshold at that turnout (compared exactly, as
    ``aye * 10^9 > threshold * voting``); rejected otherwise.

    Raises:
        ValueError: an invalid curve or a negative weight.
    """
    # Verify the weights (compute_turnout checks them against the bond).
    if tally.aye < 0 or tally.nay < 0:
        raise ValueError("vote weights are non-negative")
    turnout = compute_turnout(min(tally.voting, tally.total_bond), tally.total_bond)
    threshold = compute_threshold(turnout, curve)
    if tally.voting == 0 or turnout < min_turnout:
        return Outcome.EXPIRED, turnout, threshold
    if tally.aye * PERBILL > threshold * tally.voting:
        return Outcome.ACCEPTED, turnout, threshold
    return Outcome.REJECTED, turnout, threshold


# --- value ----------------------------------------------------------------------------------------


def compute_weighted_median(samples: Sequence[tuple[int, int]]) -> int:
    """Return the lower weighted median of ``(value, weight)`` samples (0 if no weight).

    It is the value at position ``(W - 1) // 2`` of the list in which every sample's value is
    repeated `weight` times and sorted (``W`` the total weight), computed without expanding it.

    Raises:
        ValueError: a negative weight.
    """
    # Verify the weights.
    if any(weight < 0 for _, weight in samples):
        raise ValueError("weights are non-negative")
    total = sum(weight for _, weight in samples)
    if total == 0:
        return 0
    position = (total - 1) // 2
    seen = 0
    for value, weight in sorted(samples):
        seen += weight
        if seen > position:
            return value
    raise AssertionError("unreachable: the position lies within the total weight")


SCORE_BUCKETS: Final = PERCENT + 1
"""Buckets per criterion in a batch's score histogram (one per Percent value 0..=100)."""


def compute_histogram_update(
    histogram: Sequence[int], scores: Sequence[int], weight: int, *, add: bool
) -> list[int]:
    """Add (or remove) one aye vote of `weight` with `scores` to a score histogram.

    The histogram holds, for each criterion ``c`` and score ``s``, the aye weight that gave
    ``s`` at ``c`` (index ``c * 101 + s``), so that the closing computes each weighted median
    from 505 numbers whatever the number of votes.

    Raises:
        ValueError: a histogram of the wrong size, a score outside 0..=100, a negative weight,
            or removing more weight than a bucket holds.
    """
    # Verify the shapes and ranges.
    if len(histogram) != len(CRITERIA) * SCORE_BUCKETS or len(scores) != len(CRITERIA):
        raise ValueError("a histogram has 5 x 101 buckets and a vote 5 scores")
    if weight < 0 or any(not 0 <= s <= PERCENT for s in scores):
        raise ValueError("scores are Percent parts and weights non-negative")
    updated = list(histogram)
    for criterion, score in enumerate(scores):
        index = criterion * SCORE_BUCKETS + score
        updated[index] += weight if add else -weight
        # Verify a removal takes out only what was put in.
        if updated[index] < 0:
            raise ValueError("removing more weight than the bucket holds")
    return updated


def compute_histogram_medians(histogram: Sequence[int]) -> list[int]:
    """Return the lower weighted median of each criterion of a score histogram.

    Raises:
        ValueError: a histogram of the wrong size or a negative bucket.
    """
    # Verify the shape.
    if len(histogram) != len(CRITERIA) * SCORE_BUCKETS:
        raise ValueError("a histogram has 5 x 101 buckets")
    return [
        compute_weighted_median(
            list(enumerate(histogram[c * SCORE_BUCKETS : (c + 1) * SCORE_BUCKETS]))
        )
        for c in range(len(CRITERIA))
    ]


def compute_claim(pot: int, weight: int, winning_weight: int) -> int:
    """Return a winning curator's share of what is left of the reward `pot`.

    Shares are taken one claim at a time, each ``pot * weight // winning_weight`` of what is
    still unclaimed; the last claimant's weight equals the remaining weight, so it takes all
    that is left: the claims add up to the pot exactly, in any order.

    Raises:
        ValueError: negative amounts, or a weight larger than the remaining winning weight.
    """
    # Verify the claim is part of the remaining weight.
    if pot < 0 or weight < 0 or weight > winning_weight:
        raise ValueError("a claim's weight lies within the remaining winning weight")
    if winning_weight == 0:
        return 0
    return pot * weight // winning_weight


def compute_quality(medians: Sequence[int], criterion_weights: Sequence[int]) -> int:
    """Return the quality (Perbill parts): ``sum(weight_c * median_c)`` over the criteria.

    `medians` are Percent parts (0..=100), `criterion_weights` Perbill parts summing to at most
    one; the result is rounded down.

    Raises:
        ValueError: lengths differ, a median is not a Percent, or the weights exceed one.
    """
    # Verify one weight per criterion, within range.
    if len(medians) != len(criterion_weights):
        raise ValueError("one weight per criterion")
    if any(not 0 <= m <= PERCENT for m in medians):
        raise ValueError("medians are Percent parts")
    if any(w < 0 for w in criterion_weights) or sum(criterion_weights) > PERBILL:
        raise ValueError("criterion weights are Perbill parts summing to at most one")
    return sum(w * m for w, m in zip(criterion_weights, medians, strict=True)) // PERCENT


def compute_batch_value(
    quality: int, item_count: int, value_per_sqrt_item: int, max_value: int
) -> int:
    """Return a batch's value: ``quality * value_per_sqrt_item * isqrt(item_count)``, capped.

    The integer square root gives diminishing returns for size: four times the items is worth
    twice as much, so padding a batch pays little. Rounded down.

    Raises:
        ValueError: a negative argument or a quality above one.
    """
    # Verify the inputs.
    if min(item_count, value_per_sqrt_item, max_value) < 0 or not 0 <= quality <= PERBILL:
        raise ValueError("non-negative amounts and a Perbill quality")
    uncapped = quality * value_per_sqrt_item * math.isqrt(item_count) // PERBILL
    return min(uncapped, max_value)


# --- payouts --------------------------------------------------------------------------------------


def compute_pro_rata(pot: int, weights: Sequence[int]) -> list[int]:
    """Split `pot` in proportion to `weights`, each share rounded down.

    The shares never sum to more than `pot`; what rounding leaves (less than one unit per
    share) is not paid. All zero weights give all zero shares.

    Raises:
        ValueError: a negative pot or weight.
    """
    # Verify the inputs.
    if pot < 0 or any(w < 0 for w in weights):
        raise ValueError("the pot and the weights are non-negative")
    total = sum(weights)
    if total == 0:
        return [0] * len(weights)
    return [pot * w // total for w in weights]


def compute_slash(stake: int, fraction: int) -> tuple[int, int]:
    """Return ``(slashed, released)`` of a rejected stake: `fraction` (Perbill) rounded down.

    Raises:
        ValueError: a negative stake or a fraction above one.
    """
    # Verify the inputs.
    if stake < 0 or not 0 <= fraction <= PERBILL:
        raise ValueError("a non-negative stake and a Perbill fraction")
    slashed = stake * fraction // PERBILL
    return slashed, stake - slashed


# --- the life of a batch -----------------------------------------------------------------------


def next_phase(
    phase: BatchPhase,
    now: int,
    voting_ends: int,
    outcome: Outcome | None = None,
    *,
    taken: bool = False,
) -> BatchPhase:
    """Return the phase that follows `phase` at block `now`.

    * ``Voting`` becomes ``Closing`` once ``now >= voting_ends``;
    * ``Closing`` becomes the phase of `outcome` once the vote is decided (``outcome`` given),
      and stays ``Closing`` while its turn has not come (``outcome`` None);
    * ``Accepted`` becomes ``Trained`` when the training pallet takes the batch (`taken`);
    * ``Rejected``, ``Expired`` and ``Trained`` are final.
    """
    if phase is BatchPhase.Voting:
        return BatchPhase.Closing if now >= voting_ends else BatchPhase.Voting
    if phase is BatchPhase.Closing:
        if outcome is None:
            return BatchPhase.Closing
        return {
            Outcome.ACCEPTED: BatchPhase.Accepted,
            Outcome.REJECTED: BatchPhase.Rejected,
            Outcome.EXPIRED: BatchPhase.Expired,
        }[outcome]
    if phase is BatchPhase.Accepted and taken:
        return BatchPhase.Trained
    return phase
