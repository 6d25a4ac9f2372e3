"""SIGKILL a producing `deepshard node` at random moments; every restart must find it whole.

After each kill the database is opened directly (the node is gone, so its lock is free):
it must open, `verify(deep=True)` must pass (the best state re-roots node by node, reference
counts and the canonical chain are complete), no block reported imported before the kill may
be missing, and the best block never goes back. Then the node is restarted on the same base
path and must author again.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any

import pytest

from deepshard.client.db import ChainDatabase
from deepshard.primitives.codec import H256
from deepshard.primitives.header import Header

pytestmark = pytest.mark.e2e

KILLS = int(os.environ.get("DEEPSHARD_CRASH_KILLS", "20"))
"""Kills per run (20 by default, as the issue asks; fewer for a quick local check)."""


def _best_number(node: Any) -> int:
    header = node.rpc("chain_getHeader")["result"]
    return int(header["number"], 16)


def _imported_hashes(log: str) -> list[str]:
    return [
        line.split("(0x")[1].split(")")[0] for line in log.splitlines() if "✨ Imported #" in line
    ]


@pytest.mark.slow
def test_sigkill_during_block_production(tmp_path: Path, launch: Any) -> None:
    rng = random.Random(0xDEE95)
    base = tmp_path / "base"
    best_seen = 0
    for round_ in range(KILLS):
        work = tmp_path / f"run{round_}"
        work.mkdir()
        node = launch(work, base_path=base)
        try:
            deadline = time.monotonic() + 30
            while _best_number(node) <= best_seen and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _best_number(node) > best_seen, "the node did not author after restart"
            time.sleep(rng.uniform(0.0, 7.0))
        finally:
            node.process.kill()
            node.process.wait()
        imported = _imported_hashes(node.log())
        database = ChainDatabase(base / "chains" / "dev" / "db")
        try:
            database.verify(deep=True)
            for block_hash in imported:
                stored = database.header(H256(bytes.fromhex(block_hash)))
                assert isinstance(stored, Header), f"block 0x{block_hash} was lost"
                assert database.body(H256(bytes.fromhex(block_hash))) is not None
            best = database.best_number
            assert best >= best_seen
            best_seen = best
        finally:
            database.close()
    assert best_seen >= KILLS
