"""SIGKILL of random nodes at random moments, 20 times, in a network of four validators and a
full node: no finalized block is ever lost or reverted (each node's finalized head never goes
back, even across its own crash), every killed node resyncs, and all nodes end on one chain.
Marked `slow` (a few minutes): ``make slow`` runs it."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest
from tests.e2e.conftest import free_port
from tests.e2e.test_e2e_network import NAMES, Member, _wait

from deepshard.client.network.identity import NodeKey

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

KILLS = 20


@pytest.fixture
def members(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Member]]:
    tmp = tmp_path_factory.mktemp("chaos")
    nodes = {
        name: Member(name, tmp / name, free_port(), free_port(), NodeKey.generate(), (f"--{name}",))
        for name in NAMES
    }
    nodes["full"] = Member("full", tmp / "full", free_port(), free_port(), NodeKey.generate(), ())
    try:
        nodes["alice"].start(())
        for name in ("bob", "charlie", "dave", "full"):
            nodes[name].start((nodes["alice"].address,))
        yield nodes
    finally:
        for member in nodes.values():
            if member.node is not None and member.node.process.poll() is None:
                member.node.process.send_signal(signal.SIGINT)
        for member in nodes.values():
            if member.node is not None:
                try:
                    member.node.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    member.node.process.kill()


def test_random_sigkills_never_lose_a_finalized_block(members: dict[str, Member]) -> None:
    rng = random.Random(20261204)
    finalized: dict[int, str] = {}  # every finalized (number -> hash) any node reported
    floor: dict[str, int] = dict.fromkeys(members, 0)  # each node's finalized, never lower

    def observe(member: Member) -> None:
        head = member.rpc("chain_getFinalizedHead")
        number = int(member.rpc("chain_getHeader", [head])["number"], 16)
        assert number >= floor[member.name], f"{member.name}'s finalized head went back"
        floor[member.name] = number
        for height in sorted({number, *[h for h in finalized if h <= number]})[-8:]:
            block = member.rpc("chain_getBlockHash", [height])
            known = finalized.setdefault(height, block)
            assert block == known, f"{member.name} reverted finalized block #{height}"

    _wait(lambda: members["alice"].finalized() >= 2, 120, "first finality")
    names = list(members)
    for _ in range(KILLS):
        victim = members[rng.choice(names)]
        time.sleep(rng.uniform(0.0, 4.0))
        for member in members.values():
            if member.node is not None:
                observe(member)
        victim.kill()
        time.sleep(rng.uniform(0.0, 3.0))
        others = [m.address for m in members.values() if m is not victim]
        victim.start(tuple(others[:2]))
        observe(victim)  # its database kept everything it had finalized
    target = max(m.finalized() for m in members.values()) + 1
    for member in members.values():
        _wait(lambda m=member: m.finalized() >= target, 120, f"{member.name} resyncs")
        observe(member)
