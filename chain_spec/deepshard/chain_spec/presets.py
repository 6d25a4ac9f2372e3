"""Chain presets: the genesis of the dev, local and testnet chains, as plain data.

A preset names its chain, its token properties and its genesis in human terms -- dev account
names or SS58 addresses, whole balances -- and `deepshard.chain_spec.builder` turns it into a
plain chain spec (``genesis.runtimeGenesis.patch``, JSON) and then a raw one (the storage
itself). Nothing here runs runtime code.

* ``dev`` -- one authority (Alice), Alice is sudo, the six dev accounts and their stash
  accounts pre-funded; blocks are final as soon as they are imported.
* ``local`` -- four authorities (Alice, Bob, Charlie, Dave), Alice is sudo, same endowments.

Both start the Training pallet's model registry from `DEV_MODEL` (version 0: the base model's
CID, its architecture and held-out loss, and the probe set's CID) -- placeholders until a real
model replaces them: ``deepshard ml bootstrap --repo R --json > gm.json`` pins the bootstrapped
model and its probe set and measures it, and ``--genesis-model gm.json`` (``chain-spec build``,
``node``) puts it in the genesis (`deepshard.chain_spec.genesis_model`). Both run rounds by
`DEV_ROUNDS`: a few training steps, four trainers and two scorers, phases of a few 6-second
blocks, so a whole round takes about two minutes on two CPU cores; curators vote on a batch
for `DEV_VOTING_PERIOD` blocks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from deepshard.primitives.crypto import DEV_ACCOUNT_NAMES

__all__ = [
    "ModelPreset",
    "DEV_MODEL",
    "ProfilePreset",
    "RoundRules",
    "DEV_ROUNDS",
    "DEV_VOTING_PERIOD",
    "ChainPreset",
    "DEV",
    "LOCAL",
    "PRESETS",
    "DEV_ACCOUNTS",
    "ENDOWMENT",
]

DEV_ACCOUNTS: Final = DEV_ACCOUNT_NAMES
"""The well-known development accounts (``//Alice`` ...)."""

ENDOWMENT: Final = 1 << 60
"""Balance each endowed dev account starts with (about 1.15 million DSH), as Substrate's."""


@dataclass(frozen=True, slots=True)
class ModelPreset:
    """Model version 0 of a chain: what the Training pallet's genesis records."""

    base_model_cid: str
    """The base model's binary CID, hex with ``0x``."""
    held_out_loss: int
    """Its held-out loss on the probe set, x10^6."""
    layer_count: int
    """Its number of layers."""
    shards: tuple[tuple[int, int], ...]
    """The shard layout: ``(first layer, end layer)`` ranges, in rotation order."""
    probe_set_cid: str
    """The held-out probe set's binary CID, hex with ``0x``."""


DEV_MODEL: Final = ModelPreset(
    # CIDv1 raw sha2-256 of the devnet's bootstrapped byte-level transformer
    base_model_cid="0x01551220" + bytes(range(0x40, 0x60)).hex(),
    held_out_loss=3_000_000,
    layer_count=8,
    shards=((0, 2), (2, 4), (4, 6), (6, 8)),
    probe_set_cid="0x01551220" + bytes(range(0x60, 0x80)).hex(),
)
"""The development chains' version 0 (placeholder CIDs; see the module docs)."""


@dataclass(frozen=True, slots=True)
class ProfilePreset:
    """The protocol profile rounds pin (the Training pallet's ``TrainingProfile``)."""

    mode: str = "Deterministic"
    """``Deterministic`` (bit-identical replicas) or ``Tolerant``."""
    lora_rank: int = 8
    """LoRA rank."""
    lora_alpha: int = 16
    """LoRA alpha."""
    target_modules: tuple[str, ...] = ("q_proj", "v_proj")
    """Module names the adapters target."""
    learning_rate: int = 200_000
    """Learning rate x10^9."""
    steps: int = 100
    """Optimiser steps."""
    batch_size: int = 8
    """Sequences per step."""


@dataclass(frozen=True, slots=True)
class RoundRules:
    """How a chain runs its training rounds: phase lengths, profile, trainers and scorers."""

    periods: tuple[int, int, int, int]
    """Blocks of the commit, reveal, score and dispute phases."""
    profile: ProfilePreset
    """The protocol profile."""
    trainers: int
    """Trainers drawn per round (at most the runtime's ``TrainersPerRound``)."""
    scorers: int
    """Scorers drawn per round (at most the runtime's ``ScorersPerRound``)."""


DEV_ROUNDS: Final = RoundRules(
    # commit: fetch + train while four trainers share two cores; score: four adapters by two
    # scorers, with room for a scorer restarted mid-round to score again
    periods=(8, 4, 10, 2),
    profile=ProfilePreset(learning_rate=2_000_000, steps=20, batch_size=4),
    trainers=4,
    scorers=2,
)
"""Development rounds: 20 steps of 4 x 128 tokens (about a second of CPU each), 4 trainers,
2 scorers, 24 blocks (two and a half minutes of 6-second blocks) from open to close."""


DEV_VOTING_PERIOD: Final = 6
"""Development chains: curators vote on a batch for six blocks (36 s), not an hour."""


@dataclass(frozen=True, slots=True)
class ChainPreset:
    """A chain's identity and genesis, before it is turned into storage."""

    name: str
    """Human-readable chain name (``Development``; avoid names of scalecodec preset files)."""
    id: str
    """Chain identifier (``dev``)."""
    chain_type: str
    """``Development``, ``Local`` or ``Live``."""
    authorities: tuple[str, ...]
    """Aura authorities: dev account names or SS58 addresses (sr25519 keys)."""
    sudo: str | None
    """The sudo key: a dev account name or SS58 address (None: no sudo)."""
    endowed: tuple[str, ...]
    """Accounts funded at genesis: dev account names (``Alice``, ``Alice//stash``) or SS58."""
    endowment: int = ENDOWMENT
    """Balance given to each endowed account, in the smallest unit."""
    properties: Mapping[str, Any] = field(
        default_factory=lambda: {"ss58Format": 42, "tokenDecimals": 12, "tokenSymbol": "DSH"}
    )
    """Chain properties shown by wallets."""
    protocol_id: str = "deepshard"
    """Network protocol id."""
    model: ModelPreset = DEV_MODEL
    """Model version 0 (Training genesis)."""
    rounds: RoundRules | None = DEV_ROUNDS
    """The round rules (Training genesis; None: the runtime's configured defaults)."""
    voting_period: int | None = DEV_VOTING_PERIOD
    """Blocks curators vote on a batch (Informants genesis; None: the runtime's default)."""


_ENDOWED: Final = DEV_ACCOUNTS + tuple(f"{name}//stash" for name in DEV_ACCOUNTS)

DEV: Final = ChainPreset(
    name="Development",
    id="dev",
    chain_type="Development",
    authorities=("Alice",),
    sudo="Alice",
    endowed=_ENDOWED,
)
"""The single-authority development chain (``deepshard node --dev``)."""

LOCAL: Final = ChainPreset(
    name="Local Testnet",
    id="local_testnet",
    chain_type="Local",
    authorities=("Alice", "Bob", "Charlie", "Dave"),
    sudo="Alice",
    endowed=_ENDOWED,
)
"""The four-authority local testnet (``--chain local``)."""

PRESETS: Final = {"dev": DEV, "local": LOCAL}
"""Presets by the name the ``--chain`` option takes."""
