"""Aura: the authority set and the slot of each block (FRAME's `pallet_aura`).

Overview
--------
Time is cut into *slots* of a fixed duration; slot ``s`` belongs to authority
``authorities[s % n]``, which may author one block in it. The author writes the slot into the
block header as a pre-runtime digest item (engine ``b"aura"``, the slot as a SCALE ``u64``) and
seals the header with its key. This pallet keeps the authority set (``Aura.Authorities``,
sr25519 public keys) and the slot of the current block (``Aura.CurrentSlot``); the node's
block import uses `find_author` / `expected_author` to check that the seal is the slot owner's.

Checks, each making the block invalid (`RuntimePanic`) when it fails:

* ``on_initialize``: the header has an Aura pre-runtime digest (`MissingSlotDigest`) and its
  slot is strictly greater than the previous block's (`SlotMustIncrease`; with
  ``allow_multiple_blocks_per_slot``, not smaller: `SlotMustNotDecrease`). FRAME panics on the
  slot rule too, but tolerates a missing digest; every Deepshard block is Aura-authored, so a
  block without one is refused.
* ``on_timestamp_set`` (Aura is a Timestamp listener): ``timestamp // slot_duration`` must be
  the block's slot (`TimestampSlotMismatch`), so an author cannot claim a slot it is not in.

The slot duration is twice Timestamp's ``MinimumPeriod`` (FRAME's ``MinimumPeriodTimesTwo``)
unless ``Config.slot_duration`` fixes it. The pallet has no calls, events or errors, as FRAME's.
Disabled validators (FRAME's ``DisabledValidators``) need a session pallet and are not modelled.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from deepshard.pallets.system import System
from deepshard.pallets.timestamp import Timestamp
from deepshard.primitives.codec import DecodeError, Enum, FixedBytes, Struct, Vec, decode
from deepshard.primitives.header import AURA_ENGINE_ID, Consensus, Digest, DigestItem, PreRuntime
from deepshard.primitives.numeric import U32, U64
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import (
    GenesisConfig,
    Pallet,
    PalletConfig,
    StorageValue,
    ValueQuery,
    storage,
)
from deepshard.runtime.support.panic import RuntimePanic

__all__ = [
    "AuthorityId",
    "Slot",
    "ConsensusLog",
    "AuthoritiesChange",
    "OnDisabled",
    "Config",
    "MissingSlotDigest",
    "SlotMustIncrease",
    "SlotMustNotDecrease",
    "TimestampSlotMismatch",
    "ZeroSlotDuration",
    "Aura",
    "AuraGenesis",
    "slot_from_digest",
    "expected_author",
]

DEFAULT_MAX_AUTHORITIES: Final = 32
"""Default bound of the authority set."""


# --- Types ------------------------------------------------------------------------------------


class AuthorityId(
    FixedBytes,
    length=32,
    type_path=("sp_consensus_aura", "sr25519", "app_sr25519", "Public"),
):
    """An Aura authority: an sr25519 public key (``sp_consensus_aura::sr25519::AuthorityId``).

    FRAME nests the key as ``app_sr25519::Public(sr25519::Public([u8; 32]))``; the encoding
    (32 bytes) and the outer type path are the same here.
    """


class Slot(Struct, type_path=("sp_consensus_slots", "Slot"), unnamed=True):
    """A slot number: the time since the Unix epoch, in slot durations."""

    value: U64
    """The slot index."""

    @classmethod
    def of(cls, value: int) -> Slot:
        """Return slot `value`."""
        return cls(U64(value))


class ConsensusLog(Enum, type_path=("sp_consensus_aura", "ConsensusLog")):
    """A message from the runtime to the Aura engine, carried in a ``Consensus`` digest item."""


class AuthoritiesChange(ConsensusLog, index=1, unnamed=True):
    """The authority set changed, with immediate effect."""

    authorities: Vec[AuthorityId]
    """The new authority set."""


class OnDisabled(ConsensusLog, index=2, unnamed=True):
    """The authority at this index is disabled."""

    authority_index: U32
    """Index of the disabled authority in the set."""


# --- Config -----------------------------------------------------------------------------------


class Config(PalletConfig):
    """Configuration of the Aura pallet (nothing here is exported to metadata, as in FRAME)."""

    max_authorities: int = DEFAULT_MAX_AUTHORITIES
    """Most authorities the set may hold (FRAME's ``MaxAuthorities``)."""
    allow_multiple_blocks_per_slot: bool = False
    """Whether consecutive blocks may share a slot (the slot must still never decrease)."""
    slot_duration: U64 | None = None
    """Slot duration in milliseconds; None: twice Timestamp's ``MinimumPeriod``."""


# --- Errors (block-level: the block is invalid) -----------------------------------------------


class MissingSlotDigest(RuntimePanic):
    """The block has no Aura pre-runtime digest (the slot it was authored in)."""


class SlotMustIncrease(RuntimePanic):
    """Slot must increase."""


class SlotMustNotDecrease(RuntimePanic):
    """Slot must not decrease."""


class TimestampSlotMismatch(RuntimePanic):
    """Timestamp slot must match `CurrentSlot`."""


class ZeroSlotDuration(RuntimePanic):
    """Aura slot duration cannot be zero."""


# --- Genesis ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuraGenesis(GenesisConfig):
    """Genesis of the Aura pallet: the initial authority set."""

    authorities: tuple[AuthorityId, ...] = ()
    """The authorities, in slot order (slot ``s`` belongs to ``authorities[s % n]``)."""

    def build(self, pallet: Aura) -> None:
        """Validate the authority set, then store it.

        Raises:
            ValueError: the set is empty, repeats a key, exceeds ``max_authorities``, or
                authorities are already stored.
        """
        authorities = tuple(AuthorityId(a) for a in self.authorities)
        if not authorities:
            raise ValueError("Aura genesis: the authority set must not be empty")
        duplicate = _first_duplicate(authorities)
        if duplicate is not None:
            raise ValueError(f"Aura genesis: authority {duplicate.to_hex()} is listed twice")
        limit = pallet.config.max_authorities
        if len(authorities) > limit:
            raise ValueError(
                f"Aura genesis: {len(authorities)} authorities exceed max_authorities ({limit})"
            )
        if pallet.authority_set.get():
            raise ValueError("Aura genesis: authorities are already initialized")
        pallet.authority_set.put(authorities)


# --- Pallet -----------------------------------------------------------------------------------


class Aura(Pallet[Config], name="Aura", config=Config, genesis=AuraGenesis):
    """The Aura pallet (FRAME's `pallet_aura`)."""

    authority_set: StorageValue[Vec[AuthorityId], ValueQuery] = storage(
        default=(), name="Authorities", doc="The current authority set."
    )
    current_slot: StorageValue[Slot, ValueQuery] = storage(
        default=Slot(U64(0)),
        doc="The current slot of this block.\n\nThis will be set in `on_initialize`.",
    )

    # --- hooks -----------------------------------------------------------------------------------

    def on_initialize(self, n: int) -> Weight:
        """Record the block's slot from its pre-runtime digest; return the weight used.

        Raises:
            MissingSlotDigest: the header has no (well-formed) Aura pre-runtime digest.
            SlotMustIncrease: the slot is not greater than the previous block's.
            SlotMustNotDecrease: (multiple blocks per slot allowed) the slot is smaller.
        """
        slot = self.current_slot_from_digests()
        if slot is None:
            raise MissingSlotDigest(
                f"block {n} has no Aura pre-runtime digest (engine {AURA_ENGINE_ID!r}, slot u64)"
            )
        current = self.current_slot.get()
        if self.config.allow_multiple_blocks_per_slot:
            if slot.value < current.value:
                raise SlotMustNotDecrease(
                    f"Slot must not decrease: slot {int(slot.value)} after {int(current.value)}"
                )
        elif slot.value <= current.value:
            raise SlotMustIncrease(
                f"Slot must increase: slot {int(slot.value)} after {int(current.value)}"
            )
        self.current_slot.put(slot)
        return self.ctx.pallet(System).config.db_weight.reads_writes(2, 1)

    def on_timestamp_set(self, moment: U64) -> None:
        """Check that the block's timestamp lies in its slot (Timestamp's listener).

        Raises:
            ZeroSlotDuration: the slot duration is zero.
            TimestampSlotMismatch: ``moment // slot_duration`` is not ``CurrentSlot``.
        """
        duration = self.slot_duration()
        if duration == 0:
            raise ZeroSlotDuration
        timestamp_slot = moment // duration
        current = self.current_slot.get().value
        if timestamp_slot != current:
            raise TimestampSlotMismatch(
                f"Timestamp slot must match `CurrentSlot`: timestamp {int(moment)} is in slot "
                f"{int(timestamp_slot)}, the block is in slot {int(current)}"
            )

    # --- helpers ---------------------------------------------------------------------------------

    def slot_duration(self) -> U64:
        """Return the slot duration in milliseconds (``AuraApi_slot_duration``)."""
        if self.config.slot_duration is not None:
            return self.config.slot_duration
        return self.ctx.pallet(Timestamp).config.minimum_period.saturating_mul(U64(2))

    def authorities(self) -> tuple[AuthorityId, ...]:
        """Return the current authority set (``AuraApi_authorities``)."""
        return tuple(self.authority_set.get())

    def authorities_len(self) -> int:
        """Return the number of authorities."""
        return len(self.authority_set.get())

    def is_member(self, authority: AuthorityId) -> bool:
        """Whether `authority` is in the current set."""
        return authority in self.authority_set.get()

    def author_of(self, slot: Slot | int) -> AuthorityId | None:
        """Return the authority that owns `slot` (``authorities[slot % n]``), None if no set."""
        return expected_author(slot, self.authority_set.get())

    def current_slot_from_digests(self) -> Slot | None:
        """Return the slot in the current block's digest (``System.Digest``), if any."""
        return slot_from_digest(self.ctx.pallet(System).digest.get().logs)

    def find_author(self, logs: Iterable[DigestItem]) -> int | None:
        """Return the index of the author of the block with digest `logs` (FRAME's FindAuthor).

        None when the digest has no well-formed Aura slot or there are no authorities.
        """
        slot = slot_from_digest(logs)
        count = self.authorities_len()
        if slot is None or count == 0:
            return None
        return int(slot.value) % count

    def find_author_id(self, logs: Iterable[DigestItem]) -> AuthorityId | None:
        """Return the key of the author of the block with digest `logs` (``AuraAuthorId``)."""
        index = self.find_author(logs)
        return None if index is None else self.authority_set.get()[index]

    def change_authorities(self, new: Iterable[AuthorityId]) -> None:
        """Replace the authority set now, and tell the engine with a ``Consensus`` digest item.

        An empty set is ignored (FRAME logs a warning and does nothing).

        Raises:
            ValueError: the set repeats a key or exceeds ``max_authorities``.
        """
        authorities = tuple(new)
        if not authorities:
            return
        duplicate = _first_duplicate(authorities)
        if duplicate is not None:
            raise ValueError(f"authority {duplicate.to_hex()} is listed twice")
        if len(authorities) > self.config.max_authorities:
            raise ValueError(f"{len(authorities)} authorities exceed max_authorities")
        self.authority_set.put(authorities)
        system = self.ctx.pallet(System)
        log = Consensus(AURA_ENGINE_ID, AuthoritiesChange(authorities).encode())
        system.digest.mutate(lambda digest: Digest(logs=(*digest.logs, log)))

    # --- invariants --------------------------------------------------------------------------

    @classmethod
    def integrity_test(cls, config: PalletConfig) -> None:
        """Check that the authority bound and a fixed slot duration are positive.

        Raises:
            ValueError: ``max_authorities`` is below one, or ``slot_duration`` is zero.
        """
        if not isinstance(config, Config):
            return
        if config.max_authorities < 1:
            raise ValueError("Aura.max_authorities must be at least 1")
        if config.slot_duration is not None and config.slot_duration == 0:
            raise ValueError("Aura.slot_duration cannot be zero")

    def try_state(self) -> None:
        """Check that the authority set is non-empty, within bounds and free of repeats."""
        authorities = tuple(self.authority_set.get())
        if not authorities:
            raise RuntimeError("Aura: the authority set is empty")
        if len(authorities) > self.config.max_authorities:
            raise RuntimeError("Aura: the authority set exceeds max_authorities")
        if _first_duplicate(authorities) is not None:
            raise RuntimeError("Aura: the authority set repeats a key")


# --- Functions for block import (no state needed) ---------------------------------------------


def slot_from_digest(logs: Iterable[DigestItem]) -> Slot | None:
    """Return the slot of the first Aura pre-runtime item in `logs`.

    None if there is none, or if its data is not exactly a SCALE ``u64`` (FRAME ignores a
    malformed item the same way).
    """
    for item in logs:
        if type(item) is PreRuntime and item.engine == AURA_ENGINE_ID:
            try:
                return Slot(decode(U64, item.data))
            except DecodeError:
                return None
    return None


def expected_author(slot: Slot | int, authorities: Iterable[AuthorityId]) -> AuthorityId | None:
    """Return the owner of `slot` among `authorities` (``authorities[slot % n]``), or None."""
    keys = tuple(authorities)
    if not keys:
        return None
    number = int(slot.value) if isinstance(slot, Slot) else int(slot)
    return keys[number % len(keys)]


def _first_duplicate(authorities: tuple[AuthorityId, ...]) -> AuthorityId | None:
    ordered = sorted(authorities)
    for previous, current in itertools.pairwise(ordered):
        if previous == current:
            return current
    return None
