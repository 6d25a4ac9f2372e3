"""Training: staked trainers and scorers, shard rounds, commit-reveal, aggregation, versions.

Overview
--------
The seed's *training nodes* and the check on them. The chain never trains or scores: it draws
who works, records commitments and integer statistics, aggregates them (see `logic`) and pays
or slashes.

* **Bonds.** ``bond(role, amount)`` holds a trainer or scorer bond (one hold reason per role);
  ``unbond`` starts an unbonding period, ``withdraw_unbonded`` releases what has served it,
  but not while the account is drawn in the open round.
* **Model registry.** ``ModelVersions`` maps a version id to its parent, base model CID,
  architecture (layer count and shard layout), accepted adapters, held-out loss and the round
  that made it; version 0 comes from genesis (the chain spec). ``CurrentVersion`` is the head.
* **Rounds.** One round at a time. When none is open, ``on_initialize`` opens one if an
  accepted batch heads the Informants ``TrainingQueue`` and enough trainers and scorers are
  bonded. The round fixes the parent version, the batch, a shard (in rotation), the seed
  ``blake2_256(parent block hash ‖ round id)``, the protocol profile and the probe set, and
  the deadlines; it draws R trainers, then S scorers among the other accounts, weighted by
  bond, without replacement, from the seed alone.
* **Round rules.** The phase lengths (``RoundPeriods``), the protocol profile
  (``RoundProfile``) and R and S (``RoundSize``) are storage, set at genesis (a chain spec
  chooses them: a dev chain trains a few steps in short phases) and changeable by Root; where
  unset, the configured ``CommitPeriod``..., ``Profile`` and ``TrainersPerRound`` /
  ``ScorersPerRound`` apply. R and S never exceed the configured numbers, which bound the
  weight of a round's steps.
* **Commit, reveal, score.** A drawn trainer commits ``blake2_256(cid ‖ sha256 ‖ salt ‖
  account)`` and then reveals; one that misses either deadline gets a pending liveness slash
  (``LivenessSlash`` of its bond). Drawn scorers submit, for every revealed adapter, the
  statistics vector whose layout (``Statistics``: names, direction, floors) is a constant of
  this configuration and of the metadata.
* **Aggregation** at the score deadline (`logic.compute_round_result`): consensus per
  (adapter, statistic), hash clusters or median and MAD, the proof of training. Outliers of an
  accepted cluster get a pending ``OutlierSlash``; scorers share ``ScorerReward`` by bond times
  agreement at once.
* **Dispute window.** Until ``dispute_ends`` Root may ``cancel_slash``. Then the slashes apply,
  the accepted trainers share ``RoundEmission`` (minted by the treasury) plus the applied
  slashes pro rata by bond, remainders to the treasury, and the accepted adapters make a new
  model version.

Every step emits an event, so a client can follow a round's life. ``on_initialize`` runs at
most one step of the round per block; `integrity_test` checks that the worst step fits in
``MaxRoundWeight``.

Stakes and holds
----------------
Bonds are held on the owner's account under ``trnbond`` (trainers) and ``scrbond`` (scorers);
a pending slash is part of the bond until it applies. ``try_state`` ties the holds to the
ledgers and checks every closed round's payout against what it had to pay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Protocol, cast

from deepshard.pallets.balances.types import ReasonId
from deepshard.pallets.informants.logic import is_valid_cid
from deepshard.pallets.system import System
from deepshard.pallets.training import logic
from deepshard.pallets.training.logic import ProfileMode, Role, RoundOutcome, RoundPhase
from deepshard.pallets.training.types import (
    AdapterRecord,
    BondLedger,
    ModelVersion,
    PendingSlash,
    Reveal,
    Round,
    RoundPeriods,
    RoundSize,
    StatisticSpec,
    TrainingProfile,
    UnlockChunk,
)
from deepshard.pallets.training.weights import TrainingWeights, UnitWeights
from deepshard.primitives.codec import H256, AccountId32, Compact, Enum, Vec
from deepshard.primitives.hashing import StorageHasher
from deepshard.primitives.numeric import I64, U32, U64, U128, Perbill
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import (
    GenesisConfig,
    OptionQuery,
    Origin,
    Pallet,
    PalletConfig,
    PalletError,
    StorageDoubleMap,
    StorageMap,
    StorageValue,
    ValueQuery,
    call,
    constant,
    ensure,
    ensure_root,
    ensure_signed,
    storage,
)

__all__ = [
    "TRAINER_REASON",
    "SCORER_REASON",
    "DEFAULT_STATISTICS",
    "DEFAULT_PROFILE",
    "DEV_BASE_MODEL_CID",
    "DEV_PROBE_SET_CID",
    "HoldCurrency",
    "RewardTreasury",
    "TrainingQueue",
    "Config",
    "Event",
    "Bonded",
    "Unbonded",
    "Withdrawn",
    "RoundOpened",
    "Committed",
    "Revealed",
    "ScoresSubmitted",
    "SlashPending",
    "RoundAggregated",
    "ScorerRewarded",
    "SlashCancelled",
    "SlashApplied",
    "TrainerRewarded",
    "VersionRecorded",
    "RoundClosed",
    "RoundPeriodsSet",
    "RoundProfileSet",
    "RoundSizeSet",
    "Error",
    "ZeroAmount",
    "BondTooLow",
    "TooManyBonded",
    "NotBonded",
    "InsufficientBond",
    "TooManyUnlockingChunks",
    "NothingToWithdraw",
    "InOpenRound",
    "UnknownRound",
    "WrongPhase",
    "NotDrawnTrainer",
    "AlreadyCommitted",
    "NotCommitted",
    "AlreadyRevealed",
    "CommitmentMismatch",
    "InvalidCid",
    "SaltTooLong",
    "NotDrawnScorer",
    "AlreadyScored",
    "WrongScoreShape",
    "NoPendingSlash",
    "ZeroPeriod",
    "InvalidProfile",
    "InvalidRoundSize",
    "TrainingGenesis",
    "Training",
]

TRAINER_REASON: Final = ReasonId(b"trnbond\x00")
"""Hold reason of a trainer's bond."""
SCORER_REASON: Final = ReasonId(b"scrbond\x00")
"""Hold reason of a scorer's bond."""

_ZERO: Final = U128(0)
_PERBILL = Perbill.from_parts
_MAX_SALT: Final = 64


def _stat(name: str, higher: bool, floor: int) -> StatisticSpec:
    return StatisticSpec(name=name.encode(), higher_is_better=higher, floor=I64(floor))


DEFAULT_STATISTICS: Final = (
    _stat("heldout_loss", False, 10_000),
    _stat("heldout_improvement", True, 10_000),
    _stat("probe_loglik", True, 20_000),
    _stat("curvature", True, 50_000),
    _stat("weight_distance", False, 50_000),
)
"""The statistics layout: held-out loss of parent + adapter and its improvement over the
parent, log-likelihood on probes from the batch, Fast-DetectGPT curvature (the parent as
sampling model), and the adapter's weight distance to the others; all x10^6. Curvature is
measured on held-out in-domain text with the candidate as scoring model, so fine-tuning on
in-domain data raises it and poisoned data lowers it: higher is better."""

DEFAULT_PROFILE: Final = TrainingProfile(
    mode=ProfileMode.Deterministic,
    lora_rank=U32(8),
    lora_alpha=U32(16),
    target_modules=(b"q_proj", b"v_proj"),
    learning_rate=U64(200_000),  # 2e-4
    steps=U32(100),
    batch_size=U32(8),
)
"""The default protocol profile (deterministic)."""

DEV_BASE_MODEL_CID: Final = bytes.fromhex("01551220") + bytes(range(0x40, 0x60))
"""A placeholder base-model CID for genesis configurations that name none."""
DEV_PROBE_SET_CID: Final = bytes.fromhex("01551220") + bytes(range(0x60, 0x80))
"""A placeholder probe-set CID for genesis configurations that name none."""


# --- Config -----------------------------------------------------------------------------------


class HoldCurrency(Protocol):
    """What the pallet needs of the currency: holds by reason (implemented by Balances)."""

    def hold(self, reason: ReasonId, who: AccountId32, amount: U128) -> None:
        """Put `amount` of the free balance of `who` on hold; raise a `DispatchError` if not."""
        ...

    def release(self, reason: ReasonId, who: AccountId32, amount: U128) -> U128:
        """Return up to `amount` held for `reason` to `who`; return the amount released."""
        ...

    def balance_on_hold(self, reason: ReasonId, who: AccountId32) -> U128:
        """The balance of `who` on hold for `reason`."""
        ...

    def transfer_on_hold(
        self, reason: ReasonId, source: AccountId32, dest: AccountId32, amount: U128
    ) -> U128:
        """Move `amount` held for `reason` on `source` into the free balance of `dest`."""
        ...


class RewardTreasury(Protocol):
    """What the pallet needs of the treasury (implemented by Treasury)."""

    def receive_held(self, reason: ReasonId, source: AccountId32, amount: U128) -> U128:
        """Move `amount` held for `reason` on `source` into the pot; return the amount."""
        ...

    def mint_reward(self, who: AccountId32, amount: U128) -> U128:
        """Mint up to `amount` out of the emission budget into `who`; return what was minted."""
        ...


class TrainingQueue(Protocol):
    """What the pallet needs of the Informants pallet: its queue of accepted batches."""

    def training_queue_head(self) -> U64 | None:
        """The accepted batch that waits longest for training, if any."""
        ...

    def take_for_training(self) -> tuple[U64, Any] | None:
        """Take the queue's head: ``(batch id, batch)`` (the batch has a ``cid``)."""
        ...


class Config(PalletConfig):
    """Configuration of the Training pallet (see the module docs for the rules)."""

    currency: type[Pallet[Any]]
    """The pallet holding balances (a `HoldCurrency`: Balances)."""
    treasury: type[Pallet[Any]]
    """The pallet receiving slashes and minting rewards (a `RewardTreasury`: Treasury)."""
    informants: type[Pallet[Any]]
    """The pallet whose accepted batches open rounds (a `TrainingQueue`: Informants)."""
    min_trainer_bond: U128 = constant(default=U128(100), doc="The least active trainer bond.")
    min_scorer_bond: U128 = constant(default=U128(100), doc="The least active scorer bond.")
    max_bonded: U32 = constant(
        default=U32(256), doc="How many accounts may hold a bond of one role at once."
    )
    unbonding_period: U32 = constant(
        default=U32(10), doc="Blocks an unbonded amount waits before it can be withdrawn."
    )
    max_unlocking_chunks: U32 = constant(
        default=U32(4), doc="How many unbonding chunks one bond may have at once."
    )
    trainers_per_round: U32 = constant(
        default=U32(3), doc="Trainers drawn per round (R) unless RoundSize says; its maximum."
    )
    scorers_per_round: U32 = constant(
        default=U32(3), doc="Scorers drawn per round (S) unless RoundSize says; its maximum."
    )
    commit_period: U32 = constant(default=U32(5), doc="Blocks for commitments.")
    reveal_period: U32 = constant(default=U32(5), doc="Blocks for reveals, after the commits.")
    score_period: U32 = constant(default=U32(5), doc="Blocks for scores, after the reveals.")
    dispute_period: U32 = constant(
        default=U32(5), doc="Blocks Root has to cancel a pending slash, after aggregation."
    )
    liveness_slash: Perbill = constant(
        default=_PERBILL(10_000_000),
        doc="Share of its bond a drawn trainer loses for missing the commit or reveal.",
    )
    outlier_slash: Perbill = constant(
        default=_PERBILL(500_000_000), doc="Share of its bond an outlier trainer loses."
    )
    round_emission: U128 = constant(
        default=U128(1_000), doc="Emission the accepted trainers of a round share."
    )
    scorer_reward: U128 = constant(
        default=U128(100), doc="Emission the scorers of an aggregated round share."
    )
    min_improvement: I64 = constant(
        default=I64(1_000),
        doc="The least held-out loss improvement (x10^6) that proves training.",
    )
    statistics: tuple[StatisticSpec, ...] = constant(
        default=DEFAULT_STATISTICS,
        doc="The layout of a scorer's statistics vector: names, direction, floors (x10^6).",
    )
    improvement_statistic: U32 = constant(
        default=U32(1), doc="Index of the held-out improvement in the statistics."
    )
    loss_statistic: U32 = constant(
        default=U32(0), doc="Index of the held-out loss in the statistics."
    )
    profile: TrainingProfile = constant(
        default=DEFAULT_PROFILE, doc="The protocol profile rounds pin unless RoundProfile says."
    )
    mad_factor: U32 = constant(
        default=U32(3_000), doc="Tolerant profile: the MAD multiplier k, in thousandths."
    )
    tolerant_quorum: U32 = constant(
        default=U32(3), doc="Tolerant profile: the least number of revealed adapters."
    )
    max_cid_length: U32 = constant(default=U32(128), doc="The longest adapter CID accepted.")
    max_round_weight: Weight = constant(
        default=Weight.from_parts(1_000_000_000_000, 0),
        doc="The most weight one step of a round may take in on_initialize.",
    )
    weights: Any = UnitWeights()
    """The weight table (`TrainingWeights`)."""


# --- Events -----------------------------------------------------------------------------------


class Event(Enum, type_path=("pallet_training", "pallet", "Event")):
    """Events of the Training pallet."""


class Bonded(Event, index=0):
    """An account bonded `amount` more in `role`."""

    who: AccountId32
    """The account."""
    role: Role
    """Trainer or scorer."""
    amount: U128
    """The amount bonded."""


class Unbonded(Event, index=1):
    """An account started unbonding `amount`; it can be withdrawn from `unlock_at`."""

    who: AccountId32
    """The account."""
    role: Role
    """Trainer or scorer."""
    amount: U128
    """The amount unbonding."""
    unlock_at: U32
    """The first block it can be withdrawn."""


class Withdrawn(Event, index=2):
    """An account withdrew `amount` of unbonded funds."""

    who: AccountId32
    """The account."""
    role: Role
    """Trainer or scorer."""
    amount: U128
    """The amount released."""


class RoundOpened(Event, index=3):
    """A round opened on an accepted batch; the drawn trainers commit until `commit_ends`."""

    round_id: U64
    """The round."""
    batch_id: U64
    """The batch it trains on."""
    parent_version: U32
    """The version it extends."""
    shard: U32
    """The shard trained."""
    seed: H256
    """The round's seed."""
    trainers: Vec[AccountId32]
    """The drawn trainers."""
    scorers: Vec[AccountId32]
    """The drawn scorers."""
    commit_ends: U32
    """The commit deadline."""


class Committed(Event, index=4):
    """A trainer committed to its adapter."""

    round_id: U64
    """The round."""
    trainer: AccountId32
    """The trainer."""


class Revealed(Event, index=5):
    """A trainer revealed its adapter."""

    round_id: U64
    """The round."""
    trainer: AccountId32
    """The trainer."""
    cid: bytes
    """The adapter's CID."""
    sha256: H256
    """The adapter's sha256."""


class ScoresSubmitted(Event, index=6):
    """A scorer submitted its statistics for every revealed adapter."""

    round_id: U64
    """The round."""
    scorer: AccountId32
    """The scorer."""


class SlashPending(Event, index=7):
    """A slash awaits the end of the dispute window."""

    round_id: U64
    """The round."""
    trainer: AccountId32
    """The trainer."""
    amount: U128
    """The amount."""
    outlier: bool
    """Outlier (true) or missed deadline (false)."""


class RoundAggregated(Event, index=8):
    """The score deadline passed and the round was aggregated."""

    round_id: U64
    """The round."""
    outcome: RoundOutcome
    """Accepted, NoConsensus, NoProgress, NoReveals or NoScores."""
    accepted: Vec[AccountId32]
    """The trainers of the accepted cluster."""
    outliers: Vec[AccountId32]
    """The outlier trainers."""
    improvement: I64
    """The accepted cluster's consensus improvement (x10^6)."""


class ScorerRewarded(Event, index=9):
    """A scorer was paid its share of the scorer reward."""

    round_id: U64
    """The round."""
    scorer: AccountId32
    """The scorer."""
    agreement: U32
    """How many of its entries agreed with the consensus."""
    amount: U128
    """The amount minted to it."""


class SlashCancelled(Event, index=10):
    """Root cancelled a pending slash."""

    round_id: U64
    """The round."""
    trainer: AccountId32
    """The trainer."""
    amount: U128
    """The amount that stays bonded."""


class SlashApplied(Event, index=11):
    """A pending slash was applied after the dispute window."""

    round_id: U64
    """The round."""
    trainer: AccountId32
    """The trainer."""
    amount: U128
    """The amount taken from its bond."""


class TrainerRewarded(Event, index=12):
    """An accepted trainer was paid its share of the emission and of the slashes."""

    round_id: U64
    """The round."""
    trainer: AccountId32
    """The trainer."""
    amount: U128
    """The amount it received."""


class VersionRecorded(Event, index=13):
    """A round made a new model version."""

    version: U32
    """The new version."""
    parent: U32
    """The version it extends."""
    round_id: U64
    """The round."""
    held_out_loss: I64
    """Its held-out loss (x10^6)."""


class RoundClosed(Event, index=14):
    """A round closed: its payout is final."""

    round_id: U64
    """The round."""
    outcome: RoundOutcome
    """How it ended."""
    paid: U128
    """Paid to accepted trainers."""
    to_treasury: U128
    """Sent to the treasury (slash remainders, or every slash when nothing was accepted)."""


class RoundPeriodsSet(Event, index=15):
    """Root set the phase lengths of rounds opened from now on."""

    periods: RoundPeriods
    """The new lengths, in blocks."""


class RoundProfileSet(Event, index=16):
    """Root set the protocol profile of rounds opened from now on."""

    profile: TrainingProfile
    """The new profile."""


class RoundSizeSet(Event, index=17):
    """Root set how many trainers and scorers rounds opened from now on draw."""

    size: RoundSize
    """The new numbers."""


# --- Errors -----------------------------------------------------------------------------------


class Error(PalletError):
    """Errors of the Training pallet."""


class ZeroAmount(Error, index=0):
    """The amount is zero."""


class BondTooLow(Error, index=1):
    """The active bond would be below the role's minimum (and not zero)."""


class TooManyBonded(Error, index=2):
    """`MaxBonded` accounts already hold a bond of this role."""


class NotBonded(Error, index=3):
    """The account has no bond of this role."""


class InsufficientBond(Error, index=4):
    """The active bond is smaller than the amount to unbond."""


class TooManyUnlockingChunks(Error, index=5):
    """The bond already has `MaxUnlockingChunks` chunks unbonding."""


class NothingToWithdraw(Error, index=6):
    """No unbonded chunk has reached the end of its unbonding period."""


class InOpenRound(Error, index=7):
    """The account is drawn in the open round; it can withdraw once the round closes."""


class UnknownRound(Error, index=8):
    """No round has this id."""


class WrongPhase(Error, index=9):
    """The round is not in the phase this call belongs to."""


class NotDrawnTrainer(Error, index=10):
    """The account is not a drawn trainer of this round."""


class AlreadyCommitted(Error, index=11):
    """The trainer has committed already."""


class NotCommitted(Error, index=12):
    """The trainer did not commit in this round."""


class AlreadyRevealed(Error, index=13):
    """The trainer has revealed already."""


class CommitmentMismatch(Error, index=14):
    """The revealed cid, sha256 and salt do not hash to the commitment."""


class InvalidCid(Error, index=15):
    """The adapter CID is not a binary CID with sha2-256, or longer than `MaxCidLength`."""


class SaltTooLong(Error, index=16):
    """The salt is longer than 64 bytes."""


class NotDrawnScorer(Error, index=17):
    """The account is not a drawn scorer of this round."""


class AlreadyScored(Error, index=18):
    """The scorer has submitted already."""


class WrongScoreShape(Error, index=19):
    """Scores need one vector per revealed adapter, each with one entry per statistic."""


class NoPendingSlash(Error, index=20):
    """The trainer has no pending slash in this round, or the window has closed."""


class ZeroPeriod(Error, index=21):
    """Every phase of a round lasts at least one block."""


class InvalidProfile(Error, index=22):
    """The profile trains nothing (a zero number, no module) or misses the tolerant quorum."""


class InvalidRoundSize(Error, index=23):
    """Trainers or scorers per round are zero, above the configured maximum, or below quorum."""


# --- Genesis ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrainingGenesis(GenesisConfig):
    """Genesis of the Training pallet: model version 0, the probe set, bonds."""

    base_model_cid: bytes = DEV_BASE_MODEL_CID
    """The base model's CID (version 0)."""
    layer_count: U32 = U32(8)  # noqa: RUF009 - an immutable integer
    """The base model's number of layers."""
    shards: tuple[tuple[U32, U32], ...] = ((U32(0), U32(4)), (U32(4), U32(8)))
    """The shard layout: ``(first layer, end layer)`` ranges covering the layers in order."""
    held_out_loss: I64 = I64(3_000_000)  # noqa: RUF009 - an immutable integer
    """The base model's held-out loss (x10^6)."""
    probe_set_cid: bytes = DEV_PROBE_SET_CID
    """The held-out probe set's CID."""
    trainers: tuple[tuple[AccountId32, U128], ...] = ()
    """``(trainer, bond)`` bonded at genesis."""
    scorers: tuple[tuple[AccountId32, U128], ...] = ()
    """``(scorer, bond)`` bonded at genesis."""
    round_periods: RoundPeriods | None = None
    """The phase lengths of rounds (None: the configured periods)."""
    round_profile: TrainingProfile | None = None
    """The protocol profile of rounds (None: the configured ``Profile``)."""
    round_size: RoundSize | None = None
    """Trainers and scorers drawn per round (None: the configured numbers)."""

    def build(self, pallet: Training) -> None:
        """Validate, then record version 0, the probe set, the round rules and the bonds.

        Raises:
            ValueError: an invalid CID, a shard layout that does not tile the layers, a
                duplicate account, a bond below the minimum, a zero period, an invalid
                profile or round size.
        """
        if self.round_periods is not None:
            p = self.round_periods
            if 0 in (int(p.commit), int(p.reveal), int(p.score), int(p.dispute)):
                raise ValueError("Training genesis: every round period is at least one block")
            pallet.round_periods.put(p)
        if self.round_size is not None:
            pallet.round_size.put(self.round_size)
        if self.round_profile is not None:
            pallet.round_profile.put(self.round_profile)
        problem = pallet.rules_problem(pallet.current_profile(), pallet.current_size())
        if problem is not None:
            raise ValueError(f"Training genesis: {problem}")
        if not is_valid_cid(self.base_model_cid) or not is_valid_cid(self.probe_set_cid):
            raise ValueError("Training genesis: the base model and probe set need valid CIDs")
        end = 0
        for first, last in self.shards:
            if int(first) != end or int(last) <= int(first):
                raise ValueError("Training genesis: shards must tile the layers in order")
            end = int(last)
        if end != int(self.layer_count) or not self.shards:
            raise ValueError("Training genesis: shards must cover every layer")
        for role, bonds in ((Role.Trainer, self.trainers), (Role.Scorer, self.scorers)):
            accounts = [bytes(who) for who, _ in bonds]
            if len(dict.fromkeys(accounts)) != len(accounts):
                raise ValueError(f"Training genesis: a {role.name} is listed twice")
            for who, bond in bonds:
                if bond < pallet.min_bond(role):
                    raise ValueError(f"Training genesis: bond {bond} below the minimum")
                pallet.do_bond(AccountId32(who), role, U128(bond))
        pallet.model_versions.insert(
            U32(0),
            ModelVersion(
                parent=None,
                base_cid=bytes(self.base_model_cid),
                layer_count=U32(self.layer_count),
                shards=tuple((U32(a), U32(b)) for a, b in self.shards),
                adapters=(),
                held_out_loss=I64(self.held_out_loss),
                round_id=None,
            ),
        )
        pallet.probe_set_cid.put(bytes(self.probe_set_cid))


# --- Pallet -----------------------------------------------------------------------------------


class Training(
    Pallet[Config],
    name="Training",
    config=Config,
    event=Event,
    error=Error,
    genesis=TrainingGenesis,
):
    """The Training pallet."""

    trainer_bonds: StorageMap[AccountId32, BondLedger, OptionQuery] = storage(
        hasher=StorageHasher.BLAKE2_128_CONCAT, doc="Each trainer's bond."
    )
    scorer_bonds: StorageMap[AccountId32, BondLedger, OptionQuery] = storage(
        hasher=StorageHasher.BLAKE2_128_CONCAT, doc="Each scorer's bond."
    )
    bonded_counts: StorageValue[tuple[U32, U32], ValueQuery] = storage(
        default=(U32(0), U32(0)), doc="How many trainer and scorer ledgers are stored."
    )
    model_versions: StorageMap[U32, ModelVersion, OptionQuery] = storage(
        hasher=StorageHasher.TWOX_64_CONCAT, doc="Every model version, by id."
    )
    current_version: StorageValue[U32, ValueQuery] = storage(
        default=U32(0), doc="The newest model version."
    )
    probe_set_cid: StorageValue[bytes, ValueQuery] = storage(
        default=b"", doc="The held-out probe set's CID."
    )
    next_round_id: StorageValue[U64, ValueQuery] = storage(
        default=U64(0), doc="The id the next round gets."
    )
    rounds: StorageMap[U64, Round, OptionQuery] = storage(
        hasher=StorageHasher.TWOX_64_CONCAT, doc="Every round, by id."
    )
    active_round: StorageValue[U64, OptionQuery] = storage(doc="The round not yet closed.")
    commitments: StorageDoubleMap[U64, AccountId32, H256, OptionQuery] = storage(
        hashers=(StorageHasher.TWOX_64_CONCAT, StorageHasher.BLAKE2_128_CONCAT),
        doc="Trainers' commitments, by round.",
    )
    reveals: StorageDoubleMap[U64, AccountId32, Reveal, OptionQuery] = storage(
        hashers=(StorageHasher.TWOX_64_CONCAT, StorageHasher.BLAKE2_128_CONCAT),
        doc="Trainers' revealed adapters, by round.",
    )
    scores: StorageDoubleMap[U64, AccountId32, Vec[Vec[I64]], OptionQuery] = storage(
        hashers=(StorageHasher.TWOX_64_CONCAT, StorageHasher.BLAKE2_128_CONCAT),
        doc="Scorers' statistics, by round: one vector per revealed adapter, in reveal order.",
    )
    round_periods: StorageValue[RoundPeriods, OptionQuery] = storage(
        doc="The phase lengths of new rounds, if genesis or Root set them (else the "
        "configured periods)."
    )
    round_profile: StorageValue[TrainingProfile, OptionQuery] = storage(
        doc="The protocol profile of new rounds, if genesis or Root set it (else `Profile`)."
    )
    round_size: StorageValue[RoundSize, OptionQuery] = storage(
        doc="Trainers and scorers new rounds draw, if genesis or Root set them (else "
        "`TrainersPerRound` and `ScorersPerRound`)."
    )
    pending_slashes: StorageDoubleMap[U64, AccountId32, PendingSlash, OptionQuery] = storage(
        hashers=(StorageHasher.TWOX_64_CONCAT, StorageHasher.BLAKE2_128_CONCAT),
        doc="Slashes waiting for the round's dispute window to end.",
    )

    # --- calls -----------------------------------------------------------------------------------

    @call(index=0, weight=lambda w: w.bond())
    def bond(self, origin: Origin, role: Role, amount: Compact[U128]) -> None:
        """Bond `amount` more as a trainer or a scorer (held). Origin: signed."""
        # Fails with BadOrigin, ZeroAmount, BondTooLow, TooManyBonded or a TokenError.
        who = ensure_signed(origin)
        amount = U128(amount)
        ensure(amount > 0, ZeroAmount)
        ledger = self.ledgers(role).get(who)
        active = ledger.active if ledger is not None else _ZERO
        ensure(active + amount >= self.min_bond(role), BondTooLow)
        counts = self.bonded_counts.get()
        ensure(ledger is not None or counts[role] < self.config.max_bonded, TooManyBonded)
        self.do_bond(who, role, amount)
        self.deposit_event(Bonded(who=who, role=role, amount=amount))

    @call(index=1, weight=lambda w: w.unbond())
    def unbond(self, origin: Origin, role: Role, amount: Compact[U128]) -> None:
        """Start unbonding `amount` of the active bond of `role`. Origin: signed.

        What remains active must be zero or at least the role's minimum; the amount can be
        withdrawn after `UnbondingPeriod` blocks, once the account is in no open round.
        """
        # Fails with BadOrigin, ZeroAmount, NotBonded, InsufficientBond, BondTooLow or
        # TooManyUnlockingChunks.
        who = ensure_signed(origin)
        amount = U128(amount)
        ensure(amount > 0, ZeroAmount)
        ledger = self.ledgers(role).get(who)
        ensure(ledger is not None and ledger.active > 0, NotBonded)
        assert ledger is not None  # for the type checker: ensured above
        ensure(amount <= ledger.active, InsufficientBond)
        remaining = ledger.active - amount
        ensure(remaining == 0 or remaining >= self.min_bond(role), BondTooLow)
        ensure(len(ledger.unlocking) < self.config.max_unlocking_chunks, TooManyUnlockingChunks)
        unlock_at = U32(self.block_number + int(self.config.unbonding_period))
        chunk = UnlockChunk(amount=amount, unlock_at=unlock_at)
        self.ledgers(role).insert(
            who, replace(ledger, active=remaining, unlocking=(*ledger.unlocking, chunk))
        )
        self.deposit_event(Unbonded(who=who, role=role, amount=amount, unlock_at=unlock_at))

    @call(index=2, weight=lambda w: w.withdraw_unbonded())
    def withdraw_unbonded(self, origin: Origin, role: Role) -> None:
        """Release every unbonding chunk of `role` whose period ended. Origin: signed.

        Not while the account is drawn in the open round.
        """
        # Fails with BadOrigin, NotBonded, InOpenRound or NothingToWithdraw.
        who = ensure_signed(origin)
        ledger = self.ledgers(role).get(who)
        ensure(ledger is not None, NotBonded)
        assert ledger is not None  # for the type checker: ensured above
        ensure(not self.is_in_open_round(who), InOpenRound)
        now = self.block_number
        ready = [c for c in ledger.unlocking if c.unlock_at <= now]
        ensure(bool(ready), NothingToWithdraw)
        amount = U128(sum(int(c.amount) for c in ready))
        waiting = tuple(c for c in ledger.unlocking if c.unlock_at > now)
        self.currency.release(_reason(role), who, amount)
        self._store_ledger(who, role, replace(ledger, unlocking=waiting))
        self.deposit_event(Withdrawn(who=who, role=role, amount=amount))

    @call(index=3, weight=lambda w: w.commit())
    def commit(self, origin: Origin, round_id: U64, commitment: H256) -> None:
        """Commit to an adapter: ``blake2_256(cid ‖ sha256 ‖ salt ‖ account)``.

        Origin: signed (a drawn trainer of the round, during its commit phase).
        """
        # Fails with BadOrigin, UnknownRound, WrongPhase, NotDrawnTrainer or AlreadyCommitted.
        who = ensure_signed(origin)
        round_ = self._round_in(round_id, RoundPhase.Commit)
        ensure(_drawn(round_.trainers, who), NotDrawnTrainer)
        ensure(not self.commitments.contains_key(round_id, who), AlreadyCommitted)
        self.commitments.insert(round_id, who, commitment)
        self.deposit_event(Committed(round_id=round_id, trainer=who))

    @call(index=4, weight=lambda w: w.reveal())
    def reveal(self, origin: Origin, round_id: U64, cid: bytes, sha256: H256, salt: bytes) -> None:
        """Reveal the committed adapter. Origin: signed (a trainer that committed).

        The CID must be a binary CID (sha2-256) no longer than `MaxCidLength`, the salt at
        most 64 bytes, and the four parts must hash to the commitment.
        """
        # Fails with BadOrigin, UnknownRound, WrongPhase, NotDrawnTrainer, NotCommitted,
        # AlreadyRevealed, InvalidCid, SaltTooLong or CommitmentMismatch.
        who = ensure_signed(origin)
        round_ = self._round_in(round_id, RoundPhase.Reveal)
        ensure(_drawn(round_.trainers, who), NotDrawnTrainer)
        commitment = self.commitments.get(round_id, who)
        ensure(commitment is not None, NotCommitted)
        ensure(not self.reveals.contains_key(round_id, who), AlreadyRevealed)
        ensure(len(cid) <= self.config.max_cid_length and is_valid_cid(cid), InvalidCid)
        ensure(len(salt) <= _MAX_SALT, SaltTooLong)
        expected = logic.compute_commitment(bytes(cid), bytes(sha256), bytes(salt), bytes(who))
        ensure(commitment is not None and bytes(commitment) == expected, CommitmentMismatch)
        self.reveals.insert(round_id, who, Reveal(cid=bytes(cid), sha256=sha256))
        self.rounds.insert(round_id, replace(round_, revealed=(*round_.revealed, who)))
        self.deposit_event(Revealed(round_id=round_id, trainer=who, cid=bytes(cid), sha256=sha256))

    @call(index=5, weight=lambda w, scores: w.submit_scores(len(scores)))
    def submit_scores(self, origin: Origin, round_id: U64, scores: Vec[Vec[I64]]) -> None:
        """Submit statistics for every revealed adapter. Origin: signed (a drawn scorer).

        `scores` holds one vector per revealed adapter, in the round's reveal order, each
        laid out as `Statistics` declares (x10^6).
        """
        # Fails with BadOrigin, UnknownRound, WrongPhase, NotDrawnScorer, AlreadyScored or
        # WrongScoreShape.
        who = ensure_signed(origin)
        round_ = self._round_in(round_id, RoundPhase.Score)
        ensure(_drawn(round_.scorers, who), NotDrawnScorer)
        ensure(not self.scores.contains_key(round_id, who), AlreadyScored)
        width = len(self.config.statistics)
        ensure(
            len(scores) == len(round_.revealed) and all(len(row) == width for row in scores),
            WrongScoreShape,
        )
        self.scores.insert(round_id, who, tuple(tuple(I64(v) for v in row) for row in scores))
        self.deposit_event(ScoresSubmitted(round_id=round_id, scorer=who))

    @call(index=6, weight=lambda w: w.cancel_slash())
    def cancel_slash(self, origin: Origin, round_id: U64, trainer: AccountId32) -> None:
        """Cancel a pending slash before the round's dispute window ends. Origin: Root."""
        # Fails with BadOrigin, UnknownRound or NoPendingSlash.
        ensure_root(origin)
        round_ = self.rounds.get(round_id)
        ensure(round_ is not None, UnknownRound)
        assert round_ is not None  # for the type checker: ensured above
        pending = self.pending_slashes.get(round_id, trainer)
        ensure(pending is not None and round_.phase is not RoundPhase.Closed, NoPendingSlash)
        assert pending is not None  # for the type checker: ensured above
        self.pending_slashes.remove(round_id, trainer)
        self.deposit_event(
            SlashCancelled(round_id=round_id, trainer=trainer, amount=pending.amount)
        )

    @call(index=7, weight=lambda w: w.set_round_periods())
    def set_round_periods(self, origin: Origin, periods: RoundPeriods) -> None:
        """Set the phase lengths (blocks) of rounds opened from now on. Origin: Root."""
        # Fails with BadOrigin or ZeroPeriod.
        ensure_root(origin)
        lengths = (periods.commit, periods.reveal, periods.score, periods.dispute)
        ensure(all(length > 0 for length in lengths), ZeroPeriod)
        self.round_periods.put(periods)
        self.deposit_event(RoundPeriodsSet(periods=periods))

    @call(index=8, weight=lambda w: w.set_round_profile())
    def set_round_profile(self, origin: Origin, profile: TrainingProfile) -> None:
        """Set the protocol profile of rounds opened from now on. Origin: Root."""
        # Fails with BadOrigin or InvalidProfile.
        ensure_root(origin)
        ensure(self.rules_problem(profile, self.current_size()) is None, InvalidProfile)
        self.round_profile.put(profile)
        self.deposit_event(RoundProfileSet(profile=profile))

    @call(index=9, weight=lambda w: w.set_round_size())
    def set_round_size(self, origin: Origin, size: RoundSize) -> None:
        """Set how many trainers and scorers rounds opened from now on draw. Origin: Root.

        At most the configured ``TrainersPerRound`` and ``ScorersPerRound``.
        """
        # Fails with BadOrigin or InvalidRoundSize.
        ensure_root(origin)
        ensure(self.rules_problem(self.current_profile(), size) is None, InvalidRoundSize)
        self.round_size.put(size)
        self.deposit_event(RoundSizeSet(size=size))

    # --- hooks -----------------------------------------------------------------------------------

    def on_initialize(self, n: int) -> Weight:
        """Move the open round one step (or open one); return the weight used.

        At most one step per block: open, commit deadline, reveal deadline, aggregation or
        close; each is bounded by the round's size (see `integrity_test`).
        """
        weights = cast(TrainingWeights, self.config.weights)
        used = weights.on_initialize_base()
        round_id = self.active_round.get()
        if round_id is None:
            if not self.may_open_round():
                return used
            counts = self.bonded_counts.get()
            self.do_open_round()  # priced whether or not enough bonds are active
            return used.saturating_add(weights.open_round(int(counts[0]) + int(counts[1])))
        round_ = self.rounds.get(round_id)
        assert round_ is not None  # the active round is stored
        phase = logic.next_phase(round_.phase, n, **_deadlines(round_))
        if phase is round_.phase:
            return used
        trainers = len(round_.trainers)
        if phase is RoundPhase.Reveal:
            self.do_close_commit(round_id)
            return used.saturating_add(weights.close_commit(trainers))
        if phase is RoundPhase.Score:
            self.do_close_reveal(round_id)
            return used.saturating_add(weights.close_reveal(trainers))
        if phase is RoundPhase.Dispute:
            self.do_aggregate(round_id)
            return used.saturating_add(
                weights.aggregate(
                    len(round_.revealed), len(round_.scorers), len(self.config.statistics)
                )
            )
        self.do_close_round(round_id)
        return used.saturating_add(weights.close_round(trainers))

    @classmethod
    def integrity_test(cls, config: Any) -> None:
        """Check the configuration, and that the worst round step fits `MaxRoundWeight`.

        Raises:
            ValueError: naming the first problem found.
        """
        for interface, pallet in (
            (HoldCurrency, config.currency),
            (RewardTreasury, config.treasury),
            (TrainingQueue, config.informants),
        ):
            missing = [
                name
                for name in vars(interface)
                if not name.startswith("_") and not callable(getattr(pallet, name, None))
            ]
            if missing:
                raise ValueError(f"Training: {pallet.__name__} lacks {', '.join(missing)}")
        stats = config.statistics
        if not stats or any(int(s.floor) <= 0 for s in stats):
            raise ValueError("Training: Statistics need at least one entry, floors positive")
        if len(dict.fromkeys(bytes(s.name) for s in stats)) != len(stats):
            raise ValueError("Training: statistic names must be unique")
        if not (int(config.improvement_statistic) < len(stats) > int(config.loss_statistic)):
            raise ValueError("Training: the improvement and loss statistics must exist")
        if config.trainers_per_round == 0 or config.scorers_per_round == 0:
            raise ValueError("Training: rounds draw at least one trainer and one scorer")
        if config.min_trainer_bond == 0 or config.min_scorer_bond == 0:
            raise ValueError("Training: the minimum bonds are positive")
        if 0 in (
            config.commit_period,
            config.reveal_period,
            config.score_period,
            config.dispute_period,
        ):
            raise ValueError("Training: every period is at least one block")
        if config.profile.mode is ProfileMode.Tolerant and (
            config.tolerant_quorum == 0 or config.tolerant_quorum > config.trainers_per_round
        ):
            raise ValueError("Training: the tolerant quorum is within the drawn trainers")
        weights = config.weights
        trainers, scorers = int(config.trainers_per_round), int(config.scorers_per_round)
        bonded = 2 * int(config.max_bonded)
        for step in (
            weights.open_round(bonded),
            weights.close_commit(trainers),
            weights.close_reveal(trainers),
            weights.aggregate(trainers, scorers, len(stats)),
            weights.close_round(trainers),
        ):
            worst = weights.on_initialize_base().saturating_add(step)
            if worst.any_gt(config.max_round_weight):
                raise ValueError(
                    f"Training: a round step {worst} exceeds MaxRoundWeight "
                    f"{config.max_round_weight}"
                )

    def try_state(self) -> None:
        """Check the pallet's invariants.

        * holds: each bond hold equals its ledger's active plus unlocking amounts;
        * a pending slash is at most the trainer's held bond, and only in an open round;
        * no account is both a drawn trainer and a drawn scorer of a round, none twice;
        * a closed round paid exactly what it had: ``paid + to_treasury = emission +
          slashes`` (emission not minted stays in the budget and counts as the treasury's);
        * the active round is the only round not closed; versions form a chain.

        Raises:
            RuntimeError: naming the first invariant found broken.
        """
        counts = [0, 0]
        for role in (Role.Trainer, Role.Scorer):
            for who, ledger in self.ledgers(role).iter():
                counts[role] += 1
                held = int(self.currency.balance_on_hold(_reason(role), who))
                if held != ledger.held():
                    raise RuntimeError(f"{role.name} {who.hex()}: hold {held} != {ledger.held()}")
        if tuple(counts) != tuple(int(c) for c in self.bonded_counts.get()):
            raise RuntimeError(f"bonded counts {self.bonded_counts.get()} != {counts}")
        active = self.active_round.get()
        for round_id, round_ in self.rounds.iter():
            trainers = [bytes(w) for w, _ in round_.trainers]
            scorers = [bytes(w) for w, _ in round_.scorers]
            everyone = trainers + scorers
            if len(dict.fromkeys(everyone)) != len(everyone):
                raise RuntimeError(f"round {round_id}: an account is drawn twice")
            if (round_.phase is not RoundPhase.Closed) != (round_id == active):
                raise RuntimeError(f"round {round_id}: open but not active, or the reverse")
            if round_.phase is RoundPhase.Closed:
                paid = int(round_.paid) + int(round_.to_treasury)
                owed = int(round_.emission) + int(round_.slashes)
                if paid != owed:
                    raise RuntimeError(f"round {round_id}: paid {paid} != owed {owed}")
        for round_id, who, pending in self.pending_slashes.iter():
            owner = self.rounds.get(round_id)
            if owner is None or owner.phase is RoundPhase.Closed:
                raise RuntimeError(f"pending slash of {who.hex()} outlived round {round_id}")
            ledger = self.trainer_bonds.get(who)
            if ledger is None or int(pending.amount) > ledger.held():
                raise RuntimeError(f"pending slash of {who.hex()} exceeds its bond")
        current = int(self.current_version.get())
        for version in range(current + 1):
            record = self.model_versions.get(U32(version))
            if record is None or (version > 0 and record.parent != U32(version - 1)):
                raise RuntimeError(f"model version {version} missing or off the chain")

    # --- interface for other pallets and clients ----------------------------------------------

    @property
    def currency(self) -> HoldCurrency:
        """The configured currency pallet."""
        return cast(HoldCurrency, self.ctx.pallet(self.config.currency))

    @property
    def treasury(self) -> RewardTreasury:
        """The configured treasury pallet."""
        return cast(RewardTreasury, self.ctx.pallet(self.config.treasury))

    @property
    def informants(self) -> TrainingQueue:
        """The configured pallet of accepted batches."""
        return cast(TrainingQueue, self.ctx.pallet(self.config.informants))

    def current_periods(self) -> RoundPeriods:
        """The phase lengths of a round opened now."""
        periods = self.round_periods.get()
        if periods is not None:
            return periods
        config = self.config
        return RoundPeriods(
            commit=config.commit_period,
            reveal=config.reveal_period,
            score=config.score_period,
            dispute=config.dispute_period,
        )

    def current_profile(self) -> TrainingProfile:
        """The protocol profile of a round opened now."""
        profile = self.round_profile.get()
        return profile if profile is not None else self.config.profile

    def current_size(self) -> RoundSize:
        """How many trainers and scorers a round opened now draws."""
        size = self.round_size.get()
        if size is not None:
            return size
        return RoundSize(
            trainers=self.config.trainers_per_round, scorers=self.config.scorers_per_round
        )

    def rules_problem(self, profile: TrainingProfile, size: RoundSize) -> str | None:
        """What is wrong with drawing `size` under `profile` (None: nothing)."""
        config = self.config
        # Verify the round size: non-empty and within the bounds the weights were sized for.
        if not 0 < int(size.trainers) <= int(config.trainers_per_round):
            return f"trainers per round must be in 1..={config.trainers_per_round}"
        if not 0 < int(size.scorers) <= int(config.scorers_per_round):
            return f"scorers per round must be in 1..={config.scorers_per_round}"
        # Verify the profile trains something.
        numbers = (profile.lora_rank, profile.lora_alpha, profile.learning_rate, profile.steps)
        if 0 in (*(int(n) for n in numbers), int(profile.batch_size)):
            return "the profile's rank, alpha, learning rate, steps and batch size are positive"
        if not profile.target_modules or any(not m for m in profile.target_modules):
            return "the profile targets at least one named module"
        # Verify a tolerant round can reach its quorum.
        if profile.mode is ProfileMode.Tolerant and int(config.tolerant_quorum) > int(
            size.trainers
        ):
            return f"the tolerant quorum {config.tolerant_quorum} exceeds the trainers drawn"
        return None

    def ledgers(self, role: Role) -> Any:
        """The bond ledgers of `role`."""
        return self.trainer_bonds if role is Role.Trainer else self.scorer_bonds

    def min_bond(self, role: Role) -> U128:
        """The least active bond of `role`."""
        config = self.config
        return config.min_trainer_bond if role is Role.Trainer else config.min_scorer_bond

    def is_in_open_round(self, who: AccountId32) -> bool:
        """Whether `who` is drawn in the round not yet closed."""
        round_id = self.active_round.get()
        round_ = self.rounds.get(round_id) if round_id is not None else None
        return round_ is not None and (_drawn(round_.trainers, who) or _drawn(round_.scorers, who))

    def do_bond(self, who: AccountId32, role: Role, amount: U128) -> None:
        """Hold `amount` more as the `role` bond of `who` (no checks beyond the hold's own).

        Raises:
            TokenError: the amount cannot be held.
        """
        self.currency.hold(_reason(role), who, amount)
        ledger = self.ledgers(role).get(who)
        if ledger is None:
            counts = list(self.bonded_counts.get())
            counts[role] = U32(int(counts[role]) + 1)
            self.bonded_counts.put((counts[0], counts[1]))
            ledger = BondLedger(active=_ZERO, unlocking=())
        self.ledgers(role).insert(who, replace(ledger, active=ledger.active + amount))

    # --- the round's steps -----------------------------------------------------------------------

    def may_open_round(self) -> bool:
        """Whether a batch waits and enough ledgers exist for a round (a cheap upper bound).

        Ledgers count unbonding accounts too, so `do_open_round` may still find too few
        active bonds.
        """
        trainers, scorers = (int(c) for c in self.bonded_counts.get())
        size = self.current_size()
        return (
            trainers >= int(size.trainers)
            and trainers + scorers >= int(size.trainers) + int(size.scorers)
            and self.informants.training_queue_head() is not None
        )

    def do_open_round(self) -> bool:
        """Open a round on the training queue's head if enough accounts are bonded.

        Returns whether a round opened.
        """
        size = self.current_size()
        if self.informants.training_queue_head() is None:
            return False
        trainers = _candidates(self.trainer_bonds.iter())
        if len(trainers) < size.trainers:
            return False
        round_id = self.next_round_id.get()
        parent_hash = bytes(self.ctx.pallet(System).parent_hash.get())
        seed = logic.compute_seed(parent_hash, int(round_id))
        drawn_trainers = logic.compute_draw(seed, trainers, int(size.trainers))
        scorers = [
            (who, bond)
            for who, bond in _candidates(self.scorer_bonds.iter())
            if who not in drawn_trainers
        ]
        if len(scorers) < size.scorers:
            return False
        drawn_scorers = logic.compute_draw(
            logic.compute_scorer_seed(seed), scorers, int(size.scorers)
        )
        taken = self.informants.take_for_training()
        assert taken is not None  # the head was checked above
        batch_id, _batch = taken
        version_id = self.current_version.get()
        version = self.model_versions.get(version_id)
        assert version is not None  # the current version is stored
        shard = logic.compute_shard(int(round_id), [(int(a), int(b)) for a, b in version.shards])
        now = self.block_number
        periods = self.current_periods()
        commit_ends = now + int(periods.commit)
        reveal_ends = commit_ends + int(periods.reveal)
        score_ends = reveal_ends + int(periods.score)
        bond_of = dict(trainers + [(who, bond) for who, bond in scorers])
        round_ = Round(
            parent_version=version_id,
            batch_id=batch_id,
            shard=U32(shard),
            layers=version.shards[shard],
            seed=H256(seed),
            profile=self.current_profile(),
            probe_set_cid=self.probe_set_cid.get(),
            commit_ends=U32(commit_ends),
            reveal_ends=U32(reveal_ends),
            score_ends=U32(score_ends),
            dispute_ends=U32(score_ends + int(periods.dispute)),
            phase=RoundPhase.Commit,
            outcome=RoundOutcome.Pending,
            trainers=tuple((AccountId32(w), U128(bond_of[w])) for w in drawn_trainers),
            scorers=tuple((AccountId32(w), U128(bond_of[w])) for w in drawn_scorers),
            revealed=(),
            accepted=(),
            improvement=I64(0),
            held_out_loss=I64(0),
            new_version=None,
            emission=_ZERO,
            slashes=_ZERO,
            paid=_ZERO,
            to_treasury=_ZERO,
            scorer_paid=_ZERO,
        )
        self.rounds.insert(round_id, round_)
        self.next_round_id.put(round_id + U64(1))
        self.active_round.put(round_id)
        self.deposit_event(
            RoundOpened(
                round_id=round_id,
                batch_id=batch_id,
                parent_version=version_id,
                shard=U32(shard),
                seed=H256(seed),
                trainers=tuple(AccountId32(w) for w in drawn_trainers),
                scorers=tuple(AccountId32(w) for w in drawn_scorers),
                commit_ends=U32(commit_ends),
            )
        )
        return True

    def do_close_commit(self, round_id: U64) -> None:
        """The commit deadline: a pending liveness slash for each drawn trainer not committed."""
        round_ = self._advance(round_id, RoundPhase.Reveal)
        for who, bond in round_.trainers:
            if not self.commitments.contains_key(round_id, who):
                self._pend_slash(round_id, who, bond, outlier=False)

    def do_close_reveal(self, round_id: U64) -> None:
        """The reveal deadline: a pending liveness slash for each committer that did not reveal."""
        round_ = self._advance(round_id, RoundPhase.Score)
        for who, bond in round_.trainers:
            committed = self.commitments.contains_key(round_id, who)
            if committed and not self.reveals.contains_key(round_id, who):
                self._pend_slash(round_id, who, bond, outlier=False)

    def do_aggregate(self, round_id: U64, layout: Sequence[StatisticSpec] | None = None) -> None:
        """The score deadline: aggregate, pend outlier slashes, pay the scorers.

        `layout` is the statistics layout (default: the configured `Statistics`; benchmarks
        pass wider ones).
        """
        round_ = self._advance(round_id, RoundPhase.Dispute)
        config = self.config
        layout = config.statistics if layout is None else layout
        bond_of = {bytes(w): int(b) for w, b in round_.trainers}
        adapters = []
        for who in round_.revealed:
            reveal = self.reveals.get(round_id, who)
            assert reveal is not None  # revealed trainers have a reveal
            adapters.append(logic.Adapter(bytes(who), bytes(reveal.sha256), bond_of[bytes(who)]))
        submitted = []
        for who, bond in round_.scorers:
            matrix = self.scores.get(round_id, who)
            if matrix is not None:
                submitted.append((who, int(bond), [[int(v) for v in row] for row in matrix]))
        statistics = [logic.Statistic(bool(s.higher_is_better), int(s.floor)) for s in layout]
        result = logic.compute_round_result(
            adapters,
            sum(bond_of.values()),
            [(bond, matrix) for _, bond, matrix in submitted],
            statistics,
            round_.profile.mode,
            improvement_index=int(config.improvement_statistic),
            loss_index=int(config.loss_statistic),
            min_improvement=int(config.min_improvement),
            mad_factor=int(config.mad_factor),
            quorum=int(config.tolerant_quorum),
        )
        accepted = tuple(round_.revealed[i] for i in result.accepted)
        outliers = tuple(round_.revealed[i] for i in result.outliers)
        self.rounds.insert(
            round_id,
            replace(
                self._round(round_id),
                outcome=result.outcome,
                accepted=accepted,
                improvement=I64(result.improvement),
                held_out_loss=I64(result.loss),
            ),
        )
        self.deposit_event(
            RoundAggregated(
                round_id=round_id,
                outcome=result.outcome,
                accepted=accepted,
                outliers=outliers if result.outcome is RoundOutcome.Accepted else (),
                improvement=I64(result.improvement),
            )
        )
        if result.outcome is RoundOutcome.Accepted:
            for who in outliers:
                self._pend_slash(round_id, who, U128(bond_of[bytes(who)]), outlier=True)
        if submitted and result.outcome not in (RoundOutcome.NoReveals, RoundOutcome.NoScores):
            self._pay_scorers(round_id, submitted, result.agreement)

    def do_close_round(self, round_id: U64) -> None:
        """The dispute deadline: apply the slashes, pay the accepted trainers, record a version."""
        round_ = self._advance(round_id, RoundPhase.Closed)
        config = self.config
        slashed: list[tuple[AccountId32, int]] = []
        for who, _bond in round_.trainers:
            pending = self.pending_slashes.take(round_id, who)
            if pending is None:
                continue
            amount = min(int(pending.amount), self._held_bond(who))
            slashed.append((who, amount))
            self._debit_ledger(who, amount)
            self.deposit_event(SlashApplied(round_id=round_id, trainer=who, amount=U128(amount)))
        total_slashed = sum(amount for _, amount in slashed)
        accepted = list(round_.accepted) if round_.outcome is RoundOutcome.Accepted else []
        bond_of = {bytes(w): int(b) for w, b in round_.trainers}
        weights = [bond_of[bytes(w)] for w in accepted]
        emission = int(config.round_emission) if accepted else 0
        emission_shares, _ = logic.compute_pro_rata(emission, weights)
        slash_shares, _ = logic.compute_pro_rata(total_slashed, weights)
        transfers, left = logic.compute_slash_transfers(
            [amount for _, amount in slashed], slash_shares
        )
        received = [0] * len(accepted)
        for source, recipient, amount in transfers:
            moved = self.currency.transfer_on_hold(
                TRAINER_REASON, slashed[source][0], accepted[recipient], U128(amount)
            )
            received[recipient] += int(moved)
        minted_total = 0
        for index, who in enumerate(accepted):
            minted = int(self.treasury.mint_reward(who, U128(emission_shares[index])))
            minted_total += minted
            received[index] += minted
            self.deposit_event(
                TrainerRewarded(round_id=round_id, trainer=who, amount=U128(received[index]))
            )
        to_treasury = emission - minted_total
        for (who, _), amount in zip(slashed, left, strict=True):
            to_treasury += int(self.treasury.receive_held(TRAINER_REASON, who, U128(amount)))
        paid = sum(received)
        self.rounds.insert(
            round_id,
            replace(
                self._round(round_id),
                emission=U128(emission),
                slashes=U128(total_slashed),
                paid=U128(paid),
                to_treasury=U128(to_treasury),
            ),
        )
        if accepted:
            self._record_version(round_id, int(round_.held_out_loss))
        self.active_round.kill()
        self.deposit_event(
            RoundClosed(
                round_id=round_id,
                outcome=round_.outcome,
                paid=U128(paid),
                to_treasury=U128(to_treasury),
            )
        )

    # --- helpers ---------------------------------------------------------------------------------

    def _round(self, round_id: U64) -> Round:
        round_ = self.rounds.get(round_id)
        assert round_ is not None  # callers pass stored rounds
        return round_

    def _round_in(self, round_id: U64, phase: RoundPhase) -> Round:
        """The round `round_id`, which must be in `phase` now (deadlines checked too)."""
        round_ = self.rounds.get(round_id)
        ensure(round_ is not None, UnknownRound)
        assert round_ is not None  # for the type checker: ensured above
        now_phase = logic.next_phase(round_.phase, self.block_number, **_deadlines(round_))
        ensure(round_.phase is phase and now_phase is phase, WrongPhase)
        return round_

    def _advance(self, round_id: U64, phase: RoundPhase) -> Round:
        """Store the round in its next phase; return it."""
        round_ = replace(self._round(round_id), phase=phase)
        self.rounds.insert(round_id, round_)
        return round_

    def _pend_slash(self, round_id: U64, who: AccountId32, bond: U128, *, outlier: bool) -> None:
        fraction = self.config.outlier_slash if outlier else self.config.liveness_slash
        amount = U128(logic.compute_slash(int(bond), int(fraction.deconstruct())))
        self.pending_slashes.insert(round_id, who, PendingSlash(amount=amount, outlier=outlier))
        self.deposit_event(
            SlashPending(round_id=round_id, trainer=who, amount=amount, outlier=outlier)
        )

    def _pay_scorers(
        self, round_id: U64, submitted: list[tuple[AccountId32, int, Any]], agreement: list[int]
    ) -> None:
        weights = [bond * agree for (_, bond, _), agree in zip(submitted, agreement, strict=True)]
        shares, _ = logic.compute_pro_rata(int(self.config.scorer_reward), weights)
        paid = 0
        for (who, _, _), agree, share in zip(submitted, agreement, shares, strict=True):
            amount = self.treasury.mint_reward(who, U128(share)) if share else _ZERO
            paid += int(amount)
            self.deposit_event(
                ScorerRewarded(round_id=round_id, scorer=who, agreement=U32(agree), amount=amount)
            )
        self.rounds.insert(round_id, replace(self._round(round_id), scorer_paid=U128(paid)))

    def _record_version(self, round_id: U64, loss: int) -> None:
        """Record the accepted adapters as a new model version on top of the round's parent."""
        round_ = self._round(round_id)
        parent = self.model_versions.get(round_.parent_version)
        assert parent is not None  # a round's parent is stored
        records: dict[bytes, AdapterRecord] = {}
        for who in round_.accepted:
            reveal = self.reveals.get(round_id, who)
            assert reveal is not None  # accepted trainers revealed
            records.setdefault(
                bytes(reveal.sha256),
                AdapterRecord(shard=round_.shard, cid=reveal.cid, sha256=reveal.sha256),
            )
        version_id = U32(int(self.current_version.get()) + 1)
        self.model_versions.insert(
            version_id,
            replace(
                parent,
                parent=round_.parent_version,
                adapters=(*parent.adapters, *(records[k] for k in sorted(records))),
                held_out_loss=I64(loss),
                round_id=round_id,
            ),
        )
        self.current_version.put(version_id)
        self.rounds.insert(round_id, replace(round_, new_version=version_id))
        self.deposit_event(
            VersionRecorded(
                version=version_id,
                parent=round_.parent_version,
                round_id=round_id,
                held_out_loss=I64(loss),
            )
        )

    def _held_bond(self, who: AccountId32) -> int:
        ledger = self.trainer_bonds.get(who)
        return ledger.held() if ledger is not None else 0

    def _debit_ledger(self, who: AccountId32, amount: int) -> None:
        """Take `amount` off a trainer's ledger: the active bond first, then unlocking chunks."""
        ledger = self.trainer_bonds.get(who)
        assert ledger is not None  # only bonded trainers are slashed
        take = min(amount, int(ledger.active))
        active = int(ledger.active) - take
        owed = amount - take
        chunks = []
        for chunk in ledger.unlocking:
            cut = min(owed, int(chunk.amount))
            owed -= cut
            if int(chunk.amount) > cut:
                chunks.append(replace(chunk, amount=U128(int(chunk.amount) - cut)))
        self._store_ledger(
            who, Role.Trainer, BondLedger(active=U128(active), unlocking=tuple(chunks))
        )

    def _store_ledger(self, who: AccountId32, role: Role, ledger: BondLedger) -> None:
        """Store a ledger, or remove it (and count it out) when nothing is held any more."""
        if ledger.held() > 0:
            self.ledgers(role).insert(who, ledger)
            return
        self.ledgers(role).remove(who)
        counts = list(self.bonded_counts.get())
        counts[role] = U32(int(counts[role]) - 1)
        self.bonded_counts.put((counts[0], counts[1]))


def _reason(role: Role) -> ReasonId:
    return TRAINER_REASON if role is Role.Trainer else SCORER_REASON


def _drawn(drawn: Any, who: AccountId32) -> bool:
    return any(account == who for account, _ in drawn)


def _deadlines(round_: Round) -> dict[str, int]:
    return {
        "commit_ends": int(round_.commit_ends),
        "reveal_ends": int(round_.reveal_ends),
        "score_ends": int(round_.score_ends),
        "dispute_ends": int(round_.dispute_ends),
    }


def _candidates(ledgers: Any) -> list[tuple[bytes, int]]:
    """``(account, active bond)`` of every ledger with an active bond."""
    return [(bytes(who), int(ledger.active)) for who, ledger in ledgers if ledger.active > 0]
