"""Runtime APIs: the SCALE-in, SCALE-out functions a node calls by name (``state_call``).

Each API method takes its SCALE-encoded arguments and the state and header of the block it runs
at, and returns SCALE bytes -- exactly what a Substrate node's runtime would return for the same
``state_call``, so clients decode the answers with their built-in definitions.

==================================================== =======================================
method                                               returns
==================================================== =======================================
``Core_version``                                     `RuntimeVersion`
``Core_execute_block(block)``                        ``()`` (or an error)
``Core_initialize_block(header)``                    ``ExtrinsicInclusionMode`` (dry run)
``Metadata_metadata``                                ``OpaqueMetadata`` (``Vec<u8>``)
``Metadata_metadata_versions``                       ``Vec<u32>`` (``[14, 15]``)
``Metadata_metadata_at_version(u32)``                ``Option<OpaqueMetadata>``
``BlockBuilder_apply_extrinsic(xt)``                 `ApplyExtrinsicResult` (dry run, next block)
``BlockBuilder_finalize_block()``                    `Header` (dry run, next block)
``BlockBuilder_inherent_extrinsics(InherentData)``   ``Vec<UncheckedExtrinsic>``
``TaggedTransactionQueue_validate_transaction``       `TransactionValidity`
``AccountNonceApi_account_nonce(AccountId)``         ``u32``
``TransactionPaymentApi_query_info(xt, u32)``        `RuntimeDispatchInfo`
``TransactionPaymentApi_query_fee_details(xt, u32)`` `FeeDetails`
==================================================== =======================================

The runtime composition adds pallet-specific APIs (``AuraApi_*``) through `extra`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from deepshard.pallets.system import System
from deepshard.primitives import transaction_validity as tv
from deepshard.primitives.codec import (
    AccountId32,
    DecodeError,
    Err,
    Ok,
    TrailingBytes,
    Vec,
    codec_for,
    decode,
    decode_compact,
    encode_compact,
)
from deepshard.primitives.dispatch import ApplyExtrinsicResult
from deepshard.primitives.extrinsic import UncheckedExtrinsic
from deepshard.primitives.header import Digest, Header
from deepshard.primitives.numeric import U32, U128
from deepshard.primitives.weights import FeeDetails, InclusionFee, RuntimeDispatchInfo
from deepshard.runtime.executive import Block, Executive, InvalidBlock
from deepshard.runtime.state import BlockState
from deepshard.runtime.support.overlay import Overlay
from deepshard.runtime.support.panic import RuntimePanic

__all__ = [
    "ApiError",
    "UnknownApi",
    "ApiHandler",
    "DigestProvider",
    "RuntimeApis",
    "METADATA_VERSIONS",
]

METADATA_VERSIONS = (14,)
"""The metadata versions served when only the V14 bytes are given."""

_ALL_EXTRINSICS = b"\x00"
"""``ExtrinsicInclusionMode::AllExtrinsics``: what ``Core_initialize_block`` (Core 5) returns."""

ApiHandler = Callable[[bytes, BlockState, Header], bytes]
"""``handler(arguments, state, at) -> result``: one runtime API method."""

DigestProvider = Callable[[BlockState, Header], Digest]
"""``provider(state, parent) -> digest``: the pre-runtime digest of a block built on `parent`
(the consensus engine's slot claim), for calls that apply extrinsics in a next block."""


class ApiError(Exception):
    """A runtime API call failed (bad arguments, or the runtime refused); the message says why."""


class UnknownApi(ApiError):
    """No runtime API method of that name."""


class RuntimeApis:
    """The runtime API methods of one runtime, callable by name."""

    def __init__(
        self,
        executive: Executive,
        metadata: bytes,
        extra: Mapping[str, ApiHandler] | None = None,
        *,
        metadata_at_version: Mapping[int, bytes] | None = None,
        next_digest: DigestProvider | None = None,
    ) -> None:
        """Bind the APIs to an executive and the runtime's encoded metadata.

        `metadata` (V14) is what ``Metadata_metadata`` returns; `metadata_at_version` maps
        every version served by ``Metadata_metadata_at_version`` to its bytes (default: 14 only).
        `next_digest` gives the digest of the next block that ``BlockBuilder_apply_extrinsic``
        opens on top of the given block (default: an empty digest).
        """
        self.next_digest = next_digest
        self.executive = executive
        self.metadata = metadata
        self.metadata_by_version: dict[int, bytes] = dict(
            metadata_at_version or dict.fromkeys(METADATA_VERSIONS, metadata)
        )
        self._handlers: dict[str, ApiHandler] = {
            "Core_version": self._core_version,
            "Core_execute_block": self._core_execute_block,
            "Core_initialize_block": self._core_initialize_block,
            "Metadata_metadata": self._metadata,
            "Metadata_metadata_versions": self._metadata_versions,
            "Metadata_metadata_at_version": self._metadata_at_version,
            "BlockBuilder_apply_extrinsic": self._apply_extrinsic,
            "BlockBuilder_finalize_block": self._finalize_block,
            "TaggedTransactionQueue_validate_transaction": self._validate_transaction,
            "AccountNonceApi_account_nonce": self._account_nonce,
            "TransactionPaymentApi_query_info": self._query_info,
            "TransactionPaymentApi_query_fee_details": self._query_fee_details,
        }
        self._handlers.update(extra or {})

    @property
    def methods(self) -> tuple[str, ...]:
        """Every method name, sorted."""
        return tuple(sorted(self._handlers))

    def call(self, method: str, arguments: bytes, state: BlockState, at: Header) -> bytes:
        """Call runtime API `method` with SCALE `arguments` at block `at` (whose state is `state`).

        Raises:
            UnknownApi: no such method.
            ApiError: the arguments do not decode, or the runtime refused the call.
        """
        handler = self._handlers.get(method)
        if handler is None:
            raise UnknownApi(f"no runtime API method named {method!r}")
        try:
            return handler(arguments, state, at)
        except DecodeError as error:
            raise ApiError(f"{method}: cannot decode the arguments: {error}") from error
        except InvalidBlock as error:
            raise ApiError(f"{method}: {error}") from error

    # --- Core -------------------------------------------------------------------------------

    def _core_version(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        del arguments, state, at
        return self.executive.version.encode()

    def _core_execute_block(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        block = decode_block(arguments)
        self.executive.execute_block(state, block, at)
        return b""

    def _core_initialize_block(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        del at
        self.executive.initialize_block(state, Header.decode(arguments))
        return _ALL_EXTRINSICS

    # --- Metadata ---------------------------------------------------------------------------

    def _metadata(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        del arguments, state, at
        return encode_compact(len(self.metadata)) + self.metadata

    def _metadata_versions(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        del arguments, state, at
        versions = sorted(self.metadata_by_version)
        return codec_for(Vec[U32]).encode(tuple(U32(v) for v in versions))

    def _metadata_at_version(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        del state, at
        encoded = self.metadata_by_version.get(int(decode(U32, arguments)))
        if encoded is None:
            return b"\x00"
        return b"\x01" + encode_compact(len(encoded)) + encoded

    # --- BlockBuilder -----------------------------------------------------------------------

    def _apply_extrinsic(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        digest = Digest() if self.next_digest is None else self.next_digest(state, at)
        block = self.executive.initialize_block(state, _next_header(at, digest))
        try:
            outcome = self.executive.apply_extrinsic(block, arguments)
        except tv.TransactionRejected as rejected:
            return codec_for(ApplyExtrinsicResult).encode(Err(rejected.error))
        inner = Ok(()) if outcome.dispatch_error is None else Err(outcome.dispatch_error)
        return codec_for(ApplyExtrinsicResult).encode(Ok(inner))

    def _finalize_block(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        """Open the next block on top of `at` (as ``apply_extrinsic`` does), finalize it empty
        and return its header (unsealed).

        Substrate's block builder calls this at the end of one session of calls on one
        overlay; a lone ``state_call`` has no such session, so the block is empty, and the
        hooks that insist on an inherent refuse it (Timestamp: "Timestamp must be updated once
        in the block"), exactly as a FRAME runtime's panic does.
        """  # noqa: D205
        if arguments:
            raise ApiError("BlockBuilder_finalize_block takes no arguments")
        digest = Digest() if self.next_digest is None else self.next_digest(state, at)
        block = self.executive.initialize_block(state, _next_header(at, digest))
        try:
            header, _changes = self.executive.finalize_block(block)
        except RuntimePanic as panic:
            raise ApiError(f"BlockBuilder_finalize_block: the runtime panicked: {panic}") from panic
        return header.encode()

    # --- TaggedTransactionQueue -------------------------------------------------------------

    def _validate_transaction(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        source_byte = arguments[:1]
        if not source_byte or source_byte[0] > 2:
            raise ApiError("validate_transaction: bad TransactionSource")
        source = tv.TransactionSource(source_byte[0])
        xt, end = codec_for(UncheckedExtrinsic[bytes]).decode_prefix(arguments, 1)
        del xt
        encoded = arguments[1:end]
        # The trailing block hash names the block to validate at; `at` is that block here.
        validity_codec = codec_for(tv.TransactionValidity)
        try:
            valid = self.executive.validate_transaction(state, at, encoded, source)
        except tv.TransactionRejected as rejected:
            return validity_codec.encode(Err(rejected.error))
        return validity_codec.encode(Ok(valid))

    # --- AccountNonceApi --------------------------------------------------------------------

    def _account_nonce(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        account = decode(AccountId32, arguments)
        ctx = self.executive.runtime.new_context(Overlay(state), int(at.number))
        return ctx.pallet(System).account_nonce(account).to_le_bytes()

    # --- TransactionPaymentApi --------------------------------------------------------------

    def _fee_query(
        self, arguments: bytes, state: BlockState, at: Header
    ) -> tuple[Any, tuple[int, int, int] | None]:
        # Arguments: the extrinsic (length-prefixed), then its length as u32. The signature is
        # not checked: wallets ask with a dummy one.
        xt, end = codec_for(UncheckedExtrinsic[bytes]).decode_prefix(arguments, 0)
        length = int(decode(U32, arguments[end:]))
        call = self.executive.runtime.call_codec.decode(xt.call)
        meta = self.executive.runtime.dispatch_meta(call)
        if xt.signature is None:
            return meta, None
        ctx = self.executive.runtime.new_context(Overlay(state), int(at.number) + 1)
        return meta, self.executive.fees.fee_details(ctx, length, meta)

    def _query_info(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        meta, parts = self._fee_query(arguments, state, at)
        partial_fee = 0 if parts is None else sum(parts)
        info = RuntimeDispatchInfo(
            weight=meta.weight, class_=meta.dispatch_class, partial_fee=U128(partial_fee)
        )
        return info.encode()

    def _query_fee_details(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        _, parts = self._fee_query(arguments, state, at)
        inclusion = None
        if parts is not None:
            base_fee, len_fee, adjusted_weight_fee = parts
            inclusion = InclusionFee(
                base_fee=U128(base_fee),
                len_fee=U128(len_fee),
                adjusted_weight_fee=U128(adjusted_weight_fee),
            )
        return FeeDetails(inclusion_fee=inclusion, tip=U128(0)).encode()


def decode_block(data: bytes) -> Block:
    """Decode a SCALE block: header, then ``Vec`` of length-prefixed extrinsics.

    Raises:
        DecodeError: the bytes are not a block.
    """
    header, offset = Header.decode_prefix(data, 0)
    count, offset = decode_compact(data, offset)
    extrinsics = []
    xt_codec = codec_for(UncheckedExtrinsic[bytes])
    for _ in range(count):
        _, end = xt_codec.decode_prefix(data, offset)
        extrinsics.append(bytes(data[offset:end]))
        offset = end
    if offset != len(data):
        raise TrailingBytes("bytes left after the block", offset)
    return Block(header, tuple(extrinsics))


def _next_header(at: Header, digest: Digest) -> Header:
    return Header(
        parent_hash=at.hash(),
        number=U32(int(at.number) + 1),
        state_root=at.state_root,
        extrinsics_root=at.extrinsics_root,
        digest=digest,
    )
