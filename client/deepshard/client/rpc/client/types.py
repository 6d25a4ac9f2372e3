"""The values the chain client hands out: calls, events, errors, extrinsics, blocks, receipts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from deepshard.client.rpc.client.errors import ExtrinsicFailed
from deepshard.primitives.extrinsic import Era
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.header import Header

__all__ = [
    "Call",
    "Phase",
    "Event",
    "ModuleError",
    "DispatchFailure",
    "Extrinsic",
    "Block",
    "FinalizedHead",
    "SignedExtrinsic",
    "Receipt",
]


@dataclass(frozen=True, slots=True)
class Call:
    """A composed (or decoded) call: pallet, call name, arguments and their encoding.

    ``encoded`` is ``pallet index ++ call index ++ arguments``; a `Call` can be passed wherever
    a call is an argument (``Utility.batch(calls=[...])``).
    """

    pallet: str
    """The pallet's name in the runtime (``Balances``)."""
    name: str
    """The call's name (``transfer_keep_alive``)."""
    args: Mapping[str, Any]
    """The arguments by name, as the metadata's codecs represent them."""
    encoded: bytes = field(repr=False)
    """The SCALE bytes of the call."""

    @property
    def hash(self) -> bytes:
        """``blake2_256`` of the encoded call (what a multisig approves)."""
        return blake2_256(self.encoded)


@dataclass(frozen=True, slots=True)
class Phase:
    """When an event was deposited: while applying an extrinsic, or around the block."""

    kind: str
    """``ApplyExtrinsic``, ``Finalization`` or ``Initialization``."""
    extrinsic_index: int | None = None
    """The extrinsic's index for ``ApplyExtrinsic``, else None."""


@dataclass(frozen=True, slots=True)
class Event:
    """One event of a block, decoded by the runtime's metadata."""

    pallet: str
    """The emitting pallet's name."""
    name: str
    """The event's name (``Transfer``)."""
    fields: Any
    """The event's fields: a dict by name (or a value/tuple for unnamed fields, () for none)."""
    phase: Phase
    """When it was deposited."""
    topics: tuple[bytes, ...] = ()
    """Its topics."""

    @property
    def extrinsic_index(self) -> int | None:
        """The index of the extrinsic that deposited it, if any."""
        return self.phase.extrinsic_index

    def matches(self, pallet: str, name: str) -> bool:
        """Return whether this is event `pallet`.`name`."""
        return self.pallet == pallet and self.name == name


@dataclass(frozen=True, slots=True)
class ModuleError:
    """A pallet's error, resolved by name from the metadata."""

    pallet: str
    """The pallet's name."""
    name: str
    """The error's name (``InsufficientBalance``)."""
    docs: tuple[str, ...]
    """The error's documentation."""
    pallet_index: int
    """The pallet's index."""
    error_index: int
    """The error's index in the pallet."""

    def __str__(self) -> str:
        return f"{self.pallet}.{self.name}"


@dataclass(frozen=True, slots=True)
class DispatchFailure:
    """Why a dispatch failed: the `DispatchError` variant, and the module error if it is one."""

    kind: str
    """The ``DispatchError`` variant (``Module``, ``BadOrigin``, ``Token``, ...)."""
    detail: Any = None
    """The variant's payload as decoded (``FundsUnavailable`` for ``Token``), if any."""
    module: ModuleError | None = None
    """The pallet error, for ``Module``."""

    def __str__(self) -> str:
        if self.module is not None:
            return str(self.module)
        return self.kind if self.detail is None else f"{self.kind}({self.detail})"


@dataclass(frozen=True, slots=True)
class Extrinsic:
    """One extrinsic of a block, decoded by the runtime's metadata."""

    index: int
    """Its position in the block."""
    hash: bytes
    """``blake2_256`` of its encoding (the transaction hash)."""
    call: Call
    """The call it dispatches."""
    signer: bytes | None = None
    """The signer's account id (from a ``MultiAddress::Id``), None if unsigned."""
    address: Any = None
    """The address as decoded (other ``MultiAddress`` variants stay as they are)."""
    signature: Any = None
    """The signature as decoded (``{"Sr25519": bytes}``)."""
    extensions: Mapping[str, Any] = field(default_factory=dict)
    """The signed extensions' extra data by identifier (``CheckNonce`` -> nonce)."""

    @property
    def signed(self) -> bool:
        """Whether the extrinsic carries a signature."""
        return self.signature is not None

    @property
    def nonce(self) -> int | None:
        """The signer's nonce, if signed."""
        value = self.extensions.get("CheckNonce")
        return value if isinstance(value, int) else None

    @property
    def era(self) -> Era | None:
        """The validity window, if signed."""
        value = self.extensions.get("CheckMortality", self.extensions.get("CheckEra"))
        return value if isinstance(value, Era) else None

    @property
    def tip(self) -> int:
        """The tip (0 if none or unsigned)."""
        value = self.extensions.get("ChargeTransactionPayment")
        if isinstance(value, int):
            return value
        if isinstance(value, Mapping) and isinstance(value.get("tip"), int):
            return int(value["tip"])
        return 0


@dataclass(frozen=True, slots=True)
class Block:
    """A block with its extrinsics and events decoded."""

    hash: bytes
    """The block hash."""
    header: Header
    """The header."""
    extrinsics: tuple[Extrinsic, ...]
    """The extrinsics, in order."""
    events: tuple[Event, ...]
    """Every event of the block."""
    spec_version: int = 0
    """The ``spec_version`` of the runtime that decoded it (0 if unknown)."""

    @property
    def number(self) -> int:
        """The block number."""
        return int(self.header.number)

    def events_of(self, index: int) -> tuple[Event, ...]:
        """Return the events deposited while applying extrinsic `index`."""
        return tuple(e for e in self.events if e.phase.extrinsic_index == index)

    def find(self, extrinsic_hash: bytes) -> Extrinsic | None:
        """Return the extrinsic with hash `extrinsic_hash`, if the block holds it."""
        for extrinsic in self.extrinsics:
            if extrinsic.hash == extrinsic_hash:
                return extrinsic
        return None


@dataclass(frozen=True, slots=True)
class FinalizedHead:
    """A finalized block as announced by `ChainClient.follow_finalized`."""

    hash: bytes
    """The block hash."""
    header: Header
    """The header."""

    @property
    def number(self) -> int:
        """The block number."""
        return int(self.header.number)


@dataclass(frozen=True, slots=True)
class SignedExtrinsic:
    """A signed extrinsic ready to submit."""

    encoded: bytes = field(repr=False)
    """Its full encoding (length prefix included)."""
    call: Call
    """The call it carries."""
    signer: bytes
    """The signer's account id."""
    nonce: int
    """The nonce it uses."""

    @property
    def hash(self) -> bytes:
        """The transaction hash (``blake2_256`` of the encoding)."""
        return blake2_256(self.encoded)


@dataclass(frozen=True, slots=True)
class Receipt:
    """What happened to an included extrinsic."""

    extrinsic_hash: bytes
    """The transaction hash."""
    block_hash: bytes
    """The block that includes it."""
    block_number: int
    """That block's number."""
    index: int
    """Its position in the block."""
    events: tuple[Event, ...]
    """The events it deposited."""
    error: DispatchFailure | None
    """Why it failed, or None if it succeeded."""
    finalized: bool
    """Whether the block was final when the receipt was made."""

    @property
    def success(self) -> bool:
        """Whether the dispatch succeeded."""
        return self.error is None

    @property
    def fee(self) -> int:
        """The fee paid (``TransactionPayment.TransactionFeePaid.actual_fee``; 0 if none)."""
        for event in self.events:
            if event.matches("TransactionPayment", "TransactionFeePaid") and isinstance(
                event.fields, Mapping
            ):
                return int(event.fields.get("actual_fee", 0))
        return 0

    @property
    def weight(self) -> Mapping[str, int] | None:
        """The dispatch weight reported by ``ExtrinsicSuccess``/``ExtrinsicFailed``."""
        for event in self.events:
            if event.pallet == "System" and event.name in ("ExtrinsicSuccess", "ExtrinsicFailed"):
                info = (
                    event.fields.get("dispatch_info") if isinstance(event.fields, Mapping) else None
                )
                if isinstance(info, Mapping) and isinstance(info.get("weight"), Mapping):
                    return dict(info["weight"])
        return None

    def ensure_success(self) -> Receipt:
        """Return the receipt if the dispatch succeeded.

        Raises:
            ExtrinsicFailed: it failed (the exception carries this receipt).
        """
        if self.error is not None:
            raise ExtrinsicFailed(self)
        return self
