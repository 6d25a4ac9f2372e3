"""The round page's numbers and charts.

`aggregation` restates the Training pallet's consensus and outlier rule for display (the
explorer reaches the chain only over RPC, so it cannot import the pallet); hypothesis checks it
against the pallet's own `logic` functions, which are the oracle here. The SVG of a statistic is
parsed as XML and its marks checked against the numbers it draws.
"""

from __future__ import annotations

import asyncio
import contextlib
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepshard.client.explorer.aggregation import (
    band,
    consensus,
    distance,
    lower_median,
    phase_at,
    statistics_view,
    weighted_median,
)
from deepshard.client.explorer.charts import statistic_chart
from deepshard.client.explorer.live import TipWatcher
from deepshard.pallets.training import logic

SVG = "{http://www.w3.org/2000/svg}"
values = st.integers(-(10**12), 10**12)


@given(st.lists(st.tuples(values, st.integers(0, 10**6)), min_size=1, max_size=12))
def test_weighted_median_is_the_pallets(samples: list[tuple[int, int]]) -> None:
    if sum(b for _, b in samples) == 0:
        with pytest.raises(ValueError, match="positive total bond"):
            weighted_median(samples)
        return
    assert weighted_median(samples) == logic.compute_weighted_median(samples)


@given(
    st.integers(1, 6).flatmap(
        lambda adapters: st.integers(1, 5).flatmap(
            lambda width: st.lists(
                st.tuples(
                    st.integers(1, 10**4),
                    st.lists(
                        st.lists(values, min_size=width, max_size=width),
                        min_size=adapters,
                        max_size=adapters,
                    ),
                ),
                min_size=1,
                max_size=5,
            )
        )
    ),
    st.integers(0, 10_000),
    st.lists(st.integers(1, 10**6), min_size=5, max_size=5),
)
def test_consensus_and_outliers_are_the_pallets(
    scored: list[tuple[int, list[list[int]]]], mad_factor: int, floors: list[int]
) -> None:
    adapters, width = len(scored[0][1]), len(scored[0][1][0])
    rows = consensus(scored, adapters, width)
    assert rows == logic.compute_consensus([m for _, m in scored], [b for b, _ in scored])
    stats = [logic.Statistic(True, floors[k]) for k in range(width)]
    bands = [band([r[k] for r in rows], floors[k], mad_factor) for k in range(width)]
    ours = [i for i, row in enumerate(rows) if distance(row, bands) > width * 1_000_000]
    assert ours == logic.compute_tolerant_outliers(rows, stats, mad_factor)
    for k, found in enumerate(bands):
        assert found.median == logic.compute_median([r[k] for r in rows])
        assert found.low <= found.median <= found.high


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one scorer"):
        consensus([], 1, 1)
    with pytest.raises(ValueError, match="every statistic"):
        consensus([(1, [[1, 2]])], 1, 3)
    with pytest.raises(ValueError, match="floor is positive"):
        band([1], 0, 1000)
    with pytest.raises(ValueError, match="needs values"):
        lower_median([])


def test_the_phase_follows_the_deadlines() -> None:
    kwargs: dict[str, Any] = {
        "opened": 10,
        "commit_ends": 12,
        "reveal_ends": 14,
        "aggregated": 16,
        "closed": 18,
    }
    seen = [phase_at(n, **kwargs) for n in range(9, 20)]
    assert seen == [
        None,
        "Commit",
        "Commit",
        "Reveal",
        "Reveal",
        "Score",
        "Score",
        "Dispute",
        "Dispute",
        "Closed",
        "Closed",
    ]
    # Not aggregated yet at its score deadline: still Score, as the chain shows until the event.
    assert phase_at(30, **{**kwargs, "aggregated": None, "closed": None}) == "Score"


GOOD = [2_000_000, 50_000, -1_000_000, 300_000, 10_000]
BAD = [2_400_000, -350_000, -1_600_000, 900_000, 500_000]
LAYOUT = [
    {"name": "heldout_loss", "higher_is_better": False, "floor": 10_000},
    {"name": "heldout_improvement", "higher_is_better": True, "floor": 10_000},
    {"name": "probe_loglik", "higher_is_better": True, "floor": 20_000},
    {"name": "curvature", "higher_is_better": True, "floor": 50_000},
    {"name": "weight_distance", "higher_is_better": False, "floor": 50_000},
]


def test_a_chart_marks_the_outlier_outside_the_band() -> None:
    trainers = [f"5Trainer{i}{'x' * 40}" for i in range(5)]
    rows = [BAD, GOOD, GOOD, GOOD, GOOD]
    views = statistics_view(LAYOUT, trainers, rows, 3_000, [trainers[0]])
    assert [v["median"] for v in views] == GOOD
    for view in views:
        svg = ET.fromstring(statistic_chart(view))
        band_rect = svg.find(f"{SVG}rect[@class='band']")
        assert band_rect is not None
        left = float(band_rect.get("x", "0"))
        right = left + float(band_rect.get("width", "0"))
        dots = {d.get("data-trainer"): d for d in svg.iter(f"{SVG}circle") if d.get("data-value")}
        assert set(dots) == set(trainers)
        outlier = dots[trainers[0]]
        assert outlier.get("class") == "dot outlier"
        assert not left <= float(outlier.get("cx", "0")) <= right
        for honest in trainers[1:]:
            assert dots[honest].get("class") == "dot inside"
            assert left <= float(dots[honest].get("cx", "0")) <= right
        flags = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "flag"]
        assert flags == ["outlier"]
        assert len([c for c in svg.iter(f"{SVG}circle") if c.get("class") == "ring"]) == 1


def test_a_chart_of_equal_values_and_odd_names_is_well_formed() -> None:
    view = statistics_view(
        [{"name": "<loss & co>", "higher_is_better": True, "floor": 1}],
        ["<b>"],
        [[7]],
        0,
        [],
    )[0]
    svg = ET.fromstring(statistic_chart(view))
    assert "<loss & co>" in (svg.get("aria-label") or "")


def test_the_tip_watcher_fans_one_poller_out() -> None:
    reads: list[int] = []
    tips = iter(range(1000))

    def read() -> dict[str, Any]:
        reads.append(1)
        return {"best": next(tips) // 3}

    async def scenario() -> None:
        watcher = TipWatcher(read, interval=0.01)

        async def listen() -> list[int]:
            seen = []
            async with contextlib.aclosing(watcher.subscribe(heartbeat=5)) as stream:
                async for tip in stream:
                    assert tip is not None
                    seen.append(tip["best"])
                    if len(seen) == 3:
                        break
            return seen

        first, second = await asyncio.gather(listen(), listen())
        assert first == second == [0, 1, 2]  # each change once, in order, to both
        assert watcher.listeners == 0
        assert watcher._task is None  # the poller stopped with the last listener

    asyncio.run(scenario())
    assert len(reads) < 20  # one poller for both listeners
