"""The finality gadget: GRANDPA-style rounds among the authorities, justifications, evidence.

Rounds
------
Round ``r`` of set ``s`` runs, on every voter, as:

1. **prevote** for our best block (always a descendant of the last finalized block);
2. wait until the prevotes seen weigh a supermajority, or `step` * 2 seconds;
3. **precommit** for the prevote GHOST (the highest block a supermajority of prevotes
   supports), if there is one;
4. as soon as the precommits seen support a block above the last finalized one with a
   supermajority, that block is **final**: it is finalized in the database with its
   justification (those precommits), announced to peers as a commit, and the round ends;
   otherwise the round ends after `step` * 4 seconds. Rounds do not start while there is
   nothing new to finalize.

Votes are gossiped: each new, valid vote is relayed once to peers that have not seen it. A
node that falls behind (or restarts at round 1) jumps to a later round once voters weighing
more than 1/3 vote in it.
Full nodes (no finality key) follow the votes and commits without voting. A block received
from sync with a justification is finalized when the justification verifies.

Misbehaviour
------------
A vote with a bad signature, from outside the set, or an invalid commit bans the peer that
sent it. An authority that signs two different votes of one stage in one round equivocates:
the gadget logs it, counts the authority's weight as supporting every block (GRANDPA's rule),
keeps the two votes as an `EquivocationProof` for the next block this node authors (the
Grandpa pallet records it on chain), and bans a peer that sent it both votes (an honest node
relays only the first vote of a voter per round and stage).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from deepshard.client.consensus.finality_votes import (
    Block,
    CommitMessage,
    Justification,
    JustificationError,
    SignedPrecommit,
    VoteMessage,
    VoterSet,
    decode_finality_message,
    ghost,
    verify_justification,
)
from deepshard.client.network.messages import Finality
from deepshard.client.network.peerset import Reputation
from deepshard.client.network.service import Misbehaviour, Peer, SeenCache
from deepshard.pallets.grandpa import (
    AuthorityId,
    AuthoritySignature,
    EquivocationProof,
    SignedVote,
    Stage,
    offence_key,
    vote_payload,
)
from deepshard.primitives.codec import H256, H512, DecodeError, decode_compact
from deepshard.primitives.crypto import Keypair
from deepshard.primitives.crypto.ss58 import ss58_encode
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.numeric import U8, U32, U64

if TYPE_CHECKING:
    from deepshard.client.node.service import NodeService

__all__ = ["FINALITY_ENGINE_ID", "FinalityGadget", "voter_set_at", "RoundVotes"]

log = logging.getLogger("deepshard.finality")

FINALITY_ENGINE_ID: Final = b"FRNK"
"""Engine id of the justifications (GRANDPA's)."""

MAX_ROUNDS_KEPT: Final = 32
"""Rounds whose votes are kept at once (the furthest ahead are dropped first); votes of rounds
more than two behind ours are ignored. Any later round is accepted, so that a node that was
down catches up with the others however far they went."""

MAX_PENDING_COMMITS: Final = 32
"""Commits for blocks we do not have yet, kept until the block arrives."""


def voter_set_at(node: NodeService, block_hash: H256) -> VoterSet:
    """The finality voter set in the state of `block_hash` (``GrandpaApi``)."""
    raw = node.call_runtime("GrandpaApi_grandpa_authorities", b"", block_hash)
    count, offset = decode_compact(raw, 0)
    pairs = []
    for _ in range(count):
        key = raw[offset : offset + 32]
        weight = int.from_bytes(raw[offset + 32 : offset + 40], "little")
        pairs.append((key, weight))
        offset += 40
    set_id = int.from_bytes(
        node.call_runtime("GrandpaApi_current_set_id", b"", block_hash), "little"
    )
    return VoterSet.from_pairs(set_id, pairs)


@dataclass(slots=True)
class RoundVotes:
    """What one round has seen."""

    prevotes: dict[bytes, Block] = field(default_factory=dict)
    precommits: dict[bytes, VoteMessage] = field(default_factory=dict)
    prevote_equivocators: set[bytes] = field(default_factory=set)
    precommit_equivocators: set[bytes] = field(default_factory=set)
    first_votes: dict[tuple[int, bytes], VoteMessage] = field(default_factory=dict)
    completed: bool = False


class FinalityGadget:
    """Votes (with a key), follows votes and commits, finalizes (see the module docstring)."""

    def __init__(
        self,
        node: NodeService,
        key: Keypair | None,
        *,
        step: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Run for `node`, voting with the ed25519 `key` if it is in the voter set."""
        self.node = node
        self.voters = voter_set_at(node, node.db.finalized_hash)
        self.key = key if key is not None and key.public_key in self.voters.weights else None
        self.step = step
        self.clock = clock
        self.round = 1
        """The current round."""
        self.rounds: dict[int, RoundVotes] = {}
        self.proofs: OrderedDict[bytes, EquivocationProof] = OrderedDict()
        """Equivocation proofs not yet on chain (for the next block we author)."""
        self._seen = SeenCache(16_384)
        self._peer_votes: dict[tuple[bytes, int, int, bytes], bytes] = {}
        self._pending: OrderedDict[bytes, Justification] = OrderedDict()
        self._progress = asyncio.Event()
        self._justification_listeners: list[Callable[[bytes], None]] = []

    @property
    def is_voter(self) -> bool:
        """Whether we vote."""
        return self.key is not None

    # --- chain ---------------------------------------------------------------------------------

    def ancestry(self, block_hash: H256) -> list[Block] | None:
        """The path from `block_hash` down to the last finalized block, or None."""
        db = self.node.db
        final_number, final_hash = int(db.finalized_number), db.finalized_hash
        path: list[Block] = []
        current = block_hash
        while True:
            header = db.header(current)
            if header is None:
                return None
            number = int(header.number)
            if number < final_number:
                return None
            path.append((current, number))
            if number == final_number:
                return path if current == final_hash else None
            current = header.parent_hash

    # --- the voter loop -----------------------------------------------------------------------

    async def run(self) -> None:
        """Play rounds forever (cancel to stop)."""
        while True:
            await self._wait_for_work()
            await self.play_round(self.round)
            self._forget_old_rounds()

    async def play_round(self, current: int) -> None:
        """Prevote, precommit and wait for round `current` to finalize or time out."""
        votes = self._round(current)
        if self.key is not None:
            best = self.node.db.best_hash
            self._cast(current, Stage.PREVOTE, (best, int(self.node.db.best_number)))
        await self._wait(
            lambda: (
                self.round != current
                or votes.completed
                or self.voters.is_supermajority(self._weight(votes.prevotes))
            ),
            2 * self.step,
        )
        if self.round == current and not votes.completed and self.key is not None:
            target = ghost(votes.prevotes, self.voters, self.ancestry, votes.prevote_equivocators)
            if target is not None:
                self._cast(current, Stage.PRECOMMIT, target)
        await self._wait(lambda: self.round != current or votes.completed, 2 * self.step)
        if self.round == current:
            self.round = current + 1

    async def _wait_for_work(self) -> None:
        while self.node.db.best_hash == self.node.db.finalized_hash:
            await self._wait(lambda: False, self.step)

    async def _wait(self, condition: Callable[[], bool], timeout: float) -> None:
        deadline = self.clock() + timeout
        while not condition():
            left = deadline - self.clock()
            if left <= 0:
                return
            self._progress.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._progress.wait(), min(left, 0.25))

    def _round(self, number: int) -> RoundVotes:
        votes = self.rounds.get(number)
        if votes is None:
            votes = self.rounds[number] = RoundVotes()
            while len(self.rounds) > MAX_ROUNDS_KEPT:
                furthest = max(n for n in self.rounds if n != number)
                del self.rounds[furthest]
        return votes

    def _forget_old_rounds(self) -> None:
        for number in [n for n in self.rounds if n < self.round - 2]:
            del self.rounds[number]
        for key in [k for k in self._peer_votes if k[1] < self.round - 2]:
            del self._peer_votes[key]

    def _weight(self, votes: dict[bytes, Any]) -> int:
        return sum(self.voters.weights.get(voter, 0) for voter in votes)

    def _cast(self, round_: int, stage: Stage, target: Block) -> None:
        assert self.key is not None
        block_hash, number = target
        payload = vote_payload(stage, bytes(block_hash), number, round_, self.voters.set_id)
        vote = VoteMessage(
            round=U64(round_),
            set_id=U64(self.voters.set_id),
            stage=U8(stage),
            target_hash=block_hash,
            target_number=U32(number),
            signature=H512(self.key.sign(payload)),
            voter=H256(self.key.public_key),
        )
        self._accept_vote(vote, None)

    # --- incoming messages --------------------------------------------------------------------

    def on_message(self, peer: Peer, payload: bytes) -> None:
        """Handle a finality message from `peer`.

        Raises:
            Misbehaviour: the message is undecodable, badly signed, or proves the peer lies.
        """
        try:
            message = decode_finality_message(payload)
        except DecodeError as error:
            raise Misbehaviour(Reputation.BAD_MESSAGE, str(error)) from error
        digest = blake2_256(payload)
        peer.known_messages.add(digest)
        if isinstance(message, VoteMessage):
            self._accept_vote(message, peer)
        elif isinstance(message, CommitMessage):
            if not self._seen.add(digest):
                return
            self._accept_commit(message.justification)

    def _accept_vote(self, vote: VoteMessage, peer: Peer | None) -> None:
        voter = bytes(vote.voter)
        round_, stage = int(vote.round), int(vote.stage)
        # Verify the vote belongs to this set, a member, a stage, and is signed by it.
        if int(vote.set_id) != self.voters.set_id:
            return  # another set: not ours to judge
        if voter not in self.voters.weights or stage not in (Stage.PREVOTE, Stage.PRECOMMIT):
            raise Misbehaviour(Reputation.BAD_VOTE, "a vote from outside the voter set")
        if not vote.signature_is_valid():
            raise Misbehaviour(Reputation.BAD_VOTE, "a vote with a bad signature")
        if round_ < self.round - 2:
            return
        target = (vote.target_hash, int(vote.target_number))
        votes = self._round(round_)
        if peer is not None:
            # An honest peer relays one vote per voter, round and stage: two different ones
            # from the same peer make it the equivocator or its accomplice.
            sent = (bytes(peer.id.public_key), round_, stage, voter)
            previous = self._peer_votes.get(sent)
            if previous is not None and previous != bytes(vote.target_hash):
                self._record_equivocation(votes, vote)
                raise Misbehaviour(Reputation.BAD_VOTE, "sent two conflicting votes")
            self._peer_votes[sent] = bytes(vote.target_hash)
        first = votes.first_votes.get((stage, voter))
        if first is not None:
            if first.target_hash != vote.target_hash:
                self._record_equivocation(votes, vote)
            return
        votes.first_votes[(stage, voter)] = vote
        if stage == Stage.PREVOTE:
            votes.prevotes[voter] = target
        else:
            votes.precommits[voter] = vote
        self._relay(vote, peer)
        if round_ > self.round and self._catch_up_weight(votes) * 3 > self.voters.total:
            log.debug("catching up to round %d", round_)
            self.round = round_
        if stage == Stage.PRECOMMIT:
            self._try_finalize(round_, votes)
        self._progress.set()

    def _catch_up_weight(self, votes: RoundVotes) -> int:
        voters = {voter for _, voter in votes.first_votes}
        return sum(self.voters.weights.get(v, 0) for v in voters)

    def _record_equivocation(self, votes: RoundVotes, second: VoteMessage) -> None:
        stage, voter = int(second.stage), bytes(second.voter)
        first = votes.first_votes[(stage, voter)]
        (
            votes.prevote_equivocators if stage == Stage.PREVOTE else votes.precommit_equivocators
        ).add(voter)
        proof = EquivocationProof(
            set_id=second.set_id,
            round=second.round,
            stage=U8(stage),
            offender=AuthorityId(voter),
            first=_signed(first),
            second=_signed(second),
        )
        identity = bytes(offence_key(proof))
        if identity not in self.proofs:
            self.proofs[identity] = proof
            while len(self.proofs) > 64:
                self.proofs.popitem(last=False)
            log.warning(
                "⚠️  Equivocation by finality authority 0x%s in round %d (%s)",
                voter.hex(),
                int(second.round),
                "prevote" if stage == Stage.PREVOTE else "precommit",
            )
        if stage == Stage.PRECOMMIT:
            self._try_finalize(int(second.round), votes)

    def _relay(self, vote: VoteMessage, source: Peer | None) -> None:
        network = self.node.network
        if network is None:
            return
        payload = vote.encode()
        marker = blake2_256(payload)
        targets = [
            p for p in network.peers.values() if p is not source and p.known_messages.add(marker)
        ]
        if targets:
            network.broadcast(Finality(payload=payload), targets)

    # --- finality -----------------------------------------------------------------------------

    def _try_finalize(self, round_: int, votes: RoundVotes) -> None:
        precommits = {
            voter: (v.target_hash, int(v.target_number)) for voter, v in votes.precommits.items()
        }
        target = ghost(precommits, self.voters, self.ancestry, votes.precommit_equivocators)
        if target is None:
            return
        votes_support = []
        for voter, vote in sorted(votes.precommits.items()):
            path = self.ancestry(vote.target_hash)
            if path is not None and target in path and voter not in votes.precommit_equivocators:
                votes_support.append(
                    SignedPrecommit(
                        target_hash=vote.target_hash,
                        target_number=vote.target_number,
                        signature=vote.signature,
                        voter=vote.voter,
                    )
                )
        if not self.voters.is_supermajority(
            sum(self.voters.weights[bytes(p.voter)] for p in votes_support)
        ):
            return  # supported only thanks to equivocators: no justification yet
        votes.completed = True
        if target[1] <= int(self.node.db.finalized_number):
            return
        justification = Justification(
            round=U64(round_),
            set_id=U64(self.voters.set_id),
            target_hash=target[0],
            target_number=U32(target[1]),
            precommits=tuple(votes_support),
        )
        self._finalize_soon(justification, broadcast=True)

    def _accept_commit(self, justification: Justification) -> None:
        target_number = int(justification.target_number)
        if target_number <= int(self.node.db.finalized_number):
            return
        if self.node.db.header(justification.target_hash) is None:
            self._pending[bytes(justification.target_hash)] = justification
            while len(self._pending) > MAX_PENDING_COMMITS:
                self._pending.popitem(last=False)
            return
        try:
            verify_justification(justification, self.voters, self.ancestry)
        except JustificationError as error:
            if self.ancestry(justification.target_hash) is None:
                return  # on a fork we do not follow: not provably wrong
            raise Misbehaviour(Reputation.BAD_JUSTIFICATION, str(error)) from error
        if int(justification.round) > self.round:
            self.round = int(justification.round) + 1
        self._finalize_soon(justification, broadcast=True)
        self._progress.set()

    def on_block_imported(self, block_hash: H256) -> None:
        """A block arrived: a commit may have been waiting for it."""
        justification = self._pending.pop(bytes(block_hash), None)
        if justification is not None:
            try:
                self._accept_commit(justification)
            except Misbehaviour as error:
                log.warning("dropping a commit for 0x%s: %s", bytes(block_hash).hex(), error)

    def import_justification(self, block_hash: H256, encoded: bytes) -> bool:
        """Verify a justification received with a block and finalize it (import thread).

        Returns:
            Whether the block was finalized.

        Raises:
            JustificationError: the justification is invalid.
        """
        try:
            justification = Justification.decode(encoded)
        except DecodeError as error:
            raise JustificationError(f"undecodable justification: {error}") from error
        if justification.target_hash != block_hash:
            raise JustificationError("the justification is for another block")
        if int(justification.target_number) <= int(self.node.db.finalized_number):
            return False
        verify_justification(justification, self.voters, self.ancestry)
        self.node.finalize_block(block_hash, justification.encode())
        self._notify(justification)
        return True

    def _finalize_soon(self, justification: Justification, *, broadcast: bool) -> None:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(
            self.node.import_worker,
            self.node.finalize_block,
            justification.target_hash,
            justification.encode(),
        )

        def done(finished: asyncio.Future[bool]) -> None:
            if finished.cancelled():
                return
            error = finished.exception()
            if error is not None:
                log.warning("finalizing failed: %s", error)
                return
            if not finished.result():
                return
            self._notify(justification)
            if broadcast:
                self._broadcast_commit(justification)
            self._progress.set()

        future.add_done_callback(done)

    def _broadcast_commit(self, justification: Justification) -> None:
        network = self.node.network
        if network is None:
            return
        payload = CommitMessage(justification=justification).encode()
        self._seen.add(blake2_256(payload))
        marker = blake2_256(payload)
        targets = [p for p in network.peers.values() if p.known_messages.add(marker)]
        network.broadcast(Finality(payload=payload), targets)

    def _notify(self, justification: Justification) -> None:
        encoded = justification.encode()
        for listener in list(self._justification_listeners):
            listener(encoded)

    def on_justification(self, listener: Callable[[bytes], None]) -> Callable[[], None]:
        """Call `listener` with each new justification (encoded); return the unsubscriber."""
        self._justification_listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._justification_listeners:
                self._justification_listeners.remove(listener)

        return unsubscribe

    def take_proofs(self) -> tuple[EquivocationProof, ...]:
        """Equivocation proofs to include in the next block we author."""
        return tuple(self.proofs.values())

    def forget_proof(self, proof: EquivocationProof) -> None:
        """A proof is on chain: drop it."""
        for key, kept in list(self.proofs.items()):
            if kept == proof:
                del self.proofs[key]

    # --- RPC ----------------------------------------------------------------------------------

    def round_state(self, ss58_format: int = 42) -> dict[str, Any]:
        """``grandpa_roundState``: the current round's vote weights and missing voters."""
        votes = self._round(self.round)

        def stage(voted: set[bytes]) -> dict[str, Any]:
            return {
                "currentWeight": sum(self.voters.weights[v] for v in voted),
                "missing": sorted(
                    ss58_encode(v, ss58_format) for v in self.voters.weights if v not in voted
                ),
            }

        return {
            "setId": self.voters.set_id,
            "best": {
                "round": self.round,
                "totalWeight": self.voters.total,
                "thresholdWeight": self.voters.threshold(),
                "prevotes": stage(set(votes.prevotes)),
                "precommits": stage(set(votes.precommits)),
            },
            "background": [],
        }


def _signed(vote: VoteMessage) -> SignedVote:
    return SignedVote(
        target_hash=vote.target_hash,
        target_number=vote.target_number,
        signature=AuthoritySignature(bytes(vote.signature)),
    )
