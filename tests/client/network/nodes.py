"""In-process nodes on loopback for the multi-node tests: real services, real sockets.

Every node's clock is frozen at one slot owned by Dave (who runs nowhere here), so no node
authors on its own; a test authors Alice's blocks explicitly with `author`, in increasing
slots of Alice's below the frozen one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from deepshard.client.node.cli import load_chain_spec
from deepshard.client.node.config import NodeConfig, P2pOptions
from deepshard.client.node.service import NodeService

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
        extra={"clock": lambda: FROZEN_MILLIS, "finality_step": 0.2},
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
