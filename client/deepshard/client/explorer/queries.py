"""Read-side queries of the explorer: what the REST API and the pages show.

Every list is keyset-paginated: a page holds at most `MAX_LIMIT` items, newest first, and its
``next_cursor`` (an opaque string) continues after its last item. Lookups raise `NotFound` for
what is not indexed and `BadRequest` for input that cannot name anything (a malformed hash,
address or cursor).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Engine, Select, func, or_, select
from sqlalchemy.orm import Session

from deepshard.client.explorer.aggregation import consensus, phase_at, statistics_view
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
    Round,
    RoundCommitment,
    RoundParameters,
    RoundScore,
    Slash,
    Transfer,
    Vote,
)
from deepshard.primitives.crypto import decode_account_id

__all__ = [
    "MAX_LIMIT",
    "NotFound",
    "BadRequest",
    "Page",
    "Explorer",
    "parse_block_id",
    "parse_hash",
    "parse_address",
    "trainer_table",
]

MAX_LIMIT: Final = 100
"""The most items one page holds."""

_NAMED: Final = re.compile(
    r"(block|round|batch|version|purchase|licence|license)?\s*[:#]?\s*([0-9]+)", re.I | re.A
)
"""``round 3``, ``round:3``, ``batch #7``, ``version 2``, ``licence 4``, ``#12`` (a block)."""
PHASES: Final = ("Open", "Served", "Expired")
"""The phases of a licence purchase."""


class NotFound(Exception):
    """Nothing indexed answers to the request."""


class BadRequest(Exception):
    """The request is malformed (it cannot name anything)."""


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: its items and the cursor of the next page (None on the last)."""

    items: list[dict[str, Any]]
    next_cursor: str | None


def parse_hash(text: str) -> str:
    """Return `text` as a lower-case ``0x`` 32-byte hash.

    Raises:
        BadRequest: it is not ``0x`` and 64 hex digits.
    """
    body = text[2:] if text[:2] in ("0x", "0X") else ""
    if len(body) != 64:
        raise BadRequest(f"{text[:80]!r} is not a 0x-prefixed 32-byte hash")
    try:
        bytes.fromhex(body)
    except ValueError as exc:
        raise BadRequest(f"{text[:80]!r} is not hexadecimal") from exc
    return "0x" + body.lower()


def parse_block_id(text: str) -> int | str:
    """Return a block number or hash from `text`.

    Raises:
        BadRequest: neither a non-negative number nor a hash.
    """
    if text.isascii() and text.isdigit():
        if len(text) > 19:
            raise BadRequest("block number too large")
        return int(text)
    return parse_hash(text)


def parse_address(text: str) -> bytes:
    """Return the account id of an SS58 address or ``0x`` account id.

    Raises:
        BadRequest: `text` is neither.
    """
    try:
        if text[:2] in ("0x", "0X"):
            return bytes.fromhex(parse_hash(text)[2:])
        return decode_account_id(text)
    except (ValueError, BadRequest) as exc:
        raise BadRequest(f"{text[:80]!r} is not an SS58 address or 0x account id") from exc


def _int_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not (cursor.isascii() and cursor.isdigit() and len(cursor) < 19):
        raise BadRequest(f"malformed cursor {cursor[:40]!r}")
    return int(cursor)


def _pair_cursor(cursor: str | None) -> tuple[int, int] | None:
    if cursor is None:
        return None
    first, _, second = cursor.partition("-")
    if not (first.isdigit() and second.isdigit() and len(first) < 19 and len(second) < 10):
        raise BadRequest(f"malformed cursor {cursor[:40]!r}")
    return int(first), int(second)


def _row(model: Any) -> dict[str, Any]:
    return {c.key: getattr(model, c.key) for c in model.__table__.columns if c.key != "id"}


def block_json(block: Block) -> dict[str, Any]:
    """A block as the API shows it."""
    return _row(block)


def _amounts(row: dict[str, Any], *names: str) -> dict[str, Any]:
    """Render u128 amounts as decimal strings (JSON numbers lose precision past 2**53)."""
    for name in names:
        if row.get(name) is not None:
            row[name] = str(row[name])
    return row


class Explorer:
    """Queries over one explorer database."""

    def __init__(self, engine: Engine) -> None:
        """Read through `engine`."""
        self.engine = engine

    @staticmethod
    def _page(session: Session, query: Select[Any], limit: int) -> tuple[list[Any], bool]:
        if not 1 <= limit <= MAX_LIMIT:
            raise BadRequest(f"limit must be 1..{MAX_LIMIT}")
        rows = list(session.scalars(query.limit(limit + 1)))
        return rows[:limit], len(rows) > limit

    # --- status -----------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """The indexed tip, the finalized height and table sizes."""
        with Session(self.engine) as session:
            best = session.scalar(select(func.max(Block.number)))
            final = session.scalar(
                select(func.max(Block.number)).where(Block.finalized == True)  # noqa: E712
            )
            genesis = session.get(Cursor, "genesis_hash")
            counts = {
                name: int(session.scalar(select(func.count()).select_from(model)) or 0)
                for name, model in (
                    ("blocks", Block),
                    ("extrinsics", Extrinsic),
                    ("events", Event),
                    ("accounts", Account),
                    ("transfers", Transfer),
                    ("batches", Batch),
                    ("rounds", Round),
                    ("purchases", Purchase),
                )
            }
        return {
            "best": best,
            "finalized": final,
            "genesis_hash": None if genesis is None else genesis.value,
            "counts": counts,
        }

    def tip(self) -> dict[str, Any]:
        """The indexed tip: ``{"best", "best_hash", "finalized"}`` (None values when empty).

        What live pages watch: it changes with every block indexed, retracted or finalized.
        """
        with Session(self.engine) as session:
            best = session.execute(
                select(Block.number, Block.hash).order_by(Block.number.desc()).limit(1)
            ).first()
            final = session.scalar(
                select(func.max(Block.number)).where(Block.finalized == True)  # noqa: E712
            )
        return {
            "best": None if best is None else int(best[0]),
            "best_hash": None if best is None else str(best[1]),
            "finalized": None if final is None else int(final),
        }

    # --- blocks -----------------------------------------------------------------------

    def blocks(self, limit: int = 25, cursor: str | None = None, author: str | None = None) -> Page:
        """Blocks, newest first, optionally those of one author."""
        before = _int_cursor(cursor)
        query = select(Block).order_by(Block.number.desc())
        if author is not None:
            query = query.where(Block.author == self._canonical_address(author))
        if before is not None:
            query = query.where(Block.number < before)
        with Session(self.engine) as session:
            rows, more = self._page(session, query, limit)
            items = [block_json(b) for b in rows]
        return Page(items, str(rows[-1].number) if more else None)

    def block(self, block_id: str) -> dict[str, Any]:
        """A block by number or hash, with its extrinsics and events."""
        key = parse_block_id(block_id)
        with Session(self.engine) as session:
            column = Block.number if isinstance(key, int) else Block.hash
            block = session.scalars(select(Block).where(column == key)).first()
            if block is None:
                raise NotFound(f"no indexed block {block_id}")
            extrinsics = session.scalars(
                select(Extrinsic)
                .where(Extrinsic.block_hash == block.hash)
                .order_by(Extrinsic.index)
            ).all()
            events = session.scalars(
                select(Event).where(Event.block_hash == block.hash).order_by(Event.index)
            ).all()
            return {
                **block_json(block),
                "extrinsics": [self._extrinsic_json(x) for x in extrinsics],
                "events": [_row(e) for e in events],
            }

    # --- extrinsics -------------------------------------------------------------------

    @staticmethod
    def _extrinsic_json(extrinsic: Extrinsic) -> dict[str, Any]:
        row = _amounts(_row(extrinsic), "tip", "fee")
        row["id"] = f"{extrinsic.block_number}-{extrinsic.index}"
        return row

    def extrinsics(
        self,
        limit: int = 25,
        cursor: str | None = None,
        signer: str | None = None,
        pallet: str | None = None,
        signed_only: bool = False,
    ) -> Page:
        """Extrinsics, newest first, optionally of one signer or pallet."""
        after = _pair_cursor(cursor)
        query = select(Extrinsic).order_by(Extrinsic.block_number.desc(), Extrinsic.index.desc())
        if signer is not None:
            query = query.where(Extrinsic.signer == self._canonical_address(signer))
        if pallet is not None:
            query = query.where(Extrinsic.pallet == pallet)
        if signed_only:
            query = query.where(Extrinsic.signer != None)  # noqa: E711
        if after is not None:
            query = query.where(
                or_(
                    Extrinsic.block_number < after[0],
                    (Extrinsic.block_number == after[0]) & (Extrinsic.index < after[1]),
                )
            )
        with Session(self.engine) as session:
            rows, more = self._page(session, query, limit)
            items = [self._extrinsic_json(x) for x in rows]
        return Page(items, items[-1]["id"] if more else None)

    def extrinsic(self, extrinsic_id: str) -> dict[str, Any]:
        """An extrinsic by hash or ``block-index``, with its events."""
        with Session(self.engine) as session:
            if extrinsic_id[:2] in ("0x", "0X"):
                query = select(Extrinsic).where(Extrinsic.hash == parse_hash(extrinsic_id))
            else:
                pair = _pair_cursor(extrinsic_id)
                assert pair is not None
                query = select(Extrinsic).where(
                    Extrinsic.block_number == pair[0], Extrinsic.index == pair[1]
                )
            found = session.scalars(query.order_by(Extrinsic.block_number)).first()
            if found is None:
                raise NotFound(f"no indexed extrinsic {extrinsic_id}")
            events = session.scalars(
                select(Event)
                .where(Event.block_hash == found.block_hash, Event.extrinsic_index == found.index)
                .order_by(Event.index)
            ).all()
            return {**self._extrinsic_json(found), "events": [_row(e) for e in events]}

    # --- events -----------------------------------------------------------------------

    def events(
        self,
        limit: int = 25,
        cursor: str | None = None,
        pallet: str | None = None,
        name: str | None = None,
    ) -> Page:
        """Events, newest first, optionally of one pallet (and name)."""
        after = _pair_cursor(cursor)
        query = select(Event).order_by(Event.block_number.desc(), Event.index.desc())
        if pallet is not None:
            query = query.where(Event.pallet == pallet)
        if name is not None:
            query = query.where(Event.name == name)
        if after is not None:
            query = query.where(
                or_(
                    Event.block_number < after[0],
                    (Event.block_number == after[0]) & (Event.index < after[1]),
                )
            )
        with Session(self.engine) as session:
            rows, more = self._page(session, query, limit)
            items = [{**_row(e), "id": f"{e.block_number}-{e.index}"} for e in rows]
        return Page(items, items[-1]["id"] if more else None)

    # --- accounts and transfers -------------------------------------------------------

    def _canonical_address(self, text: str) -> str:
        key = "0x" + parse_address(text).hex()
        with Session(self.engine) as session:
            found = session.scalar(select(Account.address).where(Account.public_key == key))
        if found is None:
            raise NotFound(f"no indexed account {text}")
        return found

    @staticmethod
    def _account_json(account: Account) -> dict[str, Any]:
        return _amounts(_row(account), "free", "reserved", "frozen")

    def accounts(self, limit: int = 25, cursor: str | None = None) -> Page:
        """Accounts in address order (the cursor is the last address of the previous page)."""
        query = select(Account).order_by(Account.address)
        if cursor is not None:
            query = query.where(Account.address > cursor)
        with Session(self.engine) as session:
            rows, more = self._page(session, query, limit)
            items = [self._account_json(a) for a in rows]
        return Page(items, rows[-1].address if more else None)

    def account(self, text: str) -> dict[str, Any]:
        """An account by SS58 address or account id, with its latest activity."""
        found_address = self._canonical_address(text)
        with Session(self.engine) as session:
            account = session.get(Account, found_address)
            assert account is not None
            extrinsics = session.scalar(
                select(func.count()).select_from(Extrinsic).where(Extrinsic.signer == found_address)
            )
            slashes = session.scalars(
                select(Slash).where(Slash.who == found_address).order_by(Slash.block_number.desc())
            ).all()
            authored = session.scalar(
                select(func.count()).select_from(Block).where(Block.author == found_address)
            )
            return {
                **self._account_json(account),
                "extrinsic_count": int(extrinsics or 0),
                "authored_count": int(authored or 0),
                "transfers": self.transfers(10, None, found_address).items,
                "slashes": [_amounts(_row(s), "amount") for s in slashes],
            }

    def transfers(
        self, limit: int = 25, cursor: str | None = None, address: str | None = None
    ) -> Page:
        """Balance transfers, newest first, optionally to or from one account."""
        before = _int_cursor(cursor)
        query = select(Transfer).order_by(Transfer.id.desc())
        if address is not None:
            who = self._canonical_address(address)
            query = query.where(or_(Transfer.sender == who, Transfer.receiver == who))
        if before is not None:
            query = query.where(Transfer.id < before)
        with Session(self.engine) as session:
            rows, more = self._page(session, query, limit)
            items = [_amounts(_row(t), "amount") for t in rows]
        return Page(items, str(rows[-1].id) if more else None)

    # --- batches ----------------------------------------------------------------------

    def batches(
        self, limit: int = 25, cursor: str | None = None, status: str | None = None
    ) -> Page:
        """Informants batches, newest first, optionally in one status."""
        before = _int_cursor(cursor)
        query = select(Batch).order_by(Batch.batch_id.desc())
        if status is not None:
            query = query.where(Batch.status == status)
        if before is not None:
            query = query.where(Batch.batch_id < before)
        with Session(self.engine) as session:
            rows, more = self._page(session, query, limit)
            items = [self._batch_json(b) for b in rows]
        return Page(items, str(rows[-1].batch_id) if more else None)

    @staticmethod
    def _batch_json(batch: Batch) -> dict[str, Any]:
        return _amounts(_row(batch), "stake", "value", "reward", "slashed")

    def batch(self, batch_id: int) -> dict[str, Any]:
        """A batch with every vote event (in order) and its events."""
        with Session(self.engine) as session:
            batch = session.get(Batch, batch_id)
            if batch is None:
                raise NotFound(f"no indexed batch {batch_id}")
            votes = session.scalars(
                select(Vote)
                .where(Vote.batch_id == batch_id)
                .order_by(Vote.block_number, Vote.event_index)
            ).all()
            events = session.scalars(
                select(Event)
                .where(Event.subject == f"batch:{batch_id}")
                .order_by(Event.block_number, Event.index)
            ).all()
            return {
                **self._batch_json(batch),
                "votes": [_row(v) for v in votes],
                "events": [_row(e) for e in events],
            }

    # --- training ---------------------------------------------------------------------

    def rounds(self, limit: int = 25, cursor: str | None = None, status: str | None = None) -> Page:
        """Training rounds, newest first, optionally in one status (Open, Aggregated, Closed)."""
        before = _int_cursor(cursor)
        query = select(Round).order_by(Round.round_id.desc())
        if status is not None:
            query = query.where(Round.status == status)
        if before is not None:
            query = query.where(Round.round_id < before)
        with Session(self.engine) as session:
            rows, more = self._page(session, query, limit)
            tip = session.scalar(select(func.max(Block.number)))
            params = self._parameters(session, [r.round_id for r in rows])
            items = []
            for found in rows:
                item = _amounts(_row(found), "paid", "to_treasury")
                item["phase"] = _phase(item, params.get(found.round_id), tip)
                items.append(item)
        return Page(items, str(rows[-1].round_id) if more else None)

    @staticmethod
    def _parameters(session: Session, round_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The newest `RoundParameters` row of each round (as a dict), by round id."""
        if not round_ids:
            return {}
        found = session.scalars(
            select(RoundParameters)
            .where(RoundParameters.round_id.in_(list(round_ids)))
            .order_by(RoundParameters.block_number)
        ).all()
        return {p.round_id: _row(p) for p in found}

    def round(self, round_id: int) -> dict[str, Any]:
        """A round with each drawn trainer's commit, reveal, scores, verdict and slash."""
        with Session(self.engine) as session:
            found = session.get(Round, round_id)
            if found is None:
                raise NotFound(f"no indexed round {round_id}")
            entries = session.scalars(
                select(RoundCommitment)
                .where(RoundCommitment.round_id == round_id)
                .order_by(RoundCommitment.block_number, RoundCommitment.event_index)
            ).all()
            scores = session.scalars(
                select(RoundScore)
                .where(RoundScore.round_id == round_id)
                .order_by(RoundScore.block_number, RoundScore.event_index)
            ).all()
            events = session.scalars(
                select(Event)
                .where(Event.subject == f"round:{round_id}")
                .order_by(Event.block_number, Event.index)
            ).all()
            tip = session.scalar(select(func.max(Block.number)))
            params = self._parameters(session, [round_id]).get(round_id)
            data = _amounts(_row(found), "paid", "to_treasury")
            data["commitments"] = [_row(e) for e in entries]
            data["scores"] = [_row(s) for s in scores]
            data["events"] = [_row(e) for e in events]
            data["parameters"] = params
            data["indexed_at"] = tip
            data["phase"] = _phase(data, params, tip)
            data["next_deadline"] = _next_deadline(data, params)
            data["consensus"], data["statistics"] = _aggregation(data, params)
            data["trainer_table"] = trainer_table(data)
            return data

    def versions(self, limit: int = 25, cursor: str | None = None) -> Page:
        """Model versions, newest first."""
        before = _int_cursor(cursor)
        query = select(ModelVersion).order_by(ModelVersion.version_id.desc())
        if before is not None:
            query = query.where(ModelVersion.version_id < before)
        with Session(self.engine) as session:
            rows, more = self._page(session, query, limit)
            items = [_row(v) for v in rows]
        return Page(items, str(rows[-1].version_id) if more else None)

    def version(self, version_id: int) -> dict[str, Any]:
        """A model version with its lineage (itself back to the first) and its children."""
        with Session(self.engine) as session:
            found = session.get(ModelVersion, version_id)
            if found is None:
                raise NotFound(f"no indexed model version {version_id}")
            data = _row(found)
            lineage = [_row(found)]
            parent = found.parent
            seen = {version_id}
            while parent is not None and parent not in seen:
                above = session.get(ModelVersion, parent)
                if above is None:
                    break
                seen.add(parent)
                lineage.append(_row(above))
                parent = above.parent
            data["lineage"] = lineage
            ciphertext = session.get(Ciphertext, version_id)
            data["ciphertext"] = None if ciphertext is None else _row(ciphertext)
            data["licences"] = int(
                session.scalar(
                    select(func.count())
                    .select_from(Licence)
                    .where(Licence.version_id == version_id)
                )
                or 0
            )
            data["children"] = list(
                session.scalars(
                    select(ModelVersion.version_id)
                    .where(ModelVersion.parent == version_id)
                    .order_by(ModelVersion.version_id)
                )
            )
            return data

    # --- search -----------------------------------------------------------------------

    def search(self, query: str) -> dict[str, str]:
        """Resolve what a search string names.

        A number (or ``#number``) is a block number; ``0x`` and 64 hex digits a block hash, an
        extrinsic hash or an account id (in that order); ``round 3``, ``batch 7``,
        ``version 2`` (also ``round:3``, ``round #3``) name a round, a batch or a model version;
        anything else is read as an SS58 address.

        Returns ``{"kind": "block"|"extrinsic"|"account"|"round"|"batch"|"version"|"licence",
        "id": ...}`` (``licence N``, also ``purchase N``, is purchase N).

        Raises:
            BadRequest: empty, or not any of the forms above.
            NotFound: well-formed, but nothing indexed answers to it.
        """
        text = query.strip()
        if not text:
            raise BadRequest("empty search")
        named = _NAMED.fullmatch(text)
        if named is not None:
            kind, number = (named.group(1) or "block").lower(), named.group(2)
            if kind in ("purchase", "license"):
                kind = "licence"
            if len(number) > 18:
                raise BadRequest(f"{kind} number too large")
            lookup = {
                "round": self.round,
                "batch": self.batch,
                "version": self.version,
                "licence": self.purchase,
            }
            if kind == "block":
                return {"kind": "block", "id": str(self.block(number)["number"])}
            lookup[kind](int(number))
            return {"kind": kind, "id": str(int(number))}
        if text[:2] in ("0x", "0X") and len(text) == 66:
            hashed = parse_hash(text)
            with Session(self.engine) as session:
                if session.get(Block, hashed) is not None:
                    return {"kind": "block", "id": hashed}
                if session.scalar(select(Extrinsic.id).where(Extrinsic.hash == hashed)):
                    return {"kind": "extrinsic", "id": hashed}
                if session.scalar(select(Account.address).where(Account.public_key == hashed)):
                    return {"kind": "account", "id": self._canonical_address(hashed)}
            raise NotFound(f"nothing indexed is {hashed}")
        return {"kind": "account", "id": self._canonical_address(text)}

    # --- licences ---------------------------------------------------------------------

    def keepers(self, limit: int = 25, cursor: str | None = None) -> Page:
        """Keepers in address order (the cursor is the last address of the previous page)."""
        query = select(Keeper).order_by(Keeper.address)
        if cursor is not None:
            query = query.where(Keeper.address > cursor)
        with Session(self.engine) as session:
            rows, more = self._page(session, query, limit)
            items = [_amounts(_row(k), "bond", "slashed") for k in rows]
        return Page(items, rows[-1].address if more else None)

    def keeper(self, text: str) -> dict[str, Any]:
        """A keeper by address: its bond, the ciphertexts it holds shares of, its deliveries."""
        found_address = self._canonical_address(text)
        with Session(self.engine) as session:
            keeper = session.get(Keeper, found_address)
            if keeper is None:
                raise NotFound(f"{text} is not a keeper")
            holds = [
                c.version_id
                for c in session.scalars(select(Ciphertext).order_by(Ciphertext.version_id))
                if found_address in c.keepers
            ]
            slashes = session.scalars(
                select(Slash)
                .where(Slash.pallet == "Licences", Slash.who == found_address)
                .order_by(Slash.block_number)
            ).all()
            return {
                **_amounts(_row(keeper), "bond", "slashed"),
                "share_of_versions": holds,
                "slashes": [_amounts(_row(s), "amount") for s in slashes],
            }

    def ciphertexts(self, limit: int = 25, cursor: str | None = None) -> Page:
        """Registered ciphertexts, newest version first."""
        before = _int_cursor(cursor)
        query = select(Ciphertext).order_by(Ciphertext.version_id.desc())
        if before is not None:
            query = query.where(Ciphertext.version_id < before)
        with Session(self.engine) as session:
            rows, more = self._page(session, query, limit)
            items = [_row(c) for c in rows]
        return Page(items, str(rows[-1].version_id) if more else None)

    @staticmethod
    def _purchase_json(purchase: Purchase) -> dict[str, Any]:
        return _amounts(_row(purchase), "price", "refunded", "to_treasury")

    def purchases(
        self,
        limit: int = 25,
        cursor: str | None = None,
        phase: str | None = None,
        buyer: str | None = None,
        version: int | None = None,
    ) -> Page:
        """Licence purchases, newest first; filter by phase, buyer or model version.

        Raises:
            BadRequest: a phase that is not Open, Served or Expired.
        """
        before = _int_cursor(cursor)
        query = select(Purchase).order_by(Purchase.purchase_id.desc())
        if phase is not None:
            if phase not in PHASES:
                raise BadRequest(f"phase must be one of {', '.join(PHASES)}")
            query = query.where(Purchase.phase == phase)
        if buyer is not None:
            query = query.where(Purchase.buyer == self._canonical_address(buyer))
        if version is not None:
            query = query.where(Purchase.version_id == version)
        if before is not None:
            query = query.where(Purchase.purchase_id < before)
        with Session(self.engine) as session:
            rows, more = self._page(session, query, limit)
            items = [self._purchase_json(p) for p in rows]
        return Page(items, str(rows[-1].purchase_id) if more else None)

    def purchase(self, purchase_id: int) -> dict[str, Any]:
        """A purchase: terms, deliveries, outcome, the licence it granted and its events."""
        with Session(self.engine) as session:
            found = session.get(Purchase, purchase_id)
            if found is None:
                raise NotFound(f"no indexed licence purchase {purchase_id}")
            licence = session.get(Licence, purchase_id)
            events = session.scalars(
                select(Event)
                .where(Event.subject == f"purchase:{purchase_id}")
                .order_by(Event.block_number, Event.index)
            ).all()
            ciphertext = session.get(Ciphertext, found.version_id)
            return {
                **self._purchase_json(found),
                "licence": None if licence is None else _amounts(_row(licence), "price"),
                "ciphertext": None if ciphertext is None else _row(ciphertext),
                "events": [_row(e) for e in events],
            }

    def latest(self, count: int) -> Sequence[dict[str, Any]]:
        """The newest `count` blocks (for the home page)."""
        return self.blocks(count).items


def _phase(data: dict[str, Any], params: dict[str, Any] | None, tip: int | None) -> str | None:
    """The round's phase after the indexed tip (see `aggregation.phase_at`)."""
    if tip is None:
        return None
    return phase_at(
        tip,
        opened=data["opened_block"],
        commit_ends=data["commit_ends"],
        reveal_ends=None if params is None else params["reveal_ends"],
        aggregated=data["aggregated_block"],
        closed=data["closed_block"],
    )


def _next_deadline(data: dict[str, Any], params: dict[str, Any] | None) -> int | None:
    """The block at which the round's current phase ends (None once closed or unknown)."""
    phase = data.get("phase")
    if phase == "Commit":
        return int(data["commit_ends"])
    if params is None:
        return None
    ends = {"Reveal": "reveal_ends", "Score": "score_ends", "Dispute": "dispute_ends"}
    return int(params[ends[phase]]) if phase in ends else None


def _aggregation(
    data: dict[str, Any], params: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The consensus row of each revealed trainer and the per-statistic view.

    Both are empty before any score, or without the round's parameters.
    """
    if params is None or not data["scores"]:
        return [], []
    trainers = list(data["scores"][0]["trainers"])
    layout = params["statistics"]
    bonds = params["scorer_bonds"]
    matrices = [
        (int(bonds.get(s["scorer"], 0)), s["statistics"])
        for s in data["scores"]
        if s["trainers"] == trainers
    ]
    if not trainers or sum(b for b, _ in matrices) == 0:
        return [], []
    try:
        rows = consensus(matrices, len(trainers), len(layout))
    except ValueError:
        return [], []  # a score matrix of another shape than the layout: nothing to chart
    outliers = list(data["outliers"])
    table = [
        {"trainer": who, "values": row, "outlier": who in outliers}
        for who, row in zip(trainers, rows, strict=True)
    ]
    return table, statistics_view(layout, trainers, rows, int(params["mad_factor"]), outliers)


def trainer_table(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per drawn trainer: committed, revealed CID, each scorer's statistics, verdict.

    The verdict is ``accepted``, ``outlier``, ``rejected`` (revealed, not accepted),
    ``missed reveal`` or ``missed commit`` once aggregated, and ``pending`` before.
    """
    committed = {e["trainer"] for e in data["commitments"] if e["kind"] == "commit"}
    agreed = {row["trainer"]: row["values"] for row in data.get("consensus", ())}
    reveals = {e["trainer"]: e for e in data["commitments"] if e["kind"] == "reveal"}
    table = []
    for trainer in data["trainers"]:
        scores = {}
        for score in data["scores"]:
            if trainer in score["trainers"]:
                scores[score["scorer"]] = score["statistics"][score["trainers"].index(trainer)]
        if data["outcome"] is None:
            verdict = "pending"
        elif trainer in data["accepted"]:
            verdict = "accepted"
        elif trainer in data["outliers"]:
            verdict = "outlier"
        elif trainer in reveals:
            verdict = "rejected"
        else:
            verdict = "missed reveal" if trainer in committed else "missed commit"
        reveal = reveals.get(trainer)
        table.append(
            {
                "trainer": trainer,
                "committed": trainer in committed,
                "cid": None if reveal is None else reveal["cid"],
                "sha256": None if reveal is None else reveal["sha256"],
                "scores": scores,
                "consensus": agreed.get(trainer),
                "verdict": verdict,
                "slash": data["slashes"].get(trainer),
                "reward": data["rewards"].get(trainer),
            }
        )
    return table
