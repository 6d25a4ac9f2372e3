"""On-chain types of the Training pallet: bonds, the protocol profile, model versions and rounds."""

from __future__ import annotations

from deepshard.pallets.training.logic import ProfileMode, Role, RoundOutcome, RoundPhase
from deepshard.primitives.codec import H256, AccountId32, Struct, Vec
from deepshard.primitives.numeric import I64, U32, U64, U128

__all__ = [
    "ProfileMode",
    "Role",
    "RoundOutcome",
    "RoundPhase",
    "UnlockChunk",
    "BondLedger",
    "StatisticSpec",
    "TrainingProfile",
    "AdapterRecord",
    "ModelVersion",
    "Reveal",
    "PendingSlash",
    "Round",
    "RoundPeriods",
    "RoundSize",
]


class UnlockChunk(Struct, type_path=("pallet_training", "types", "UnlockChunk")):
    """Part of a bond on its way out."""

    amount: U128
    """The amount unbonding."""
    unlock_at: U32
    """The block from which it can be withdrawn."""


class BondLedger(Struct, type_path=("pallet_training", "types", "BondLedger")):
    """A trainer's or scorer's bond: the active part can be drawn, the rest is unbonding."""

    active: U128
    """The bond that counts for draws and rewards."""
    unlocking: Vec[UnlockChunk]
    """Chunks waiting for their unbonding period to end."""

    def held(self) -> int:
        """Everything held for this bond: the active part plus every unlocking chunk."""
        return int(self.active) + sum(int(c.amount) for c in self.unlocking)


class StatisticSpec(Struct, type_path=("pallet_training", "types", "StatisticSpec")):
    """One entry of a scorer's statistics vector (declared in the runtime configuration)."""

    name: bytes
    """Its name (UTF-8), e.g. ``heldout_loss``."""
    higher_is_better: bool
    """The direction in which it is better."""
    floor: I64
    """The least deviation (x10^6) that counts as a difference: agreement and MAD floor."""


class TrainingProfile(Struct, type_path=("pallet_training", "types", "TrainingProfile")):
    """The pinned protocol every drawn trainer follows in a round."""

    mode: ProfileMode
    """``Deterministic`` (bit-identical replicas) or ``Tolerant`` (mixed hardware)."""
    lora_rank: U32
    """The LoRA rank."""
    lora_alpha: U32
    """The LoRA alpha."""
    target_modules: Vec[bytes]
    """The module names the adapter targets (UTF-8)."""
    learning_rate: U64
    """The learning rate x10^9."""
    steps: U32
    """Optimiser steps."""
    batch_size: U32
    """Examples per step (the data order is derived from the round's seed)."""


class AdapterRecord(Struct, type_path=("pallet_training", "types", "AdapterRecord")):
    """An accepted adapter of a model version."""

    shard: U32
    """The shard (index into the architecture's layout) it trains."""
    cid: bytes
    """Its content id (binary CID)."""
    sha256: H256
    """The sha256 of its file."""


class ModelVersion(Struct, type_path=("pallet_training", "types", "ModelVersion")):
    """A model version: the base model plus every adapter accepted along its line."""

    parent: U32 | None
    """The version it extends (None for version 0)."""
    base_cid: bytes
    """The base model's CID."""
    layer_count: U32
    """The architecture's number of layers."""
    shards: Vec[tuple[U32, U32]]
    """The shard layout: ``(first layer, end layer)`` ranges, in rotation order."""
    adapters: Vec[AdapterRecord]
    """The adapters accepted so far, oldest first."""
    held_out_loss: I64
    """Its held-out loss x10^6."""
    round_id: U64 | None
    """The round that made it (None for version 0)."""


class Reveal(Struct, type_path=("pallet_training", "types", "Reveal")):
    """A trainer's revealed adapter."""

    cid: bytes
    """The adapter's CID."""
    sha256: H256
    """The sha256 of its file."""


class PendingSlash(Struct, type_path=("pallet_training", "types", "PendingSlash")):
    """A slash waiting for the dispute window to end (Root may cancel it)."""

    amount: U128
    """The amount to slash from the trainer's bond."""
    outlier: bool
    """True for an outlier slash, false for a liveness (missed deadline) slash."""


class Round(Struct, type_path=("pallet_training", "types", "Round")):
    """A training round: what it fixes, who was drawn, where it is and what it paid."""

    parent_version: U32
    """The model version it trains on."""
    batch_id: U64
    """The accepted batch (Informants) it trains on."""
    shard: U32
    """The shard index trained (rotation by round id)."""
    layers: tuple[U32, U32]
    """The shard's ``(first layer, end layer)``."""
    seed: H256
    """``blake2_256(parent block hash ‖ round id)``: the draw and the data order."""
    profile: TrainingProfile
    """The protocol profile."""
    probe_set_cid: bytes
    """The held-out probe set's CID."""
    commit_ends: U32
    """First block at which no commitment is accepted."""
    reveal_ends: U32
    """First block at which no reveal is accepted."""
    score_ends: U32
    """First block at which no scores are accepted; aggregation runs then."""
    dispute_ends: U32
    """First block after the dispute window: slashes applied, rewards paid."""
    phase: RoundPhase
    """Where it is."""
    outcome: RoundOutcome
    """How it ended (Pending until aggregated)."""
    trainers: Vec[tuple[AccountId32, U128]]
    """The drawn trainers and their bonds when drawn."""
    scorers: Vec[tuple[AccountId32, U128]]
    """The drawn scorers and their bonds when drawn."""
    revealed: Vec[AccountId32]
    """The trainers that revealed, in reveal order (the rows of every score matrix)."""
    accepted: Vec[AccountId32]
    """The trainers of the accepted cluster."""
    improvement: I64
    """The accepted cluster's consensus held-out improvement (x10^6; 0 without a cluster)."""
    held_out_loss: I64
    """The accepted cluster's consensus held-out loss (x10^6; 0 without a cluster)."""
    new_version: U32 | None
    """The model version it made, if any."""
    emission: U128
    """The trainers' emission this round asked for (zero unless accepted)."""
    slashes: U128
    """The slashes applied at its close."""
    paid: U128
    """What honest trainers received (emission minted plus slashes routed to them)."""
    to_treasury: U128
    """What went to the treasury (slash remainders; emission not minted stays budgeted)."""
    scorer_paid: U128
    """What scorers received."""


class RoundPeriods(Struct, type_path=("pallet_training", "types", "RoundPeriods")):
    """The lengths, in blocks, of a round's phases."""

    commit: U32
    """Blocks for commitments."""
    reveal: U32
    """Blocks for reveals."""
    score: U32
    """Blocks for scores."""
    dispute: U32
    """Blocks of the dispute window."""


class RoundSize(Struct, type_path=("pallet_training", "types", "RoundSize")):
    """How many trainers and scorers a round draws."""

    trainers: U32
    """Trainers drawn (R)."""
    scorers: U32
    """Scorers drawn (S), among the accounts not drawn as trainers."""
