"""The executive: how a block is initialised, how extrinsics apply, how a block is finalised.

Introduction
------------
This is FRAME's ``frame_executive`` written as a specification. Block production and block
import run the same steps:

1. `initialize_block` -- open a context over the parent state; `System.initialize` records the
   number, parent hash and digest; every pallet's ``on_initialize`` runs in index order.
2. `apply_extrinsic` (once per extrinsic, inherents first) --
   a. decode the extrinsic and its call;
   b. run the signed-extension checks (`check_signed`): sender, signature over the signing
      payload, mortality, nonce, block weight and length, fee -- any failure makes the
      transaction *invalid* and leaves no trace;
   c. dispatch the call in its own storage layer: a failed call is rolled back but still pays
      its fee, and ``System.ExtrinsicFailed`` records the error;
   d. record the outcome event and the extrinsic (for the extrinsics root).
3. `finalize_block` -- every pallet's ``on_finalize``; System stores the events; the state root
   and the extrinsics root are computed; the header is complete.
4. `execute_block` -- import: the header must follow its parent (number and parent hash, over
   the parent's state), inherents must come before every signed extrinsic, then steps 1-3 run
   for the received block and every root and the digest must equal the header's
   (`InvalidBlock` otherwise).

Validation for the transaction pool (`validate_transaction`) runs the checks of step 2b in
their *validate* form (a nonce ahead of the account's is a dependency, not an error) at the
state of the best block, and never dispatches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from deepshard.pallets.system import System
from deepshard.primitives import transaction_validity as tv
from deepshard.primitives.codec import H256, AccountId32, DecodeError, encode_compact
from deepshard.primitives.crypto import verify
from deepshard.primitives.dispatch import DispatchError as WireDispatchError
from deepshard.primitives.extrinsic import (
    Ed25519,
    Era,
    Sr25519,
    UncheckedExtrinsic,
    additional_signed,
    signing_payload,
)
from deepshard.primitives.header import Digest, Header, Seal
from deepshard.primitives.numeric import U32, U64
from deepshard.primitives.trie import ordered_trie_root
from deepshard.primitives.version import RuntimeVersion
from deepshard.primitives.weights import DispatchClass, DispatchInfo, Weight, WeightsPerClass
from deepshard.runtime.fees import FeeHandler
from deepshard.runtime.state import BlockState
from deepshard.runtime.support import (
    NONE,
    CannotLookup,
    Context,
    DispatchError,
    Phase,
    Runtime,
    Signed,
)
from deepshard.runtime.support.overlay import Overlay
from deepshard.runtime.support.panic import RuntimePanic
from deepshard.runtime.support.runtime import DispatchMeta
from deepshard.runtime.support.wire import lookup_account, to_wire

__all__ = [
    "InvalidBlock",
    "Block",
    "BlockInProgress",
    "AppliedOutcome",
    "Executive",
]


_MEMO_LIMIT: Final = 1_024
"""Most entries a per-executive memo keeps before it starts over."""


class InvalidBlock(Exception):
    """A block cannot be imported: a root, the digest or one of its extrinsics is wrong."""


@dataclass(frozen=True, slots=True)
class Block:
    """A block: its header and its extrinsics, each in its full (length-prefixed) encoding."""

    header: Header
    """The block's header (for import: including the seal, which the executive ignores)."""
    extrinsics: tuple[bytes, ...]
    """The encoded extrinsics, inherents first."""

    def encode(self) -> bytes:
        """Return the SCALE encoding: header, then ``Vec`` of the extrinsics."""
        return (
            self.header.encode() + encode_compact(len(self.extrinsics)) + b"".join(self.extrinsics)
        )

    def hash(self) -> H256:
        """The block hash (the header's hash)."""
        return self.header.hash()


@dataclass(slots=True)
class BlockInProgress:
    """A block between `initialize_block` and `finalize_block`."""

    ctx: Context
    """The execution context (overlay, events, pallets)."""
    state: BlockState
    """The parent state."""
    parent_hash: H256
    """Hash of the parent block."""
    number: U32
    """Number of this block."""
    digest: Digest
    """Pre-runtime digest items (e.g. the Aura slot)."""
    extrinsics: list[bytes] = field(default_factory=list)
    """Extrinsics applied so far (full encodings)."""
    total_length: int = 0
    """Sum of their encoded lengths."""
    signed_seen: bool = False
    """Whether a signed extrinsic was applied (no inherent may follow one)."""


@dataclass(frozen=True, slots=True)
class AppliedOutcome:
    """What applying one extrinsic did (it was included; its dispatch may still have failed)."""

    dispatch_error: WireDispatchError | None
    """The dispatch error if the call failed, else None."""
    info: DispatchInfo
    """The call's weight, class and fee flag."""


@dataclass(frozen=True, slots=True)
class _Checked:
    """An extrinsic that passed decoding: its origin, call and dispatch facts."""

    xt: UncheckedExtrinsic[bytes]
    call: Any
    meta: DispatchMeta
    signer: AccountId32 | None
    nonce: int
    tip: int
    era: Era
    length: int


class Executive:
    """Executes blocks and validates transactions for one runtime and runtime version."""

    def __init__(self, runtime: Runtime, version: RuntimeVersion, fees: FeeHandler) -> None:
        """Bind the executive to a runtime, its version and its fee handler."""
        self.runtime = runtime
        self.version = version
        self.fees = fees
        self.state_version = version.state_version
        self.extrinsics_root_version = version.extrinsics_root_state_version
        self._extrinsic_weights: dict[tuple[Weight, DispatchClass], Weight] = {}

    # --- 1. initialize_block ------------------------------------------------------------------

    def initialize_block(self, state: BlockState, header: Header) -> BlockInProgress:
        """Open block ``header.number`` over the parent `state` and run the initialization hooks.

        Only the header's parent hash, number and pre-runtime digest are used.
        """
        number = U32(header.number)
        digest = Digest(logs=tuple(item for item in header.digest.logs if type(item) is not Seal))
        ctx = self.runtime.new_context(Overlay(state), int(number))
        ctx.phase = Phase.INITIALIZATION
        system = ctx.pallet(System)
        system.initialize(number, header.parent_hash, digest)
        block_weights = system.config.block_weights
        system.register_extra_weight(block_weights.base_block, DispatchClass.Mandatory)
        for pallet in ctx.pallets():
            used = pallet.on_initialize(int(number))
            if not used.is_zero():
                system.register_extra_weight(used, DispatchClass.Mandatory)
        ctx.phase = Phase.APPLY_EXTRINSIC
        return BlockInProgress(ctx, state, header.parent_hash, number, digest)

    # --- 2. apply_extrinsic --------------------------------------------------------------------

    def apply_extrinsic(self, block: BlockInProgress, encoded: bytes) -> AppliedOutcome:
        """Apply one extrinsic to the block in progress.

        Raises:
            TransactionRejected: the extrinsic is invalid here (nothing was changed).
            InvalidBlock: an inherent follows a signed extrinsic (FRAME's "inherents first"),
                or a mandatory inherent failed.
        """
        ctx = block.ctx
        index = len(block.extrinsics)
        ctx.phase = Phase.APPLY_EXTRINSIC
        ctx.extrinsic_index = index
        checked = self._decode(encoded)
        # Verify inherents come first: an unsigned extrinsic may not follow a signed one.
        if checked.signer is None and block.signed_seen:
            raise InvalidBlock(f"extrinsic {index} is an inherent placed after a signed extrinsic")
        system = ctx.pallet(System)
        events_before = len(ctx.events)
        ctx.overlay.start_transaction()
        try:
            if checked.signer is None:
                self._check_unsigned(checked)
                fee = 0
            else:
                fee = self._pre_dispatch_signed(ctx, system, checked, checked.signer)
            self._note_weight_and_length(system, checked, commit=True)
        except BaseException:
            ctx.overlay.rollback_transaction()
            del ctx.events[events_before:]
            raise
        ctx.overlay.commit_transaction()

        origin = NONE if checked.signer is None else Signed(checked.signer)
        error: WireDispatchError | None = None
        try:
            self.runtime.dispatch(ctx, checked.call, origin)
        except DispatchError as failure:
            if checked.meta.dispatch_class is DispatchClass.Mandatory:
                raise InvalidBlock(f"a mandatory inherent failed: {failure}") from failure
            error = to_wire(self.runtime, failure)
        if checked.signer is not None:
            self.fees.deposit_fee_paid(ctx, checked.signer, fee, checked.tip)
        info = DispatchInfo(
            weight=checked.meta.weight,
            class_=checked.meta.dispatch_class,
            pays_fee=checked.meta.pays_fee,
        )
        system.note_applied_extrinsic(index, info, error)
        block.signed_seen = block.signed_seen or checked.signer is not None
        block.extrinsics.append(encoded)
        block.total_length += checked.length
        return AppliedOutcome(error, info)

    def _decode(self, encoded: bytes) -> _Checked:
        try:
            xt = UncheckedExtrinsic.decode(encoded)
            call = self.runtime.call_codec.decode(xt.call)
        except DecodeError as error:
            raise tv.TransactionInvalid(tv.Call()) from error
        meta = self.runtime.dispatch_meta(call)
        signature = xt.signature
        if signature is None:
            return _Checked(xt, call, meta, None, 0, 0, Era(), len(encoded))
        try:
            signer = lookup_account(signature.address)
        except CannotLookup:
            raise tv.TransactionUnknown(tv.CannotLookup()) from None
        return _Checked(
            xt,
            call,
            meta,
            signer,
            int(signature.nonce),
            int(signature.tip),
            signature.era,
            len(encoded),
        )

    def _check_unsigned(self, checked: _Checked) -> None:
        # Only inherents (mandatory calls from the None origin) may come unsigned.
        if checked.meta.dispatch_class is not DispatchClass.Mandatory:
            raise tv.TransactionUnknown(tv.NoUnsignedValidator())

    def _verify_signature(
        self, system: System, checked: _Checked, signer: AccountId32, current: int
    ) -> None:
        xt = checked.xt
        signature = xt.signature
        if signature is None:
            raise tv.TransactionUnknown(tv.NoUnsignedValidator())
        # CheckNonZeroSender
        if bytes(signer) == bytes(32):
            raise tv.TransactionInvalid(tv.BadSigner())
        # CheckMortality: the birth block must be one we still know.
        birth = checked.era.birth(current)
        if not checked.era.is_immortal and (
            birth > current or not system.block_hash.contains_key(U32(birth))
        ):
            raise tv.TransactionInvalid(tv.AncientBirthBlock())
        if not checked.era.is_immortal and checked.era.death(current) <= current:
            raise tv.TransactionInvalid(tv.Stale())
        genesis_hash = system.block_hash.get(U32(0))
        mortality_hash = (
            genesis_hash if checked.era.is_immortal else system.block_hash.get(U32(birth))
        )
        additional = additional_signed(
            int(self.version.spec_version),
            int(self.version.transaction_version),
            genesis_hash,
            mortality_hash,
        )
        payload = signing_payload(xt.call, signature.extra(), additional)
        multi = signature.signature
        if isinstance(multi, Sr25519):
            valid = verify(1, multi.signature, payload, signer)
        elif isinstance(multi, Ed25519):
            valid = verify(0, multi.signature, payload, signer)
        else:  # ECDSA accounts are not supported: no account id can match
            valid = False
        if not valid:
            raise tv.TransactionInvalid(tv.BadProof())

    def _pre_dispatch_signed(
        self, ctx: Context, system: System, checked: _Checked, signer: AccountId32
    ) -> int:
        current = int(system.number.get())
        self._verify_signature(system, checked, signer, current)
        # CheckNonce
        info = system.account.get(signer)
        if info.providers == 0 and info.sufficients == 0:
            raise tv.TransactionInvalid(tv.Payment())
        if checked.nonce != info.nonce:
            raise tv.TransactionInvalid(tv.Stale() if checked.nonce < info.nonce else tv.Future())
        system.inc_account_nonce(signer)
        # ChargeTransactionPayment
        fee = self.fees.compute_fee(ctx, checked.length, checked.meta, checked.tip)
        self.fees.withdraw_fee(ctx, signer, fee)
        return fee

    def _note_weight_and_length(self, system: System, checked: _Checked, *, commit: bool) -> None:
        # CheckWeight: the extrinsic must fit the block's weight and length limits.
        limits = system.config.block_weights
        dispatch_class = checked.meta.dispatch_class
        per_class = limits.get(dispatch_class)
        extrinsic_weight = self._extrinsic_weight(per_class, checked.meta)
        consumed = system.block_weight.get()
        class_total = consumed.get(dispatch_class).saturating_add(extrinsic_weight)
        if dispatch_class is not DispatchClass.Mandatory:
            limit = per_class.max_total
            if limit is not None and class_total.any_gt(limit):
                raise tv.TransactionInvalid(tv.ExhaustsResources())
            reserved = per_class.reserved
            block_total = consumed.total().saturating_add(extrinsic_weight)
            if block_total.any_gt(limits.max_block) and (
                reserved is None or class_total.any_gt(reserved)
            ):
                raise tv.TransactionInvalid(tv.ExhaustsResources())
        length_limit = int(system.config.block_length.max.get(dispatch_class))
        all_length = int(system.all_extrinsics_len.get() or 0) + checked.length
        if all_length > length_limit:
            raise tv.TransactionInvalid(tv.ExhaustsResources())
        if commit:
            system.block_weight.put(consumed.with_value(dispatch_class, class_total))
            system.all_extrinsics_len.put(U32(all_length))

    def _extrinsic_weight(self, per_class: WeightsPerClass, meta: DispatchMeta) -> Weight:
        """The weight an extrinsic adds to its class: its call's plus the base extrinsic weight.

        Remembered per call weight and class (the limits are this runtime's), as most
        extrinsics of a block repeat a few calls.

        Raises:
            TransactionInvalid: ``ExhaustsResources`` -- the call alone is above the class's
                ``max_extrinsic``.
        """
        key = (meta.weight, meta.dispatch_class)
        known = self._extrinsic_weights.get(key)
        if known is None:
            if per_class.max_extrinsic is not None and meta.weight.any_gt(per_class.max_extrinsic):
                raise tv.TransactionInvalid(tv.ExhaustsResources())
            if len(self._extrinsic_weights) >= _MEMO_LIMIT:
                self._extrinsic_weights.clear()
            known = meta.weight.saturating_add(per_class.base_extrinsic)
            self._extrinsic_weights[key] = known
        return known

    # --- 3. finalize_block -----------------------------------------------------------------------

    def finalize_block(self, block: BlockInProgress) -> tuple[Header, dict[bytes, bytes | None]]:
        """Run the finalization hooks and compute the header.

        Returns:
            The complete header (without a seal) and the block's storage changes.
        """
        ctx = block.ctx
        ctx.phase = Phase.FINALIZATION
        system = ctx.pallet(System)
        system.note_finished_extrinsics(len(block.extrinsics), block.total_length)
        for pallet in ctx.pallets():
            pallet.on_finalize(int(block.number))
        system.finalize()
        # The header carries System's digest: the pre-runtime items plus whatever the runtime
        # added (e.g. an Aura authority change), as FRAME's `System::finalize` does.
        digest = system.digest.get()
        changes = ctx.overlay.changes()
        state_root = block.state.storage_root(changes, self.state_version)
        extrinsics_root = ordered_trie_root(block.extrinsics, self.extrinsics_root_version)
        header = Header(
            parent_hash=block.parent_hash,
            number=block.number,
            state_root=H256(state_root),
            extrinsics_root=H256(extrinsics_root),
            digest=digest,
        )
        return header, changes

    # --- 4. execute_block -----------------------------------------------------------------------

    def execute_block(
        self, state: BlockState, block: Block, parent: Header
    ) -> dict[bytes, bytes | None]:
        """Re-execute a received block over its parent's state and check it against its header.

        Args:
            state: The state after `parent`.
            block: The block as received (seal included).
            parent: The header of the block `state` belongs to.

        Returns:
            The block's storage changes (to be committed by the caller).

        Raises:
            InvalidBlock: the header does not follow `parent`, an inherent follows a signed
                extrinsic, an extrinsic is invalid, or a root or the digest differs.
        """
        self._check_follows(state, block.header, parent)
        try:
            in_progress = self.initialize_block(state, block.header)
            for index, encoded in enumerate(block.extrinsics):
                try:
                    self.apply_extrinsic(in_progress, encoded)
                except tv.TransactionRejected as rejected:
                    raise InvalidBlock(f"extrinsic {index} is invalid: {rejected}") from rejected
            header, changes = self.finalize_block(in_progress)
        except RuntimePanic as panic:
            raise InvalidBlock(f"the runtime refused the block: {panic}") from panic
        expected = block.header
        if header.extrinsics_root != expected.extrinsics_root:
            raise InvalidBlock("extrinsics root mismatch")
        if header.state_root != expected.state_root:
            raise InvalidBlock("state root mismatch")
        sealed_digest = tuple(item for item in expected.digest.logs if type(item) is not Seal)
        if header.digest.logs != sealed_digest:
            raise InvalidBlock("digest mismatch")
        return changes

    def _check_follows(self, state: BlockState, header: Header, parent: Header) -> None:
        """Check that `header` is the child of `parent`, and `state` the state after `parent`.

        Raises:
            InvalidBlock: wrong parent hash, wrong number, or a state of another height.
        """
        # Verify the header names its parent by the parent's hash.
        if header.parent_hash != parent.hash():
            raise InvalidBlock(
                f"parent hash 0x{bytes(header.parent_hash).hex()} is not the parent's "
                f"0x{bytes(parent.hash()).hex()}"
            )
        # Verify the number follows the parent's.
        if int(header.number) != int(parent.number) + 1:
            raise InvalidBlock(
                f"block number {int(header.number)} does not follow the parent's "
                f"{int(parent.number)}"
            )
        # Verify the state is the parent's: System recorded the parent's number in it.
        recorded = int(self.runtime.new_context(Overlay(state), 0).pallet(System).number.get())
        if recorded != int(parent.number):
            raise InvalidBlock(
                f"the parent state is the state of block {recorded}, not {int(parent.number)}"
            )

    # --- transaction pool -----------------------------------------------------------------------

    def validate_transaction(
        self, state: BlockState, best: Header, encoded: bytes, source: tv.TransactionSource
    ) -> tv.ValidTransaction:
        """Validate a transaction for the pool, at the state after block `best`.

        Raises:
            TransactionRejected: the transaction is invalid or of unknown validity.
        """
        del source
        checked = self._decode(encoded)
        if checked.signer is None:
            raise tv.TransactionUnknown(tv.NoUnsignedValidator())
        ctx = self.runtime.new_context(Overlay(state), int(best.number) + 1)
        system = ctx.pallet(System)
        system.initialize(U32(int(best.number) + 1), best.hash(), Digest())
        current = int(best.number) + 1
        signer = checked.signer
        self._verify_signature(system, checked, signer, current)
        info = system.account.get(signer)
        if info.providers == 0 and info.sufficients == 0:
            raise tv.TransactionInvalid(tv.Payment())
        if checked.nonce < info.nonce:
            raise tv.TransactionInvalid(tv.Stale())
        provides = [bytes(signer) + U32(checked.nonce).to_le_bytes()]
        requires = []
        if checked.nonce > info.nonce:
            requires.append(bytes(signer) + U32(checked.nonce - 1).to_le_bytes())
        self._note_weight_and_length(system, checked, commit=False)
        fee = self.fees.compute_fee(ctx, checked.length, checked.meta, checked.tip)
        self.fees.ensure_can_pay(ctx, signer, fee)
        longevity = checked.era.death(current) - current if not checked.era.is_immortal else U64.MAX
        priority = self.fees.priority(ctx, checked.length, checked.meta, checked.tip, fee)
        return tv.ValidTransaction(
            priority=U64(priority),
            requires=tuple(requires),
            provides=tuple(provides),
            longevity=U64(longevity),
            propagate=True,
        )
