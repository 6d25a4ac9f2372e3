"""The node service: database, runtime, pool, authoring and RPC, started and stopped together.

`NodeService` is what ``deepshard node`` runs. It owns:

* the LMDB `ChainDatabase` (genesis from the raw chain spec on first start; on every start the
  stored genesis must be this spec's);
* the runtime and its executive;
* the transaction pool, validating through the runtime at the best block;
* the Aura authoring loop (one block per owned slot, built on the best block, imported at once;
  with a single authority every block is final when imported);
* the JSON-RPC server and the Prometheus exporter;
* with `NodeConfig.p2p`, the network service and the chain protocol (`ChainSync`): peers,
  block announcements, transaction gossip, sync.

Chain mutations run on one worker thread, one at a time; RPC reads run on the event loop and
read database snapshots, so they never see a half-imported block. The service implements
`NodeView` for the RPC layer.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import time
from collections.abc import Callable
from typing import Any, Final

from deepshard.chain_spec.raw import parse_raw_chain_spec
from deepshard.client.consensus.aura import slot_author
from deepshard.client.consensus.finality_votes import JustificationError
from deepshard.client.db import ChainDatabase
from deepshard.client.network.address import AddressError, Multiaddr
from deepshard.client.network.identity import NodeKey, NodeKeyError
from deepshard.client.network.messages import Role
from deepshard.client.network.service import NetworkConfig, NetworkService
from deepshard.client.network.sync import ChainSync
from deepshard.client.node.block_import import BadJustification, ImportResult, import_block
from deepshard.client.node.block_production import ProposedBlock, ReadyTransaction, propose_block
from deepshard.client.node.config import NodeConfig
from deepshard.client.node.events import EventHub
from deepshard.client.node.finality import FINALITY_ENGINE_ID, FinalityGadget, voter_set_at
from deepshard.client.node.interfaces import ChainInfo, rpc_multiaddr
from deepshard.client.node.keystore import Keystore, KeystoreError
from deepshard.client.node.logs import logger
from deepshard.client.node.metrics import NodeMetrics
from deepshard.client.node.network_bridge import NodeChain
from deepshard.client.rpc import (
    CorsPolicy,
    RpcLimits,
    RpcPolicy,
    RpcServer,
    node_rpc_module,
)
from deepshard.client.txpool import TransactionPool
from deepshard.pallets.aura import Aura
from deepshard.pallets.grandpa import INHERENT_IDENTIFIER as GRANDPA_INHERENT
from deepshard.pallets.grandpa import EquivocationProof
from deepshard.primitives.codec import H256, Vec
from deepshard.primitives.crypto import CryptoError, Keypair, KeyType, dev_keypair
from deepshard.primitives.header import Header
from deepshard.primitives.numeric import U32
from deepshard.primitives.transaction_validity import TransactionSource, ValidTransaction
from deepshard.primitives.trie import EMPTY_TRIE_ROOT, trie_root
from deepshard.primitives.version import RuntimeVersion
from deepshard.runtime.apis import ApiError
from deepshard.runtime.executive import Block
from deepshard.runtime.runtime import CODE_KEY, DeepshardRuntime, deepshard_runtime
from deepshard.runtime.support.inherents import InherentData
from deepshard.runtime.support.overlay import Overlay

__all__ = ["NodeError", "NodeService", "genesis_header_of"]

log = logger("node")


class NodeError(RuntimeError):
    """The node cannot start; the message says why and what to do."""


def genesis_header_of(storage: dict[bytes, bytes], runtime: DeepshardRuntime) -> Header:
    """Return the genesis header of raw genesis storage under this runtime's state version."""
    return Header(
        parent_hash=H256(bytes(32)),
        number=U32(0),
        state_root=H256(trie_root(storage.items(), runtime.version.state_version)),
        extrinsics_root=H256(EMPTY_TRIE_ROOT),
    )


class NodeService:
    """A running Deepshard node (see the module docstring)."""

    def __init__(self, config: NodeConfig) -> None:
        """Open the database (creating genesis if new) and prepare every component.

        Raises:
            NodeError: the chain spec, the database or the keys are unusable.
        """
        self.config = config
        self.runtime = deepshard_runtime()
        self.metrics = NodeMetrics()
        self.hub = EventHub()
        spec = parse_raw_chain_spec(config.chain_spec)
        if spec.top is None:
            raise NodeError("the chain spec has no raw genesis storage; build it with --raw")
        storage = dict(spec.top)
        if storage.get(CODE_KEY) != self.runtime.code:
            raise NodeError(
                "the chain spec's runtime (:code) is not this node's runtime "
                f"{self.runtime.version.spec_name} v{self.runtime.version.spec_version}; "
                "rebuild the spec with this `deepshard`"
            )
        self._network_config = self._make_network_config(config)
        genesis = genesis_header_of(storage, self.runtime)
        self.genesis_hash = genesis.hash()
        self.state_version = self.runtime.version.state_version
        config.database_path.mkdir(parents=True, exist_ok=True)
        self.db = ChainDatabase(
            config.database_path, archive=config.archive, prune_depth=config.state_pruning
        )
        if self.db.is_empty():
            log.info(
                "🔨 Initializing Genesis block/state (state: 0x%s, header-hash: 0x%s)",
                bytes(genesis.state_root).hex(),
                bytes(self.genesis_hash).hex(),
            )
            self.db.initialize_genesis(genesis, storage, self.state_version)
        elif self.db.genesis_hash != self.genesis_hash:
            raise NodeError(
                f"the database at {config.database_path} belongs to another chain (genesis "
                f"0x{bytes(self.db.genesis_hash).hex()}); use another --base-path or "
                "`deepshard node purge-chain`"
            )
        best = self.best_header()
        self.pool = TransactionPool(self._validate, best=(best.hash(), int(best.number)))
        self.keys = self._load_keys()
        self._worker = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="import")
        self.import_worker = self._worker
        """The one thread that changes the chain (authoring and imports)."""
        self._tasks: list[asyncio.Task[Any]] = []
        self._rpc: Any = None
        self._stopping = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.network: NetworkService | None = None
        """The network service (None for a lone node)."""
        self.sync: ChainSync | None = None
        """The chain protocol (None for a lone node)."""
        self.finality: FinalityGadget | None = None
        """The finality gadget (None for a lone node or a single authority)."""
        self._info = ChainInfo(
            chain_name=spec.name,
            chain_type=spec.chain_type,
            node_name="Deepshard Node",
            node_version=config.version,
            properties=dict(spec.properties),
            node_role="Authority" if config.validator else "Full",
            is_archive=config.archive,
            local_peer_id=""
            if self._network_config is None
            else str(self._network_config.node_key.peer_id),
        )

    # --- NodeView ------------------------------------------------------------------------------

    @property
    def info(self) -> ChainInfo:
        """Static chain and node facts."""
        return self._info

    @property
    def chain(self) -> ChainDatabase:
        """The block database."""
        return self.db

    @property
    def events(self) -> EventHub:
        """Block notifications."""
        return self.hub

    def runtime_version(self, block_hash: H256) -> RuntimeVersion:
        """The runtime version (one runtime for the whole chain)."""
        del block_hash
        return self.runtime.version

    def metadata(self, block_hash: H256) -> bytes:
        """The runtime metadata."""
        del block_hash
        return self.runtime.metadata.encoded

    def call_runtime(self, method: str, arguments: bytes, block_hash: H256) -> bytes:
        """Call a runtime API at a block."""
        header = self.db.header(block_hash)
        state = self.db.state_at(block_hash)
        if header is None or state is None:
            raise ApiError(f"unknown or pruned block 0x{bytes(block_hash).hex()}")
        with state:
            return self.runtime.apis.call(method, arguments, state, header)

    def peers(self) -> list[dict[str, Any]]:
        """``system_peers``: every connected peer's id, roles and best block."""
        if self.network is None:
            return []
        return [
            {
                "peerId": str(peer.id),
                "roles": "AUTHORITY" if peer.is_authority else "FULL",
                "bestHash": "0x" + bytes(peer.best_hash).hex(),
                "bestNumber": peer.best_number,
            }
            for peer in sorted(self.network.peers.values(), key=lambda p: p.id)
        ]

    def sync_state(self) -> dict[str, int]:
        """``system_syncState``: where sync started, our best, the best any peer reports."""
        if self.sync is None:
            best = int(self.best_header().number)
            return {"startingBlock": 0, "currentBlock": best, "highestBlock": best}
        state = self.sync.state()
        return {
            "startingBlock": state.starting_block,
            "currentBlock": state.current_block,
            "highestBlock": state.highest_block,
        }

    def is_syncing(self) -> bool:
        """Whether we are far behind the best peer."""
        return self.sync is not None and self.sync.is_major_syncing()

    def finality_round_state(self) -> dict[str, Any] | None:
        """``grandpa_roundState`` (None without a finality gadget)."""
        if self.finality is None:
            return None
        return self.finality.round_state(int(self._info.properties.get("ss58Format", 42)))

    def on_justification(self, callback: Callable[[bytes], None]) -> Callable[[], None]:
        """Call `callback` with each new justification."""
        if self.finality is None:
            return lambda: None
        return self.finality.on_justification(callback)

    def rotate_keys(self) -> bytes:
        """New random Aura (sr25519) and finality (ed25519) keys; their public keys, in order."""
        keystore = Keystore(self.config.keystore_path)
        aura = keystore.insert("aura", "0x" + os.urandom(32).hex(), KeyType.SR25519)
        gran = keystore.insert("gran", "0x" + os.urandom(32).hex(), KeyType.ED25519)
        return aura.public_key + gran.public_key

    def insert_key(self, key_type: str, suri: str, public_key: bytes) -> None:
        """Store a session key whose public key must be `public_key`.

        Raises:
            LookupError: an unknown key type.
            ValueError: a bad secret URI, or one that does not derive `public_key`.
        """
        scheme = _SESSION_KEY_SCHEMES.get(key_type)
        if scheme is None:
            raise LookupError(f"unknown key type {key_type!r}")
        try:
            derived = Keypair.from_uri(suri, scheme)
        except CryptoError as error:
            raise ValueError(f"invalid secret URI: {error}") from error
        if derived.public_key != bytes(public_key):
            raise ValueError("the secret URI does not derive the given public key")
        try:
            Keystore(self.config.keystore_path).insert(key_type, suri, scheme)
        except KeystoreError as error:
            raise ValueError(str(error)) from error

    def has_key(self, public_key: bytes, key_type: str) -> bool:
        """Whether the keystore holds the key."""
        scheme = _SESSION_KEY_SCHEMES.get(key_type)
        if scheme is None:
            return False
        keys = Keystore(self.config.keystore_path).keys(key_type, scheme)
        return any(k.public_key == bytes(public_key) for k in keys)

    def listen_addresses(self) -> list[str]:
        """``system_localListenAddresses``: where peers reach us, with our peer id.

        A node without networking answers with its JSON-RPC listener instead.
        """
        if self.network is not None:
            peer_id = self.network.local_peer_id
            return [str(a.with_peer_id(peer_id)) for a in self.network.public_addresses()]
        if self._rpc is None:
            return []
        return [rpc_multiaddr(self._rpc.host, self._rpc.port)]

    # --- chain helpers -------------------------------------------------------------------------

    def best_header(self) -> Header:
        """The best block's header."""
        header = self.db.header(self.db.best_hash)
        if header is None:
            raise NodeError("the database has no best header")
        return header

    def authorities(self, at: H256) -> tuple[bytes, ...]:
        """The Aura authorities at a block."""
        state = self.db.state_at(at)
        if state is None:
            return ()
        ctx = self.runtime.runtime.new_context(Overlay(state), 0)
        return tuple(bytes(a) for a in ctx.pallet(Aura).authorities())

    def slot_duration(self) -> int:
        """Aura's slot duration in milliseconds."""
        state = self.db.state_at(self.db.best_hash)
        if state is None:
            raise NodeError("the best block's state is missing")
        ctx = self.runtime.runtime.new_context(Overlay(state), 0)
        return int(ctx.pallet(Aura).slot_duration())

    def _validate(self, extrinsic: bytes, source: TransactionSource, at: H256) -> ValidTransaction:
        header = self.db.header(at) or self.best_header()
        state = self.db.state_at(header.hash())
        if state is None:
            raise NodeError("the pool validated at a pruned block")
        return self.runtime.executive.validate_transaction(state, header, extrinsic, source)

    def _make_network_config(self, config: NodeConfig) -> NetworkConfig | None:
        options = config.p2p
        if options is None:
            return None
        try:
            if options.node_key is not None:
                key = NodeKey.from_hex(options.node_key)
            elif options.node_key_file is not None:
                key = NodeKey.from_file(options.node_key_file)
            else:
                key = NodeKey.load_or_create(config.node_key_path)
            return NetworkConfig(
                node_key=key,
                listen=tuple(Multiaddr.parse(a) for a in options.listen),
                public=tuple(Multiaddr.parse(a) for a in options.public),
                bootnodes=tuple(Multiaddr.parse(a) for a in options.bootnodes),
                reserved=tuple(_with_peer_id(Multiaddr.parse(a)) for a in options.reserved),
                reserved_only=options.reserved_only,
                in_peers=options.in_peers,
                out_peers=options.out_peers,
                roles=Role.AUTHORITY if config.validator else Role.FULL,
            )
        except (NodeKeyError, AddressError) as error:
            raise NodeError(str(error)) from error

    def _finality_key(self) -> Keypair | None:
        if not self.config.validator:
            return None
        keys = Keystore(self.config.keystore_path).keys("gran", KeyType.ED25519)
        if self.config.dev_key is not None:
            keys.append(dev_keypair(self.config.dev_key, KeyType.ED25519))
        voters = voter_set_at(self, self.db.finalized_hash)
        key = next((k for k in keys if k.public_key in voters.weights), None)
        if key is None:
            log.warning("⚠️  --validator without a finality (gran) key of the voter set")
        else:
            log.info("👴 Finality voter 0x%s", key.public_key.hex())
        return key

    def _load_keys(self) -> list[Keypair]:
        if not self.config.validator:
            return []
        keys = Keystore(self.config.keystore_path).keys("aura")
        if self.config.dev_key is not None:
            keys.append(dev_keypair(self.config.dev_key, KeyType.SR25519))
        if not keys:
            log.warning("⚠️  --validator without an Aura key: insert one with `key insert`")
        return keys

    # --- authoring -------------------------------------------------------------------------------

    def author_slot(self, slot: int) -> ProposedBlock | None:
        """Build, seal and import the block of `slot` if one of our keys owns it."""
        parent = self.best_header()
        authorities = self.authorities(parent.hash())
        owner = slot_author(slot, authorities)
        keypair = next((k for k in self.keys if k.public_key == owner), None)
        if keypair is None:
            return None
        state = self.db.state_at(parent.hash())
        if state is None:
            raise NodeError("the best block's state is missing")
        log.info(
            "🙌 Starting consensus session on top of parent 0x%s (#%d)",
            bytes(parent.hash()).hex(),
            int(parent.number),
        )
        duration = self.slot_duration()
        ready = self.pool.ready()
        extra = InherentData()
        proofs = () if self.finality is None else self.finality.take_proofs()
        if proofs:
            extra.put_data(GRANDPA_INHERENT, proofs, Vec[EquivocationProof])
        proposed = propose_block(
            self.runtime,
            state,
            parent,
            slot,
            duration,
            keypair,
            (ReadyTransaction(t.hash, t.extrinsic) for t in ready),
            budget_seconds=duration / 3000,
            skip=ready.report_invalid,
            inherent_data=extra,
        )
        self.metrics.proposer_seconds.observe(proposed.build_seconds)
        block = proposed.block
        log.info(
            "🎁 Prepared block for proposing at %d (%d ms) [hash: 0x%s; parent_hash: 0x%s; "
            "extrinsics (%d)]",
            int(block.header.number),
            int(proposed.build_seconds * 1000),
            bytes(block.header.hash()).hex(),
            bytes(parent.hash()).hex(),
            len(block.extrinsics),
        )
        self.import_own(proposed, single_authority=len(authorities) == 1)
        return proposed

    def import_own(self, proposed: ProposedBlock, *, single_authority: bool) -> None:
        """Commit a block we built (no re-execution: we hold its changes)."""
        started = time.perf_counter()
        block = proposed.block
        self.db.import_block(
            block,
            proposed.changes,
            self.state_version,
            make_best=True,
            finalized=single_authority,
            precomputed=proposed.trie_update,
        )
        self.metrics.import_seconds.observe(time.perf_counter() - started)
        header = block.header
        number = int(header.number)
        self.metrics.block_height.labels("best").set(number)
        if single_authority:
            self.metrics.block_height.labels("finalized").set(number)
        log.info("✨ Imported #%d (0x%s)", number, bytes(header.hash()).hex())
        self.pool.on_block_imported(
            header.hash(),
            list(block.extrinsics),
            is_best=True,
            number=number,
            parent=header.parent_hash,
        )
        if single_authority:
            self.pool.on_finalized(header.hash(), list(block.extrinsics))
        self.hub.publish_imported(header, best=True, finalized=single_authority)
        self._announce(header)
        for invalid in proposed.invalid:
            log.debug("dropping invalid transaction 0x%s", bytes(invalid).hex())

    def import_received(self, block: Block, justification: bytes | None = None) -> ImportResult:
        """Verify and import a block from elsewhere (a peer, a file), then tell pool and RPC.

        Raises:
            BlockImportError: a check failed; nothing was written.
        """
        started = time.perf_counter()
        now = self._now_millis()
        now_slot = now // self.slot_duration()
        single = len(self.authorities(self.db.best_hash)) == 1
        result = import_block(
            self.runtime, self.db, block, current_slot=now_slot, now_millis=now, finalize=single
        )
        self.metrics.import_seconds.observe(time.perf_counter() - started)
        outcome = result.outcome
        header = block.header
        log.info(
            "✨ Imported #%d (0x%s)%s",
            int(header.number),
            bytes(header.hash()).hex(),
            "" if outcome.is_best else " (not best)",
        )
        if outcome.is_best:
            retracted = [(h, list(self.db.body(h) or ())) for h in outcome.route.retracted]
            self.pool.on_block_imported(
                header.hash(),
                list(block.extrinsics),
                is_best=True,
                retracted=retracted,
                number=int(header.number),
                parent=header.parent_hash,
            )
            self.metrics.block_height.labels("best").set(int(header.number))
        if single:
            self.pool.on_finalized(header.hash(), list(block.extrinsics))
        self.hub.publish_imported(header, best=outcome.is_best, finalized=single)
        if outcome.is_best:
            self._announce(header)
        gadget, loop = self.finality, self._loop
        if gadget is not None:
            if justification is not None:
                try:
                    gadget.import_justification(header.hash(), justification)
                except JustificationError as error:
                    raise BadJustification(f"invalid justification: {error}") from error
            if loop is not None:
                loop.call_soon_threadsafe(gadget.on_block_imported, header.hash())
        return result

    def finalize_block(self, block_hash: H256, justification: bytes) -> bool:
        """Finalize a block with its justification (on the import thread); False if not newer.

        When the block is not on the best chain, the best chain first moves to the highest
        leaf on top of it (the only chains that can still become final).
        """
        db = self.db
        header = db.header(block_hash)
        if header is None:
            raise NodeError(f"cannot finalize the unknown block 0x{bytes(block_hash).hex()}")
        number = int(header.number)
        previous = int(db.finalized_number)
        if number <= previous:
            return False
        if db.canonical_hash(number) != block_hash:
            leaf = self._highest_leaf_above(block_hash, number)
            route = db.set_best(leaf)
            log.info("♻️  Reorg to 0x%s to follow finality", bytes(leaf).hex())
            best = db.header(leaf)
            if best is not None:
                retracted = [(h, list(db.body(h) or ())) for h in route.retracted]
                self.pool.on_block_imported(
                    leaf,
                    list(db.body(leaf) or ()),
                    is_best=True,
                    retracted=retracted,
                    number=int(best.number),
                    parent=best.parent_hash,
                )
                self.hub.publish_imported(best, best=True, finalized=False)
        db.set_finalized(block_hash, (FINALITY_ENGINE_ID, justification))
        for height in range(previous + 1, number + 1):
            finalized = db.canonical_hash(height)
            if finalized is not None:
                self.pool.on_finalized(finalized, list(db.body(finalized) or ()))
        self.metrics.block_height.labels("finalized").set(number)
        self.hub.publish_finalized(header)
        log.debug("🔒 Finalized #%d (0x%s)", number, bytes(block_hash).hex())
        return True

    def _highest_leaf_above(self, block_hash: H256, number: int) -> H256:
        db = self.db
        best: tuple[int, H256] = (number, block_hash)
        for leaf in db.leaves():
            leaf_header = db.header(leaf)
            if leaf_header is None or int(leaf_header.number) <= best[0]:
                continue
            current, height = leaf, int(leaf_header.number)
            while height > number:
                parent = db.header(current)
                if parent is None:
                    break
                current, height = parent.parent_hash, height - 1
            if current == block_hash:
                best = (int(leaf_header.number), leaf)
        return best[1]

    def _announce(self, header: Header) -> None:
        """Announce a new best block to peers (from the import thread or the loop)."""
        sync, loop = self.sync, self._loop
        if sync is None or loop is None:
            return
        loop.call_soon_threadsafe(sync.announce, header)

    def _propagate_ready(self, tx_hash: H256) -> None:
        sync, loop = self.sync, self._loop
        transaction = self.pool.get(bytes(tx_hash))
        if sync is None or loop is None or transaction is None:
            return
        loop.call_soon_threadsafe(sync.propagate_transaction, bytes(transaction.extrinsic))

    def _count_rpc_call(self, method: str, failed: bool) -> None:
        self.metrics.rpc_calls.labels(method, str(failed).lower()).inc()

    # --- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the network, RPC, metrics, authoring and the informant."""
        loop = asyncio.get_running_loop()
        self._loop = loop
        if self._network_config is not None:
            voters = voter_set_at(self, self.db.finalized_hash)
            if len(voters.weights) > 1:
                self.finality = FinalityGadget(
                    self,
                    self._finality_key(),
                    step=float(self.config.extra.get("finality_step", 1.0)),
                )
            self.sync = ChainSync(
                NodeChain(self),
                on_finality_message=None if self.finality is None else self.finality.on_message,
            )
            self.network = NetworkService(self._network_config, self.sync)
            self.sync.attach(self.network)
            self._tasks.append(loop.create_task(self._run_p2p()))
            self.pool.on_ready(self._propagate_ready)
            await self.network.started()
        if self.config.rpc_port:
            module = node_rpc_module(self)
            module.observer = self._count_rpc_call
            self._rpc = RpcServer(
                module,
                host=self.config.rpc_host,
                port=self.config.rpc_port,
                limits=RpcLimits(max_connections=self.config.rpc_max_connections),
                policy=RpcPolicy.from_flags(self.config.rpc_methods, self.config.rpc_host),
                # As Substrate: a development chain accepts every origin (any local web app).
                cors=CorsPolicy.allow_all()
                if self._info.chain_type == "Development"
                else CorsPolicy.local(),
            )
            await self._rpc.start()
        if self.config.prometheus_port:
            self.metrics.serve(self.config.prometheus_port)
            log.info("〽️ Prometheus exporter started at 127.0.0.1:%d", self.config.prometheus_port)
        if self.keys and self.config.extra.get("authoring", True):
            self._tasks.append(loop.create_task(self._author_loop()))
        self._tasks.append(loop.create_task(self._informant()))

    async def stop(self) -> None:
        """Stop every task, the RPC server and the worker; close the database."""
        self._stopping.set()
        if self.network is not None:
            self.network.stop()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.network.stopped(), 5)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._rpc is not None:
            await self._rpc.stop()
        self._worker.shutdown(wait=True)
        self.db.close()

    async def _run_p2p(self) -> None:
        """The network service, the sync and the finality gadget, as one task group."""
        assert self.network is not None
        assert self.sync is not None
        async with asyncio.TaskGroup() as group:
            group.create_task(self.network.run())
            group.create_task(self.sync.run())
            if self.finality is not None:
                group.create_task(self.finality.run())

    def _now_millis(self) -> int:
        clock = self.config.extra.get("clock")
        return int(clock() if clock is not None else time.time() * 1000)

    async def _author_loop(self) -> None:
        loop = asyncio.get_running_loop()
        duration = self.slot_duration()
        last_slot = -1
        while not self._stopping.is_set():
            now = self._now_millis()
            slot = now // duration
            if slot <= last_slot:
                await asyncio.sleep(max((slot + 1) * duration - now, 1) / 1000)
                continue
            last_slot = slot
            if self.sync is not None and self.sync.is_major_syncing():
                continue  # as Substrate: no authoring on a chain we know is behind
            try:
                await loop.run_in_executor(self._worker, self.author_slot, slot)
            except Exception:
                log.exception("💔 Error while authoring the block of slot %d", slot)

    async def _informant(self) -> None:
        interval = 5.0
        last = (int(self.best_header().number), 0, 0)
        while not self._stopping.is_set():
            await asyncio.sleep(interval)
            line, last = self.informant_line(last, interval)
            log.info("%s", line)
            self._update_metrics()

    def informant_line(
        self, last: tuple[int, int, int], interval: float
    ) -> tuple[str, tuple[int, int, int]]:
        """The informant's line, Substrate's ``⚙️  Syncing`` or ``💤 Idle`` form.

        Args:
            last: Best number and bytes received and sent at the previous line.
            interval: Seconds since the previous line.

        Returns:
            The line, and the figures to pass as `last` next time.
        """
        best = self.best_header()
        finalized = self.db.header(self.db.finalized_hash) or best
        network = self.network
        peers = 0 if network is None else len(network.peers)
        total_in = 0 if network is None else network.bytes_in + _live_bytes(network, "in")
        total_out = 0 if network is None else network.bytes_out + _live_bytes(network, "out")
        last_best, last_in, last_out = last
        heads = (
            f"best: #{int(best.number)} ({_short(best.hash())}), "
            f"finalized #{int(finalized.number)} ({_short(finalized.hash())}), "
            f"⬇ {_rate(total_in - last_in, interval)} ⬆ {_rate(total_out - last_out, interval)}"
        )
        if self.sync is not None and self.sync.is_major_syncing():
            speed = (int(best.number) - last_best) * 10 // max(int(interval), 1)
            target = self.sync.state().highest_block
            line = (
                f"⚙️  Syncing {speed // 10}.{speed % 10} bps, target=#{target} ({peers} peers), "
                + heads
            )
        else:
            line = f"💤 Idle ({peers} peers), {heads}"
        return line, (int(best.number), total_in, total_out)

    def _update_metrics(self) -> None:
        network = self.network
        self.metrics.peers.set(0 if network is None else len(network.peers))
        if network is not None:
            self.metrics.banned_peers.set(len(network.peerset.banned()))
        if self.sync is not None:
            state = self.sync.state()
            self.metrics.block_height.labels("sync_target").set(state.highest_block)
            self.metrics.sync_is_major_syncing.set(int(self.sync.is_major_syncing()))
        status = self.pool.status()
        self.metrics.pool_ready.set(status.ready)
        self.metrics.pool_future.set(status.future)


_SESSION_KEY_SCHEMES: Final = {"aura": KeyType.SR25519, "gran": KeyType.ED25519}
"""The session key types this runtime uses, and their signature schemes."""


def _with_peer_id(address: Multiaddr) -> Multiaddr:
    if address.peer_id is None:
        raise AddressError(f"{address}: a reserved node needs its /p2p/<peer id>")
    return address


def _live_bytes(network: NetworkService, direction: str) -> int:
    attribute = "bytes_in" if direction == "in" else "bytes_out"
    return sum(int(getattr(p.connection, attribute, 0)) for p in network.peers.values())


def _rate(count: int, seconds: float) -> str:
    per_second = count / seconds
    if per_second >= 1024 * 1024:
        return f"{per_second / (1024 * 1024):.1f}MiB/s"
    return f"{per_second / 1024:.1f}kiB/s"


def _short(block_hash: H256) -> str:
    text = bytes(block_hash).hex()
    return f"0x{text[:4]}…{text[-4:]}"
