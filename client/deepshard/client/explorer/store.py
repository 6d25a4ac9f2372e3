"""Writing and retracting blocks in the explorer's database (synchronous SQLAlchemy).

`Store` is the only writer. Adding a block inserts its `BlockRows` and re-projects the batches it
touches; retracting a block deletes its row (the foreign keys cascade to its extrinsics, events,
transfers, votes and slashes) and re-projects the batches it touched from what is left, so the
tables always describe exactly the indexed chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.orm import Session

from deepshard.client.explorer.models import (
    Account,
    Batch,
    Block,
    Ciphertext,
    Cursor,
    Event,
    Extrinsic,
    Keeper,
    Licence,
    ModelVersion,
    Purchase,
    PurchaseTerms,
    Round,
    RoundCommitment,
    RoundParameters,
    RoundScore,
    Slash,
    Transfer,
    Vote,
)
from deepshard.client.explorer.rows import BlockRows, address

__all__ = [
    "Store",
    "WrongChain",
    "project_batch",
    "project_round",
    "project_keeper",
    "project_purchase",
]


class WrongChain(Exception):
    """The database indexes another chain (its genesis hash differs from the node's)."""


def project_batch(
    events: Sequence[tuple[int, str, Mapping[str, Any]]], prefix: int
) -> dict[str, Any] | None:
    """Return a batch's columns from its events ``(block number, name, fields)`` in chain order.

    Account ids (``0x`` hex in the stored fields) become SS58 addresses with `prefix`.

    None if its ``BatchSubmitted`` is not among them (retracted, or never indexed).
    """
    batch: dict[str, Any] | None = None
    for number, name, fields in events:
        if name == "BatchSubmitted":
            batch = {
                "informant": address(bytes.fromhex(fields["informant"][2:]), prefix),
                "cid": fields["cid"],
                "stake": int(fields["stake"]),
                "voting_ends": int(fields["voting_ends"]),
                "status": "Voting",
                "submitted_block": number,
                "closed_block": None,
                "value": None,
                "turnout": None,
                "threshold": None,
                "reward": None,
                "slashed": None,
            }
        elif batch is None:
            continue
        elif name in ("BatchAccepted", "BatchRejected", "BatchExpired"):
            batch["status"] = name.removeprefix("Batch")
            batch["closed_block"] = number
            batch["turnout"] = fields.get("turnout")
            batch["threshold"] = fields.get("threshold")
            if name == "BatchAccepted":
                batch["value"] = int(fields["value"])
        elif name == "InformantRewarded":
            batch["reward"] = int(fields["amount"])
        elif name == "InformantSlashed":
            batch["slashed"] = int(fields["amount"])
    return batch


def _variant(raw: Any) -> str:
    if isinstance(raw, Mapping) and len(raw) == 1:
        return str(next(iter(raw)))
    return str(raw)


def project_round(
    events: Sequence[tuple[int, str, Mapping[str, Any]]], prefix: int
) -> dict[str, Any] | None:
    """Return a round's columns from its Training events ``(block number, name, fields)``.

    Account ids (``0x`` hex in the stored fields) become SS58 addresses with `prefix`.
    None if its ``RoundOpened`` is not among them (retracted, or never indexed).
    """

    def ss58(hexed: str) -> str:
        return address(bytes.fromhex(hexed[2:]), prefix)

    round_: dict[str, Any] | None = None
    for number, name, fields in events:
        if name == "RoundOpened":
            round_ = {
                "batch_id": int(fields["batch_id"]),
                "parent_version": int(fields["parent_version"]),
                "shard": int(fields["shard"]),
                "seed": str(fields["seed"]),
                "commit_ends": int(fields["commit_ends"]),
                "status": "Open",
                "outcome": None,
                "opened_block": number,
                "aggregated_block": None,
                "closed_block": None,
                "improvement": None,
                "new_version": None,
                "paid": None,
                "to_treasury": None,
                "trainers": [ss58(t) for t in fields["trainers"]],
                "scorers": [ss58(t) for t in fields["scorers"]],
                "accepted": [],
                "outliers": [],
                "slashes": {},
                "rewards": {},
                "scorer_rewards": {},
            }
        elif round_ is None:
            continue
        elif name == "RoundAggregated":
            round_["status"] = "Aggregated"
            round_["aggregated_block"] = number
            round_["outcome"] = _variant(fields["outcome"])
            round_["accepted"] = [ss58(t) for t in fields["accepted"]]
            round_["outliers"] = [ss58(t) for t in fields["outliers"]]
            round_["improvement"] = int(fields["improvement"])
        elif name == "SlashPending":
            round_["slashes"][ss58(fields["trainer"])] = {
                "amount": str(fields["amount"]),
                "outlier": bool(fields["outlier"]),
                "status": "pending",
            }
        elif name in ("SlashCancelled", "SlashApplied"):
            slash = round_["slashes"].setdefault(
                ss58(fields["trainer"]), {"amount": str(fields["amount"]), "outlier": None}
            )
            slash["status"] = "cancelled" if name == "SlashCancelled" else "applied"
            slash["amount"] = str(fields["amount"])
        elif name == "TrainerRewarded":
            round_["rewards"][ss58(fields["trainer"])] = str(fields["amount"])
        elif name == "ScorerRewarded":
            round_["scorer_rewards"][ss58(fields["scorer"])] = {
                "amount": str(fields["amount"]),
                "agreement": int(fields["agreement"]),
            }
        elif name == "VersionRecorded":
            round_["new_version"] = int(fields["version"])
        elif name == "RoundClosed":
            round_["status"] = "Closed"
            round_["closed_block"] = number
            round_["outcome"] = _variant(fields["outcome"])
            round_["paid"] = int(fields["paid"])
            round_["to_treasury"] = int(fields["to_treasury"])
    return round_


def project_keeper(
    events: Sequence[tuple[int, str, Mapping[str, Any]]], slashes: Sequence[tuple[int, int]]
) -> dict[str, Any] | None:
    """Return a keeper's columns from its ``Keeper*`` events and its ``(block, amount)`` slashes.

    A keeper that withdrew and bonds again starts a fresh bond. None if it never bonded.
    """
    keeper: dict[str, Any] | None = None
    bonded = 0
    since = 0  # the block its current bond started
    for number, name, fields in events:
        if name == "KeeperBonded":
            if keeper is None or keeper["status"] == "Withdrawn":
                bonded, since = 0, number
            if keeper is None:
                keeper = {"bonded_block": number}
            bonded += int(fields["amount"])
            keeper.update(box_key=str(fields["box_key"]), status="Bonded", unlock_at=None)
        elif keeper is None:
            continue
        elif name == "KeeperUnbonded":
            keeper.update(status="Unbonding", unlock_at=int(fields["unlock_at"]))
        elif name == "KeeperWithdrawn":
            keeper.update(status="Withdrawn", unlock_at=None)
    if keeper is None:
        return None
    keeper["slashed"] = sum(amount for _, amount in slashes)
    current = sum(amount for number, amount in slashes if number >= since)
    keeper["bond"] = 0 if keeper["status"] == "Withdrawn" else max(bonded - current, 0)
    return keeper


def project_purchase(
    events: Sequence[tuple[int, str, Mapping[str, Any]]],
    terms: Mapping[str, Any] | None,
    prefix: int,
) -> dict[str, Any] | None:
    """Return a purchase's columns from its events ``(block, name, fields)`` and its terms.

    None if its ``PurchaseOpened`` is not among them.
    """

    def ss58(hexed: str) -> str:
        return address(bytes.fromhex(hexed[2:]), prefix)

    purchase: dict[str, Any] | None = None
    for number, name, fields in events:
        if name == "PurchaseOpened":
            purchase = {
                "buyer": ss58(fields["buyer"]),
                "version_id": int(fields["version"]),
                "price": int(fields["price"]),
                "phase": "Open",
                "opened_block": number,
                "closed_block": None,
                "deliveries": [],
                "refunded": None,
                "slashes": {},
                "deadline": None,
                "threshold": None,
                "keepers": [],
                "buyer_box_key": None,
                "payouts": {},
                "to_treasury": None,
            }
            if terms is not None:
                purchase.update(
                    {k: terms[k] for k in ("deadline", "threshold", "keepers", "buyer_box_key")}
                )
                purchase.update(payouts=terms["payouts"], to_treasury=terms["to_treasury"])
        elif purchase is None:
            continue
        elif name == "ShareDelivered":
            purchase["deliveries"].append({"keeper": ss58(fields["keeper"]), "block": number})
        elif name == "LicenceGranted":
            purchase.update(phase="Served", closed_block=number)
        elif name == "PurchaseExpired":
            purchase.update(phase="Expired", closed_block=number, refunded=int(fields["refunded"]))
        elif name == "KeeperSlashed":
            purchase["slashes"][ss58(fields["keeper"])] = str(fields["amount"])
    return purchase


def slash_reason(slash: Mapping[str, Any]) -> str:
    """The `Slash.reason` of a training slash: ``Outlier``, ``MissedDeadline`` or ``RoundSlash``."""
    outlier = slash.get("outlier")
    if outlier is None:
        return "RoundSlash"
    return "Outlier" if outlier else "MissedDeadline"


class Store:
    """The explorer's database, seen by the indexer."""

    def __init__(self, engine: Engine, prefix: int = 42) -> None:
        """Write through `engine` (already migrated); addresses use SS58 `prefix`."""
        self.engine = engine
        self.prefix = prefix

    def state(self, key: str) -> str | None:
        """Return the indexer state `key`, if set."""
        with Session(self.engine) as session:
            found = session.get(Cursor, key)
            return None if found is None else found.value

    def set_state(self, key: str, value: str) -> None:
        """Set the indexer state `key`."""
        with Session(self.engine) as session, session.begin():
            session.merge(Cursor(key=key, value=value))

    def check_genesis(self, genesis: str) -> None:
        """Remember the chain's genesis hash, or check it against the one remembered.

        Raises:
            WrongChain: the database indexes another chain.
        """
        known = self.state("genesis_hash")
        if known is None:
            self.set_state("genesis_hash", genesis)
        elif known != genesis:
            raise WrongChain(f"the database indexes chain {known}, the node serves {genesis}")

    def tip(self) -> tuple[int, str] | None:
        """Return ``(number, hash)`` of the highest indexed block, None if empty."""
        with Session(self.engine) as session:
            row = session.execute(
                select(Block.number, Block.hash).order_by(Block.number.desc()).limit(1)
            ).first()
            return None if row is None else (int(row[0]), str(row[1]))

    def hash_at(self, number: int) -> str | None:
        """Return the hash of the indexed block `number`, if any."""
        with Session(self.engine) as session:
            return session.scalar(select(Block.hash).where(Block.number == number))

    def add(self, blocks: Iterable[BlockRows]) -> set[str]:
        """Insert blocks (in chain order, one transaction); return the accounts they touched."""
        touched: dict[str, tuple[bytes, int]] = {}
        batches: set[int] = set()
        rounds: set[int] = set()
        keepers: set[str] = set()
        purchases: set[int] = set()
        with Session(self.engine) as session, session.begin():
            for rows in blocks:
                session.execute(insert(Block), [rows.block])
                for model, values in (
                    (Extrinsic, rows.extrinsics),
                    (Event, rows.events),
                    (Transfer, rows.transfers),
                    (Vote, rows.votes),
                    (Slash, rows.slashes),
                    (RoundCommitment, rows.commitments),
                    (RoundScore, rows.scores),
                    (ModelVersion, rows.versions),
                    (RoundParameters, rows.openings),
                    (Ciphertext, rows.ciphertexts),
                    (PurchaseTerms, rows.terms),
                    (Licence, rows.licences),
                ):
                    if values:
                        session.execute(insert(model), values)
                for found, key in rows.accounts.items():
                    touched.setdefault(found, (key, rows.block["number"]))
                batches |= rows.batches
                rounds |= rows.rounds
                keepers |= rows.keepers
                purchases |= rows.purchases
            self._touch_accounts(session, touched)
            self._project(session, batches)
            self._project_rounds(session, rounds)
            self._project_keepers(session, keepers)
            self._project_purchases(session, purchases)
        return set(touched)

    def retract(self, block_hash: str) -> set[str]:
        """Delete block `block_hash` and its rows; return the accounts its events named."""
        with Session(self.engine) as session, session.begin():
            subjects = session.scalars(
                select(Event.subject).where(Event.block_hash == block_hash, Event.subject != None)  # noqa: E711
            ).all()
            signers = session.scalars(
                select(Extrinsic.signer).where(
                    Extrinsic.block_hash == block_hash,
                    Extrinsic.signer != None,  # noqa: E711
                )
            ).all()
            parties = session.execute(
                select(Transfer.sender, Transfer.receiver).where(Transfer.block_hash == block_hash)
            ).all()
            slashed_keepers = session.scalars(
                select(Slash.who).where(Slash.block_hash == block_hash, Slash.pallet == "Licences")
            ).all()
            session.execute(delete(Block).where(Block.hash == block_hash))
            self._project(
                session, {int(s.split(":")[1]) for s in subjects if s and s.startswith("batch:")}
            )
            self._project_rounds(
                session, {int(s.split(":")[1]) for s in subjects if s and s.startswith("round:")}
            )
            keepers = {s.split(":")[1] for s in subjects if s and s.startswith("keeper:")}
            self._project_keepers(session, keepers | set(slashed_keepers))
            self._project_purchases(
                session,
                {int(s.split(":")[1]) for s in subjects if s and s.startswith("purchase:")},
            )
        return {str(s) for s in signers} | {str(a) for pair in parties for a in pair}

    def mark_finalized(self, number: int) -> None:
        """Mark every indexed block up to `number` finalized."""
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(Block)
                .where(Block.number <= number, Block.finalized == False)  # noqa: E712
                .values(finalized=True)
            )

    def set_balances(self, balances: Mapping[str, tuple[int, int, int, int]], at: int) -> None:
        """Store ``address -> (nonce, free, reserved, frozen)`` as read at block `at`."""
        with Session(self.engine) as session, session.begin():
            for found, (nonce, free, reserved, frozen) in balances.items():
                session.execute(
                    update(Account)
                    .where(Account.address == found)
                    .values(nonce=nonce, free=free, reserved=reserved, frozen=frozen, updated_at=at)
                )

    def accounts(self) -> dict[str, str]:
        """Return every known ``address -> public key``."""
        with Session(self.engine) as session:
            return dict(session.execute(select(Account.address, Account.public_key)))

    def count(self, model: Any) -> int:
        """Return the number of rows of `model`."""
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

    @staticmethod
    def _touch_accounts(session: Session, touched: Mapping[str, tuple[bytes, int]]) -> None:
        if not touched:
            return
        known = set(
            session.scalars(select(Account.address).where(Account.address.in_(list(touched))))
        )
        fresh = [
            {
                "address": found,
                "public_key": "0x" + key.hex(),
                "nonce": 0,
                "free": 0,
                "reserved": 0,
                "frozen": 0,
                "first_seen": number,
                "updated_at": -1,
            }
            for found, (key, number) in touched.items()
            if found not in known
        ]
        if fresh:
            session.execute(insert(Account), fresh)

    def _project(self, session: Session, batch_ids: set[int]) -> None:
        for batch_id in sorted(batch_ids):
            found = session.execute(
                select(Event.block_number, Event.name, Event.fields)
                .where(Event.subject == f"batch:{batch_id}")
                .order_by(Event.block_number, Event.index)
            ).all()
            columns = project_batch([(int(n), str(name), f) for n, name, f in found], self.prefix)
            session.execute(delete(Batch).where(Batch.batch_id == batch_id))
            if columns is None:
                continue
            votes = session.execute(
                select(Vote.curator, Vote.aye)
                .where(Vote.batch_id == batch_id)
                .order_by(Vote.block_number, Vote.event_index)
            ).all()
            latest = dict(votes)  # the last vote of each counts
            ayes = sum(1 for aye in latest.values() if aye)
            session.add(Batch(batch_id=batch_id, ayes=ayes, nays=len(latest) - ayes, **columns))

    def _project_rounds(self, session: Session, round_ids: set[int]) -> None:
        for round_id in sorted(round_ids):
            subject = f"round:{round_id}"
            found = session.execute(
                select(Event.block_number, Event.name, Event.fields)
                .where(Event.subject == subject)
                .order_by(Event.block_number, Event.index)
            ).all()
            columns = project_round([(int(n), str(name), f) for n, name, f in found], self.prefix)
            session.execute(delete(Round).where(Round.round_id == round_id))
            if columns is None:
                continue
            session.add(Round(round_id=round_id, **columns))
            for who, slash in columns["slashes"].items():
                session.execute(
                    update(Slash)
                    .where(Slash.subject == subject, Slash.pallet == "Training", Slash.who == who)
                    .values(reason=slash_reason(slash))
                )

    def _project_keepers(self, session: Session, keepers: set[str]) -> None:
        for keeper in sorted(keepers):
            found = session.execute(
                select(Event.block_number, Event.name, Event.fields)
                .where(Event.subject == f"keeper:{keeper}")
                .order_by(Event.block_number, Event.index)
            ).all()
            slashes = session.execute(
                select(Slash.block_number, Slash.amount).where(
                    Slash.pallet == "Licences", Slash.who == keeper
                )
            ).all()
            columns = project_keeper(
                [(int(n), str(name), f) for n, name, f in found],
                [(int(n), int(a)) for n, a in slashes],
            )
            session.execute(delete(Keeper).where(Keeper.address == keeper))
            if columns is not None:
                session.add(Keeper(address=keeper, **columns))

    def _project_purchases(self, session: Session, purchase_ids: set[int]) -> None:
        for purchase_id in sorted(purchase_ids):
            found = session.execute(
                select(Event.block_number, Event.name, Event.fields)
                .where(Event.subject == f"purchase:{purchase_id}")
                .order_by(Event.block_number, Event.index)
            ).all()
            terms = session.scalars(
                select(PurchaseTerms)
                .where(PurchaseTerms.purchase_id == purchase_id)
                .order_by(PurchaseTerms.block_number.desc())
            ).first()
            columns = project_purchase(
                [(int(n), str(name), f) for n, name, f in found],
                None
                if terms is None
                else {c.key: getattr(terms, c.key) for c in PurchaseTerms.__table__.columns},
                self.prefix,
            )
            session.execute(delete(Purchase).where(Purchase.purchase_id == purchase_id))
            if columns is not None:
                session.add(Purchase(purchase_id=purchase_id, **columns))
