"""Property tests of the Training pallet's pure rules against brute-force reference models."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepshard.pallets.training import logic
from deepshard.pallets.training.logic import Adapter, ProfileMode, RoundOutcome, Statistic
from deepshard.primitives.hashing import blake2_256

values = st.integers(min_value=-(10**9), max_value=10**9)
bonds = st.integers(min_value=1, max_value=10**6)


def reference_median(samples: list[tuple[int, int]]) -> int:
    """A median by expanding every bond into that many unit votes (2 x the lower middle)."""
    units = sorted(v for v, b in samples for _ in range(b))
    # the smallest v with 2 * (units <= v) >= total
    total = len(units)
    return next(v for v in units if 2 * sum(1 for u in units if u <= v) >= total)


@given(st.lists(st.tuples(values, st.integers(1, 20)), min_size=1, max_size=8))
def test_weighted_median_matches_the_expanded_units(samples: list[tuple[int, int]]) -> None:
    assert logic.compute_weighted_median(samples) == reference_median(samples)


@given(st.lists(st.tuples(values, bonds), min_size=1, max_size=10), st.randoms())
def test_weighted_median_ignores_order(samples: list[tuple[int, int]], rnd: object) -> None:
    shuffled = list(samples)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert logic.compute_weighted_median(shuffled) == logic.compute_weighted_median(samples)


@given(
    st.lists(st.tuples(values, bonds), min_size=1, max_size=8),
    st.lists(st.tuples(values, bonds), max_size=8),
)
def test_a_minority_cannot_move_the_median_outside_the_honest_range(
    honest: list[tuple[int, int]], liars: list[tuple[int, int]]
) -> None:
    honest_bond = sum(b for _, b in honest)
    liar_bond = sum(b for _, b in liars)
    if 2 * liar_bond >= honest_bond + liar_bond:
        liars = []
    median = logic.compute_weighted_median(honest + liars)
    assert min(v for v, _ in honest) <= median <= max(v for v, _ in honest)


def test_weighted_median_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="samples"):
        logic.compute_weighted_median([])
    with pytest.raises(ValueError, match="positive total"):
        logic.compute_weighted_median([(1, 0)])
    with pytest.raises(ValueError, match="non-negative"):
        logic.compute_weighted_median([(1, -1), (2, 3)])


def reference_cluster(adapters: list[Adapter], drawn: int) -> list[int] | None:
    """Exhaustive: every subset of equal hashes, keep one holding more than half."""
    for size in range(len(adapters), 0, -1):
        for subset in itertools.combinations(range(len(adapters)), size):
            shas = {adapters[i].sha256 for i in subset}
            members = [i for i, a in enumerate(adapters) if a.sha256 in shas]
            holds = 2 * sum(adapters[i].bond for i in subset) > drawn
            if len(shas) == 1 and list(subset) == members and holds:
                return list(subset)
    return None


adapter_lists = st.lists(
    st.builds(
        Adapter,
        trainer=st.binary(min_size=32, max_size=32),
        sha256=st.sampled_from([bytes([n]) * 32 for n in range(3)]),
        bond=bonds,
    ),
    max_size=6,
)


@given(adapter_lists, st.integers(0, 10**6))
def test_hash_cluster_matches_exhaustive_search(adapters: list[Adapter], extra: int) -> None:
    drawn = sum(a.bond for a in adapters) + extra
    assert logic.compute_hash_cluster(adapters, drawn) == reference_cluster(adapters, drawn)


@given(adapter_lists, st.integers(0, 10**6), st.randoms())
def test_hash_cluster_ignores_order_and_outliers_never_hold_the_majority(
    adapters: list[Adapter], extra: int, rnd: object
) -> None:
    drawn = sum(a.bond for a in adapters) + extra
    cluster = logic.compute_hash_cluster(adapters, drawn)
    shuffled = list(adapters)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    again = logic.compute_hash_cluster(shuffled, drawn)
    chosen = sorted(adapters[i].trainer for i in cluster or [])
    assert chosen == sorted(shuffled[i].trainer for i in again or [])
    if cluster is not None:
        outliers = sum(a.bond for i, a in enumerate(adapters) if i not in cluster)
        assert 2 * outliers < drawn


STATS = [Statistic(False, 10_000), Statistic(True, 10_000), Statistic(True, 20_000)]


@given(
    st.lists(
        st.lists(st.integers(-(10**7), 10**7), min_size=3, max_size=3), min_size=1, max_size=7
    ),
    st.integers(0, 5_000),
    st.randoms(),
)
def test_tolerant_outliers_ignore_order(rows: list[list[int]], factor: int, rnd: object) -> None:
    outliers = logic.compute_tolerant_outliers(rows, STATS, factor)
    order = list(range(len(rows)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    shuffled = [rows[i] for i in order]
    again = logic.compute_tolerant_outliers(shuffled, STATS, factor)
    assert sorted(order[i] for i in again) == outliers


@given(st.lists(st.integers(-3_000, 3_000), min_size=3, max_size=3), st.integers(3, 12))
def test_tolerant_profile_flags_no_honest_noise_within_the_floor(
    noise: list[int], adapters: int
) -> None:
    rows = [[2_000_000 + noise[k] * ((i % 3) - 1) for k in range(3)] for i in range(adapters)]
    assert logic.compute_tolerant_outliers(rows, STATS, 3_000) == []


def test_tolerant_profile_flags_a_poisoned_adapter() -> None:
    rows = [[2_000_000 + i * 500, 50_000 + i, -1_000_000 - i] for i in range(5)]
    rows.append([2_400_000, -300_000, -1_500_000])
    assert logic.compute_tolerant_outliers(rows, STATS, 3_000) == [5]


def reference_draw(seed: bytes, pool: list[tuple[bytes, int]], count: int) -> list[bytes]:
    """The draw spelled out on an explicit list of bond units."""
    pool = sorted(pool)
    drawn = []
    for k in range(count):
        units = [who for who, bond in pool for _ in range(bond)]
        r = int.from_bytes(blake2_256(seed + k.to_bytes(4, "little")), "little")
        who = units[r % len(units)]
        drawn.append(who)
        pool = [(w, b) for w, b in pool if w != who]
    return drawn


candidate_pools = st.dictionaries(
    st.binary(min_size=32, max_size=32), st.integers(1, 30), min_size=1, max_size=6
)


@given(st.binary(min_size=32, max_size=32), candidate_pools, st.data())
def test_draw_matches_the_unit_reference_and_ignores_order(
    seed: bytes, pool: dict[bytes, int], data: st.DataObject
) -> None:
    count = data.draw(st.integers(0, len(pool)))
    items = list(pool.items())
    drawn = logic.compute_draw(seed, items, count)
    assert drawn == reference_draw(seed, items, count)
    assert len(set(drawn)) == count
    assert logic.compute_draw(seed, list(reversed(items)), count) == drawn


def test_draw_rejects_bad_pools() -> None:
    with pytest.raises(ValueError, match="cannot draw"):
        logic.compute_draw(bytes(32), [(b"a" * 32, 1)], 2)
    with pytest.raises(ValueError, match="twice"):
        logic.compute_draw(bytes(32), [(b"a" * 32, 1), (b"a" * 32, 2)], 1)
    with pytest.raises(ValueError, match="positive bond"):
        logic.compute_draw(bytes(32), [(b"a" * 32, 0)], 1)


@given(st.integers(0, 10**20), st.lists(st.integers(0, 10**9), max_size=8))
def test_pro_rata_is_exact(pot: int, weights: list[int]) -> None:
    shares, remainder = logic.compute_pro_rata(pot, weights)
    assert sum(shares) + remainder == pot
    assert remainder >= 0
    total = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        assert share * total <= pot * weight if total else share == 0


@given(st.lists(st.integers(0, 10**6), max_size=6), st.lists(st.integers(1, 100), max_size=6))
def test_slash_transfers_route_every_unit(sources: list[int], weights: list[int]) -> None:
    shares, _ = logic.compute_pro_rata(sum(sources), weights)
    transfers, left = logic.compute_slash_transfers(sources, shares)
    paid_out = [0] * len(sources)
    received = [0] * len(shares)
    for source, recipient, amount in transfers:
        assert amount > 0
        paid_out[source] += amount
        received[recipient] += amount
    assert received == shares
    assert [p + r for p, r in zip(paid_out, left, strict=True)] == sources


def test_commitment_binds_the_account() -> None:
    cid, sha, salt = b"\x01" * 36, b"\x02" * 32, b"salt"
    mine = logic.compute_commitment(cid, sha, salt, b"\x03" * 32)
    assert mine != logic.compute_commitment(cid, sha, salt, b"\x04" * 32)
    assert mine == blake2_256(cid + sha + salt + b"\x03" * 32)


def _matrix(rows: list[list[int]]) -> list[list[int]]:
    return [list(r) for r in rows]


def _round(
    shas: list[int], scores: list[tuple[int, list[list[int]]]], drawn: int | None = None
) -> logic.RoundResult:
    adapters = [Adapter(bytes([i]) * 32, bytes([s]) * 32, 100) for i, s in enumerate(shas)]
    return logic.compute_round_result(
        adapters,
        drawn if drawn is not None else 100 * len(shas),
        scores,
        STATS,
        ProfileMode.Deterministic,
        improvement_index=1,
        loss_index=0,
        min_improvement=1_000,
        mad_factor=3_000,
        quorum=3,
    )


@given(st.permutations(range(3)), st.permutations(range(6)))
def test_round_result_ignores_the_order_of_scorers_and_trainers(
    scorer_order: list[int], trainer_order: list[int]
) -> None:
    shas = [1, 1, 1, 1, 1, 2]
    good, bad = [2_000_000, 50_000, 10], [2_500_000, -100_000, 10]
    matrices = [
        (100 + s, [list(good) if shas[t] == 1 else list(bad) for t in range(6)]) for s in range(3)
    ]
    base = _round(shas, matrices)
    shuffled_scores = [
        (b, [m[t] for t in trainer_order]) for b, m in (matrices[i] for i in scorer_order)
    ]
    again = _round([shas[t] for t in trainer_order], shuffled_scores)
    assert base.outcome is again.outcome is RoundOutcome.Accepted
    assert sorted(trainer_order[i] for i in again.accepted) == base.accepted
    assert sorted(trainer_order[i] for i in again.outliers) == base.outliers == [5]
    assert sorted(again.agreement) == sorted(base.agreement)


def test_round_result_no_majority_accepts_nothing() -> None:
    row = [2_000_000, 50_000, 10]
    result = _round([1, 1, 1, 2, 2, 2], [(100, [list(row) for _ in range(6)])])
    assert result.outcome is RoundOutcome.NoConsensus
    assert result.accepted == result.outliers == []


def test_round_result_without_improvement_makes_no_progress() -> None:
    row = [2_000_000, 500, 10]
    result = _round([1, 1, 1], [(100, [list(row) for _ in range(3)])])
    assert result.outcome is RoundOutcome.NoProgress


def test_round_result_without_reveals_or_scores() -> None:
    assert _round([], []).outcome is RoundOutcome.NoReveals
    assert _round([1], []).outcome is RoundOutcome.NoScores


@settings(max_examples=50)
@given(st.integers(10**5, 10**7))
def test_a_lying_scorer_is_clipped_and_agrees_less(lie: int) -> None:
    honest = [[2_000_000, 50_000, 10]] * 3
    lying = [[2_000_000 - lie, 50_000 + lie, 10]] * 3
    result = _round([1, 1, 1], [(100, _matrix(honest)), (100, _matrix(honest)), (100, lying)])
    assert result.consensus[0] == [2_000_000, 50_000, 10]
    assert result.agreement[2] < result.agreement[0] == 9


def test_next_phase_moves_one_step_at_a_deadline() -> None:
    deadlines = {"commit_ends": 5, "reveal_ends": 10, "score_ends": 15, "dispute_ends": 20}
    phase = logic.RoundPhase.Commit
    assert logic.next_phase(phase, 4, **deadlines) is phase
    assert logic.next_phase(phase, 30, **deadlines) is logic.RoundPhase.Reveal
    closed = logic.RoundPhase.Closed
    assert logic.next_phase(closed, 99, **deadlines) is closed
    with pytest.raises(ValueError, match="ordered"):
        logic.next_phase(phase, 1, commit_ends=5, reveal_ends=4, score_ends=6, dispute_ends=7)


round_shapes = st.integers(1, 6).flatmap(
    lambda trainers: st.tuples(
        st.lists(st.integers(1, 3), min_size=trainers, max_size=trainers),
        st.lists(st.integers(1, 50), min_size=trainers, max_size=trainers),
        st.lists(
            st.tuples(
                st.integers(1, 100),
                st.lists(
                    st.lists(st.integers(-(10**6), 10**6), min_size=3, max_size=3),
                    min_size=trainers,
                    max_size=trainers,
                ),
            ),
            min_size=1,
            max_size=4,
        ),
        st.integers(0, 100),
    )
)


@settings(max_examples=150)
@given(
    round_shapes, st.sampled_from([ProfileMode.Deterministic, ProfileMode.Tolerant]), st.randoms()
)
def test_round_result_outliers_never_hold_the_majority_and_order_does_not_matter(
    shape: tuple[list[int], list[int], list[tuple[int, list[list[int]]]], int],
    mode: ProfileMode,
    rnd: object,
) -> None:
    shas, bonds_, scores, absent = shape
    adapters = [
        Adapter(bytes([i]) * 32, bytes([s]) * 32, b)
        for i, (s, b) in enumerate(zip(shas, bonds_, strict=True))
    ]
    drawn = sum(bonds_) + absent

    def run(adapters: list[Adapter], scores: list[tuple[int, list[list[int]]]]) -> Any:
        return logic.compute_round_result(
            adapters,
            drawn,
            scores,
            STATS,
            mode,
            improvement_index=1,
            loss_index=0,
            min_improvement=0,
            mad_factor=3_000,
            quorum=2,
        )

    result = run(adapters, scores)
    outlier_bond = sum(adapters[i].bond for i in result.outliers)
    assert 2 * outlier_bond < drawn
    if result.accepted:
        assert 2 * sum(adapters[i].bond for i in result.accepted) > drawn
    order = list(range(len(adapters)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    scorer_order = list(range(len(scores)))
    rnd.shuffle(scorer_order)  # type: ignore[attr-defined]
    again = run(
        [adapters[i] for i in order],
        [(scores[s][0], [scores[s][1][i] for i in order]) for s in scorer_order],
    )
    assert again.outcome is result.outcome
    assert sorted(order[i] for i in again.accepted) == result.accepted
    assert sorted(order[i] for i in again.outliers) == result.outliers
    assert [again.agreement[scorer_order.index(s)] for s in range(len(scores))] == result.agreement
