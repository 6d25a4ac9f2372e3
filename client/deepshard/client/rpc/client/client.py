"""`ChainClient`: an async, metadata-driven client of a Substrate-compatible node.

Usage::

    async with ChainClient.connect("ws://127.0.0.1:9944") as chain:
        account = await chain.query("System", "Account", alice.account_id)
        call = chain.compose("Balances", "transfer_keep_alive", dest=bob, value=10**12)
        receipt = await chain.sign_and_submit(call, alice, wait="finalized")
        print(receipt.success, receipt.fee, [e.name for e in receipt.events])
        async for head in chain.follow_finalized():
            block = await chain.block(head.hash)

Everything the client knows about the runtime comes from the node's V14 metadata, decoded on
Deepshard's own codec (`RuntimeView`); views are cached per ``spec_version``, so a runtime
upgrade is picked up when a block's version changes. Over HTTP (or a node that refuses the
WebSocket upgrade) requests work the same, and waiting for a transaction or following heads
polls instead of subscribing. Every error is a `ClientError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, Literal, Self

from deepshard.client.rpc.client.errors import (
    BlockNotFound,
    ClientError,
    DecodeFailed,
    InvalidArguments,
    RpcCallError,
    TransactionDropped,
    TransactionRejected,
)
from deepshard.client.rpc.client.follow import follow_finalized
from deepshard.client.rpc.client.runtime import ExtensionValues, RuntimeView, StorageItem
from deepshard.client.rpc.client.transport import DEFAULT_TIMEOUT, Transport, connect_transport
from deepshard.client.rpc.client.types import (
    Block,
    Call,
    Event,
    FinalizedHead,
    Receipt,
    SignedExtrinsic,
)
from deepshard.client.rpc.client.wire import from_hex, header_from_json, to_hex
from deepshard.primitives.crypto import Keypair, KeyType, decode_account_id, ss58_encode
from deepshard.primitives.extrinsic import Era, signing_payload
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.header import Header, RuntimeEnvironmentUpdated

__all__ = ["ChainClient", "WaitFor", "EVENTS_KEY", "header_from_json"]

WaitFor = Literal["none", "in_block", "finalized"]
"""How long `ChainClient.submit` waits: not at all, for inclusion, or for finality."""

EVENTS_KEY: Final = bytes.fromhex(
    "26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"
)
"""The storage key of ``System.Events``."""

_POOL_ERRORS: Final = range(1000, 1100)
"""JSON-RPC codes of the author/pool errors (1010 invalid transaction, 1012 banned, ...)."""
_ENDED: Final = ("dropped", "invalid", "usurped", "finalityTimeout", "retracted")
_RUNTIME_CACHE: Final = 4096
"""Blocks whose following runtime `ChainClient.block` remembers."""
_PAGE: Final = 100
_MAX_PAGE: Final = 1000


def _account(value: Any) -> bytes:
    if isinstance(value, Keypair):
        return value.public_key
    if isinstance(value, (bytes, bytearray)) and len(value) == 32:
        return bytes(value)
    if isinstance(value, str):
        try:
            return (
                decode_account_id(value) if not value.startswith("0x") else bytes.fromhex(value[2:])
            )
        except ValueError as exc:
            raise InvalidArguments(f"{value!r:.80} is not an account") from exc
    raise InvalidArguments(f"{value!r:.80} is not an account (32 bytes, SS58 or a Keypair)")


@dataclass(frozen=True, slots=True)
class _Versions:
    spec_version: int
    transaction_version: int


class _Connect:
    """The awaitable / async context manager `ChainClient.connect` returns."""

    def __init__(self, url: str, timeout: float) -> None:
        self._url = url
        self._timeout = timeout
        self._client: ChainClient | None = None

    def __await__(self) -> Any:
        return self._open().__await__()

    async def _open(self) -> ChainClient:
        transport = await connect_transport(self._url, timeout=self._timeout)
        try:
            client = ChainClient(transport)
            await client._start()
        except BaseException:
            await transport.close()
            raise
        return client

    async def __aenter__(self) -> ChainClient:
        self._client = await self._open()
        return self._client

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._client is not None:
            await self._client.close()


class ChainClient:
    """A typed client of one node (see the module docs)."""

    def __init__(self, transport: Transport) -> None:
        """Wrap an open transport; prefer ``await ChainClient.connect(url)``."""
        self.transport = transport
        self.genesis_hash = b""
        self.methods: frozenset[str] = frozenset()
        self.properties: Mapping[str, Any] = {}
        self._runtimes: dict[int, RuntimeView] = {}
        self._runtime: RuntimeView | None = None
        self._metadata_lock = asyncio.Lock()
        self._after_block: dict[bytes, RuntimeView] = {}
        """The runtime in force after each recently decoded block (see `_block_runtime`)."""

    @classmethod
    def connect(cls, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> _Connect:
        """Connect to the node at `url` (``ws://`` preferred; ``http://`` has no subscriptions).

        Use as ``async with ChainClient.connect(url) as chain`` or
        ``chain = await ChainClient.connect(url)`` (then ``await chain.close()``).

        Raises (on await):
            ConnectionFailed: the node cannot be reached.
            MetadataError: its metadata is not usable V14 metadata.
        """
        return _Connect(url, timeout)

    async def _start(self) -> None:
        genesis, methods, properties = await asyncio.gather(
            self.rpc("chain_getBlockHash", [0]),
            self.rpc("rpc_methods"),
            self.rpc("system_properties"),
        )
        self.genesis_hash = from_hex(genesis, "genesis hash")
        names = methods.get("methods", []) if isinstance(methods, Mapping) else []
        self.methods = frozenset(str(m) for m in names)
        self.properties = properties if isinstance(properties, Mapping) else {}
        self._runtime = await self.runtime_at(None)

    async def close(self) -> None:
        """Close the connection."""
        await self.transport.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # --- raw access -----------------------------------------------------------------------

    async def rpc(self, method: str, params: Sequence[Any] | None = None) -> Any:
        """Call any JSON-RPC method and return its raw ``result``.

        Raises:
            RpcCallError: the node answered with an error.
            ConnectionClosed / ConnectionFailed / RequestTimeout: transport failures.
        """
        return await self.transport.request(method, list(params or []))

    # --- runtime --------------------------------------------------------------------------

    @property
    def runtime(self) -> RuntimeView:
        """The runtime of the best block when last looked at (metadata, codecs)."""
        assert self._runtime is not None, "use ChainClient.connect()"
        return self._runtime

    async def runtime_at(self, block_hash: bytes | None = None) -> RuntimeView:
        """Return the runtime of `block_hash` (the best block if None).

        Metadata is fetched once per ``spec_version``.

        Raises:
            MetadataError: the node's metadata is not usable.
            BlockNotFound: the node does not know the block.
        """
        at = [to_hex(block_hash)] if block_hash is not None else []
        version = await self.rpc("state_getRuntimeVersion", at)
        if not isinstance(version, Mapping):
            raise BlockNotFound(f"no runtime version at {at}")
        versions = _Versions(int(version["specVersion"]), int(version["transactionVersion"]))
        found = self._runtimes.get(versions.spec_version)
        if found is not None:
            return found
        async with self._metadata_lock:
            found = self._runtimes.get(versions.spec_version)
            if found is None:
                raw = await self.rpc("state_getMetadata", at)
                found = RuntimeView.from_bytes(
                    from_hex(raw, "metadata"), versions.spec_version, versions.transaction_version
                )
                self._runtimes[versions.spec_version] = found
        if block_hash is None:
            self._runtime = found
        return found

    def compose(self, pallet: str, call: str, /, **args: Any) -> Call:
        """Encode call `pallet`.`call` with keyword arguments named as in the metadata.

        Raises:
            UnknownItem: no such pallet or call.
            InvalidArguments: missing, unknown or ill-typed arguments.
        """
        return self.runtime.compose(pallet, call, args)

    def constant(self, pallet: str, name: str) -> Any:
        """Return the decoded value of constant `pallet`.`name`.

        Raises:
            UnknownItem: no such pallet or constant.
        """
        return self.runtime.constant(pallet, name)

    # --- storage --------------------------------------------------------------------------

    async def query(self, pallet: str, item: str, *keys: Any, at: bytes | None = None) -> Any:
        """Read storage item `pallet`.`item` at `keys` (at the best block, or `at`).

        Absent values are None for Optional items and the default otherwise.

        Raises:
            UnknownItem: no such item.
            InvalidArguments: wrong keys.
            DecodeFailed: the stored bytes do not decode.
        """
        storage = self.runtime.storage(pallet, item)
        params: list[Any] = [to_hex(storage.key(*keys))]
        if at is not None:
            params.append(to_hex(at))
        raw = await self.rpc("state_getStorage", params)
        return storage.decode_value(None if raw is None else from_hex(raw, str(storage)))

    async def iter_storage(
        self,
        pallet: str,
        item: str,
        *prefix_keys: Any,
        at: bytes | None = None,
        page_size: int = _PAGE,
    ) -> AsyncIterator[tuple[tuple[Any, ...] | None, Any]]:
        """Iterate a map's entries as ``(keys, value)``, optionally under the first keys.

        Pages with ``state_getKeysPaged`` and reads each page with ``state_queryStorageAt``,
        all at one block (the best block when the iteration starts, unless `at`). `keys` is
        None for entries under opaque hashers.

        Raises:
            UnknownItem / InvalidArguments / DecodeFailed: as `query`.
        """
        storage = self.runtime.storage(pallet, item)
        if not storage.is_map:
            raise InvalidArguments(f"{storage} is not a map")
        if not 0 < page_size <= _MAX_PAGE:
            raise InvalidArguments(f"page_size must be 1..={_MAX_PAGE}")
        prefix = to_hex(storage.prefix_key(*prefix_keys))
        block = to_hex(at) if at is not None else await self.rpc("chain_getBlockHash")
        start = prefix
        while True:
            keys = await self.rpc("state_getKeysPaged", [prefix, page_size, start, block])
            if not keys:
                return
            changes = await self.rpc("state_queryStorageAt", [keys, block])
            values = {
                key: value
                for change_set in changes or ()
                for key, value in change_set.get("changes", ())
            }
            for key in keys:
                raw = values.get(key)
                yield (
                    storage.decode_keys(from_hex(key, "storage key")),
                    storage.decode_value(None if raw is None else from_hex(raw, str(storage))),
                )
            if len(keys) < page_size:
                return
            start = keys[-1]

    def storage_item(self, pallet: str, item: str) -> StorageItem:
        """Return the description of storage item `pallet`.`item` (keys, codecs).

        Raises:
            UnknownItem: no such item.
        """
        return self.runtime.storage(pallet, item)

    # --- blocks and events ----------------------------------------------------------------

    async def block_hash(self, number: int | None = None) -> bytes:
        """Return the hash of block `number` (the best block if None).

        Raises:
            BlockNotFound: no canonical block has that number.
        """
        found = await self.rpc("chain_getBlockHash", [] if number is None else [number])
        if found is None:
            raise BlockNotFound(f"no block #{number}")
        return from_hex(found, "block hash")

    async def finalized_hash(self) -> bytes:
        """Return the hash of the last finalized block."""
        return from_hex(await self.rpc("chain_getFinalizedHead"), "finalized hash")

    async def header(self, block_hash: bytes | None = None) -> Header:
        """Return the header of `block_hash` (the best block if None).

        Raises:
            BlockNotFound: the node does not know the block.
        """
        found = await self.rpc(
            "chain_getHeader", [] if block_hash is None else [to_hex(block_hash)]
        )
        if found is None:
            raise BlockNotFound(f"no block {to_hex(block_hash or b'')}")
        return header_from_json(found)

    async def events(self, block_hash: bytes) -> tuple[Event, ...]:
        """Return the events of block `block_hash`."""
        runtime, raw = await asyncio.gather(
            self.runtime_at(block_hash),
            self.rpc("state_getStorage", [to_hex(EVENTS_KEY), to_hex(block_hash)]),
        )
        return runtime.decode_events(None if raw is None else from_hex(raw, "System.Events"))

    async def block(
        self, at: bytes | int | None = None, *, runtime: RuntimeView | None = None
    ) -> Block:
        """Fetch a block (by hash, number, or the best one) and decode its extrinsics and events.

        `runtime` skips asking the node for the block's runtime version: a caller that knows it
        (an indexer whose window starts and ends on one ``spec_version``, which only grows)
        saves one request per block.

        Raises:
            BlockNotFound: the node does not know the block.
            DecodeFailed: the block does not decode with its runtime's metadata.
        """
        if at is None or isinstance(at, int):
            block_hash = await self.block_hash(at)
        else:
            block_hash = bytes(at)
        hex_hash = to_hex(block_hash)
        signed, raw_events = await asyncio.gather(
            self.rpc("chain_getBlock", [hex_hash]),
            self.rpc("state_getStorage", [to_hex(EVENTS_KEY), hex_hash]),
        )
        if signed is None:
            raise BlockNotFound(f"no block {hex_hash}")
        try:
            body = signed["block"]
            header = header_from_json(body["header"])
            raws = [from_hex(x, "extrinsic") for x in body["extrinsics"]]
        except (KeyError, TypeError) as exc:
            raise DecodeFailed(f"chain_getBlock answered {signed!r:.120}") from exc
        view = runtime if runtime is not None else await self._block_runtime(block_hash, header)
        return Block(
            block_hash,
            header,
            view.decode_extrinsics(raws),
            view.decode_events(
                None if raw_events is None else from_hex(raw_events, "System.Events")
            ),
            view.spec_version,
        )

    async def _block_runtime(self, block_hash: bytes, header: Header) -> RuntimeView:
        """The runtime that built the block: the one in force after its parent (as Substrate
        and polkadot.js decode a block), the block's own for genesis.

        The runtime after a block is remembered (a bounded cache) when the block cannot have
        changed it: FRAME marks every block that changes ``:code`` with a
        ``RuntimeEnvironmentUpdated`` digest. Walking a chain in order thus costs no runtime
        version request per block.
        """  # noqa: D205
        if int(header.number) == 0:
            runtime = await self.runtime_at(block_hash)
        else:
            parent = bytes(header.parent_hash)
            cached = self._after_block.get(parent)
            runtime = cached if cached is not None else await self.runtime_at(parent)
        if not any(isinstance(log, RuntimeEnvironmentUpdated) for log in header.digest.logs):
            if len(self._after_block) >= _RUNTIME_CACHE:
                self._after_block.pop(next(iter(self._after_block)))
            self._after_block[bytes(block_hash)] = runtime
        return runtime

    async def follow_finalized(self, *, poll_interval: float = 1.0) -> AsyncIterator[FinalizedHead]:
        """Yield every finalized block from the current one on, in order, without gaps.

        Uses ``chainHead_v1_follow`` when the node lists it in ``rpc_methods``, else
        ``chain_subscribeFinalizedHeads``, else (over HTTP) polls ``chain_getFinalizedHead``
        every `poll_interval` seconds. Gaps (several blocks finalized at once, a restarted
        subscription) are filled by number from the canonical chain.
        """
        async for head in follow_finalized(self, poll_interval):
            yield head

    # --- transactions ---------------------------------------------------------------------

    async def account_nonce(self, account: Any) -> int:
        """Return the next nonce of `account` (pool-aware: ``system_accountNextIndex``)."""
        prefix = self.runtime.ss58_prefix or 42
        value = await self.rpc("system_accountNextIndex", [ss58_encode(_account(account), prefix)])
        if not isinstance(value, int):
            raise DecodeFailed(f"system_accountNextIndex answered {value!r:.80}")
        return value

    async def sign(
        self,
        call: Call,
        keypair: Keypair,
        *,
        nonce: int | None = None,
        tip: int = 0,
        mortality: int | None = 64,
    ) -> SignedExtrinsic:
        """Sign `call` with `keypair`, filling the runtime's signed extensions from metadata.

        `mortality` is the validity window in blocks (None: immortal). The nonce is the
        pool-aware next nonce unless given.

        Raises:
            UnsupportedExtension: the runtime has an extension the client cannot fill.
            InvalidArguments: a negative tip or nonce.
        """
        if tip < 0 or (nonce is not None and nonce < 0):
            raise InvalidArguments("tip and nonce must not be negative")
        runtime = self.runtime
        if nonce is None:
            nonce = await self.account_nonce(keypair.public_key)
        era, mortality_hash = Era(), self.genesis_hash
        if mortality is not None:
            finalized = await self.header(await self.finalized_hash())
            current = int(finalized.number)
            era = Era.mortal(mortality, current)
            mortality_hash = await self.block_hash(era.birth(current))
        extra, additional = runtime.signed_extensions(
            ExtensionValues(
                era,
                nonce,
                tip,
                runtime.spec_version,
                runtime.transaction_version,
                self.genesis_hash,
                mortality_hash,
            )
        )
        raw = keypair.sign(signing_payload(call.encoded, extra, additional))
        kind = "Sr25519" if keypair.key_type is KeyType.SR25519 else "Ed25519"
        encoded = runtime.signed_extrinsic(call, keypair.public_key, {kind: raw}, extra)
        return SignedExtrinsic(encoded, call, keypair.public_key, nonce)

    async def submit(
        self, extrinsic: SignedExtrinsic | bytes, wait: WaitFor = "in_block"
    ) -> Receipt | bytes:
        """Submit an extrinsic; return its hash (``wait="none"``) or its `Receipt`.

        Raises:
            TransactionRejected: the node refused it (invalid, banned, already imported...).
            TransactionDropped: the pool dropped it after accepting it.
        """
        encoded = extrinsic.encoded if isinstance(extrinsic, SignedExtrinsic) else bytes(extrinsic)
        xt_hash = blake2_256(encoded)
        if wait == "none":
            await self._author("author_submitExtrinsic", encoded)
            return xt_hash
        if not self.transport.supports_subscriptions:
            start = int((await self.header()).number)
            await self._author("author_submitExtrinsic", encoded)
            return await self._poll_for(encoded, start, wait)
        try:
            subscription = await self.transport.subscribe(
                "author_submitAndWatchExtrinsic", [to_hex(encoded)], "author_unwatchExtrinsic"
            )
        except RpcCallError as exc:
            raise self._rejected(exc) from exc
        try:
            while True:
                status = await subscription.next()
                if isinstance(status, str):
                    if status in _ENDED:
                        raise TransactionDropped(xt_hash, status)
                    continue
                if not isinstance(status, Mapping) or len(status) != 1:
                    continue
                ((kind, value),) = status.items()
                if kind in _ENDED:
                    raise TransactionDropped(xt_hash, kind)
                if (kind == "inBlock" and wait == "in_block") or kind == "finalized":
                    return await self.receipt(
                        xt_hash, from_hex(value, kind), finalized=kind == "finalized"
                    )
        finally:
            await subscription.unsubscribe()

    async def sign_and_submit(
        self,
        call: Call,
        keypair: Keypair,
        *,
        wait: WaitFor = "in_block",
        nonce: int | None = None,
        tip: int = 0,
        mortality: int | None = 64,
    ) -> Receipt:
        """Sign `call` (see `sign`), submit it and wait for its receipt.

        Raises:
            TransactionRejected / TransactionDropped: see `submit`.
        """
        if wait == "none":
            raise InvalidArguments("sign_and_submit waits for a receipt; use submit(wait='none')")
        signed = await self.sign(call, keypair, nonce=nonce, tip=tip, mortality=mortality)
        receipt = await self.submit(signed, wait)
        assert isinstance(receipt, Receipt)
        return receipt

    async def receipt(
        self, extrinsic_hash: bytes, block_hash: bytes, *, finalized: bool = False
    ) -> Receipt:
        """Build the receipt of `extrinsic_hash` from block `block_hash`.

        Raises:
            BlockNotFound: the block is unknown or does not contain the extrinsic.
        """
        block = await self.block(block_hash)
        found = block.find(extrinsic_hash)
        if found is None:
            raise BlockNotFound(
                f"block {to_hex(block_hash)} does not contain {to_hex(extrinsic_hash)}"
            )
        events = block.events_of(found.index)
        runtime = await self.runtime_at(block_hash)
        error = None
        for event in events:
            if event.matches("System", "ExtrinsicFailed") and isinstance(event.fields, Mapping):
                error = runtime.dispatch_failure(event.fields.get("dispatch_error"))
        return Receipt(
            extrinsic_hash, block_hash, block.number, found.index, events, error, finalized
        )

    async def _author(self, method: str, encoded: bytes) -> Any:
        try:
            return await self.rpc(method, [to_hex(encoded)])
        except RpcCallError as exc:
            raise self._rejected(exc) from exc

    @staticmethod
    def _rejected(exc: RpcCallError) -> ClientError:
        if exc.code in _POOL_ERRORS:
            return TransactionRejected(exc.code, exc.message, exc.data)
        return exc

    async def _poll_for(
        self, encoded: bytes, start: int, wait: WaitFor, interval: float = 0.5
    ) -> Receipt:
        """HTTP path: scan new blocks (best or finalized) for the transaction.

        The transaction counts as dropped once it is neither in the pool nor in any block
        scanned after it left the pool.
        """
        xt_hash, xt_hex = blake2_256(encoded), to_hex(encoded)
        next_number, left_pool = start, False
        while True:
            pending = await self.rpc("author_pendingExtrinsics")
            if wait == "finalized":
                top = int((await self.header(await self.finalized_hash())).number)
            else:
                top = int((await self.header()).number)
            while next_number <= top:
                block_hash = await self.block_hash(next_number)
                block = await self.block(block_hash)
                if block.find(xt_hash) is not None:
                    return await self.receipt(xt_hash, block_hash, finalized=wait == "finalized")
                next_number += 1
            if xt_hex not in (pending or ()):
                if left_pool and wait == "in_block":
                    raise TransactionDropped(xt_hash, "dropped")
                left_pool = True
            await asyncio.sleep(interval)
