"""A fresh node syncs a chain whose finality is proven by justifications: it reaches the
source's best and finalized blocks, finalizing as each justified block arrives. The default
run syncs 300 blocks; the `slow` run syncs 10,000."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.client.network.nodes import address_of, build_chain, new_node, stop_all, until

from deepshard.client.network.sync import BATCH


async def _sync(tmp_path: Path, count: int, justify_every: int) -> None:
    source = new_node(tmp_path / "source")
    build_chain(source, count, justify_every=justify_every)
    expected_final = count // justify_every * justify_every
    assert int(source.db.finalized_number) == expected_final
    await source.start()
    follower = new_node(tmp_path / "follower", bootnodes=(address_of(source),))
    await follower.start()
    try:
        assert follower.sync is not None
        sync = follower.sync
        await until(sync.is_major_syncing, what="the follower sees it is behind")
        line, _ = follower.informant_line((0, 0, 0), 5.0)
        assert line.startswith("⚙️  Syncing ")
        assert f"target=#{count} (1 peers)" in line
        await until(
            lambda: (
                follower.db.best_hash == source.db.best_hash
                and follower.db.finalized_hash == source.db.finalized_hash
                and follower.metrics.sync_imported_blocks._value.get() == count
            ),
            timeout=max(60.0, count / 20),
            what="the follower syncs",
        )
        assert follower.db.finalized_hash == source.db.finalized_hash
        assert int(follower.db.finalized_number) == expected_final
        justifications = follower.db.justifications(follower.db.finalized_hash)
        assert justifications is not None
        assert justifications[0][0] == b"FRNK"
        assert follower.sync_state()["highestBlock"] == count
        assert not follower.is_syncing()
        line, _ = follower.informant_line((count, 0, 0), 5.0)
        assert line.startswith(f"💤 Idle (1 peers), best: #{count} ")
        follower._update_metrics()
        metrics = follower.metrics.registry
        assert metrics.get_sample_value("substrate_sync_imported_blocks_total") == count
        assert metrics.get_sample_value("substrate_sub_libp2p_peers_count") == 1
        assert metrics.get_sample_value("substrate_sub_libp2p_is_major_syncing") == 0
    finally:
        await stop_all(follower, source)


async def test_sync_of_a_justified_chain(tmp_path: Path) -> None:
    await _sync(tmp_path, 2 * BATCH + 44, justify_every=50)


@pytest.mark.slow
async def test_sync_of_ten_thousand_blocks(tmp_path: Path) -> None:
    await _sync(tmp_path, 10_000, justify_every=512)
