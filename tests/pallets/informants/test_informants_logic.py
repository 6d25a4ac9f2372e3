"""The pure rules of `logic`, against brute-force reference models and the multiformats package.

* the weighted median against the median of the list expanded into stake units;
* the threshold and the decision against exact rationals (`fractions.Fraction`);
* CID validation against `multiformats.CID` (an independent implementation of the spec).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from multiformats import CID, multihash

from deepshard.pallets.informants.logic import (
    PERBILL,
    SCORE_BUCKETS,
    BatchPhase,
    Outcome,
    Tally,
    compute_batch_value,
    compute_claim,
    compute_histogram_medians,
    compute_histogram_update,
    compute_outcome,
    compute_pro_rata,
    compute_quality,
    compute_slash,
    compute_threshold,
    compute_turnout,
    compute_vote_weight,
    compute_weighted_median,
    is_valid_cid,
    is_valid_curve,
    next_phase,
)

CURVE = [
    (100_000_000, 800_000_000),
    (250_000_000, 700_000_000),
    (500_000_000, 600_000_000),
    (1_000_000_000, 500_000_000),
]
"""The default curve of the runtime configuration."""

# --- weighted median ------------------------------------------------------------------------


def reference_median(samples: list[tuple[int, int]]) -> int:
    expanded = sorted(v for v, w in samples for _ in range(w))
    return expanded[(len(expanded) - 1) // 2] if expanded else 0


@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 30)), max_size=12))
def test_weighted_median_matches_the_expanded_list(samples: list[tuple[int, int]]) -> None:
    assert compute_weighted_median(samples) == reference_median(samples)


@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 30)), max_size=12), st.randoms())
def test_weighted_median_ignores_order(samples: list[tuple[int, int]], rnd: object) -> None:
    shuffled = list(samples)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert compute_weighted_median(shuffled) == compute_weighted_median(samples)


def test_weighted_median_edges() -> None:
    assert compute_weighted_median([]) == 0
    assert compute_weighted_median([(70, 0)]) == 0
    assert compute_weighted_median([(10, 1), (90, 1)]) == 10  # the lower median
    assert compute_weighted_median([(10, 1), (90, 2)]) == 90
    with pytest.raises(ValueError, match="non-negative"):
        compute_weighted_median([(10, -1)])


# --- threshold ---------------------------------------------------------------------------------


def reference_threshold(turnout: int, curve: list[tuple[int, int]]) -> int:
    """The curve's exact value, rounded up."""
    if turnout <= curve[0][0]:
        return curve[0][1]
    for (t0, h0), (t1, h1) in itertools.pairwise(curve):
        if turnout <= t1:
            exact = Fraction(h0) - Fraction((h0 - h1) * (turnout - t0), t1 - t0)
            return math.ceil(exact)
    return curve[-1][1]


@pytest.mark.parametrize(
    ("turnout", "threshold"),
    [
        (0, 800_000_000),  # below the first point: the first threshold
        (100_000_000, 800_000_000),  # on a point
        (175_000_000, 750_000_000),  # half-way between two points
        (250_000_000, 700_000_000),
        (500_000_000, 600_000_000),
        (500_000_001, 600_000_000),  # rounds up: 599_999_999.8 -> 600_000_000
        (999_999_999, 500_000_001),
        (1_000_000_000, 500_000_000),  # full turnout: a simple majority
    ],
)
def test_threshold_at_its_edges(turnout: int, threshold: int) -> None:
    assert compute_threshold(turnout, CURVE) == threshold


@given(st.integers(0, PERBILL))
def test_threshold_matches_exact_rationals(turnout: int) -> None:
    assert compute_threshold(turnout, CURVE) == reference_threshold(turnout, CURVE)


@given(st.integers(0, PERBILL - 1))
def test_threshold_never_rises_with_turnout(turnout: int) -> None:
    assert compute_threshold(turnout + 1, CURVE) <= compute_threshold(turnout, CURVE)


@pytest.mark.parametrize(
    "curve",
    [
        [],
        [(0, PERBILL)],  # unanimity is not a threshold one can exceed
        [(0, 400_000_000)],  # below a simple majority
        [(500_000_000, 600_000_000), (500_000_000, 550_000_000)],  # turnouts not increasing
        [(100_000_000, 600_000_000), (500_000_000, 700_000_000)],  # threshold rising
        [(0, 600_000_000), (PERBILL + 1, 500_000_000)],  # turnout above one
    ],
)
def test_invalid_curves_are_refused(curve: list[tuple[int, int]]) -> None:
    assert not is_valid_curve(curve)
    with pytest.raises(ValueError, match="curve"):
        compute_threshold(0, curve)


# --- decision -------------------------------------------------------------------------------------


def reference_outcome(aye: int, nay: int, total: int, min_turnout: int) -> Outcome:
    voting = aye + nay
    turnout = voting * PERBILL // total if total else 0
    if voting == 0 or turnout < min_turnout:
        return Outcome.EXPIRED
    threshold = reference_threshold(turnout, CURVE)
    return (
        Outcome.ACCEPTED
        if Fraction(aye, voting) > Fraction(threshold, PERBILL)
        else Outcome.REJECTED
    )


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, PERBILL))
def test_outcome_matches_exact_rationals(aye: int, nay: int, extra: int, min_turnout: int) -> None:
    total = aye + nay + extra
    outcome, _, _ = compute_outcome(Tally(aye, nay, total), min_turnout, CURVE)
    assert outcome is reference_outcome(aye, nay, total, min_turnout)


def test_a_tie_at_full_turnout_is_rejected_one_more_aye_passes() -> None:
    assert compute_outcome(Tally(50, 50, 100), 0, CURVE)[0] is Outcome.REJECTED
    assert compute_outcome(Tally(51, 49, 100), 0, CURVE)[0] is Outcome.ACCEPTED


def test_low_turnout_needs_a_supermajority() -> None:
    # 20 % turnout: threshold 73.33..%; 14 of 20 (70 %) fails, 15 of 20 (75 %) passes.
    assert compute_outcome(Tally(14, 6, 100), 100_000_000, CURVE)[0] is Outcome.REJECTED
    assert compute_outcome(Tally(15, 5, 100), 100_000_000, CURVE)[0] is Outcome.ACCEPTED


def test_below_min_turnout_expires_even_if_unanimous() -> None:
    outcome, turnout, _ = compute_outcome(Tally(9, 0, 100), 100_000_000, CURVE)
    assert (outcome, turnout) == (Outcome.EXPIRED, 90_000_000)


def test_turnout_refuses_more_votes_than_bond() -> None:
    with pytest.raises(ValueError, match="within"):
        compute_turnout(11, 10)
    assert compute_turnout(0, 0) == 0


@given(st.integers(0, 10**9), st.integers(0, 10**9), st.integers(0, PERBILL))
def test_vote_weight_is_capped(bond: int, extra: int, share: int) -> None:
    total = bond + extra
    weight = compute_vote_weight(bond, total, share)
    assert weight <= bond
    assert Fraction(weight) <= Fraction(share * total, PERBILL)


# --- value and payouts --------------------------------------------------------------------------


def test_quality_and_value() -> None:
    fifth = PERBILL // 5
    assert compute_quality([100] * 5, [fifth] * 5) == PERBILL
    assert compute_quality([50, 100, 0, 100, 50], [fifth] * 5) == 600_000_000
    # four times the items is worth twice as much; the cap holds
    assert compute_batch_value(PERBILL, 100, 10, 10**6) == 100
    assert compute_batch_value(PERBILL, 400, 10, 10**6) == 200
    assert compute_batch_value(PERBILL, 400, 10, 150) == 150
    assert compute_batch_value(PERBILL // 2, 99, 10, 10**6) == 45  # isqrt(99) = 9
    with pytest.raises(ValueError, match="Percent"):
        compute_quality([101] * 5, [fifth] * 5)
    with pytest.raises(ValueError, match="at most one"):
        compute_quality([1] * 5, [PERBILL] * 5)


@given(st.integers(0, 10**12), st.lists(st.integers(0, 10**6), max_size=20))
def test_pro_rata_never_pays_more_than_the_pot(pot: int, weights: list[int]) -> None:
    shares = compute_pro_rata(pot, weights)
    assert sum(shares) <= pot
    total = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        if total:
            assert share == math.floor(Fraction(pot * weight, total))
    if total:
        assert pot - sum(shares) < max(1, len([w for w in weights if w]))


@given(st.integers(0, 10**20), st.integers(0, PERBILL))
def test_slash_is_exact(stake: int, fraction: int) -> None:
    slashed, released = compute_slash(stake, fraction)
    assert slashed + released == stake
    assert slashed == math.floor(Fraction(stake * fraction, PERBILL))


def test_next_phase() -> None:
    assert next_phase(BatchPhase.Voting, 9, 10) is BatchPhase.Voting
    assert next_phase(BatchPhase.Voting, 10, 10) is BatchPhase.Closing
    assert next_phase(BatchPhase.Closing, 11, 10) is BatchPhase.Closing
    assert next_phase(BatchPhase.Closing, 11, 10, Outcome.ACCEPTED) is BatchPhase.Accepted
    assert next_phase(BatchPhase.Closing, 11, 10, Outcome.REJECTED) is BatchPhase.Rejected
    assert next_phase(BatchPhase.Closing, 11, 10, Outcome.EXPIRED) is BatchPhase.Expired
    assert next_phase(BatchPhase.Accepted, 99, 10, Outcome.REJECTED) is BatchPhase.Accepted


# --- CIDs ---------------------------------------------------------------------------------------


digests = st.binary(min_size=32, max_size=32)


@given(digests, st.sampled_from(["dag-pb", "raw"]))
def test_cids_made_by_multiformats_are_accepted(digest: bytes, codec: str) -> None:
    mh = multihash.wrap(digest, "sha2-256")
    v1 = CID("base32", 1, codec, mh)
    assert is_valid_cid(bytes(v1))
    if codec == "dag-pb":
        assert is_valid_cid(bytes(CID("base58btc", 0, "dag-pb", mh)))


@given(digests, st.sampled_from(["dag-cbor", "dag-json", "libp2p-key"]))
def test_other_codecs_are_refused(digest: bytes, codec: str) -> None:
    assert not is_valid_cid(bytes(CID("base32", 1, codec, multihash.wrap(digest, "sha2-256"))))


@given(
    st.binary(min_size=32, max_size=64), st.sampled_from(["sha2-512", "blake2b-256", "sha3-256"])
)
def test_other_hashes_are_refused(data: bytes, hashfun: str) -> None:
    mh = multihash.digest(data, hashfun)
    assert not is_valid_cid(bytes(CID("base32", 1, "raw", mh)))


@given(st.binary(max_size=48))
def test_random_bytes_are_accepted_only_when_multiformats_agrees(data: bytes) -> None:
    try:
        cid = CID.decode(data)
        expected = (
            cid.hashfun.name == "sha2-256"
            and cid.codec.name in ("dag-pb", "raw")
            and bytes(cid) == data
        )
    except Exception:
        expected = False
    assert is_valid_cid(data) == expected


def test_truncated_and_padded_cids_are_refused() -> None:
    good = bytes(CID("base32", 1, "raw", multihash.wrap(bytes(32), "sha2-256")))
    assert is_valid_cid(good)
    assert not is_valid_cid(good[:-1])
    assert not is_valid_cid(good + b"\x00")
    assert not is_valid_cid(b"")
    assert not is_valid_cid(bytes([0x01, 0x80, 0x00]) + good[2:])  # non-minimal varint


# --- running tally: histogram and claims ------------------------------------------------------

votes_strategy = st.lists(
    st.tuples(st.lists(st.integers(0, 100), min_size=5, max_size=5), st.integers(0, 50)),
    max_size=15,
)


@given(votes_strategy, st.data())
def test_histogram_medians_match_the_expanded_votes(
    votes: list[tuple[list[int], int]], data: st.DataObject
) -> None:
    histogram = [0] * (5 * SCORE_BUCKETS)
    for scores, weight in votes:
        histogram = compute_histogram_update(histogram, scores, weight, add=True)
    # remove some votes again, as changed votes do
    kept = []
    for scores, weight in votes:
        if data.draw(st.booleans()):
            histogram = compute_histogram_update(histogram, scores, weight, add=False)
        else:
            kept.append((scores, weight))
    medians = compute_histogram_medians(histogram)
    for criterion in range(5):
        assert medians[criterion] == reference_median([(s[criterion], w) for s, w in kept])


def test_histogram_refuses_bad_updates() -> None:
    empty = [0] * (5 * SCORE_BUCKETS)
    with pytest.raises(ValueError, match="more weight"):
        compute_histogram_update(empty, [1] * 5, 1, add=False)
    with pytest.raises(ValueError, match="Percent"):
        compute_histogram_update(empty, [101] * 5, 1, add=True)
    with pytest.raises(ValueError, match="buckets"):
        compute_histogram_update(empty[:-1], [1] * 5, 1, add=True)


@given(
    st.integers(0, 10**15), st.lists(st.integers(1, 10**6), min_size=1, max_size=12), st.randoms()
)
def test_claims_pay_the_pot_exactly_in_any_order(pot: int, weights: list[int], rnd: Any) -> None:
    order = list(weights)
    rnd.shuffle(order)
    remaining_pot, remaining_weight = pot, sum(weights)
    paid = []
    for weight in order:
        share = compute_claim(remaining_pot, weight, remaining_weight)
        # never less than the plain rounded-down pro-rata share
        assert share >= pot * weight // sum(weights)
        paid.append(share)
        remaining_pot -= share
        remaining_weight -= weight
    assert sum(paid) == pot
    assert remaining_pot == 0
