"""On-chain types of the Informants pallet: batches, votes, scores and curator ledgers."""

from __future__ import annotations

from deepshard.pallets.informants.logic import BatchPhase
from deepshard.primitives.codec import AccountId32, Struct, Vec
from deepshard.primitives.numeric import U32, U64, U128, Percent

__all__ = ["BatchPhase", "CriteriaScores", "Batch", "Vote", "UnlockChunk", "CuratorLedger"]


class CriteriaScores(Struct, type_path=("pallet_informants", "types", "CriteriaScores")):
    """A curator's judgement of a batch on the five criteria of the Deepshard design."""

    novelty: Percent
    """How new the information is."""
    reproducibility: Percent
    """Whether others can reproduce it."""
    alignment: Percent
    """Alignment with universal human values."""
    truthfulness: Percent
    """Empirical truthfulness."""
    objectivity: Percent
    """Objectivity rather than opinion."""

    def parts(self) -> tuple[int, int, int, int, int]:
        """The five scores as Percent parts, in the criteria's order."""
        return (
            int(self.novelty.deconstruct()),
            int(self.reproducibility.deconstruct()),
            int(self.alignment.deconstruct()),
            int(self.truthfulness.deconstruct()),
            int(self.objectivity.deconstruct()),
        )


class Batch(Struct, type_path=("pallet_informants", "types", "Batch")):
    """A proposed batch of training data and its stake."""

    informant: AccountId32
    """The account that proposed it and staked on it."""
    cid: bytes
    """The batch's content id (binary CIDv0 or CIDv1; a JSONL file on IPFS)."""
    metadata_cid: bytes
    """The CID of its description (empty: none)."""
    byte_size: U64
    """Its size in bytes, as the informant declares it."""
    item_count: U32
    """Its number of items (JSONL lines), as the informant declares it."""
    stake: U128
    """The stake held on it."""
    deposit: U128
    """The storage deposit held for it."""
    submitted_at: U32
    """The block it was submitted in."""
    voting_ends: U32
    """The first block at which no vote is accepted; the batch closes from then on."""
    phase: BatchPhase
    """Where it is in its life."""
    electorate: U128
    """The total active curator bond when it was submitted (the turnout's denominator)."""
    aye: U128
    """The weight of the aye votes so far."""
    nay: U128
    """The weight of the nay votes so far."""
    vote_count: U32
    """How many votes on it are stored (cast, and after the decision not yet claimed)."""
    value: U128
    """The value the vote assigned (accepted batches; zero otherwise)."""
    reward_pot: U128
    """After the decision: the curator reward not yet claimed by the winning side."""
    reward_weight: U128
    """After the decision: the vote weight of the winning side not yet claimed."""


class Vote(Struct, type_path=("pallet_informants", "types", "Vote")):
    """A curator's vote on a batch."""

    aye: bool
    """For (true) or against (false)."""
    weight: U128
    """Its weight: the curator's active bond when cast, capped (see `logic`)."""
    scores: CriteriaScores
    """The curator's scores on the five criteria."""
    at: U32
    """The block it was cast (or last changed) in."""


class UnlockChunk(Struct, type_path=("pallet_informants", "types", "UnlockChunk")):
    """Part of a curator's bond on its way out."""

    amount: U128
    """The amount unbonding."""
    unlock_at: U32
    """The block from which it can be withdrawn."""


class CuratorLedger(Struct, type_path=("pallet_informants", "types", "CuratorLedger")):
    """A curator's bond: the active part gives vote weight, the unlocking part is on its way out."""

    active: U128
    """The bond that counts for votes."""
    unlocking: Vec[UnlockChunk]
    """Chunks waiting for their unbonding period to end."""

    def held(self) -> int:
        """Everything held for this curator: the active bond plus every unlocking chunk."""
        return int(self.active) + sum(int(c.amount) for c in self.unlocking)
