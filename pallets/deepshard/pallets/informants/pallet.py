"""Informants: staked data batches, curator votes with an adaptive threshold, rewards and slashes.

Overview
--------
The seed's *informant node*. An informant proposes a batch of training data (a JSONL file on
IPFS, named by its CID) with ``submit_batch``, holding a stake on it and a storage deposit.
Bonded curators (``bond_curator``; ``unbond_curator`` starts an unbonding period, after which
``withdraw_unbonded`` returns the funds) vote aye or nay with ``vote``, scoring the batch on the
seed's five criteria; a curator may change its vote until the period ends; the informant may
not vote on its own batch.

When the period ends the batch closes in ``on_initialize`` (see `logic` for the rules):

* **accepted** -- turnout reached ``MinTurnout`` and the aye weight exceeded the adaptive
  threshold: the stake is released, the informant is paid the batch's value out of the
  treasury's emission budget (`InformantRewarded`), and the batch joins ``TrainingQueue``;
* **rejected** -- quorum, but not enough ayes: ``SlashFraction`` of the stake moves to the
  treasury's pot (`InformantSlashed`), the rest is released (`BatchRejected`);
* **expired** -- no quorum: the stake is released, nobody is paid (`BatchExpired`).

Curators who voted with the outcome of an accepted or rejected batch share
``CuratorRewardPerBatch`` in proportion to their vote weight: the closing sets the reward
aside (`CuratorsRewarded`) and each curator takes its share, and removes its vote, with
``claim_curator_reward`` (so that closing costs the same whatever the number of votes). Honest
disagreement costs nothing.

A vote weighs the curator's active bond when it is cast, capped at ``MaxCuratorShare`` of the
batch's *electorate* (the total curator bond when the batch was submitted). Unbonding after
voting does not change a cast vote: the unbonding period is at least the voting period, and no
bond is withdrawn while closings wait in the queue, so the bond behind every vote stays held
until the batch is decided.

The value of an accepted batch is, per criterion, the weight-weighted median of the aye votes'
scores, combined with ``CriterionWeights``, times ``ValuePerSqrtItem`` and the integer square
root of the item count, capped at ``MaxBatchValue``. Sizes and item counts are the informant's
declaration: the chain never sees the content, so curators check them against the file before
voting aye (an inflated count is a reason to vote nay, and costs the informant its slash).

Bounded closing
---------------
Submissions whose period ends at block ``n`` are listed under ``Deadlines[n]`` (at most
``MaxBatchesPerBlock`` of them). ``on_initialize(n)`` moves them into the closing queue (phase
``Closing``), then closes batches from the queue's head while the next closing (``close_batch``)
still fits in ``MaxClosingWeight``; the rest is carried over to the next block. A closing does
not touch the votes: each vote keeps the batch's running tally and its score histogram (the aye
weight per criterion and score) up to date, so a closing reads two entries whatever the number
of votes. `integrity_test` makes sure that the worst case (scheduling a full deadline and one
closing) fits, so the queue always moves.

Stakes and holds
----------------
Every amount is held on the owner's account under one reason per purpose: the batch stake
(``infstake``), the storage deposit (``infdepos``) and the curator bond (``infcurat``).
``try_state`` ties each hold to the records: a stake hold equals the stakes of the account's
open batches, a deposit hold the deposits of its open and accepted batches, a bond hold the
curator's active plus unlocking bond.

An accepted batch keeps its storage deposit until the training pallet takes it off the queue
(`take_for_training`). Decided batches stay stored while curators still have votes on them to
claim.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Final, Protocol, cast

from deepshard.pallets.balances.types import ReasonId
from deepshard.pallets.informants import logic
from deepshard.pallets.informants.logic import BatchPhase, Outcome, Tally
from deepshard.pallets.informants.types import (
    Batch,
    CriteriaScores,
    CuratorLedger,
    UnlockChunk,
    Vote,
)
from deepshard.pallets.informants.weights import InformantsWeights, UnitWeights
from deepshard.primitives.codec import AccountId32, Compact, Enum, Vec
from deepshard.primitives.hashing import StorageHasher
from deepshard.primitives.numeric import U32, U64, U128, Perbill
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
    "STAKE_REASON",
    "DEPOSIT_REASON",
    "CURATOR_REASON",
    "HoldCurrency",
    "RewardTreasury",
    "Config",
    "Event",
    "BatchSubmitted",
    "CuratorBonded",
    "CuratorUnbonded",
    "Withdrawn",
    "Voted",
    "BatchAccepted",
    "InformantRewarded",
    "BatchRejected",
    "InformantSlashed",
    "BatchExpired",
    "CuratorsRewarded",
    "ClosingCarriedOver",
    "VotingPeriodSet",
    "Error",
    "InvalidCid",
    "InvalidMetadataCid",
    "EmptyBatch",
    "StakeTooLow",
    "TooManyOpenBatches",
    "DeadlineFull",
    "UnknownBatch",
    "VotingClosed",
    "InformantCannotVote",
    "NotCurator",
    "TooManyVotes",
    "BondTooLow",
    "InsufficientBond",
    "TooManyUnlockingChunks",
    "NothingToWithdraw",
    "ZeroAmount",
    "ZeroVotingPeriod",
    "VotingPeriodTooLong",
    "NoVote",
    "NotDecided",
    "ClosingPending",
    "CuratorRewardClaimed",
    "InformantsGenesis",
    "Informants",
]

STAKE_REASON: Final = ReasonId(b"infstake")
"""Hold reason of a batch's stake."""
DEPOSIT_REASON: Final = ReasonId(b"infdepos")
"""Hold reason of a batch's storage deposit."""
CURATOR_REASON: Final = ReasonId(b"infcurat")
"""Hold reason of a curator's bond."""

_ZERO: Final = U128(0)
_PERBILL = Perbill.from_parts
_EMPTY_HISTOGRAM: Final = (_ZERO,) * (len(logic.CRITERIA) * logic.SCORE_BUCKETS)


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


class RewardTreasury(Protocol):
    """What the pallet needs of the treasury (implemented by Treasury)."""

    def receive_held(self, reason: ReasonId, source: AccountId32, amount: U128) -> U128:
        """Move `amount` held for `reason` on `source` into the pot; return the amount."""
        ...

    def mint_reward(self, who: AccountId32, amount: U128) -> U128:
        """Mint up to `amount` out of the emission budget into `who`; return what was minted."""
        ...

    def earmark(self, amount: U128) -> U128:
        """Set aside up to `amount` of the budget for rewards claimed later; return it."""
        ...

    def release_earmark(self, amount: U128) -> None:
        """Return earmarked emission to the budget."""
        ...

    def mint_earmarked(self, who: AccountId32, amount: U128) -> U128:
        """Mint earmarked emission into `who`; return what was minted."""
        ...

    def earmarked_total(self) -> U128:
        """All emission currently earmarked."""
        ...


class Config(PalletConfig):
    """Configuration of the Informants pallet (see the module docs for the rules)."""

    currency: type[Pallet[Any]]
    """The pallet holding balances (a `HoldCurrency`: Balances)."""
    treasury: type[Pallet[Any]]
    """The pallet receiving slashes and minting rewards (a `RewardTreasury`: Treasury)."""
    min_batch_stake: U128 = constant(default=U128(100), doc="The least stake on a batch.")
    batch_deposit: U128 = constant(
        default=U128(10), doc="Storage deposit held for every batch while it is stored."
    )
    max_open_batches: U32 = constant(
        default=U32(4), doc="How many batches one account may have in voting at once."
    )
    max_batches_per_block: U32 = constant(
        default=U32(16), doc="How many batches may end their voting period in the same block."
    )
    default_voting_period: U32 = constant(
        default=U32(10), doc="The voting period (blocks) until Root sets another."
    )
    min_curator_bond: U128 = constant(default=U128(50), doc="The least active curator bond.")
    unbonding_period: U32 = constant(
        default=U32(10), doc="Blocks an unbonded amount waits before it can be withdrawn."
    )
    max_unlocking_chunks: U32 = constant(
        default=U32(4), doc="How many unbonding chunks a curator may have at once."
    )
    max_votes_per_batch: U32 = constant(
        default=U32(1_000), doc="How many curators may vote on one batch."
    )
    min_turnout: Perbill = constant(
        default=_PERBILL(100_000_000), doc="Least share of the curator bond that must vote."
    )
    max_curator_share: Perbill = constant(
        default=_PERBILL(50_000_000),
        doc="A curator's vote weighs at most this share of the total curator bond.",
    )
    threshold_curve: tuple[tuple[Perbill, Perbill], ...] = constant(
        default=(
            (_PERBILL(100_000_000), _PERBILL(800_000_000)),
            (_PERBILL(250_000_000), _PERBILL(700_000_000)),
            (_PERBILL(500_000_000), _PERBILL(600_000_000)),
            (_PERBILL(1_000_000_000), _PERBILL(500_000_000)),
        ),
        doc=(
            "Points (turnout, threshold) of the approval threshold, linear between them: "
            "the ayes must weigh more than the threshold's share of the votes."
        ),
    )
    criterion_weights: tuple[Perbill, Perbill, Perbill, Perbill, Perbill] = constant(
        default=(
            _PERBILL(200_000_000),
            _PERBILL(200_000_000),
            _PERBILL(200_000_000),
            _PERBILL(200_000_000),
            _PERBILL(200_000_000),
        ),
        doc=(
            "Weights of novelty, reproducibility, alignment, truthfulness and objectivity "
            "in a batch's quality (summing to one)."
        ),
    )
    value_per_sqrt_item: U128 = constant(
        default=U128(100), doc="Value of a perfect batch per unit of the square root of its items."
    )
    max_batch_value: U128 = constant(default=U128(10_000), doc="The most a batch is worth.")
    slash_fraction: Perbill = constant(
        default=_PERBILL(200_000_000), doc="Share of a rejected batch's stake sent to the treasury."
    )
    curator_reward_per_batch: U128 = constant(
        default=U128(100), doc="Reward shared by the curators on the winning side of a decision."
    )
    max_closing_weight: Weight = constant(
        default=Weight.from_parts(1_000_000, 0),
        doc="The most weight on_initialize spends closing batches in one block.",
    )
    weights: Any = UnitWeights()
    """The weight table (`InformantsWeights`)."""


# --- Events -----------------------------------------------------------------------------------


class Event(Enum, type_path=("pallet_informants", "pallet", "Event")):
    """Events of the Informants pallet."""


class BatchSubmitted(Event, index=0):
    """A batch was proposed; curators may vote on it until `voting_ends`."""

    batch_id: U64
    """The batch."""
    informant: AccountId32
    """Its informant."""
    cid: bytes
    """Its content id."""
    stake: U128
    """The stake held on it."""
    voting_ends: U32
    """The first block at which no vote is accepted."""


class CuratorBonded(Event, index=1):
    """A curator bonded `amount` more."""

    who: AccountId32
    """The curator."""
    amount: U128
    """The amount bonded."""


class CuratorUnbonded(Event, index=2):
    """A curator started unbonding `amount`; it can be withdrawn from `unlock_at`."""

    who: AccountId32
    """The curator."""
    amount: U128
    """The amount unbonding."""
    unlock_at: U32
    """The first block it can be withdrawn."""


class Withdrawn(Event, index=3):
    """A curator withdrew `amount` of unbonded funds."""

    who: AccountId32
    """The curator."""
    amount: U128
    """The amount released."""


class Voted(Event, index=4):
    """A curator voted on a batch (or changed its vote)."""

    batch_id: U64
    """The batch."""
    curator: AccountId32
    """The curator."""
    aye: bool
    """For or against."""
    changed: bool
    """Whether it replaced an earlier vote."""


class BatchAccepted(Event, index=5):
    """The vote on a batch passed; it joined the training queue."""

    batch_id: U64
    """The batch."""
    value: U128
    """The value the vote assigned to it."""
    turnout: Perbill
    """The share of the curator bond that voted."""
    threshold: Perbill
    """The approval threshold at that turnout."""


class InformantRewarded(Event, index=6):
    """The informant of an accepted batch was paid."""

    batch_id: U64
    """The batch."""
    informant: AccountId32
    """The informant."""
    amount: U128
    """The amount minted to it."""


class BatchRejected(Event, index=7):
    """The vote on a batch failed."""

    batch_id: U64
    """The batch."""
    turnout: Perbill
    """The share of the curator bond that voted."""
    threshold: Perbill
    """The approval threshold at that turnout."""


class InformantSlashed(Event, index=8):
    """Part of a rejected batch's stake went to the treasury."""

    batch_id: U64
    """The batch."""
    informant: AccountId32
    """The informant."""
    amount: U128
    """The amount moved to the treasury's pot."""


class BatchExpired(Event, index=9):
    """Too few curators voted on a batch: its stake went back, unpaid."""

    batch_id: U64
    """The batch."""
    turnout: Perbill
    """The share of the curator bond that voted."""


class CuratorsRewarded(Event, index=10):
    """A curator reward was set aside for the winning side of a decision.

    Each curator on that side takes its share with `claim_curator_reward`.
    """

    batch_id: U64
    """The batch."""
    total: U128
    """The reward set aside."""


class ClosingCarriedOver(Event, index=11):
    """Batches past their deadline wait for the next block (this block's budget is spent)."""

    waiting: U64
    """How many batches wait in the closing queue."""


class CuratorRewardClaimed(Event, index=13):
    """A curator claimed its vote on a decided batch (and its share of the reward, if any)."""

    batch_id: U64
    """The batch."""
    curator: AccountId32
    """The curator."""
    amount: U128
    """The reward minted to it (zero on the losing side)."""


class VotingPeriodSet(Event, index=12):
    """Root set the voting period of new batches."""

    period: U32
    """The new period, in blocks."""


# --- Errors -----------------------------------------------------------------------------------


class Error(PalletError):
    """Errors of the Informants pallet."""


class InvalidCid(Error, index=0):
    """The batch CID is not a binary CIDv0/CIDv1 with sha2-256 and dag-pb or raw."""


class InvalidMetadataCid(Error, index=1):
    """The metadata CID is neither empty nor a valid CID."""


class EmptyBatch(Error, index=2):
    """The batch declares no bytes or no items."""


class StakeTooLow(Error, index=3):
    """The stake is below `MinBatchStake`."""


class TooManyOpenBatches(Error, index=4):
    """The account already has `MaxOpenBatches` batches in voting."""


class DeadlineFull(Error, index=5):
    """`MaxBatchesPerBlock` batches already end their voting in the same block; try later."""


class UnknownBatch(Error, index=6):
    """No batch has this id."""


class VotingClosed(Error, index=7):
    """The batch is no longer in its voting period."""


class InformantCannotVote(Error, index=8):
    """An informant may not vote on its own batch."""


class NotCurator(Error, index=9):
    """The account has no active curator bond."""


class TooManyVotes(Error, index=10):
    """The batch already has `MaxVotesPerBatch` votes."""


class BondTooLow(Error, index=11):
    """The active bond would be below `MinCuratorBond` (and not zero)."""


class InsufficientBond(Error, index=12):
    """The curator's active bond is smaller than the amount to unbond."""


class TooManyUnlockingChunks(Error, index=13):
    """The curator already has `MaxUnlockingChunks` chunks unbonding."""


class NothingToWithdraw(Error, index=14):
    """No unbonded chunk has reached the end of its unbonding period."""


class ZeroAmount(Error, index=15):
    """The amount is zero."""


class ZeroVotingPeriod(Error, index=16):
    """The voting period must be at least one block."""


class VotingPeriodTooLong(Error, index=17):
    """The voting period may not exceed `UnbondingPeriod`.

    A vote's bond must stay held until its batch is decided.
    """


class NoVote(Error, index=18):
    """The account has no vote on this batch."""


class NotDecided(Error, index=19):
    """The batch has not been decided yet."""


class ClosingPending(Error, index=20):
    """Batches past their voting period still wait to be decided; withdraw once they are."""


def _curve_parts(config: Config) -> list[tuple[int, int]]:
    """The threshold curve of `config` as Perbill parts."""
    return [(int(t.deconstruct()), int(h.deconstruct())) for t, h in config.threshold_curve]


# --- Genesis ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InformantsGenesis(GenesisConfig):
    """Genesis of the Informants pallet: bonded curators and the voting period."""

    curators: tuple[tuple[AccountId32, U128], ...] = ()
    """``(curator, bond)`` bonded at genesis."""
    voting_period: U32 | None = None
    """The voting period (None: ``Config.default_voting_period``)."""

    def build(self, pallet: Informants) -> None:
        """Validate, then hold each bond and set the voting period.

        Raises:
            ValueError: a duplicate curator, a bond below the minimum, or a zero period.
        """
        accounts = [bytes(who) for who, _ in self.curators]
        if len(set(accounts)) != len(accounts):
            raise ValueError("Informants genesis: a curator is listed twice")
        if self.voting_period is not None and self.voting_period == 0:
            raise ValueError("Informants genesis: the voting period must be at least one block")
        if self.voting_period is not None:
            pallet.voting_period.put(U32(self.voting_period))
        for who, bond in self.curators:
            if bond < pallet.config.min_curator_bond:
                raise ValueError(f"Informants genesis: bond {bond} below MinCuratorBond")
            pallet.do_bond(AccountId32(who), U128(bond))


# --- Pallet -----------------------------------------------------------------------------------


class Informants(
    Pallet[Config],
    name="Informants",
    config=Config,
    event=Event,
    error=Error,
    genesis=InformantsGenesis,
):
    """The Informants pallet."""

    next_batch_id: StorageValue[U64, ValueQuery] = storage(
        default=U64(0), doc="The id the next batch gets."
    )
    batches: StorageMap[U64, Batch, OptionQuery] = storage(
        hasher=StorageHasher.TWOX_64_CONCAT,
        doc="Batches in voting or closing, and accepted batches waiting for training.",
    )
    votes: StorageDoubleMap[U64, AccountId32, Vote, OptionQuery] = storage(
        hashers=(StorageHasher.TWOX_64_CONCAT, StorageHasher.BLAKE2_128_CONCAT),
        doc="The votes on each batch in voting or closing, by curator.",
    )
    open_batches: StorageMap[AccountId32, Vec[U64], ValueQuery] = storage(
        hasher=StorageHasher.BLAKE2_128_CONCAT,
        default=(),
        doc="The batches of each informant that are still in voting or closing.",
    )
    deadlines: StorageMap[U32, Vec[U64], ValueQuery] = storage(
        hasher=StorageHasher.TWOX_64_CONCAT,
        default=(),
        doc="The batches whose voting period ends at each block.",
    )
    closing_queue: StorageMap[U64, U64, OptionQuery] = storage(
        hasher=StorageHasher.TWOX_64_CONCAT,
        doc="Batches past their deadline waiting to be closed, by queue position.",
    )
    closing_bounds: StorageValue[tuple[U64, U64], ValueQuery] = storage(
        default=(U64(0), U64(0)), doc="Head and tail positions of the closing queue."
    )
    training_queue: StorageMap[U64, U64, OptionQuery] = storage(
        hasher=StorageHasher.TWOX_64_CONCAT,
        doc="Accepted batches waiting for a training round, by queue position.",
    )
    training_bounds: StorageValue[tuple[U64, U64], ValueQuery] = storage(
        default=(U64(0), U64(0)), doc="Head and tail positions of the training queue."
    )
    curators: StorageMap[AccountId32, CuratorLedger, OptionQuery] = storage(
        hasher=StorageHasher.BLAKE2_128_CONCAT, doc="Each curator's bond."
    )
    total_curator_bond: StorageValue[U128, ValueQuery] = storage(
        default=_ZERO, doc="The sum of all active curator bonds (the turnout's denominator)."
    )
    score_histograms: StorageMap[U64, Vec[U128], OptionQuery] = storage(
        hasher=StorageHasher.TWOX_64_CONCAT,
        doc=(
            "Per batch in voting, the aye weight given to each score of each criterion "
            "(5 x 101 buckets), from which the closing takes the weighted medians."
        ),
    )
    voting_period: StorageValue[U32, OptionQuery] = storage(
        doc="The voting period of new batches, if Root set one (else DefaultVotingPeriod)."
    )
    batch_rewards: StorageMap[U64, tuple[AccountId32, U128], OptionQuery] = storage(
        hasher=StorageHasher.TWOX_64_CONCAT,
        doc="The informant of each accepted batch and what it was paid (Licences prices it).",
    )

    # --- calls -----------------------------------------------------------------------------------

    @call(index=0, weight=lambda w: w.submit_batch())
    def submit_batch(  # noqa: PLR0917 - the call's wire arguments
        self,
        origin: Origin,
        cid: bytes,
        byte_size: Compact[U64],
        item_count: Compact[U32],
        stake: Compact[U128],
        metadata_cid: bytes,
    ) -> None:
        """Propose a batch of training data, holding `stake` on it. Origin: signed (the informant).

        `cid` is the binary CID of the batch (CIDv0, or CIDv1 with dag-pb or raw, sha2-256);
        `metadata_cid` is empty or such a CID. A storage deposit (`BatchDeposit`) is held too.
        """
        # Fails with BadOrigin, InvalidCid, InvalidMetadataCid, EmptyBatch, StakeTooLow,
        # TooManyOpenBatches, DeadlineFull, or a TokenError when the stake cannot be held.
        who = ensure_signed(origin)
        ensure(logic.is_valid_cid(cid), InvalidCid)
        ensure(metadata_cid == b"" or logic.is_valid_cid(metadata_cid), InvalidMetadataCid)
        ensure(byte_size > 0 and item_count > 0, EmptyBatch)
        ensure(stake >= self.config.min_batch_stake, StakeTooLow)
        open_ids = self.open_batches.get(who)
        ensure(len(open_ids) < self.config.max_open_batches, TooManyOpenBatches)
        now = self.block_number
        voting_ends = U32(now + int(self.current_voting_period()))
        due = self.deadlines.get(voting_ends)
        ensure(len(due) < self.config.max_batches_per_block, DeadlineFull)
        deposit = self.config.batch_deposit
        self.currency.hold(STAKE_REASON, who, U128(stake))
        self.currency.hold(DEPOSIT_REASON, who, deposit)
        batch_id = self.next_batch_id.get()
        self.next_batch_id.put(batch_id + U64(1))
        self.batches.insert(
            batch_id,
            Batch(
                informant=who,
                cid=bytes(cid),
                metadata_cid=bytes(metadata_cid),
                byte_size=U64(byte_size),
                item_count=U32(item_count),
                stake=U128(stake),
                deposit=deposit,
                submitted_at=U32(now),
                voting_ends=voting_ends,
                phase=BatchPhase.Voting,
                electorate=self.total_curator_bond.get(),
                aye=_ZERO,
                nay=_ZERO,
                vote_count=U32(0),
                value=_ZERO,
                reward_pot=_ZERO,
                reward_weight=_ZERO,
            ),
        )
        self.score_histograms.insert(batch_id, _EMPTY_HISTOGRAM)
        self.open_batches.insert(who, (*open_ids, batch_id))
        self.deadlines.insert(voting_ends, (*due, batch_id))
        self.deposit_event(
            BatchSubmitted(
                batch_id=batch_id,
                informant=who,
                cid=bytes(cid),
                stake=U128(stake),
                voting_ends=voting_ends,
            )
        )

    @call(index=1, weight=lambda w: w.bond_curator())
    def bond_curator(self, origin: Origin, amount: Compact[U128]) -> None:
        """Bond `amount` more as a curator (held); the active bond gives vote weight.

        Origin: signed.
        """
        # Fails with BadOrigin, ZeroAmount, BondTooLow or a TokenError from the hold.
        who = ensure_signed(origin)
        amount = U128(amount)
        ensure(amount > 0, ZeroAmount)
        ledger = self.curators.get(who)
        active = ledger.active if ledger is not None else _ZERO
        ensure(active + amount >= self.config.min_curator_bond, BondTooLow)
        self.do_bond(who, amount)
        self.deposit_event(CuratorBonded(who=who, amount=amount))

    @call(index=2, weight=lambda w: w.unbond_curator())
    def unbond_curator(self, origin: Origin, amount: Compact[U128]) -> None:
        """Start unbonding `amount` of the active bond. Origin: signed (a curator).

        The amount stops counting for votes at once (also on open votes) and can be withdrawn
        after `UnbondingPeriod` blocks.

        What remains active must be zero or at least `MinCuratorBond`.
        """
        # Fails with BadOrigin, ZeroAmount, NotCurator, InsufficientBond, BondTooLow or
        # TooManyUnlockingChunks.
        who = ensure_signed(origin)
        amount = U128(amount)
        ensure(amount > 0, ZeroAmount)
        ledger = self.curators.get(who)
        ensure(ledger is not None and ledger.active > 0, NotCurator)
        assert ledger is not None  # for the type checker: ensured above
        ensure(amount <= ledger.active, InsufficientBond)
        remaining = ledger.active - amount
        ensure(remaining == 0 or remaining >= self.config.min_curator_bond, BondTooLow)
        ensure(len(ledger.unlocking) < self.config.max_unlocking_chunks, TooManyUnlockingChunks)
        unlock_at = U32(self.block_number + int(self.config.unbonding_period))
        chunk = UnlockChunk(amount=amount, unlock_at=unlock_at)
        self.curators.insert(
            who, replace(ledger, active=remaining, unlocking=(*ledger.unlocking, chunk))
        )
        self.total_curator_bond.put(self.total_curator_bond.get() - amount)
        self.deposit_event(CuratorUnbonded(who=who, amount=amount, unlock_at=unlock_at))

    @call(index=3, weight=lambda w: w.withdraw_unbonded())
    def withdraw_unbonded(self, origin: Origin) -> None:
        """Release every unbonding chunk whose period has ended. Origin: signed (a curator).

        Refused while batches wait in the closing queue: the bond behind a cast vote stays
        held until its batch is decided, even when closings are carried over.
        """
        # Fails with BadOrigin, NotCurator, ClosingPending or NothingToWithdraw.
        who = ensure_signed(origin)
        ledger = self.curators.get(who)
        ensure(ledger is not None, NotCurator)
        assert ledger is not None  # for the type checker: ensured above
        head, tail = self.closing_bounds.get()
        ensure(head >= tail, ClosingPending)
        now = self.block_number
        ready = [c for c in ledger.unlocking if c.unlock_at <= now]
        ensure(bool(ready), NothingToWithdraw)
        amount = U128(sum(int(c.amount) for c in ready))
        waiting = tuple(c for c in ledger.unlocking if c.unlock_at > now)
        self.currency.release(CURATOR_REASON, who, amount)
        if ledger.active == 0 and not waiting:
            self.curators.remove(who)
        else:
            self.curators.insert(who, replace(ledger, unlocking=waiting))
        self.deposit_event(Withdrawn(who=who, amount=amount))

    @call(index=4, weight=lambda w: w.vote())
    def vote(self, origin: Origin, batch_id: U64, aye: bool, scores: CriteriaScores) -> None:
        """Vote aye or nay on a batch in voting, with scores on the five criteria.

        The vote weighs the curator's active bond now, capped at `MaxCuratorShare` of the
        batch's electorate; a second vote replaces the first. Origin: signed (a bonded curator,
        not the batch's informant).
        """
        # Fails with BadOrigin, UnknownBatch, VotingClosed, InformantCannotVote, NotCurator or
        # TooManyVotes.
        who = ensure_signed(origin)
        batch = self.batches.get(batch_id)
        ensure(batch is not None, UnknownBatch)
        assert batch is not None  # for the type checker: ensured above
        phase = logic.next_phase(batch.phase, self.block_number, int(batch.voting_ends))
        ensure(phase is BatchPhase.Voting, VotingClosed)
        ensure(batch.informant != who, InformantCannotVote)
        ledger = self.curators.get(who)
        ensure(ledger is not None and ledger.active > 0, NotCurator)
        assert ledger is not None  # for the type checker: ensured above
        previous = self.votes.get(batch_id, who)
        ensure(
            previous is not None or batch.vote_count < self.config.max_votes_per_batch,
            TooManyVotes,
        )
        weight = logic.compute_vote_weight(
            int(ledger.active),
            int(batch.electorate),
            int(self.config.max_curator_share.deconstruct()),
        )
        histogram = [int(w) for w in self.score_histograms.get(batch_id) or _EMPTY_HISTOGRAM]
        aye_weight, nay_weight, count = int(batch.aye), int(batch.nay), int(batch.vote_count)
        if previous is None:
            count += 1
        elif previous.aye:
            aye_weight -= int(previous.weight)
            histogram = logic.compute_histogram_update(
                histogram, previous.scores.parts(), int(previous.weight), add=False
            )
        else:
            nay_weight -= int(previous.weight)
        if aye:
            aye_weight += weight
            histogram = logic.compute_histogram_update(histogram, scores.parts(), weight, add=True)
        else:
            nay_weight += weight
        self.batches.insert(
            batch_id,
            replace(batch, aye=U128(aye_weight), nay=U128(nay_weight), vote_count=U32(count)),
        )
        self.score_histograms.insert(batch_id, tuple(U128(w) for w in histogram))
        self.votes.insert(
            batch_id,
            who,
            Vote(aye=aye, weight=U128(weight), scores=scores, at=U32(self.block_number)),
        )
        self.deposit_event(
            Voted(batch_id=batch_id, curator=who, aye=aye, changed=previous is not None)
        )

    @call(index=5, weight=lambda w: w.set_voting_period())
    def set_voting_period(self, origin: Origin, period: U32) -> None:
        """Set the voting period (in blocks) of batches submitted from now on. Origin: Root."""
        # Fails with BadOrigin, ZeroVotingPeriod or VotingPeriodTooLong.
        ensure_root(origin)
        ensure(period > 0, ZeroVotingPeriod)
        ensure(period <= self.config.unbonding_period, VotingPeriodTooLong)
        self.voting_period.put(period)
        self.deposit_event(VotingPeriodSet(period=period))

    @call(index=6, weight=lambda w: w.claim_curator_reward())
    def claim_curator_reward(self, origin: Origin, batch_id: U64) -> None:
        """Remove one's vote from a decided batch and take one's share of the curator reward.

        Curators on the winning side of an accepted or rejected batch share the batch's
        curator reward in proportion to their vote weight; the others (and every voter of an
        expired batch) only remove their vote. Origin: signed (a curator that voted).
        """
        # Fails with BadOrigin, UnknownBatch, NotDecided or NoVote.
        who = ensure_signed(origin)
        batch = self.batches.get(batch_id)
        ensure(batch is not None, UnknownBatch)
        assert batch is not None  # for the type checker: ensured above
        ensure(batch.phase not in (BatchPhase.Voting, BatchPhase.Closing), NotDecided)
        vote = self.votes.get(batch_id, who)
        ensure(vote is not None, NoVote)
        assert vote is not None  # for the type checker: ensured above
        winning_side = batch.phase in (BatchPhase.Accepted, BatchPhase.Trained)
        share = 0
        pot, remaining = int(batch.reward_pot), int(batch.reward_weight)
        if batch.phase is not BatchPhase.Expired and vote.aye == winning_side:
            share = logic.compute_claim(pot, int(vote.weight), remaining)
            pot, remaining = pot - share, remaining - int(vote.weight)
        self.votes.remove(batch_id, who)
        paid = self.treasury.mint_earmarked(who, U128(share)) if share else _ZERO
        count = int(batch.vote_count) - 1
        if count == 0 and batch.phase is not BatchPhase.Accepted:
            self.treasury.release_earmark(U128(pot))  # only rounding-free leftovers: none
            self.batches.remove(batch_id)
        else:
            self.batches.insert(
                batch_id,
                replace(
                    batch,
                    vote_count=U32(count),
                    reward_pot=U128(pot),
                    reward_weight=U128(remaining),
                ),
            )
        self.deposit_event(CuratorRewardClaimed(batch_id=batch_id, curator=who, amount=paid))

    # --- hooks -----------------------------------------------------------------------------------

    def on_initialize(self, n: int) -> Weight:
        """Schedule the batches whose period ends at `n`, then close what the budget allows.

        Returns the weight used, never more than `MaxClosingWeight`.
        """
        weights = cast(InformantsWeights, self.config.weights)
        limit = self.config.max_closing_weight
        used = weights.on_initialize_base()
        due = self.deadlines.take(U32(n))
        if due:
            used = used.saturating_add(weights.schedule_closing(len(due)))
            for batch_id in due:
                self.do_schedule_closing(batch_id)
        head, tail = self.closing_bounds.get()
        cost = weights.close_batch()
        while head < tail and not used.saturating_add(cost).any_gt(limit):
            used = used.saturating_add(cost)
            batch_id = self.closing_queue.take(head)
            assert batch_id is not None  # every position between head and tail is filled
            head = head + U64(1)
            self.closing_bounds.put((head, tail))
            self.do_close(batch_id)
        if head < tail:
            self.deposit_event(ClosingCarriedOver(waiting=tail - head))
        return used

    @classmethod
    def integrity_test(cls, config: Any) -> None:
        """Check the configuration, and that the worst-case closing fits its budget.

        The curve and the criterion weights must be valid, a vote's bond must stay held until
        its batch is decided (the voting period is within the unbonding period), and the worst
        case (a full deadline plus one closing) must fit in `MaxClosingWeight`, else the
        closing queue could stall.

        Raises:
            ValueError: naming the first problem found.
        """
        for interface, pallet in (
            (HoldCurrency, config.currency),
            (RewardTreasury, config.treasury),
        ):
            missing = [
                name
                for name in vars(interface)
                if not name.startswith("_") and not callable(getattr(pallet, name, None))
            ]
            if missing:
                raise ValueError(f"Informants: {pallet.__name__} lacks {', '.join(missing)}")
        curve = _curve_parts(config)
        if not logic.is_valid_curve(curve):
            raise ValueError(f"Informants: invalid ThresholdCurve {curve}")
        if sum(int(w.deconstruct()) for w in config.criterion_weights) != logic.PERBILL:
            raise ValueError("Informants: CriterionWeights must sum to one")
        if config.max_curator_share >= config.min_turnout:
            raise ValueError("Informants: MaxCuratorShare must be below MinTurnout")
        if config.default_voting_period == 0 or config.max_batches_per_block == 0:
            raise ValueError("Informants: the voting period and deadline capacity are positive")
        if config.default_voting_period > config.unbonding_period:
            raise ValueError("Informants: DefaultVotingPeriod exceeds UnbondingPeriod")
        if config.batch_deposit == 0 or config.min_batch_stake == 0:
            raise ValueError("Informants: the stake and deposit minimums are positive")
        weights = config.weights
        worst = (
            weights.on_initialize_base()
            .saturating_add(weights.schedule_closing(int(config.max_batches_per_block)))
            .saturating_add(weights.close_batch())
        )
        if worst.any_gt(config.max_closing_weight):
            raise ValueError(
                f"Informants: the worst-case closing {worst} exceeds MaxClosingWeight "
                f"{config.max_closing_weight}"
            )

    def try_state(self) -> None:
        """Check the pallet's invariants.

        * holds: per account, the stake hold equals the stakes of its open batches, the
          deposit hold the deposits of its open and accepted batches; a curator's bond hold
          equals its active plus unlocking bond; the total bond is the sum of active bonds;
        * votes: a batch's vote count, aye and nay weights and score histogram are exactly
          what its stored votes add up to (while it is open);
        * open lists, queues and phases agree; the unclaimed curator rewards are earmarked.

        Raises:
            RuntimeError: naming the first invariant found broken.
        """
        open_phases = (BatchPhase.Voting, BatchPhase.Closing)
        stakes: dict[bytes, int] = {}
        deposits: dict[bytes, int] = {}
        open_count: dict[bytes, int] = {}
        unclaimed = 0
        for batch_id, batch in self.batches.iter():
            owner = bytes(batch.informant)
            votes = [vote for _, vote in self.votes.iter_prefix(batch_id)]
            if len(votes) != batch.vote_count:
                raise RuntimeError(
                    f"batch {batch_id}: {len(votes)} votes, counted {batch.vote_count}"
                )
            unclaimed += int(batch.reward_pot)
            if batch.phase in (*open_phases, BatchPhase.Accepted):
                deposits[owner] = deposits.get(owner, 0) + int(batch.deposit)
            if batch.phase in open_phases:
                stakes[owner] = stakes.get(owner, 0) + int(batch.stake)
                open_count[owner] = open_count.get(owner, 0) + 1
                if batch_id not in self.open_batches.get(batch.informant):
                    raise RuntimeError(f"open batch {batch_id} missing from its owner's list")
                self._check_tally(batch_id, batch, votes)
            elif self.score_histograms.contains_key(batch_id):
                raise RuntimeError(f"decided batch {batch_id} kept its score histogram")
            elif not votes and batch.phase is not BatchPhase.Accepted:
                raise RuntimeError(f"batch {batch_id} has nothing left to keep it stored")
        if unclaimed > int(self.treasury.earmarked_total()):
            raise RuntimeError(f"unclaimed curator rewards {unclaimed} exceed the earmark")
        for who, ids in self.open_batches.iter():
            if len(ids) != open_count.get(bytes(who), 0):
                raise RuntimeError(f"open list of {who.hex()} does not match its batches")
        for owner in sorted(set(stakes) | set(deposits)):
            who = AccountId32(owner)
            for reason, expected in (
                (STAKE_REASON, stakes.get(owner, 0)),
                (DEPOSIT_REASON, deposits.get(owner, 0)),
            ):
                held = int(self.currency.balance_on_hold(reason, who))
                if held != expected:
                    raise RuntimeError(f"{owner.hex()}: hold {reason!r} {held} != {expected}")
        total = 0
        for who, ledger in self.curators.iter():
            total += int(ledger.active)
            held = int(self.currency.balance_on_hold(CURATOR_REASON, who))
            if held != ledger.held():
                raise RuntimeError(f"curator {who.hex()}: bond hold {held} != {ledger.held()}")
        if total != self.total_curator_bond.get():
            raise RuntimeError(f"total curator bond {self.total_curator_bond.get()} != {total}")
        for bounds, queue, phases in (
            (self.closing_bounds.get(), self.closing_queue, (BatchPhase.Closing,)),
            (self.training_bounds.get(), self.training_queue, (BatchPhase.Accepted,)),
        ):
            head, tail = bounds
            queued = sum(1 for _ in queue.iter())
            if queued != tail - head:
                raise RuntimeError(f"a queue holds {queued} entries between {head} and {tail}")
            for _, batch_id in queue.iter():
                queued_batch = self.batches.get(batch_id)
                if queued_batch is None or queued_batch.phase not in phases:
                    raise RuntimeError(f"queued batch {batch_id} is not in phase {phases}")

    def _check_tally(self, batch_id: U64, batch: Batch, votes: list[Vote]) -> None:
        """Check that an open batch's tally and histogram are the sum of its votes."""
        aye = sum(int(v.weight) for v in votes if v.aye)
        nay = sum(int(v.weight) for v in votes if not v.aye)
        if (aye, nay) != (int(batch.aye), int(batch.nay)):
            raise RuntimeError(f"batch {batch_id}: tally {batch.aye}/{batch.nay} != {aye}/{nay}")
        histogram = [0] * len(_EMPTY_HISTOGRAM)
        for vote in votes:
            if vote.aye:
                histogram = logic.compute_histogram_update(
                    histogram, vote.scores.parts(), int(vote.weight), add=True
                )
        stored = self.score_histograms.get(batch_id)
        if stored is None or [int(w) for w in stored] != histogram:
            raise RuntimeError(f"batch {batch_id}: score histogram does not match its votes")

    # --- interface for other pallets and clients ----------------------------------------------

    @property
    def currency(self) -> HoldCurrency:
        """The configured currency pallet."""
        return cast(HoldCurrency, self.ctx.pallet(self.config.currency))

    @property
    def treasury(self) -> RewardTreasury:
        """The configured treasury pallet."""
        return cast(RewardTreasury, self.ctx.pallet(self.config.treasury))

    def current_voting_period(self) -> U32:
        """The voting period of a batch submitted now."""
        period = self.voting_period.get()
        return period if period is not None else self.config.default_voting_period

    def training_queue_head(self) -> U64 | None:
        """The accepted batch that waits longest for training, if any."""
        head, tail = self.training_bounds.get()
        return self.training_queue.get(head) if head < tail else None

    def batch_reward(self, batch_id: U64) -> tuple[AccountId32, U128] | None:
        """The informant of an accepted batch and what it was paid, if the batch was accepted."""
        return self.batch_rewards.get(batch_id)

    def take_for_training(self) -> tuple[U64, Batch] | None:
        """Take the head of the training queue (for the training pallet).

        The batch's deposit is released and it becomes ``Trained`` (kept only while curators
        still have votes to claim on it); returns ``(id, batch)``, or None if the queue is
        empty.
        """
        head, tail = self.training_bounds.get()
        if head >= tail:
            return None
        batch_id = self.training_queue.take(head)
        self.training_bounds.put((head + U64(1), tail))
        batch = self.batches.get(batch_id)
        assert batch is not None  # a queued batch stays stored until it is taken
        self.currency.release(DEPOSIT_REASON, batch.informant, batch.deposit)
        phase = logic.next_phase(batch.phase, self.block_number, 0, taken=True)
        if batch.vote_count == 0:
            self.batches.remove(batch_id)
        else:
            self.batches.insert(batch_id, replace(batch, phase=phase))
        return batch_id, replace(batch, phase=phase)

    def do_bond(self, who: AccountId32, amount: U128) -> None:
        """Hold `amount` more as the curator bond of `who` (no checks beyond the hold's own).

        Raises:
            TokenError: the amount cannot be held.
        """
        self.currency.hold(CURATOR_REASON, who, amount)
        ledger = self.curators.get(who) or CuratorLedger(active=_ZERO, unlocking=())
        self.curators.insert(who, replace(ledger, active=ledger.active + amount))
        self.total_curator_bond.put(self.total_curator_bond.get() + amount)

    # --- closing ---------------------------------------------------------------------------------

    def do_schedule_closing(self, batch_id: U64) -> None:
        """Mark a batch whose period ended as closing and put it at the queue's tail."""
        batch = self.batches.get(batch_id)
        assert batch is not None  # a scheduled batch is stored until it closes
        phase = logic.next_phase(batch.phase, self.block_number, int(batch.voting_ends))
        self.batches.insert(batch_id, replace(batch, phase=phase))
        head, tail = self.closing_bounds.get()
        self.closing_queue.insert(tail, batch_id)
        self.closing_bounds.put((head, tail + U64(1)))

    def do_close(self, batch_id: U64) -> None:
        """Decide a closing batch from its running tally: outcome, stake, rewards, clean-up.

        The work does not depend on the number of votes: the tally and the score histogram
        were kept up to date by each vote, and the curators claim their rewards themselves.
        """
        batch = self.batches.get(batch_id)
        assert batch is not None  # a queued batch is stored until it closes
        config = self.config
        histogram = self.score_histograms.take(batch_id)
        tally = Tally(aye=int(batch.aye), nay=int(batch.nay), total_bond=int(batch.electorate))
        outcome, turnout, threshold = logic.compute_outcome(
            tally, int(config.min_turnout.deconstruct()), _curve_parts(config)
        )
        phase = logic.next_phase(BatchPhase.Closing, self.block_number, 0, outcome)
        informant = batch.informant
        self.open_batches.mutate(informant, lambda ids: tuple(i for i in ids if i != batch_id))
        value = 0
        pot = _ZERO
        winning_weight = 0
        if outcome is Outcome.ACCEPTED:
            value = self._value_of(batch, [int(w) for w in histogram or _EMPTY_HISTOGRAM])
            self.currency.release(STAKE_REASON, informant, batch.stake)
            head, tail = self.training_bounds.get()
            self.training_queue.insert(tail, batch_id)
            self.training_bounds.put((head, tail + U64(1)))
            self.deposit_event(
                BatchAccepted(
                    batch_id=batch_id,
                    value=U128(value),
                    turnout=_PERBILL(turnout),
                    threshold=_PERBILL(threshold),
                )
            )
            paid = self.treasury.mint_reward(informant, U128(value))
            self.batch_rewards.insert(batch_id, (informant, paid))
            self.deposit_event(
                InformantRewarded(batch_id=batch_id, informant=informant, amount=paid)
            )
            winning_weight = tally.aye
        else:
            self.currency.release(DEPOSIT_REASON, informant, batch.deposit)
            if outcome is Outcome.REJECTED:
                slashed, released = logic.compute_slash(
                    int(batch.stake), int(config.slash_fraction.deconstruct())
                )
                self.deposit_event(
                    BatchRejected(
                        batch_id=batch_id,
                        turnout=_PERBILL(turnout),
                        threshold=_PERBILL(threshold),
                    )
                )
                moved = self.treasury.receive_held(STAKE_REASON, informant, U128(slashed))
                self.currency.release(STAKE_REASON, informant, U128(released))
                self.deposit_event(
                    InformantSlashed(batch_id=batch_id, informant=informant, amount=moved)
                )
                winning_weight = tally.nay
            else:
                self.currency.release(STAKE_REASON, informant, batch.stake)
                self.deposit_event(BatchExpired(batch_id=batch_id, turnout=_PERBILL(turnout)))
        if winning_weight > 0:
            pot = self.treasury.earmark(config.curator_reward_per_batch)
            self.deposit_event(CuratorsRewarded(batch_id=batch_id, total=pot))
        if outcome is not Outcome.ACCEPTED and batch.vote_count == 0:
            self.batches.remove(batch_id)
            return
        self.batches.insert(
            batch_id,
            replace(
                batch,
                phase=phase,
                value=U128(value),
                reward_pot=pot,
                reward_weight=U128(winning_weight),
            ),
        )

    def _value_of(self, batch: Batch, histogram: list[int]) -> int:
        """The value of an accepted batch from its aye score histogram (`logic`)."""
        medians = logic.compute_histogram_medians(histogram)
        weights = [int(w.deconstruct()) for w in self.config.criterion_weights]
        quality = logic.compute_quality(medians, weights)
        return logic.compute_batch_value(
            quality,
            int(batch.item_count),
            int(self.config.value_per_sqrt_item),
            int(self.config.max_batch_value),
        )
