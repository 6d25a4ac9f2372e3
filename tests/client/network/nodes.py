"""In-process nodes on loopback for the multi-node tests: real services, real sockets.

Every node's clock is frozen at one slot (so imports never see a slot in the future) and no
node runs its authoring loop: a test authors blocks explicitly with `author`, in increasing
slots below the frozen one (`alice_slots`; add 1, 2, 3 for Bob's, Charlie's, Dave's).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from deepshard.client.consensus.finality_votes import Justification, SignedPrecommit
from deepshard.client.node.block_production import propose_block
from deepshard.client.node.cli import load_chain_spec
from deepshard.client.node.config import NodeConfig, P2pOptions
from deepshard.client.node.service import NodeService
from deepshard.pallets.grandpa import Stage, vote_payload
from deepshard.primitives.codec import H256, H512
from deepshard.primitives.crypto import KeyType, dev_keypair
from deepshard.primitives.numeric import U32, U64

SLOT_MS = 6_000
AUTHORITIES = 4
# A slot of Dave's (index 3), a little in the past: the frozen "now" of every node.
FROZEN_SLOT = (int(time.time() * 1000) // SLOT_MS) // AUTHORITIES * AUTHORITIES - 1
FROZEN_MILLIS = FROZEN_SLOT * SLOT_MS


def alice_slots(count: int, start: int = 0) -> list[int]:
    """`count` increasing slots of Alice's, all before the frozen slot."""
    first = FROZEN_SLOT - 3 - AUTHORITIES * 400
    return [first + AUTHORITIES * (start + i) for i in range(count)]


async def start_node(
    base: Path,
    *,
    dev_key: str | None = None,
    bootnodes: tuple[str, ...] = (),
    node_key: str | None = None,
    **p2p: object,
) -> NodeService:
    """Start a `--chain local` node listening on a free loopback port."""
    options = P2pOptions(
        listen=("/ip4/127.0.0.1/tcp/0",),
        bootnodes=bootnodes,
        node_key=node_key,
        **p2p,  # type: ignore[arg-type]
    )
    config = NodeConfig(
        chain_spec=load_chain_spec("local"),
        base_path=base,
        validator=dev_key is not None,
        dev_key=dev_key,
        rpc_port=0,
        p2p=options,
        extra={"clock": lambda: FROZEN_MILLIS, "finality_step": 0.2, "authoring": False},
    )
    node = NodeService(config)
    await node.start()
    return node


def address_of(node: NodeService) -> str:
    """The node's dialable address, with its peer id."""
    return node.listen_addresses()[0]


async def author(node: NodeService, slot: int) -> None:
    """Have `node` author its block of `slot` on the import thread."""
    loop = asyncio.get_running_loop()
    proposed = await loop.run_in_executor(node.import_worker, node.author_slot, slot)
    assert proposed is not None, f"slot {slot} is not this node's"


async def until(condition: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    """Wait until `condition()` holds (polling), or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await asyncio.sleep(0.05)


async def stop_all(*nodes: NodeService) -> None:
    """Stop nodes (each at most once)."""
    for node in nodes:
        await node.stop()


def justification_for(node: NodeService, block_hash: H256, round_: int = 1) -> bytes:
    """A justification of `block_hash` signed by all four dev finality authorities."""
    header = node.db.header(block_hash)
    assert header is not None
    number = int(header.number)
    precommits = []
    for name in ("Alice", "Bob", "Charlie", "Dave"):
        key = dev_keypair(name, KeyType.ED25519)
        payload = vote_payload(Stage.PRECOMMIT, bytes(block_hash), number, round_, 0)
        precommits.append(
            SignedPrecommit(
                target_hash=block_hash,
                target_number=U32(number),
                signature=H512(key.sign(payload)),
                voter=H256(key.public_key),
            )
        )
    return Justification(
        round=U64(round_),
        set_id=U64(0),
        target_hash=block_hash,
        target_number=U32(number),
        precommits=tuple(sorted(precommits, key=lambda p: bytes(p.voter))),
    ).encode()


def build_chain(node: NodeService, count: int, *, justify_every: int = 0) -> None:
    """Append `count` light blocks, sealed round-robin by the four authorities, to `node`
    (not started); finalize every `justify_every`-th block with a justification."""
    keys = [dev_keypair(name, KeyType.SR25519) for name in ("Alice", "Bob", "Charlie", "Dave")]
    first = FROZEN_SLOT - 3 - AUTHORITIES * 2 - count
    for offset in range(count):
        slot = first + offset
        parent = node.best_header()
        state = node.db.state_at(parent.hash())
        assert state is not None
        proposed = propose_block(
            node.runtime, state, parent, slot, SLOT_MS, keys[slot % 4], (), budget_seconds=1.0
        )
        node.import_own(proposed, single_authority=False)
        number = int(proposed.block.header.number)
        if justify_every and number % justify_every == 0:
            block_hash = proposed.block.header.hash()
            node.finalize_block(block_hash, justification_for(node, block_hash))


def new_node(base: Path, *, bootnodes: tuple[str, ...] = ()) -> NodeService:
    """A `--chain local` node service, not started (its clock frozen as `start_node`'s)."""
    return NodeService(
        NodeConfig(
            chain_spec=load_chain_spec("local"),
            base_path=base,
            rpc_port=0,
            p2p=P2pOptions(listen=("/ip4/127.0.0.1/tcp/0",), bootnodes=bootnodes),
            extra={"clock": lambda: FROZEN_MILLIS, "finality_step": 0.2},
        )
    )
