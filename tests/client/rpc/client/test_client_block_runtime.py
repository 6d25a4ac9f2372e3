"""`ChainClient.block` decodes a block with its parent's runtime and, walking a chain in order,
asks for no runtime version per block (only after a ``RuntimeEnvironmentUpdated`` block)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

from deepshard.client.rpc import RpcServer
from deepshard.client.rpc.client import ChainClient
from deepshard.primitives.codec import H256
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.header import Digest, Header, RuntimeEnvironmentUpdated

from ..conftest import FakeNode


def _upgrade_block(node: FakeNode) -> H256:
    """A block on the best one whose digest says the runtime environment changed."""
    parent = node.chain.best
    header = Header(
        parent_hash=parent,
        number=int(node.chain.headers[parent].number) + 1,
        state_root=H256(blake2_256(b"upgrade")),
        extrinsics_root=H256(blake2_256(b"\x00")),
        digest=Digest(logs=(RuntimeEnvironmentUpdated(),)),
    )
    return node.chain.add(header, (), dict(node.chain.states[parent]))


def test_walking_blocks_in_order_asks_for_the_runtime_once_per_change(
    make_server: Callable[..., RpcServer], node: FakeNode
) -> None:
    second = node.produce(value=b"two")
    upgrade = _upgrade_block(node)
    after = node.produce(value=b"after")
    url = make_server().url_ws
    asked: Counter[tuple[str, str]] = Counter()

    async def main() -> list[Any]:
        async with ChainClient.connect(url) as chain:
            rpc = chain.rpc

            async def counting(method: str, params: Any = None) -> Any:
                if method == "state_getRuntimeVersion":
                    asked[(method, params[0] if params else "")] += 1
                return await rpc(method, params)

            chain.rpc = counting  # type: ignore[method-assign]
            return [await chain.block(h) for h in (node.block1_hash, second, upgrade, after)]

    blocks = asyncio.run(asyncio.wait_for(main(), 60))
    # block 1 needs genesis' runtime; 2 and the upgrade block reuse it; the block after the
    # upgrade asks for the upgrade block's runtime
    assert asked == Counter(
        {
            ("state_getRuntimeVersion", "0x" + bytes(node.genesis_hash).hex()): 1,
            ("state_getRuntimeVersion", "0x" + bytes(upgrade).hex()): 1,
        }
    )
    assert [b.header.hash() for b in blocks] == [node.block1_hash, second, upgrade, after]
    assert all(b.extrinsics and b.extrinsics[0].call.pallet == "Timestamp" for b in blocks[:2])
