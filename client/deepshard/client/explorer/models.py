"""The explorer's tables (SQLAlchemy 2 declarative models).

Every row derived from a block carries ``block_hash`` with ``ON DELETE CASCADE``: retracting a
block (a reorg) deletes the block row and everything read from it in one statement. Batches are
a projection of the Informants events still in the database and are rebuilt from them whenever a
block that touches them is added or retracted.

Hashes and account ids are ``0x`` hex strings; addresses are SS58 strings; balances (``u128``)
are stored as decimal strings (`Amount`) because neither SQLite nor a ``BIGINT`` holds them.

Training rounds are a projection too (`Round`, rebuilt from the events whose subject is
``round:N``); commitments, reveals, scores and model versions are rows of the block whose event
announced them (``block_hash`` cascade), the scores and version contents read from storage at that
block; applied training slashes land in `Slash` beside the informant ones (``pallet`` Training).

Licences: keepers and purchases are projections of the Licences events about them (subjects
``keeper:ADDRESS`` and ``purchase:N``); ciphertexts, the terms a purchase was opened on and
granted licences are rows of the block whose event announced them, completed from storage at
that block; a silent keeper's slash is a `Slash` (``pallet`` Licences).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Amount",
    "Base",
    "Block",
    "Extrinsic",
    "Event",
    "Account",
    "Transfer",
    "Batch",
    "Vote",
    "Slash",
    "Round",
    "RoundCommitment",
    "RoundScore",
    "ModelVersion",
    "RoundParameters",
    "Keeper",
    "Ciphertext",
    "PurchaseTerms",
    "Purchase",
    "Licence",
    "Cursor",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Amount(TypeDecorator[int]):
    """An unsigned integer of up to 128 bits, stored as its decimal string."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: int | None, _dialect: Any) -> str | None:
        """Encode for the database."""
        return None if value is None else str(int(value))

    def process_result_value(self, value: str | None, _dialect: Any) -> int | None:
        """Decode from the database."""
        return None if value is None else int(value)


class Base(DeclarativeBase):
    """The declarative base of every explorer table."""

    metadata = MetaData(naming_convention=NAMING)


def _block_fk() -> Any:
    return ForeignKey("blocks.hash", ondelete="CASCADE")


class Block(Base):
    """A block on the indexed chain (canonical: retracted blocks are deleted)."""

    __tablename__ = "blocks"

    hash: Mapped[str] = mapped_column(String(66), primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, unique=True)
    parent_hash: Mapped[str] = mapped_column(String(66))
    state_root: Mapped[str] = mapped_column(String(66))
    extrinsics_root: Mapped[str] = mapped_column(String(66))
    timestamp: Mapped[int | None] = mapped_column(BigInteger)
    """Milliseconds since the Unix epoch, from ``Timestamp.set``."""
    spec_version: Mapped[int] = mapped_column(Integer)
    extrinsic_count: Mapped[int] = mapped_column(Integer)
    event_count: Mapped[int] = mapped_column(Integer)
    author: Mapped[str | None] = mapped_column(String(64), index=True)
    """The SS58 address of the Aura authority that owned the block's slot (None at genesis)."""
    slot: Mapped[int | None] = mapped_column(BigInteger)
    """The Aura slot from the header's pre-runtime digest."""
    finalized: Mapped[bool] = mapped_column(Boolean, default=False)


class Extrinsic(Base):
    """An extrinsic of an indexed block."""

    __tablename__ = "extrinsics"
    __table_args__ = (Index("ix_extrinsics_signer_number", "signer", "block_number"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    block_hash: Mapped[str] = mapped_column(String(66), _block_fk(), index=True)
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    index: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(66), index=True)
    pallet: Mapped[str] = mapped_column(String(64))
    call: Mapped[str] = mapped_column(String(64))
    args: Mapped[Any] = mapped_column(JSON)
    signer: Mapped[str | None] = mapped_column(String(64))
    nonce: Mapped[int | None] = mapped_column(BigInteger)
    tip: Mapped[int] = mapped_column(Amount)
    fee: Mapped[int] = mapped_column(Amount)
    success: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(String(200))


class Event(Base):
    """An event of an indexed block."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_pallet_name", "pallet", "name"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    block_hash: Mapped[str] = mapped_column(String(66), _block_fk(), index=True)
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    index: Mapped[int] = mapped_column(Integer)
    extrinsic_index: Mapped[int | None] = mapped_column(Integer)
    phase: Mapped[str] = mapped_column(String(32))
    pallet: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    fields: Mapped[Any] = mapped_column(JSON)
    subject: Mapped[str | None] = mapped_column(String(64), index=True)
    """What the event is about, for projections (``batch:7``; later ``round:3``), or None."""


class Account(Base):
    """An account seen on chain, with its balance as last read from ``System.Account``."""

    __tablename__ = "accounts"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(66), unique=True)
    nonce: Mapped[int] = mapped_column(BigInteger, default=0)
    free: Mapped[int] = mapped_column(Amount, default=0)
    reserved: Mapped[int] = mapped_column(Amount, default=0)
    frozen: Mapped[int] = mapped_column(Amount, default=0)
    first_seen: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    """The block number at which the balance was read."""


class Transfer(Base):
    """A ``Balances.Transfer`` event."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    block_hash: Mapped[str] = mapped_column(String(66), _block_fk(), index=True)
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    event_index: Mapped[int] = mapped_column(Integer)
    extrinsic_index: Mapped[int | None] = mapped_column(Integer)
    extrinsic_hash: Mapped[str | None] = mapped_column(String(66))
    sender: Mapped[str] = mapped_column(String(64), index=True)
    receiver: Mapped[str] = mapped_column(String(64), index=True)
    amount: Mapped[int] = mapped_column(Amount)


class Batch(Base):
    """An Informants data batch, projected from the Informants events still indexed."""

    __tablename__ = "batches"

    batch_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    informant: Mapped[str] = mapped_column(String(64), index=True)
    cid: Mapped[str] = mapped_column(String(200))
    stake: Mapped[int] = mapped_column(Amount)
    voting_ends: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    """``Voting``, ``Accepted``, ``Rejected`` or ``Expired``."""
    submitted_block: Mapped[int] = mapped_column(BigInteger)
    closed_block: Mapped[int | None] = mapped_column(BigInteger)
    value: Mapped[int | None] = mapped_column(Amount)
    turnout: Mapped[int | None] = mapped_column(BigInteger)
    """Parts per billion of the curator bond that voted."""
    threshold: Mapped[int | None] = mapped_column(BigInteger)
    reward: Mapped[int | None] = mapped_column(Amount)
    slashed: Mapped[int | None] = mapped_column(Amount)
    ayes: Mapped[int] = mapped_column(Integer, default=0)
    nays: Mapped[int] = mapped_column(Integer, default=0)


class Vote(Base):
    """A curator's ``Informants.Voted`` event (the latest per curator counts)."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    block_hash: Mapped[str] = mapped_column(String(66), _block_fk(), index=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    event_index: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int] = mapped_column(BigInteger, index=True)
    curator: Mapped[str] = mapped_column(String(64), index=True)
    aye: Mapped[bool] = mapped_column(Boolean)
    changed: Mapped[bool] = mapped_column(Boolean)


class Slash(Base):
    """Stake taken from an account (``Informants.InformantSlashed`` today; Training later)."""

    __tablename__ = "slashes"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    block_hash: Mapped[str] = mapped_column(String(66), _block_fk(), index=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    event_index: Mapped[int] = mapped_column(Integer)
    pallet: Mapped[str] = mapped_column(String(64))
    who: Mapped[str] = mapped_column(String(64), index=True)
    amount: Mapped[int] = mapped_column(Amount)
    reason: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(64))
    """What the slash is about (``batch:7``; ``round:3`` once Training exists)."""


class Round(Base):
    """A Training round, projected from the Training events still indexed (subject ``round:N``)."""

    __tablename__ = "rounds"

    round_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    batch_id: Mapped[int] = mapped_column(BigInteger, index=True)
    parent_version: Mapped[int] = mapped_column(BigInteger)
    shard: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str] = mapped_column(String(66))
    commit_ends: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    """``Open`` (commit/reveal/score), ``Aggregated`` (dispute window) or ``Closed``."""
    outcome: Mapped[str | None] = mapped_column(String(16))
    opened_block: Mapped[int] = mapped_column(BigInteger)
    aggregated_block: Mapped[int | None] = mapped_column(BigInteger)
    closed_block: Mapped[int | None] = mapped_column(BigInteger)
    improvement: Mapped[int | None] = mapped_column(BigInteger)
    """The accepted cluster's consensus improvement x10^6."""
    new_version: Mapped[int | None] = mapped_column(BigInteger)
    paid: Mapped[int | None] = mapped_column(Amount)
    to_treasury: Mapped[int | None] = mapped_column(Amount)
    trainers: Mapped[Any] = mapped_column(JSON)
    """The drawn trainers (SS58), in draw order."""
    scorers: Mapped[Any] = mapped_column(JSON)
    """The drawn scorers (SS58), in draw order."""
    accepted: Mapped[Any] = mapped_column(JSON)
    outliers: Mapped[Any] = mapped_column(JSON)
    slashes: Mapped[Any] = mapped_column(JSON)
    """``address -> {amount, outlier, status}`` with status pending, cancelled or applied."""
    rewards: Mapped[Any] = mapped_column(JSON)
    """``address -> amount`` paid to accepted trainers."""
    scorer_rewards: Mapped[Any] = mapped_column(JSON)
    """``address -> {amount, agreement}`` paid to scorers."""


class RoundCommitment(Base):
    """A ``Training.Committed`` (kind ``commit``) or ``Training.Revealed`` (``reveal``) event."""

    __tablename__ = "round_commitments"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    block_hash: Mapped[str] = mapped_column(String(66), _block_fk(), index=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    event_index: Mapped[int] = mapped_column(Integer)
    round_id: Mapped[int] = mapped_column(BigInteger, index=True)
    trainer: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    cid: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str | None] = mapped_column(String(66))


class RoundScore(Base):
    """A ``Training.ScoresSubmitted`` event with the statistics read from ``Training.Scores``."""

    __tablename__ = "round_scores"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    block_hash: Mapped[str] = mapped_column(String(66), _block_fk(), index=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    event_index: Mapped[int] = mapped_column(Integer)
    round_id: Mapped[int] = mapped_column(BigInteger, index=True)
    scorer: Mapped[str] = mapped_column(String(64), index=True)
    trainers: Mapped[Any] = mapped_column(JSON)
    """The revealed trainers (SS58), the rows of `statistics`, in reveal order."""
    statistics: Mapped[Any] = mapped_column(JSON)
    """One statistics vector (x10^6 integers) per revealed trainer."""


class ModelVersion(Base):
    """A model version (0 from genesis storage, others from ``Training.VersionRecorded``)."""

    __tablename__ = "model_versions"

    version_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    block_hash: Mapped[str] = mapped_column(String(66), _block_fk(), index=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    parent: Mapped[int | None] = mapped_column(BigInteger, index=True)
    round_id: Mapped[int | None] = mapped_column(BigInteger)
    held_out_loss: Mapped[int] = mapped_column(BigInteger)
    """x10^6."""
    base_cid: Mapped[str] = mapped_column(String(200))
    layer_count: Mapped[int] = mapped_column(Integer)
    shards: Mapped[Any] = mapped_column(JSON)
    adapters: Mapped[Any] = mapped_column(JSON)


class RoundParameters(Base):
    """What ``Training.Rounds`` fixed when a round opened, read from storage at that block.

    The deadlines (so the round's phase is known at every height), the bonds as drawn (the
    weights of the scorers' median), the profile, and the runtime's statistics layout and MAD
    factor at that block (what the chain's aggregation uses for the round).
    """

    __tablename__ = "round_parameters"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    block_hash: Mapped[str] = mapped_column(String(66), _block_fk(), index=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    round_id: Mapped[int] = mapped_column(BigInteger, index=True)
    reveal_ends: Mapped[int] = mapped_column(BigInteger)
    score_ends: Mapped[int] = mapped_column(BigInteger)
    dispute_ends: Mapped[int] = mapped_column(BigInteger)
    mode: Mapped[str] = mapped_column(String(16))
    """``Deterministic`` or ``Tolerant``."""
    trainer_bonds: Mapped[Any] = mapped_column(JSON)
    """``address -> bond`` (decimal string) of the drawn trainers."""
    scorer_bonds: Mapped[Any] = mapped_column(JSON)
    """``address -> bond`` (decimal string) of the drawn scorers."""
    statistics: Mapped[Any] = mapped_column(JSON)
    """The layout: ``[{name, higher_is_better, floor}]`` (floor x10^6)."""
    mad_factor: Mapped[int] = mapped_column(BigInteger)
    """The MAD multiplier k of the outlier rule, in thousandths."""


class Keeper(Base):
    """A Licences keeper, projected from its ``Keeper*`` events and its slashes."""

    __tablename__ = "keepers"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    bond: Mapped[int] = mapped_column(Amount)
    """The bond held now (bonded, less slashes; 0 once withdrawn)."""
    slashed: Mapped[int] = mapped_column(Amount)
    """Everything slashed from it for purchases it left unserved."""
    box_key: Mapped[str] = mapped_column(String(66))
    """Its X25519 public key (the latest published)."""
    status: Mapped[str] = mapped_column(String(16))
    """``Bonded``, ``Unbonding`` or ``Withdrawn``."""
    unlock_at: Mapped[int | None] = mapped_column(BigInteger)
    bonded_block: Mapped[int] = mapped_column(BigInteger)
    """The block of its first bond."""


class Ciphertext(Base):
    """A model version's registered ciphertext (``CiphertextRegistered`` and storage)."""

    __tablename__ = "ciphertexts"

    version_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    block_hash: Mapped[str] = mapped_column(String(66), _block_fk(), index=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    cid: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(66))
    threshold: Mapped[int] = mapped_column(Integer)
    keepers: Mapped[Any] = mapped_column(JSON)
    """The keepers holding one share each (SS58), in share order."""
    registrar: Mapped[str] = mapped_column(String(64), index=True)


class PurchaseTerms(Base):
    """What ``Licences.Purchases`` fixed when a purchase opened (read at that block)."""

    __tablename__ = "purchase_terms"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    block_hash: Mapped[str] = mapped_column(String(66), _block_fk(), index=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    purchase_id: Mapped[int] = mapped_column(BigInteger, index=True)
    deadline: Mapped[int] = mapped_column(BigInteger)
    buyer_box_key: Mapped[str] = mapped_column(String(66))
    threshold: Mapped[int] = mapped_column(Integer)
    keepers: Mapped[Any] = mapped_column(JSON)
    """The version's share set (SS58) the purchase waits on."""
    payouts: Mapped[Any] = mapped_column(JSON)
    """``address -> amount`` (decimal strings): where the escrow goes when served."""
    to_treasury: Mapped[int] = mapped_column(Amount)


class Purchase(Base):
    """A licence purchase, projected from its events (subject ``purchase:N``) and terms."""

    __tablename__ = "purchases"

    purchase_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    buyer: Mapped[str] = mapped_column(String(64), index=True)
    version_id: Mapped[int] = mapped_column(BigInteger, index=True)
    price: Mapped[int] = mapped_column(Amount)
    phase: Mapped[str] = mapped_column(String(16))
    """``Open``, ``Served`` or ``Expired``."""
    opened_block: Mapped[int] = mapped_column(BigInteger)
    closed_block: Mapped[int | None] = mapped_column(BigInteger)
    deadline: Mapped[int | None] = mapped_column(BigInteger)
    threshold: Mapped[int | None] = mapped_column(Integer)
    keepers: Mapped[Any] = mapped_column(JSON)
    """The share set the purchase waits on (SS58)."""
    deliveries: Mapped[Any] = mapped_column(JSON)
    """``[{keeper, block}]`` in delivery order."""
    refunded: Mapped[int | None] = mapped_column(Amount)
    slashes: Mapped[Any] = mapped_column(JSON)
    """``address -> amount`` slashed from keepers that stayed silent."""
    buyer_box_key: Mapped[str | None] = mapped_column(String(66))
    payouts: Mapped[Any] = mapped_column(JSON)
    to_treasury: Mapped[int | None] = mapped_column(Amount)


class Licence(Base):
    """A granted licence (``Licences.LicenceGranted``)."""

    __tablename__ = "licences"

    purchase_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    block_hash: Mapped[str] = mapped_column(String(66), _block_fk(), index=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    buyer: Mapped[str] = mapped_column(String(64), index=True)
    version_id: Mapped[int] = mapped_column(BigInteger, index=True)
    price: Mapped[int] = mapped_column(Amount)


class Cursor(Base):
    """Key/value state of the indexer (the chain's genesis hash, the SS58 prefix)."""

    __tablename__ = "indexer_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
