"""System: accounts and their reference counters, block bookkeeping, events.

Overview
--------
Every runtime has System at index 0. It keeps, for each account, an `AccountInfo` (nonce,
reference counters, balances data) in ``System.Account``; it records the block being built
(number, parent hash, digest, weight and length consumed, extrinsic count); it stores the
block's events (``System.Events``, written when the block is finalized) and the hashes of
recent blocks (``System.BlockHash``).

Accounts exist while something *provides* for them (a balance above the existential deposit
is the usual provider). When the last provider goes, the account is reaped: its
``System.Account`` entry is removed. Other pallets count themselves as *consumers* of an
account (e.g. a reserve); an account with consumers cannot lose its last provider.

Replay protection across reaping: Substrate resets a reaped account's nonce to zero, so an
immortal transaction signed before the account was reaped becomes valid again when the
account is re-created. Deepshard keeps a reaped account's nonce (``System.ReapedNonce``) and
restores it when the account comes back, so every nonce is used at most once per account.
"""

from __future__ import annotations

from typing import Any

from deepshard.pallets.system.types import (
    EMPTY_ACCOUNT_INFO,
    AccountData,
    AccountInfo,
    LastRuntimeUpgradeInfo,
)
from deepshard.pallets.system.weights import ReferenceWeights
from deepshard.primitives.codec import H256, AccountId32, Enum, Vec
from deepshard.primitives.dispatch import DispatchError
from deepshard.primitives.hashing import StorageHasher, blake2_256
from deepshard.primitives.header import Digest
from deepshard.primitives.numeric import U8, U16, U32, U64
from deepshard.primitives.version import RuntimeVersion
from deepshard.primitives.weights import (
    DEFAULT_NORMAL_RATIO,
    BlockLength,
    BlockWeights,
    DispatchClass,
    DispatchInfo,
    PerDispatchClassWeight,
    RuntimeDbWeight,
    Weight,
)
from deepshard.runtime.support import (
    ConsumerRemaining,
    GenesisConfig,
    NoProviders,
    OptionQuery,
    Origin,
    Pallet,
    PalletConfig,
    PalletError,
    StorageMap,
    StorageValue,
    TooManyConsumers,
    ValueQuery,
    call,
    constant,
    ensure,
    ensure_root,
    ensure_signed,
    storage,
)
from deepshard.runtime.support.events import EventRecords

__all__ = [
    "Config",
    "Event",
    "ExtrinsicSuccess",
    "ExtrinsicFailed",
    "CodeUpdated",
    "NewAccount",
    "KilledAccount",
    "Remarked",
    "Error",
    "InvalidSpecName",
    "SpecVersionNeedsToIncrease",
    "FailedToExtractRuntimeVersion",
    "NonDefaultComposite",
    "NonZeroRefCount",
    "CallFiltered",
    "System",
    "SystemGenesis",
    "EXTRINSIC_INDEX_KEY",
    "MAX_CONSUMERS",
]

EXTRINSIC_INDEX_KEY = b":extrinsic_index"
"""Well-known storage key holding the index (u32 LE) of the extrinsic being applied."""

MAX_CONSUMERS = 16
"""Most consumers an account may have (FRAME's `MaxConsumers`)."""

_ZERO_WEIGHT_PER_CLASS = PerDispatchClassWeight(
    normal=Weight.zero(), operational=Weight.zero(), mandatory=Weight.zero()
)


# --- Config -----------------------------------------------------------------------------------


class Config(PalletConfig):
    """Configuration of the System pallet."""

    block_weights: BlockWeights = constant(
        default=BlockWeights.simple_max(Weight.from_parts(2_000_000_000_000, 5 * 1024 * 1024)),
        doc="Block & extrinsics weights: base values and limits.",
    )
    block_length: BlockLength = constant(
        default=BlockLength.max_with_normal_ratio(5 * 1024 * 1024, DEFAULT_NORMAL_RATIO),
        doc="The maximum length of a block (in bytes).",
    )
    block_hash_count: U32 = constant(
        default=U32(2400),
        doc="Maximum number of block number to block hash mappings to keep (oldest pruned first).",
    )
    db_weight: RuntimeDbWeight = constant(
        default=RuntimeDbWeight(read=U64(25_000_000), write=U64(100_000_000)),
        doc="The weight of runtime database operations the runtime can invoke.",
    )
    version: RuntimeVersion = constant(
        default=RuntimeVersion(
            spec_name="",
            impl_name="",
            authoring_version=U32(0),
            spec_version=U32(0),
            impl_version=U32(0),
            apis=(),
            transaction_version=U32(0),
            system_version=U8(1),
        ),
        doc="The runtime version, the same value `Core_version` returns.",
    )
    ss58_prefix: U16 = constant(
        default=U16(42),
        doc=(
            'The designated SS58 prefix of this chain. This replaces the "ss58Format" property '
            "declared in the chain spec."
        ),
        name="SS58Prefix",
    )
    weights: Any = ReferenceWeights()
    """The weight table of the calls (`SystemWeights`)."""


# --- Events -----------------------------------------------------------------------------------


class Event(Enum, type_path=("frame_system", "pallet", "Event")):
    """Event for the System pallet."""


class ExtrinsicSuccess(Event, index=0):
    """An extrinsic completed successfully."""

    dispatch_info: DispatchInfo


class ExtrinsicFailed(Event, index=1):
    """An extrinsic failed."""

    dispatch_error: DispatchError
    dispatch_info: DispatchInfo


class CodeUpdated(Event, index=2):
    """`:code` was updated."""


class NewAccount(Event, index=3):
    """A new account was created."""

    account: AccountId32


class KilledAccount(Event, index=4):
    """An account was reaped."""

    account: AccountId32


class Remarked(Event, index=5):
    """On on-chain remark happened."""

    sender: AccountId32
    hash: H256


# --- Errors -----------------------------------------------------------------------------------


class Error(PalletError):
    """Error for the System pallet."""


class InvalidSpecName(Error, index=0):
    """The name of specification does not match between the current runtime and the new runtime."""


class SpecVersionNeedsToIncrease(Error, index=1):
    """The specification version is not allowed to decrease between runtimes."""


class FailedToExtractRuntimeVersion(Error, index=2):
    """Failed to extract the runtime version from the new runtime."""


class NonDefaultComposite(Error, index=3):
    """Suicide called when the account has non-default composite data."""


class NonZeroRefCount(Error, index=4):
    """There is a non-zero reference count preventing the account from being purged."""


class CallFiltered(Error, index=5):
    """The origin filter prevent the call to be dispatched."""


# --- Genesis ----------------------------------------------------------------------------------


class SystemGenesis(GenesisConfig):
    """Genesis of the System pallet: nothing to configure; records block 0's bookkeeping."""

    __slots__ = ()

    def build(self, pallet: System) -> None:
        """Write the parent hash and block-hash entry FRAME writes at genesis."""
        marker = H256(bytes([69]) * 32)
        pallet.block_hash.insert(U32(0), marker)
        pallet.parent_hash.put(marker)
        pallet.ctx.overlay.set(EXTRINSIC_INDEX_KEY, bytes(4))


# --- Pallet -----------------------------------------------------------------------------------


class System(
    Pallet[Config],
    name="System",
    config=Config,
    event=Event,
    error=Error,
    genesis=SystemGenesis,
    crate="frame_system",
):
    """The System pallet (FRAME's `frame_system`)."""

    account: StorageMap[AccountId32, AccountInfo, ValueQuery] = storage(
        hasher=StorageHasher.BLAKE2_128_CONCAT,
        default=EMPTY_ACCOUNT_INFO,
        doc="The full account information for a particular account ID.",
    )
    extrinsic_count: StorageValue[U32, OptionQuery] = storage(
        doc="Total extrinsics count for the current block."
    )
    block_weight: StorageValue[PerDispatchClassWeight, ValueQuery] = storage(
        default=_ZERO_WEIGHT_PER_CLASS, doc="The current weight for the block."
    )
    all_extrinsics_len: StorageValue[U32, OptionQuery] = storage(
        doc="Total length (in bytes) for all extrinsics put together, for the current block."
    )
    block_hash: StorageMap[U32, H256, ValueQuery] = storage(
        hasher=StorageHasher.TWOX_64_CONCAT,
        default=H256(bytes(32)),
        doc="Map of block numbers to block hashes.",
    )
    number: StorageValue[U32, ValueQuery] = storage(
        default=U32(0), doc="The current block number being processed. Set by `execute_block`."
    )
    parent_hash: StorageValue[H256, ValueQuery] = storage(
        default=H256(bytes(32)), doc="Hash of the previous block."
    )
    digest: StorageValue[Digest, ValueQuery] = storage(
        default=Digest(), doc="Digest of the current block, also part of the block header."
    )
    events: StorageValue[EventRecords, ValueQuery] = storage(
        default=b"\x00",
        doc=(
            "Events deposited for the current block. Written when the block is finalized and "
            "cleared when the next block starts."
        ),
    )
    event_count: StorageValue[U32, ValueQuery] = storage(
        default=U32(0), doc="The number of events in the `Events<T>` list."
    )
    last_runtime_upgrade: StorageValue[LastRuntimeUpgradeInfo, OptionQuery] = storage(
        doc="Stores the `spec_version` and `spec_name` of when the last runtime upgrade happened."
    )
    reaped_nonce: StorageMap[AccountId32, U32, OptionQuery] = storage(
        hasher=StorageHasher.BLAKE2_128_CONCAT,
        doc=(
            "The nonce a reaped account had, restored if the account is re-created, so that "
            "transactions it signed before it was reaped cannot be replayed."
        ),
    )

    # --- calls ---------------------------------------------------------------------------------

    @call(index=0, weight=lambda w, remark: w.remark(len(remark)))
    def remark(self, origin: Origin, remark: bytes) -> None:
        """Make some on-chain remark. Can be executed by every `origin`."""
        del origin, remark

    @call(
        index=4,
        weight=lambda w, items: w.set_storage(len(items)),
        dispatch_class=DispatchClass.Operational,
    )
    def set_storage(self, origin: Origin, items: Vec[tuple[bytes, bytes]]) -> None:
        """Set some items of storage. Origin: root."""
        ensure_root(origin)
        for key, value in items:
            self.ctx.overlay.set(key, value)

    @call(
        index=5,
        weight=lambda w, keys: w.kill_storage(len(keys)),
        dispatch_class=DispatchClass.Operational,
    )
    def kill_storage(self, origin: Origin, keys: Vec[bytes]) -> None:
        """Kill some items from storage. Origin: root."""
        ensure_root(origin)
        for key in keys:
            self.ctx.overlay.delete(key)

    @call(
        index=6,
        weight=lambda w, subkeys: w.kill_prefix(int(subkeys)),
        dispatch_class=DispatchClass.Operational,
    )
    def kill_prefix(self, origin: Origin, prefix: bytes, subkeys: U32) -> None:
        """Kill all storage items with a key that starts with the given prefix. Origin: root.

        `subkeys` must be the number of keys under the prefix (it bounds the call's weight);
        at most that many keys are removed.
        """
        ensure_root(origin)
        self.ctx.overlay.clear_prefix(prefix, int(subkeys))

    @call(index=7, weight=lambda w, remark: w.remark_with_event(len(remark)))
    def remark_with_event(self, origin: Origin, remark: bytes) -> None:
        """Make some on-chain remark and emit an event. Origin: signed."""
        who = ensure_signed(origin)
        self.deposit_event(Remarked(sender=who, hash=H256(blake2_256(remark))))

    # --- accounts and reference counting ---------------------------------------------------------

    def account_nonce(self, who: AccountId32) -> U32:
        """Return the nonce of `who` (the index of its next transaction)."""
        return self.account.get(who).nonce

    def inc_account_nonce(self, who: AccountId32) -> None:
        """Increment the nonce of `who`."""
        info = self.account.get(who)
        self.account.insert(who, info.with_nonce(info.nonce + U32(1)))

    def account_exists(self, who: AccountId32) -> bool:
        """Whether `who` exists (has a provider or a sufficient reference)."""
        return self.account.contains_key(who)

    def inc_providers(self, who: AccountId32) -> bool:
        """Add a provider reference to `who`; return whether this created the account."""
        info = self.account.get(who)
        created = info.providers == 0 and info.sufficients == 0
        if created:
            info = self._on_created_account(who, info)
        self.account.insert(who, info.with_providers(info.providers + U32(1)))
        return created

    def dec_providers(self, who: AccountId32) -> bool:
        """Remove a provider reference from `who`; return whether the account was reaped.

        Raises:
            ConsumerRemaining: this is the last provider and the account still has consumers.
        """
        if not self.account.contains_key(who):
            return False
        info = self.account.get(who)
        if info.providers == 0:
            return False
        if info.providers == 1 and info.sufficients == 0:
            ensure(info.consumers == 0, ConsumerRemaining)
            self._on_killed_account(who, info)
            return True
        self.account.insert(who, info.with_providers(info.providers - U32(1)))
        return False

    def inc_consumers(self, who: AccountId32) -> None:
        """Add a consumer reference to `who`.

        Raises:
            NoProviders: the account does not exist.
            TooManyConsumers: the account already has `MAX_CONSUMERS` consumers.
        """
        info = self.account.get(who)
        ensure(info.providers > 0, NoProviders)
        ensure(info.consumers < MAX_CONSUMERS, TooManyConsumers)
        self.account.insert(who, info.with_consumers(info.consumers + U32(1)))

    def dec_consumers(self, who: AccountId32) -> None:
        """Remove a consumer reference from `who` (a no-op at zero, as in FRAME)."""
        if not self.account.contains_key(who):
            return
        info = self.account.get(who)
        if info.consumers > 0:
            self.account.insert(who, info.with_consumers(info.consumers - U32(1)))

    def can_dec_provider(self, who: AccountId32) -> bool:
        """Whether removing one provider from `who` would be allowed."""
        info = self.account.get(who)
        return info.consumers == 0 or info.providers > 1

    def account_data(self, who: AccountId32) -> AccountData:
        """Return the balances data of `who`."""
        return self.account.get(who).data

    def set_account_data(self, who: AccountId32, data: AccountData) -> None:
        """Replace the balances data of an existing account `who`."""
        self.account.insert(who, self.account.get(who).with_data(data))

    def _on_created_account(self, who: AccountId32, info: AccountInfo) -> AccountInfo:
        previous_nonce = self.reaped_nonce.take(who)
        if previous_nonce is not None:
            info = info.with_nonce(previous_nonce)
        self.deposit_event(NewAccount(account=who))
        return info

    def _on_killed_account(self, who: AccountId32, info: AccountInfo) -> None:
        if info.nonce > 0:
            self.reaped_nonce.insert(who, info.nonce)
        self.account.remove(who)
        self.deposit_event(KilledAccount(account=who))

    # --- block bookkeeping (called by the executive) ----------------------------------------------

    def initialize(self, number: U32, parent_hash: H256, digest: Digest) -> None:
        """Start block `number`: record its parent and digest, clear last block's leftovers."""
        self.ctx.overlay.set(EXTRINSIC_INDEX_KEY, bytes(4))
        self.number.put(number)
        self.digest.put(digest)
        self.parent_hash.put(parent_hash)
        if number > 0:
            self.block_hash.insert(number - U32(1), parent_hash)
        self.block_weight.kill()
        self.events.kill()
        self.event_count.kill()

    def register_extra_weight(self, weight: Weight, dispatch_class: DispatchClass) -> None:
        """Add `weight` to the block's consumed weight of `dispatch_class` (saturating)."""
        consumed = self.block_weight.get()
        current = consumed.get(dispatch_class)
        self.block_weight.put(consumed.with_value(dispatch_class, current.saturating_add(weight)))

    def note_applied_extrinsic(self, index: int, info: DispatchInfo, error: Any | None) -> None:
        """Emit the outcome event of extrinsic `index` and advance `:extrinsic_index`.

        Args:
            index: The extrinsic's index in the block.
            info: Its dispatch info (weight, class, fee flag).
            error: Its wire `DispatchError` if the dispatch failed, else None.
        """
        if error is None:
            self.deposit_event(ExtrinsicSuccess(dispatch_info=info))
        else:
            self.deposit_event(ExtrinsicFailed(dispatch_error=error, dispatch_info=info))
        self.ctx.overlay.set(EXTRINSIC_INDEX_KEY, (index + 1).to_bytes(4, "little"))

    def note_finished_extrinsics(self, count: int, total_length: int) -> None:
        """Record that the block's extrinsics are all applied."""
        self.extrinsic_count.put(U32(count))
        self.all_extrinsics_len.put(U32(total_length))
        self.ctx.overlay.delete(EXTRINSIC_INDEX_KEY)

    def finalize(self) -> None:
        """End the block: prune old block hashes, store its events, drop per-block values."""
        number = self.number.get()
        count = self.config.block_hash_count
        if number > count:
            self.block_hash.remove(number - count - U32(1))
        self.extrinsic_count.kill()
        self.all_extrinsics_len.kill()
        events = self.ctx.events
        self.ctx.overlay.set(self.events.key(), self.ctx.runtime.encode_event_records(events))
        self.event_count.put(U32(len(events)))

    # --- invariants ------------------------------------------------------------------------

    def try_state(self) -> None:
        """Check that every stored account has a provider or a sufficient reference."""
        for who, info in self.account.iter():
            if info.providers == 0 and info.sufficients == 0:
                raise RuntimeError(f"account {who.hex()} is stored without providers")
