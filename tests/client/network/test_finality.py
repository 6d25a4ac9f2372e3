"""GRANDPA-style finality among four in-process authorities (Alice, Bob, Charlie, Dave) and a
full node: blocks finalize; with one authority down finality continues; with two down it
stalls while blocks are still imported, and resumes when one comes back and catches up."""

from __future__ import annotations

from pathlib import Path

from tests.client.network.nodes import address_of, alice_slots, author, start_node, stop_all, until

from deepshard.client.network.identity import NodeKey
from deepshard.client.node.service import NodeService

NAMES = ("Alice", "Bob", "Charlie", "Dave")


def _final(node: NodeService) -> int:
    return int(node.db.finalized_number)


async def test_four_authorities_finalize_and_survive_one_failure(tmp_path: Path) -> None:
    slots = iter(alice_slots(60))
    keys = {name: NodeKey.generate().secret_hex() for name in NAMES}
    alice = await start_node(tmp_path / "Alice", dev_key="Alice", node_key=keys["Alice"])
    boot = (address_of(alice),)
    nodes = {"Alice": alice}
    for name in NAMES[1:]:
        nodes[name] = await start_node(
            tmp_path / name, dev_key=name, bootnodes=boot, node_key=keys[name]
        )
    full = await start_node(tmp_path / "full", bootnodes=boot)
    everyone = [*nodes.values(), full]
    try:
        for node in nodes.values():
            assert node.finality is not None
            assert node.finality.is_voter
        assert full.finality is not None
        assert not full.finality.is_voter
        for _ in range(3):
            await author(alice, next(slots))
        await until(lambda: all(_final(n) == 3 for n in everyone), what="finality of #3")
        head = alice.db.finalized_hash
        assert all(n.db.finalized_hash == head for n in everyone)
        justification = alice.db.justifications(head)
        assert justification is not None
        assert justification[0][0] == b"FRNK"
        state = alice.finality.round_state()  # type: ignore[union-attr]
        assert state["best"]["totalWeight"] == 4
        assert state["best"]["thresholdWeight"] == 3

        # Dave goes down: 3 of 4 is still more than 2/3.
        await nodes["Dave"].stop()
        for _ in range(2):
            await author(alice, next(slots))
        live = [nodes["Alice"], nodes["Bob"], nodes["Charlie"], full]
        await until(lambda: all(_final(n) == 5 for n in live), what="finality without Dave")

        # Charlie too: 2 of 4 cannot finalize, but blocks keep coming.
        await nodes["Charlie"].stop()
        for _ in range(2):
            await author(alice, next(slots))
        live = [nodes["Alice"], nodes["Bob"], full]
        await until(lambda: all(n.db.best_number == 7 for n in live), what="import without two")
        await until(lambda: alice.finality.round > state["best"]["round"] + 2, what="rounds")  # type: ignore[union-attr]
        assert all(_final(n) == 5 for n in live)

        # Charlie comes back, catches up, and finality resumes.
        nodes["Charlie"] = await start_node(
            tmp_path / "Charlie", dev_key="Charlie", bootnodes=boot, node_key=keys["Charlie"]
        )
        live = [nodes["Alice"], nodes["Bob"], nodes["Charlie"], full]
        await until(lambda: all(_final(n) == 7 for n in live), what="finality resumes")
        everyone = live
    finally:
        await stop_all(*[n for n in everyone if n is not nodes["Dave"]])


async def test_equivocating_votes_ban_the_sender_and_land_on_chain(tmp_path: Path) -> None:
    from tests.client.network.test_byzantine import _banned, _connect, _status  # noqa: PLC0415

    from deepshard.client.consensus.finality_votes import VoteMessage  # noqa: PLC0415
    from deepshard.client.network.messages import Finality  # noqa: PLC0415
    from deepshard.pallets.grandpa import Grandpa, Stage, vote_payload  # noqa: PLC0415
    from deepshard.primitives.codec import H256, H512  # noqa: PLC0415
    from deepshard.primitives.crypto import KeyType, dev_keypair  # noqa: PLC0415
    from deepshard.primitives.numeric import U8, U32, U64  # noqa: PLC0415
    from deepshard.runtime.support.overlay import Overlay  # noqa: PLC0415

    slots = iter(alice_slots(60))
    alice = await start_node(tmp_path / "Alice", dev_key="Alice")
    bob = await start_node(tmp_path / "Bob", dev_key="Bob", bootnodes=(address_of(alice),))
    nodes = [alice, bob]
    try:
        await author(alice, next(slots))
        await until(lambda: bob.db.best_number == 1, what="bob follows")
        # Dave's finality key, used by a rogue node to vote for two different blocks.
        dave = dev_keypair("Dave", KeyType.ED25519)
        rogue = NodeKey.generate()
        connection = await _connect(alice, rogue)
        await connection.send(_status(alice).encode())
        assert alice.finality is not None
        round_ = alice.finality.round
        for target in (alice.db.best_hash, alice.genesis_hash):
            number = 1 if target == alice.db.best_hash else 0
            payload = vote_payload(Stage.PREVOTE, bytes(target), number, round_, 0)
            vote = VoteMessage(
                round=U64(round_),
                set_id=U64(0),
                stage=U8(Stage.PREVOTE),
                target_hash=target,
                target_number=U32(number),
                signature=H512(dave.sign(payload)),
                voter=H256(dave.public_key),
            )
            await connection.send(Finality(payload=vote.encode()).encode())
        await _banned(alice, rogue)
        assert len(alice.finality.take_proofs()) == 1
        # Alice's next block carries the evidence; Bob imports it (re-checking the proof).
        await author(alice, next(slots))
        await until(lambda: bob.db.best_number == 2, what="bob imports the evidence")
        state = bob.db.state_at(bob.db.best_hash)
        assert state is not None
        ctx = bob.runtime.runtime.new_context(Overlay(state), 2)
        offences = list(ctx.pallet(Grandpa).offences.iter())
        assert len(offences) == 1
        assert bytes(offences[0][1].offender) == dave.public_key
        # Once on chain, the proof is not offered again.
        await author(alice, next(slots))
        body = alice.db.body(alice.db.best_hash)
        assert body is not None
        assert len(body) == 1  # the timestamp only
    finally:
        await stop_all(*nodes)


async def test_a_healed_partition_reorgs_the_minority_and_never_reverts_finality(
    tmp_path: Path,
) -> None:
    from deepshard.client.network.address import Multiaddr  # noqa: PLC0415
    from deepshard.client.node.block_import import NotNow  # noqa: PLC0415
    from deepshard.runtime.executive import Block  # noqa: PLC0415

    slots = alice_slots(20)
    alice = await start_node(tmp_path / "Alice", dev_key="Alice")
    boot = (address_of(alice),)
    bob = await start_node(tmp_path / "Bob", dev_key="Bob", bootnodes=boot)
    charlie = await start_node(tmp_path / "Charlie", dev_key="Charlie", bootnodes=boot)
    dave = await start_node(tmp_path / "Dave", dev_key="Dave")  # on the other side
    majority = [alice, bob, charlie]
    try:
        # The minority authors two blocks of its own; the majority three, and finalizes them.
        for i in range(2):
            await author(dave, slots[i] + 3)
        for i in range(3):
            await author(alice, slots[i + 4])
        await until(lambda: all(_final(n) == 3 for n in majority), what="majority finality")
        assert _final(dave) == 0
        minority_fork = dave.db.canonical_hash(1)
        final_hash = alice.db.finalized_hash
        # A block of the minority's fork cannot revert the majority's finality.
        fork_block = dave.db.block(minority_fork)  # type: ignore[arg-type]
        assert fork_block is not None
        try:
            alice.import_received(Block(fork_block.header, fork_block.extrinsics))
        except NotNow:
            pass
        else:
            raise AssertionError("a block below finality on another fork was imported")
        # The partition heals: Dave reorgs to the majority chain and finalizes it.
        assert dave.network is not None
        assert await dave.network.dial(Multiaddr.parse(address_of(alice)))
        await until(lambda: dave.db.best_hash == alice.db.best_hash, what="dave reorgs")
        await until(lambda: dave.db.finalized_hash == final_hash, what="dave finalizes")
        assert dave.db.canonical_hash(1) != minority_fork
        assert dave.db.header(minority_fork) is not None
        assert all(n.db.finalized_hash == final_hash for n in majority)
    finally:
        await stop_all(alice, bob, charlie, dave)
