"""GRANDPA-style finality, runtime side: the signed vote payload and equivocation proofs.

Pure functions, shared by the pallet (which checks evidence on chain) and the node's finality
gadget (which signs and checks votes with the very same bytes).

A vote is signed over ``SCALE(stage u8, target hash, target number u32, round u64, set id
u64)``: the vote and the round and authority set it belongs to, so a signature cannot be
replayed in another round or set. An *equivocation* is one authority signing two different
votes of the same stage in the same round and set; its proof is both votes.
"""

from __future__ import annotations

import enum

from deepshard.primitives.codec import H256, FixedBytes, Struct
from deepshard.primitives.crypto import KeyType, verify
from deepshard.primitives.numeric import U8, U32, U64

__all__ = [
    "Stage",
    "AuthorityId",
    "AuthoritySignature",
    "SignedVote",
    "EquivocationProof",
    "InvalidProof",
    "vote_payload",
    "check_equivocation_proof",
]


class Stage(enum.IntEnum):
    """The two voting stages of a round."""

    PREVOTE = 0
    PRECOMMIT = 1


class AuthorityId(FixedBytes, length=32, type_path=("sp_consensus_grandpa", "app", "Public")):
    """A finality authority: an ed25519 public key."""


class AuthoritySignature(
    FixedBytes, length=64, type_path=("sp_consensus_grandpa", "app", "Signature")
):
    """An ed25519 signature by a finality authority."""


class SignedVote(Struct, type_path=("deepshard_grandpa", "SignedVote")):
    """One signed vote (its round, set and stage are the proof's)."""

    target_hash: H256
    """The block voted for."""
    target_number: U32
    """Its number."""
    signature: AuthoritySignature
    """The voter's signature of `vote_payload`."""


class EquivocationProof(Struct, type_path=("sp_consensus_grandpa", "EquivocationProof")):
    """Two different votes of one authority for the same stage of the same round and set."""

    set_id: U64
    """The authority set."""
    round: U64
    """The round."""
    stage: U8
    """`Stage` of both votes."""
    offender: AuthorityId
    """Who signed both."""
    first: SignedVote
    """One vote."""
    second: SignedVote
    """The other."""


class InvalidProof(ValueError):
    """An equivocation proof does not prove an equivocation; the message says why."""


def vote_payload(
    stage: int, target_hash: bytes, target_number: int, round_: int, set_id: int
) -> bytes:
    """Return the bytes a voter signs."""
    return (
        bytes((stage,))
        + bytes(target_hash)
        + int(target_number).to_bytes(4, "little")
        + int(round_).to_bytes(8, "little")
        + int(set_id).to_bytes(8, "little")
    )


def check_equivocation_proof(
    proof: EquivocationProof, authorities: tuple[bytes, ...], current_set_id: int
) -> None:
    """Check that `proof` proves an equivocation by a member of the current set.

    Raises:
        InvalidProof: another set, an unknown stage or offender, two equal votes, or a
            signature that does not verify.
    """
    # Verify the proof is about the current authority set.
    if int(proof.set_id) != current_set_id:
        raise InvalidProof(f"set {int(proof.set_id)} is not the current set {current_set_id}")
    # Verify the stage is one of the two.
    if int(proof.stage) not in (Stage.PREVOTE, Stage.PRECOMMIT):
        raise InvalidProof(f"unknown stage {int(proof.stage)}")
    # Verify the offender is an authority of the set.
    if bytes(proof.offender) not in authorities:
        raise InvalidProof("the offender is not an authority of the set")
    # Verify the two votes differ.
    first, second = proof.first, proof.second
    if (first.target_hash, first.target_number) == (second.target_hash, second.target_number):
        raise InvalidProof("the two votes are for the same block")
    # Verify the offender signed both.
    for vote in (first, second):
        payload = vote_payload(
            int(proof.stage),
            bytes(vote.target_hash),
            int(vote.target_number),
            int(proof.round),
            int(proof.set_id),
        )
        if not verify(KeyType.ED25519, bytes(vote.signature), payload, bytes(proof.offender)):
            raise InvalidProof("a vote's signature does not verify")
