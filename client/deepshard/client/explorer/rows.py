"""Turn a decoded block (`deepshard.client.rpc.client.Block`) into explorer rows, purely.

`block_rows` is the whole mapping from chain data to the tables: no database, no network, so it
is tested on its own and reused by every engine. Values are made JSON-safe by `jsonable` (bytes
become ``0x`` hex, integers stay integers, tuples become lists).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from multiformats import CID

from deepshard.client.explorer.authorship import aura_slot
from deepshard.client.rpc.client import Block, Event, to_hex
from deepshard.primitives.crypto import ss58_encode

__all__ = [
    "BlockRows",
    "block_rows",
    "jsonable",
    "address",
    "cid_text",
    "version_contents",
    "set_author",
    "ciphertext_contents",
    "purchase_terms",
    "round_parameters",
    "variant_name",
    "ACCOUNT_FIELDS",
]

ACCOUNT_FIELDS: Final = frozenset(
    {
        "who",
        "from",
        "to",
        "account",
        "informant",
        "curator",
        "dest",
        "beneficiary",
        "approving",
        "multisig",
        "pure",
        "delegator",
        "delegatee",
        "proxy",
        "trainer",
        "scorer",
    }
)
"""Event fields that name an account: the accounts page and balance refresh follow them."""

BATCH_EVENTS: Final = frozenset(
    {
        "BatchSubmitted",
        "Voted",
        "BatchAccepted",
        "InformantRewarded",
        "BatchRejected",
        "InformantSlashed",
        "BatchExpired",
        "CuratorsRewarded",
        "CuratorRewardClaimed",
    }
)
"""Informants events about one batch (they carry ``batch_id``)."""

KEEPER_EVENTS: Final = frozenset({"KeeperBonded", "KeeperUnbonded", "KeeperWithdrawn"})
"""Licences events about one keeper (subject ``keeper:ADDRESS``)."""
PURCHASE_EVENTS: Final = frozenset(
    {"PurchaseOpened", "ShareDelivered", "LicenceGranted", "PurchaseExpired", "KeeperSlashed"}
)
"""Licences events about one purchase (subject ``purchase:N``)."""


def jsonable(value: Any) -> Any:
    """Return `value` as JSON-safe data (bytes as ``0x`` hex, sequences as lists)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return to_hex(bytes(value))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "pallet") and hasattr(value, "args") and hasattr(value, "name"):
        return {"pallet": value.pallet, "call": value.name, "args": jsonable(value.args)}
    return str(value)


def address(public_key: bytes, prefix: int) -> str:
    """Return the SS58 address of a 32-byte account id."""
    return ss58_encode(public_key, prefix)


def _field(fields: Any, name: str) -> Any:
    if not isinstance(fields, Mapping):
        return None
    return fields.get(name, fields.get(name + "_"))


@dataclass
class BlockRows:
    """The rows one block contributes to each table, as column dictionaries."""

    block: dict[str, Any]
    extrinsics: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    transfers: list[dict[str, Any]] = field(default_factory=list)
    votes: list[dict[str, Any]] = field(default_factory=list)
    slashes: list[dict[str, Any]] = field(default_factory=list)
    accounts: dict[str, bytes] = field(default_factory=dict)
    """Every account the block touched: address -> account id."""
    batches: set[int] = field(default_factory=set)
    """The batches whose projection the block changes."""
    commitments: list[dict[str, Any]] = field(default_factory=list)
    """``Training.Committed`` and ``Training.Revealed`` rows."""
    scores: list[dict[str, Any]] = field(default_factory=list)
    """``Training.ScoresSubmitted`` rows; the indexer fills ``trainers`` and ``statistics``."""
    versions: list[dict[str, Any]] = field(default_factory=list)
    """``Training.VersionRecorded`` rows; the indexer fills the version's contents."""
    rounds: set[int] = field(default_factory=set)
    """The rounds whose projection the block changes."""
    openings: list[dict[str, Any]] = field(default_factory=list)
    """`RoundParameters` rows of the rounds opened; the indexer fills them from storage."""
    keepers: set[str] = field(default_factory=set)
    """The keepers (SS58) whose projection the block changes."""
    purchases: set[int] = field(default_factory=set)
    """The purchases whose projection the block changes."""
    ciphertexts: list[dict[str, Any]] = field(default_factory=list)
    """``Licences.CiphertextRegistered`` rows; the indexer fills them from storage."""
    terms: list[dict[str, Any]] = field(default_factory=list)
    """`PurchaseTerms` rows of the purchases opened; the indexer fills them from storage."""
    licences: list[dict[str, Any]] = field(default_factory=list)
    """``Licences.LicenceGranted`` rows."""


def _subject(event: Event, prefix: int) -> str | None:
    if event.pallet == "Licences":
        if event.name in KEEPER_EVENTS:
            keeper = _field(event.fields, "keeper")
            if isinstance(keeper, (bytes, bytearray)) and len(keeper) == 32:
                return "keeper:" + address(bytes(keeper), prefix)
        if event.name in PURCHASE_EVENTS:
            purchase_id = _field(event.fields, "purchase_id")
            if isinstance(purchase_id, int):
                return f"purchase:{purchase_id}"
        return None
    if event.pallet == "Informants" and event.name in BATCH_EVENTS:
        batch_id = _field(event.fields, "batch_id")
        if isinstance(batch_id, int):
            return f"batch:{batch_id}"
    if event.pallet == "Training":
        round_id = _field(event.fields, "round_id")
        if isinstance(round_id, int):
            return f"round:{round_id}"
    return None


def cid_text(raw: Any) -> str:
    """Return a binary CID as text, base32 for v1 (``0x`` hex if not a CID; ``""`` if empty)."""
    data = bytes(raw) if isinstance(raw, (bytes, bytearray)) else b""
    if not data:
        return ""
    try:
        cid = CID.decode(data)
    except (ValueError, KeyError):
        return to_hex(data)
    return cid.encode("base32") if cid.version == 1 else str(cid)


def _touch(rows: BlockRows, value: Any, prefix: int) -> str | None:
    if isinstance(value, (bytes, bytearray)) and len(value) == 32:
        found = address(bytes(value), prefix)
        rows.accounts[found] = bytes(value)
        return found
    return None


def set_author(rows: BlockRows, authority: bytes | None, prefix: int) -> None:
    """Record `authority` (an account id) as the author of the block of `rows`."""
    if authority is not None:
        rows.block["author"] = _touch(rows, authority, prefix)


def round_parameters(
    raw: Mapping[str, Any], layout: Any, mad_factor: Any, prefix: int
) -> dict[str, Any]:
    """The columns of a `RoundParameters` row from a ``Training.Rounds`` value and constants.

    `layout` is the runtime's ``Training.Statistics`` constant, `mad_factor` its ``MadFactor``.
    """

    def bonds(pairs: Any) -> dict[str, str]:
        return {address(bytes(who), prefix): str(int(bond)) for who, bond in pairs}

    return {
        "reveal_ends": int(raw["reveal_ends"]),
        "score_ends": int(raw["score_ends"]),
        "dispute_ends": int(raw["dispute_ends"]),
        "mode": variant_name(raw["profile"]["mode"]),
        "trainer_bonds": bonds(raw["trainers"]),
        "scorer_bonds": bonds(raw["scorers"]),
        "statistics": [
            {
                "name": bytes(spec["name"]).decode("utf-8", "replace"),
                "higher_is_better": bool(spec["higher_is_better"]),
                "floor": int(spec["floor"]),
            }
            for spec in layout
        ],
        "mad_factor": int(mad_factor),
    }


def variant_name(raw: Any) -> str:
    """The name of a decoded enum variant (a bare name, or a one-key mapping)."""
    if isinstance(raw, Mapping) and len(raw) == 1:
        return str(next(iter(raw)))
    return str(raw)


def _outcomes(block: Block) -> dict[int, tuple[bool, str | None, int]]:
    """Return ``index -> (success, error, fee)`` from the block's System and fee events."""
    found: dict[int, tuple[bool, str | None, int]] = {}
    fees: dict[int, int] = {}
    for event in block.events:
        index = event.extrinsic_index
        if index is None:
            continue
        if event.matches("System", "ExtrinsicSuccess"):
            found[index] = (True, None, 0)
        elif event.matches("System", "ExtrinsicFailed"):
            error = _field(event.fields, "dispatch_error")
            found[index] = (False, str(jsonable(error))[:200], 0)
        elif event.matches("TransactionPayment", "TransactionFeePaid"):
            fees[index] = int(_field(event.fields, "actual_fee") or 0)
    return {i: (ok, error, fees.get(i, 0)) for i, (ok, error, _) in found.items()}


def block_rows(block: Block, spec_version: int, prefix: int) -> BlockRows:
    """Return the rows of `block` (decoded with runtime `spec_version`; SS58 `prefix`)."""
    header = block.header
    block_hash, number = to_hex(block.hash), block.number
    timestamp = None
    for extrinsic in block.extrinsics:
        if extrinsic.call.pallet == "Timestamp" and extrinsic.call.name == "set":
            timestamp = int(extrinsic.call.args.get("now", 0))
    rows = BlockRows(
        {
            "hash": block_hash,
            "number": number,
            "parent_hash": to_hex(bytes(header.parent_hash)),
            "state_root": to_hex(bytes(header.state_root)),
            "extrinsics_root": to_hex(bytes(header.extrinsics_root)),
            "timestamp": timestamp,
            "spec_version": spec_version,
            "extrinsic_count": len(block.extrinsics),
            "event_count": len(block.events),
            "author": None,
            "slot": aura_slot(header),
            "finalized": False,
        }
    )
    outcomes = _outcomes(block)
    hashes = {}
    for extrinsic in block.extrinsics:
        success, error, fee = outcomes.get(extrinsic.index, (True, None, 0))
        signer = None
        if extrinsic.signer is not None:
            signer = _touch(rows, extrinsic.signer, prefix)
        hashes[extrinsic.index] = to_hex(extrinsic.hash)
        rows.extrinsics.append(
            {
                "block_hash": block_hash,
                "block_number": number,
                "index": extrinsic.index,
                "hash": hashes[extrinsic.index],
                "pallet": extrinsic.call.pallet,
                "call": extrinsic.call.name,
                "args": jsonable(extrinsic.call.args),
                "signer": signer,
                "nonce": extrinsic.nonce,
                "tip": extrinsic.tip,
                "fee": fee,
                "success": success,
                "error": error,
            }
        )
    for index, event in enumerate(block.events):
        _event_rows(rows, event, index, hashes, prefix)
    return rows


def _event_rows(
    rows: BlockRows, event: Event, index: int, hashes: dict[int, str], prefix: int
) -> None:
    block_hash, number = rows.block["hash"], rows.block["number"]
    subject = _subject(event, prefix)
    rows.events.append(
        {
            "block_hash": block_hash,
            "block_number": number,
            "index": index,
            "extrinsic_index": event.extrinsic_index,
            "phase": event.phase.kind,
            "pallet": event.pallet,
            "name": event.name,
            "fields": jsonable(event.fields),
            "subject": subject,
        }
    )
    if isinstance(event.fields, Mapping):
        for name, value in event.fields.items():
            if name.rstrip("_") in ACCOUNT_FIELDS:
                _touch(rows, value, prefix)
    where = {"block_hash": block_hash, "block_number": number, "event_index": index}
    if event.matches("Licences", "CiphertextRegistered"):
        rows.ciphertexts.append(
            {
                "block_hash": block_hash,
                "block_number": number,
                "version_id": int(_field(event.fields, "version")),
                "cid": cid_text(_field(event.fields, "cid")),
            }
        )
    if event.matches("Balances", "Transfer"):
        rows.transfers.append(
            {
                **where,
                "extrinsic_index": event.extrinsic_index,
                "extrinsic_hash": hashes.get(event.extrinsic_index or -1),
                "sender": address(bytes(_field(event.fields, "from")), prefix),
                "receiver": address(bytes(_field(event.fields, "to")), prefix),
                "amount": int(_field(event.fields, "amount")),
            }
        )
    if subject is None:
        return
    if event.pallet == "Training":
        _training_rows(rows, event, where, subject, prefix)
        return
    if event.pallet == "Licences":
        _licence_rows(rows, event, where, subject, prefix)
        return
    batch_id = int(_field(event.fields, "batch_id"))
    rows.batches.add(batch_id)
    if event.name == "Voted":
        rows.votes.append(
            {
                **where,
                "batch_id": batch_id,
                "curator": address(bytes(_field(event.fields, "curator")), prefix),
                "aye": bool(_field(event.fields, "aye")),
                "changed": bool(_field(event.fields, "changed")),
            }
        )
    elif event.name == "InformantSlashed":
        rows.slashes.append(
            {
                **where,
                "pallet": event.pallet,
                "who": address(bytes(_field(event.fields, "informant")), prefix),
                "amount": int(_field(event.fields, "amount")),
                "reason": "BatchRejected",
                "subject": subject,
            }
        )


def _licence_rows(
    rows: BlockRows, event: Event, where: dict[str, Any], subject: str, prefix: int
) -> None:
    kind, _, key = subject.partition(":")
    if kind == "keeper":
        rows.keepers.add(key)
        return
    purchase_id = int(key)
    rows.purchases.add(purchase_id)
    at = {"block_hash": where["block_hash"], "block_number": where["block_number"]}
    if event.name == "PurchaseOpened":
        rows.terms.append({**at, "purchase_id": purchase_id})
    elif event.name == "LicenceGranted":
        rows.licences.append(
            {
                **at,
                "purchase_id": purchase_id,
                "buyer": address(bytes(_field(event.fields, "buyer")), prefix),
                "version_id": int(_field(event.fields, "version")),
                "price": int(_field(event.fields, "price")),
            }
        )
    elif event.name == "KeeperSlashed":
        keeper = address(bytes(_field(event.fields, "keeper")), prefix)
        rows.keepers.add(keeper)
        rows.slashes.append(
            {
                **where,
                "pallet": event.pallet,
                "who": keeper,
                "amount": int(_field(event.fields, "amount")),
                "reason": "SilentKeeper",
                "subject": subject,
            }
        )


def ciphertext_contents(raw: Mapping[str, Any], prefix: int) -> dict[str, Any]:
    """The columns of a `Ciphertext` row read from a ``Licences.Ciphertexts`` value."""
    return {
        "sha256": to_hex(bytes(raw["sha256"])),
        "threshold": int(raw["threshold"]),
        "keepers": [address(bytes(k), prefix) for k in raw["keepers"]],
        "registrar": address(bytes(raw["registrar"]), prefix),
    }


def purchase_terms(
    raw: Mapping[str, Any], ciphertext: Mapping[str, Any] | None, prefix: int
) -> dict[str, Any]:
    """The columns of a `PurchaseTerms` row from ``Licences.Purchases`` and the ciphertext.

    The keepers a purchase counts on are its own record (those of the share set bonded when it
    opened) where the runtime keeps one, else the ciphertext's whole share set.
    """
    counted = raw.get("keepers")
    if counted is None and ciphertext is not None:
        counted = ciphertext["keepers"]
    return {
        "deadline": int(raw["deadline"]),
        "buyer_box_key": to_hex(bytes(raw["buyer_box_key"])),
        "threshold": 0 if ciphertext is None else int(ciphertext["threshold"]),
        "keepers": [address(bytes(k), prefix) for k in counted or ()],
        "payouts": {address(bytes(w), prefix): str(int(a)) for w, a in raw.get("payouts", ())},
        "to_treasury": int(raw.get("to_treasury", 0)),
    }


def _training_rows(
    rows: BlockRows, event: Event, where: dict[str, Any], subject: str, prefix: int
) -> None:
    round_id = int(_field(event.fields, "round_id"))
    rows.rounds.add(round_id)
    if event.name in ("Committed", "Revealed"):
        revealed = event.name == "Revealed"
        rows.commitments.append(
            {
                **where,
                "round_id": round_id,
                "trainer": address(bytes(_field(event.fields, "trainer")), prefix),
                "kind": "reveal" if revealed else "commit",
                "cid": cid_text(_field(event.fields, "cid")) if revealed else None,
                "sha256": to_hex(bytes(_field(event.fields, "sha256"))) if revealed else None,
            }
        )
    elif event.name == "RoundOpened":
        at = {"block_hash": where["block_hash"], "block_number": where["block_number"]}
        rows.openings.append({**at, "round_id": round_id})
    elif event.name == "ScoresSubmitted":
        rows.scores.append(
            {
                **where,
                "round_id": round_id,
                "scorer": address(bytes(_field(event.fields, "scorer")), prefix),
                "trainers": [],
                "statistics": [],
            }
        )
    elif event.name == "SlashApplied":
        rows.slashes.append(
            {
                **where,
                "pallet": event.pallet,
                "who": address(bytes(_field(event.fields, "trainer")), prefix),
                "amount": int(_field(event.fields, "amount")),
                "reason": "RoundSlash",
                "subject": subject,
            }
        )
    elif event.name == "VersionRecorded":
        rows.versions.append(
            {
                "block_hash": where["block_hash"],
                "block_number": where["block_number"],
                "version_id": int(_field(event.fields, "version")),
                "parent": int(_field(event.fields, "parent")),
                "round_id": round_id,
                "held_out_loss": int(_field(event.fields, "held_out_loss")),
                "base_cid": "",
                "layer_count": 0,
                "shards": [],
                "adapters": [],
            }
        )


def version_contents(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The columns of a `ModelVersion` row read from a ``Training.ModelVersions`` value."""
    parent, round_id = raw["parent"], raw["round_id"]
    return {
        "parent": None if parent is None else int(parent),
        "round_id": None if round_id is None else int(round_id),
        "held_out_loss": int(raw["held_out_loss"]),
        "base_cid": cid_text(raw["base_cid"]),
        "layer_count": int(raw["layer_count"]),
        "shards": [[int(first), int(end)] for first, end in raw["shards"]],
        "adapters": [
            {
                "shard": int(a["shard"]),
                "cid": cid_text(a["cid"]),
                "sha256": to_hex(bytes(a["sha256"])),
            }
            for a in raw["adapters"]
        ],
    }
