"""Real node processes on loopback: `--chain local` with four validators and a full node.

They author round-robin (6-second Aura slots) and finalize with the GRANDPA-style gadget;
substrate-interface and @polkadot/api see the finalized head advance on every node; a
transaction sent to the full node is gossiped and included by a validator; with one validator
killed finality continues, with two it stalls while blocks are still authored, and it resumes
when they come back and catch up.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from substrateinterface import Keypair, SubstrateInterface
from tests.e2e.conftest import RunningNode, deepshard_command, free_port

from deepshard.client.network.identity import NodeKey

pytestmark = pytest.mark.e2e

NAMES = ("alice", "bob", "charlie", "dave")
SCRIPT_DIR = Path(__file__).parent / "js"
START_TIMEOUT = 60.0


@dataclass
class Member:
    """One node of the network: how to (re)start it and the running process."""

    name: str
    base: Path
    rpc_port: int
    p2p_port: int
    key: NodeKey
    flags: tuple[str, ...]
    node: RunningNode | None = None

    @property
    def address(self) -> str:
        return f"/ip4/127.0.0.1/tcp/{self.p2p_port}/p2p/{self.key.peer_id}"

    def start(self, bootnodes: tuple[str, ...]) -> RunningNode:
        log_path = self.base.parent / f"{self.name}.log"
        boot = [f for b in bootnodes for f in ("--bootnodes", b)]
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [
                    *deepshard_command(),
                    "node",
                    "--chain",
                    "local",
                    "--base-path",
                    str(self.base),
                    "--rpc-port",
                    str(self.rpc_port),
                    "--listen-addr",
                    f"/ip4/127.0.0.1/tcp/{self.p2p_port}",
                    "--node-key",
                    self.key.secret_hex(),
                    *boot,
                    *self.flags,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        node = RunningNode(process, self.rpc_port, self.base, log_path)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{node.log()}")
            try:
                node.rpc("system_health")
                self.node = node
                return node
            except OSError:
                time.sleep(0.2)
        process.kill()
        raise RuntimeError(f"{self.name} did not answer:\n{node.log()}")

    def kill(self) -> None:
        if self.node is not None and self.node.process.poll() is None:
            self.node.process.send_signal(signal.SIGKILL)
            self.node.process.wait()
        self.node = None

    def rpc(self, method: str, params: object = None) -> Any:
        assert self.node is not None
        answer = self.node.rpc(method, params)
        assert "error" not in answer, answer
        return answer["result"]

    def finalized(self) -> int:
        head = self.rpc("chain_getFinalizedHead")
        return int(self.rpc("chain_getHeader", [head])["number"], 16)

    def best(self) -> int:
        return int(self.rpc("chain_getHeader")["number"], 16)


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Member]]:
    tmp = tmp_path_factory.mktemp("network")
    members = {
        name: Member(
            name,
            tmp / name,
            free_port(),
            free_port(),
            NodeKey.generate(),
            (f"--{name}",),
        )
        for name in NAMES
    }
    members["full"] = Member("full", tmp / "full", free_port(), free_port(), NodeKey.generate(), ())
    boot = (members["alice"].address,)
    try:
        members["alice"].start(())
        for name in ("bob", "charlie", "dave", "full"):
            members[name].start(boot)
        yield members
    finally:
        for member in members.values():
            if member.node is not None and member.node.process.poll() is None:
                member.node.process.send_signal(signal.SIGINT)
        for member in members.values():
            if member.node is not None:
                try:
                    member.node.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    member.node.process.kill()


def test_network_identity_and_peers(network: dict[str, Member]) -> None:
    full = network["full"]
    assert full.rpc("system_localPeerId") == str(full.key.peer_id)
    assert full.address in full.rpc("system_localListenAddresses")
    _wait(lambda: full.rpc("system_health")["peers"] >= 4, 60, "the full node's peers")
    peers = full.rpc("system_peers")
    roles = {p["peerId"]: p["roles"] for p in peers}
    for name in NAMES:
        assert roles[str(network[name].key.peer_id)] == "AUTHORITY"
    assert full.rpc("system_nodeRoles") == ["Full"]


def test_authorities_author_round_robin_and_finalize(network: dict[str, Member]) -> None:
    alice = network["alice"]
    _wait(lambda: alice.finalized() >= 4, 100, "four finalized blocks")
    # Every node agrees on the finalized chain, which substrate-interface reads too.
    target = alice.finalized()
    for member in network.values():
        _wait(lambda m=member: m.finalized() >= target, 30, f"{member.name} finalizes")
        substrate = SubstrateInterface(url=member.node.ws_url)  # type: ignore[union-attr]
        head = substrate.get_chain_finalised_head()
        assert substrate.get_block_number(head) >= target
        assert head == substrate.get_block_hash(substrate.get_block_number(head))
        substrate.close()
    # Round-robin: the first four blocks have four different Aura authors.
    authors = set()
    for number in range(1, 5):
        block_hash = alice.rpc("chain_getBlockHash", [number])
        header = alice.rpc("chain_getHeader", [block_hash])
        authors.add(header["digest"]["logs"][0])
    assert len(authors) == 4
    state = alice.rpc("grandpa_roundState")
    assert state["best"]["totalWeight"] == 4
    assert state["best"]["thresholdWeight"] == 3


def test_justifications_subscription(network: dict[str, Member]) -> None:
    from websocket import create_connection  # noqa: PLC0415

    from deepshard.client.consensus.finality_votes import Justification  # noqa: PLC0415

    full = network["full"]
    socket = create_connection(full.node.ws_url, timeout=60)  # type: ignore[union-attr]
    try:
        socket.send(
            json.dumps({"jsonrpc": "2.0", "id": 1, "method": "grandpa_subscribeJustifications"})
        )
        answer = json.loads(socket.recv())
        assert isinstance(answer["result"], str)
        while True:
            message = json.loads(socket.recv())
            if message.get("method") == "grandpa_justifications":
                break
        justification = Justification.decode(bytes.fromhex(message["params"]["result"][2:]))
        assert len(justification.precommits) >= 3
        target = "0x" + bytes(justification.target_hash).hex()
        header = full.rpc("chain_getHeader", [target])
        assert int(header["number"], 16) == int(justification.target_number)
    finally:
        socket.close()


def test_polkadot_api_sees_finality_advance_on_every_node(network: dict[str, Member]) -> None:
    node = shutil.which("node")
    if node is None or not (SCRIPT_DIR / "node_modules" / "@polkadot" / "api").exists():
        pytest.fail("Node.js and the npm packages are needed: run `make js-deps`")
    urls = [m.node.ws_url for m in network.values() if m.node is not None]
    result = subprocess.run(
        [node, str(SCRIPT_DIR / "finalized_heads.mjs"), "1", *urls],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    found = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert len(found) == len(urls)
    for entry in found:
        assert entry["last"]["number"] >= entry["first"]["number"] + 1
        assert entry["peers"] >= 1


def test_a_transaction_sent_to_the_full_node_is_included(network: dict[str, Member]) -> None:
    full = network["full"]
    substrate = SubstrateInterface(url=full.node.ws_url)  # type: ignore[union-attr]
    call = substrate.compose_call(
        "Balances",
        "transfer_keep_alive",
        {"dest": Keypair.create_from_uri("//Ferdie").ss58_address, "value": 10**12},
    )
    extrinsic = substrate.create_signed_extrinsic(call, Keypair.create_from_uri("//Eve"))
    receipt = substrate.submit_extrinsic(extrinsic, wait_for_inclusion=True)
    assert receipt.is_success
    substrate.close()


def test_session_key_rpc(network: dict[str, Member]) -> None:
    full = network["full"]
    keys = full.rpc("author_rotateKeys")
    raw = bytes.fromhex(keys[2:])
    assert len(raw) == 64
    assert full.rpc("author_hasKey", ["0x" + raw[:32].hex(), "aura"]) is True
    assert full.rpc("author_hasKey", ["0x" + raw[32:].hex(), "gran"]) is True
    ferdie = Keypair.create_from_uri("//Ferdie")
    ferdie_public = "0x" + ferdie.public_key.hex()
    assert full.rpc("author_insertKey", ["aura", "//Ferdie", ferdie_public]) is None
    assert full.rpc("author_hasKey", [ferdie_public, "aura"]) is True
    refused = full.node.rpc("author_insertKey", ["nope", "//Ferdie", "0x" + "00" * 32])  # type: ignore[union-attr]
    assert refused["error"]["code"] == 1005


def test_finality_survives_one_failure_and_resumes_after_two(network: dict[str, Member]) -> None:
    alice, full = network["alice"], network["full"]
    network["dave"].kill()
    start = alice.finalized()
    _wait(lambda: alice.finalized() >= start + 2, 90, "finality without Dave")
    network["charlie"].kill()
    time.sleep(3)
    stalled = max(m.finalized() for m in (alice, network["bob"], full))
    best = alice.best()
    _wait(lambda: alice.best() >= best + 2, 60, "authoring without two validators")
    assert alice.finalized() <= stalled + 1  # at most a round already under way
    stalled = alice.finalized()
    time.sleep(6)
    assert alice.finalized() == stalled
    boot = (alice.address,)
    network["charlie"].start(boot)
    network["dave"].start(boot)
    _wait(lambda: alice.finalized() > stalled + 1, 90, "finality resumes")
    target = alice.finalized()
    for name in ("charlie", "dave", "full"):
        member = network[name]
        _wait(lambda m=member: m.finalized() >= target, 60, f"{name} catches up")
