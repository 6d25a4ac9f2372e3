"""Hostile peers against a real node on loopback: each misbehaviour gets the peer disconnected
and banned (it cannot reconnect), while an honest peer keeps syncing."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from tests.client.network.nodes import address_of, alice_slots, author, start_node, stop_all, until

from deepshard.client.consensus.aura import seal_header
from deepshard.client.network.address import Multiaddr
from deepshard.client.network.identity import NodeKey
from deepshard.client.network.messages import (
    MIN_PROTOCOL_VERSION,
    PROTOCOL_VERSION,
    BlockData,
    BlockRequest,
    BlockResponse,
    Role,
    Status,
    Transactions,
    decode_message,
)
from deepshard.client.network.session import SessionError
from deepshard.client.network.transport import Connection, TcpTransport
from deepshard.client.node.service import NodeService
from deepshard.primitives.codec import H256
from deepshard.primitives.crypto import KeyType, dev_keypair
from deepshard.primitives.header import Digest
from deepshard.primitives.numeric import U8, U32


def _status(node: NodeService, *, genesis: H256 | None = None, best: int = 0) -> Status:
    return Status(
        version=U32(PROTOCOL_VERSION),
        min_version=U32(MIN_PROTOCOL_VERSION),
        roles=U8(int(Role.FULL)),
        genesis=genesis or node.genesis_hash,
        best_number=U32(best),
        best_hash=node.genesis_hash if best == 0 else H256(b"\x42" * 32),
        finalized_number=U32(0),
        finalized_hash=node.genesis_hash,
        listen=(),
    )


async def _connect(node: NodeService, key: NodeKey) -> Connection:
    transport = TcpTransport(key)
    return await transport.dial(Multiaddr.parse(address_of(node)))


async def _banned(node: NodeService, key: NodeKey) -> None:
    assert node.network is not None
    network = node.network
    await until(lambda: network.peerset.is_banned(key.peer_id), 10, "the ban")
    await until(lambda: key.peer_id not in network.peers, 10, "the disconnection")
    # It cannot come back while banned: the node hangs up right after the handshake.
    connection = await _connect(node, key)
    with pytest.raises(SessionError):
        await asyncio.wait_for(connection.recv(), 5)
    await connection.close()


async def _alice(tmp_path: Path) -> NodeService:
    return await start_node(tmp_path / "alice", dev_key="Alice")


async def test_a_peer_on_another_genesis_is_banned(tmp_path: Path) -> None:
    node = await _alice(tmp_path)
    try:
        key = NodeKey.generate()
        connection = await _connect(node, key)
        await connection.send(_status(node, genesis=H256(b"\x01" * 32)).encode())
        await _banned(node, key)
    finally:
        await stop_all(node)


async def test_garbage_and_forged_frames_get_a_peer_banned(tmp_path: Path) -> None:
    node = await _alice(tmp_path)
    try:
        garbage = NodeKey.generate()
        connection = await _connect(node, garbage)
        await connection.send(_status(node).encode())
        await connection.send(b"\xff\x00garbage")  # authenticated, but no message
        await _banned(node, garbage)

        forger = NodeKey.generate()
        connection = await _connect(node, forger)
        await connection.send(_status(node).encode())
        raw = bytearray(connection.encrypt(b"\x05"))  # type: ignore[attr-defined]
        raw[-1] ^= 0xFF
        connection._writer.write(bytes(raw))  # type: ignore[attr-defined]
        await _banned(node, forger)
    finally:
        await stop_all(node)


async def test_a_flood_gets_a_peer_banned_and_an_honest_peer_keeps_up(tmp_path: Path) -> None:
    node = await start_node(tmp_path / "alice", dev_key="Alice")
    slots = iter(alice_slots(20))
    follower = await start_node(tmp_path / "bob", bootnodes=(address_of(node),))
    try:
        assert node.network is not None
        await until(lambda: len(node.network.peers) == 1, what="the honest peer")
        flooder = NodeKey.generate()
        connection = await _connect(node, flooder)
        await connection.send(_status(node).encode())
        empty = Transactions(extrinsics=()).encode()
        try:
            for _ in range(50_000):  # far above the burst and the rate
                await connection.send(empty)
        except SessionError:
            pass  # the node hung up on the flood
        await _banned(node, flooder)
        for _ in range(3):
            await author(node, next(slots))
        await until(lambda: follower.db.best_hash == node.db.best_hash, what="honest sync")
    finally:
        await stop_all(follower, node)


async def test_a_peer_serving_an_invalid_block_is_banned(tmp_path: Path) -> None:
    # The source of a genuine block 1 (authored by Alice), and a node that will sync.
    source = await start_node(tmp_path / "source", dev_key="Alice")
    await author(source, alice_slots(1)[0])
    block_hash = source.db.best_hash
    header = source.db.header(block_hash)
    body = source.db.body(block_hash)
    assert header is not None
    assert body is not None
    await stop_all(source)
    # The liar re-seals Alice's block with Bob's key.
    unsealed = replace(header, digest=Digest(logs=header.digest.logs[:-1]))
    forged = seal_header(unsealed, dev_keypair("Bob", KeyType.SR25519))
    victim = await start_node(tmp_path / "victim")
    try:
        liar = NodeKey.generate()
        connection = await _connect(victim, liar)
        await connection.send(_status(victim, best=1).encode())
        genesis = victim.db.header(victim.genesis_hash)
        assert genesis is not None
        for _ in range(10):
            request = decode_message(await asyncio.wait_for(connection.recv(), 10))
            if not isinstance(request, BlockRequest):
                continue
            if int(request.from_number) == 0 and request.from_hash is None:
                data = BlockData(
                    hash=victim.genesis_hash, header=genesis, body=(), justification=None
                )
            else:
                data = BlockData(hash=forged.hash(), header=forged, body=body, justification=None)
            await connection.send(BlockResponse(id=request.id, blocks=(data,)).encode())
            if data.header is forged:
                break
        await _banned(victim, liar)
        assert victim.db.best_number == 0
    finally:
        await stop_all(victim)
