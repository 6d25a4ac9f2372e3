"""Several in-process nodes on loopback: sync from genesis, following announcements, peer
exchange, transaction gossip into a block, catch-up after a restart, and a reorg."""

from __future__ import annotations

from pathlib import Path

from tests.client.network.nodes import (
    address_of,
    alice_slots,
    author,
    start_node,
    stop_all,
    until,
)

from deepshard.client.network.identity import NodeKey
from deepshard.pallets.balances import Balances
from deepshard.primitives.crypto import KeyType, dev_keypair
from deepshard.primitives.extrinsic import Id
from deepshard.primitives.numeric import U128
from deepshard.primitives.signing import sign_extrinsic


def _transfer(node, nonce: int) -> bytes:  # type: ignore[no-untyped-def]
    runtime = node.runtime
    call = runtime.runtime.call_codec.encode(
        runtime.runtime.make_call(
            Balances,
            "transfer_keep_alive",
            dest=Id(dev_keypair("Ferdie", KeyType.SR25519).public_key),
            value=U128(10**12),
        )
    )
    return sign_extrinsic(
        call,
        dev_keypair("Eve", KeyType.SR25519),
        nonce=nonce,
        genesis_hash=bytes(node.genesis_hash),
        spec_version=int(runtime.version.spec_version),
        transaction_version=int(runtime.version.transaction_version),
    )


async def test_nodes_sync_follow_exchange_peers_and_gossip_transactions(tmp_path: Path) -> None:
    slots = iter(alice_slots(40))
    alice = await start_node(tmp_path / "alice", dev_key="Alice")
    nodes = [alice]
    try:
        for _ in range(5):
            await author(alice, next(slots))
        assert alice.db.best_number == 5
        # A fresh full node syncs from genesis through its bootnode.
        bob = await start_node(tmp_path / "bob", bootnodes=(address_of(alice),))
        nodes.append(bob)
        await until(lambda: bob.db.best_hash == alice.db.best_hash, what="bob syncs")
        # New blocks are announced and followed.
        for _ in range(3):
            await author(alice, next(slots))
        await until(lambda: bob.db.best_hash == alice.db.best_hash, what="bob follows")
        assert bob.db.best_number == 8
        # Charlie only knows Bob; peer exchange tells him about Alice.
        charlie = await start_node(tmp_path / "charlie", bootnodes=(address_of(bob),))
        nodes.append(charlie)
        await until(lambda: len(charlie.network.peers) == 2, what="charlie learns alice")
        await until(lambda: charlie.db.best_hash == alice.db.best_hash, what="charlie syncs")
        assert {p["peerId"] for p in charlie.peers()} == {
            alice.info.local_peer_id,
            bob.info.local_peer_id,
        }
        # A transaction submitted to a full node is gossiped to the author and included.
        transfer = _transfer(charlie, 0)
        charlie.pool.submit(transfer)
        await until(lambda: alice.pool.status().ready == 1, what="gossip reaches alice")
        await author(alice, next(slots))
        await until(lambda: charlie.db.best_hash == alice.db.best_hash, what="charlie imports")
        body = charlie.db.body(charlie.db.best_hash)
        assert body is not None
        assert transfer in body
        await until(lambda: charlie.pool.status().ready == 0, what="charlie's pool prunes")
        state = charlie.sync_state()
        assert state["currentBlock"] == state["highestBlock"] == 9
        assert not charlie.is_syncing()
    finally:
        await stop_all(*nodes)


async def test_a_restarted_node_catches_up(tmp_path: Path) -> None:
    slots = iter(alice_slots(40))
    alice = await start_node(tmp_path / "alice", dev_key="Alice")
    key = NodeKey.generate().secret_hex()
    bob = await start_node(tmp_path / "bob", bootnodes=(address_of(alice),), node_key=key)
    try:
        for _ in range(3):
            await author(alice, next(slots))
        await until(lambda: bob.db.best_number == 3, what="bob follows")
        await bob.stop()
        for _ in range(4):
            await author(alice, next(slots))
        bob = await start_node(tmp_path / "bob", bootnodes=(address_of(alice),), node_key=key)
        assert bob.db.best_number == 3  # its database survived
        assert bob.sync is not None
        assert bob.sync.starting_block == 3
        await until(lambda: bob.db.best_hash == alice.db.best_hash, what="bob catches up")
    finally:
        await stop_all(alice, bob)


async def test_a_node_on_a_shorter_fork_reorgs_to_the_longer_chain(tmp_path: Path) -> None:
    slots = alice_slots(40)
    # Alice and Bob (both authorities) build apart, then meet: Bob's fork is shorter.
    alice = await start_node(tmp_path / "alice", dev_key="Alice")
    bob = await start_node(tmp_path / "bob", dev_key="Bob")
    try:
        for i in range(2):
            await author(alice, slots[i])
        await author(bob, slots[0] + 1)  # a slot of Bob's, on genesis
        fork = bob.db.best_hash
        assert bob.network is not None
        assert await bob.network.dial(address_of_multiaddr(alice))
        await until(lambda: bob.db.best_hash == alice.db.best_hash, what="bob reorgs")
        assert bob.db.canonical_hash(1) == alice.db.canonical_hash(1)
        assert bob.db.canonical_hash(1) != fork
        assert bob.db.header(fork) is not None  # kept as a fork, just not best
    finally:
        await stop_all(alice, bob)


def address_of_multiaddr(node):  # type: ignore[no-untyped-def]
    from deepshard.client.network.address import Multiaddr  # noqa: PLC0415

    return Multiaddr.parse(address_of(node))


async def test_reserved_only_and_inbound_slots(tmp_path: Path) -> None:
    bob_key, carol_key = NodeKey.generate(), NodeKey.generate()
    bob = await start_node(tmp_path / "bob", node_key=bob_key.secret_hex())
    # Alice keeps Bob (reserved) and accepts nobody else.
    alice = await start_node(
        tmp_path / "alice",
        reserved=(address_of(bob),),
        reserved_only=True,
    )
    # Dave accepts one inbound peer only.
    dave = await start_node(tmp_path / "dave", in_peers=1)
    carol = await start_node(
        tmp_path / "carol",
        node_key=carol_key.secret_hex(),
        bootnodes=(address_of(alice), address_of(dave)),
    )
    nodes = [alice, bob, carol, dave]
    try:
        assert alice.network is not None
        assert dave.network is not None
        await until(lambda: bob_key.peer_id in alice.network.peers, what="alice dials bob")
        await until(lambda: carol_key.peer_id in dave.network.peers, what="carol reaches dave")
        assert carol_key.peer_id not in alice.network.peers  # not reserved: refused
        assert await bob.network.dial(address_of_multiaddr(dave)) is False  # type: ignore[union-attr]
        assert set(dave.network.peers) == {carol_key.peer_id}  # the one inbound slot is taken
    finally:
        await stop_all(*nodes)
