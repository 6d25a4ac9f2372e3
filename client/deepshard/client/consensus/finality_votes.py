"""GRANDPA-style vote counting: voter sets, the GHOST of a set of votes, justifications.

Introduction
------------
A *voter set* is the finality authorities with their weights; a *supermajority* is more than
2/3 of the total weight (``3 * weight > 2 * total``). A vote names a block; it *supports* that
block and every ancestor of it. Given the votes of one stage of one round:

* the **GHOST** is the highest block supported by a supermajority (`ghost`); equivocating
  voters support every block, as in GRANDPA (their weight can never be taken away from a
  block, so counting it everywhere keeps the rule safe);
* a block is **final** once the precommits of one round support it with a supermajority; the
  *justification* is those precommits (`Justification`), which anyone can check against the
  voter set (`verify_justification`).

The chain is seen through `Ancestry`: the path from a block down to the last finalized block
(None if the block is unknown or not a descendant of it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from deepshard.pallets.grandpa import Stage, vote_payload
from deepshard.primitives.codec import H256, H512, DecodeError, Enum, Struct, Vec, decode
from deepshard.primitives.crypto import KeyType, verify
from deepshard.primitives.numeric import U8, U32, U64

__all__ = [
    "Block",
    "Ancestry",
    "VoterSet",
    "ghost",
    "SignedPrecommit",
    "Justification",
    "JustificationError",
    "verify_justification",
    "FinalityMessage",
    "VoteMessage",
    "CommitMessage",
    "decode_finality_message",
]

Block = tuple[H256, int]
"""A block as ``(hash, number)``."""

Ancestry = Callable[[H256], list[Block] | None]
"""The path from a block (first) down to the base block (last), or None if not on top of it."""


@dataclass(frozen=True, slots=True)
class VoterSet:
    """The finality authorities of one set and their weights."""

    set_id: int
    """The set's number."""
    weights: Mapping[bytes, int]
    """Weight of each voter (ed25519 public key)."""

    @property
    def total(self) -> int:
        """Total weight."""
        return sum(self.weights.values())

    def is_supermajority(self, weight: int) -> bool:
        """Whether `weight` is more than 2/3 of the total."""
        return 3 * weight > 2 * self.total

    def threshold(self) -> int:
        """The least weight that is a supermajority."""
        return 2 * self.total // 3 + 1

    @classmethod
    def from_pairs(cls, set_id: int, pairs: Iterable[tuple[bytes, int]]) -> VoterSet:
        """A set from ``(key, weight)`` pairs."""
        return cls(set_id, {bytes(key): int(weight) for key, weight in pairs})


def ghost(
    votes: Mapping[bytes, Block],
    voters: VoterSet,
    ancestry: Ancestry,
    equivocators: Iterable[bytes] = (),
) -> Block | None:
    """The highest block that a supermajority of `votes` supports, or None.

    Args:
        votes: Each (non-equivocating) voter's vote.
        voters: The voter set (votes of others are ignored).
        ancestry: The chain (see `Ancestry`).
        equivocators: Voters that equivocated: their weight supports every block.
    """
    equivocating = {key for key in equivocators if key in voters.weights}
    extra = sum(voters.weights[key] for key in equivocating)
    support: dict[H256, int] = {}
    numbers: dict[H256, int] = {}
    for voter, (block_hash, _) in votes.items():
        weight = voters.weights.get(voter)
        if weight is None or voter in equivocating:
            continue
        path = ancestry(block_hash)
        if path is None:
            continue
        for ancestor, number in path:
            support[ancestor] = support.get(ancestor, 0) + weight
            numbers[ancestor] = number
    best: Block | None = None
    for block_hash, weight in support.items():
        if not voters.is_supermajority(weight + extra):
            continue
        candidate = (block_hash, numbers[block_hash])
        if best is None or (candidate[1], bytes(candidate[0])) > (best[1], bytes(best[0])):
            best = candidate
    return best


# --- justifications ---------------------------------------------------------------------------


class SignedPrecommit(Struct):
    """A precommit and who signed it."""

    target_hash: H256
    target_number: U32
    signature: H512
    voter: H256


class Justification(Struct):
    """Proof that a block is final: a supermajority of one round's precommits supporting it."""

    round: U64
    set_id: U64
    target_hash: H256
    target_number: U32
    precommits: Vec[SignedPrecommit]


class JustificationError(ValueError):
    """A justification does not prove finality; the message says why."""


def verify_justification(
    justification: Justification,
    voters: VoterSet,
    ancestry: Ancestry,
) -> Block:
    """Check a justification; return the block it finalizes.

    Args:
        justification: The justification.
        voters: The set it must come from.
        ancestry: The chain, to check that each precommit supports the target.

    Raises:
        JustificationError: another set, an unknown or repeated voter, a bad signature, a
            precommit not supporting the target, or less than a supermajority.
    """
    # Verify the justification is for this set.
    if int(justification.set_id) != voters.set_id:
        raise JustificationError(f"set {int(justification.set_id)} is not {voters.set_id}")
    target = (justification.target_hash, int(justification.target_number))
    seen: set[bytes] = set()
    weight = 0
    for precommit in justification.precommits:
        voter = bytes(precommit.voter)
        # Verify each voter is in the set and counted once.
        if voter not in voters.weights:
            raise JustificationError("a precommit from outside the voter set")
        if voter in seen:
            raise JustificationError("two precommits from one voter")
        seen.add(voter)
        # Verify the signature over this round's precommit payload.
        payload = vote_payload(
            Stage.PRECOMMIT,
            bytes(precommit.target_hash),
            int(precommit.target_number),
            int(justification.round),
            int(justification.set_id),
        )
        if not verify(KeyType.ED25519, bytes(precommit.signature), payload, voter):
            raise JustificationError("a precommit signature does not verify")
        # Verify the precommit supports the target (is it or a descendant of it).
        path = ancestry(precommit.target_hash)
        if path is None or target not in [(h, n) for h, n in path]:
            raise JustificationError("a precommit does not support the target")
        weight += voters.weights[voter]
    if not voters.is_supermajority(weight):
        raise JustificationError(
            f"precommits weigh {weight}, less than the supermajority {voters.threshold()}"
        )
    return target


# --- gossip -----------------------------------------------------------------------------------


class FinalityMessage(Enum):
    """A message of the finality gadget (inside the network's ``Finality`` frame)."""


class VoteMessage(FinalityMessage, index=0):
    """A signed prevote or precommit."""

    round: U64
    set_id: U64
    stage: U8
    target_hash: H256
    target_number: U32
    signature: H512
    voter: H256

    def payload(self) -> bytes:
        """The signed bytes."""
        return vote_payload(
            int(self.stage),
            bytes(self.target_hash),
            int(self.target_number),
            int(self.round),
            int(self.set_id),
        )

    def signature_is_valid(self) -> bool:
        """Whether the voter signed this vote."""
        return verify(KeyType.ED25519, bytes(self.signature), self.payload(), bytes(self.voter))


class CommitMessage(FinalityMessage, index=1):
    """A finalized block and its justification."""

    justification: Justification


def decode_finality_message(payload: bytes) -> FinalityMessage:
    """Decode a finality message.

    Raises:
        DecodeError: not one.
    """
    message = decode(FinalityMessage, payload)
    if not isinstance(message, FinalityMessage):
        raise DecodeError("not a finality message")
    return message
