"""The seams between the node's parts: what the RPC layer reads, what the pool validates with.

The node service (`deepshard.client.node.service`) implements `NodeView`; the JSON-RPC methods
(`deepshard.client.rpc`) only talk to a `NodeView`, so they can be tested against any chain
and the service can change without touching them. Everything here is read-only or
thread-safe: RPC handlers run on the event loop while blocks are imported on a worker thread.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from deepshard.primitives.codec import H256
from deepshard.primitives.header import Header
from deepshard.primitives.transaction_validity import TransactionSource
from deepshard.primitives.version import RuntimeVersion

__all__ = [
    "ChainInfo",
    "StateReader",
    "BlockchainReader",
    "TransactionStatus",
    "TransactionWatcher",
    "PoolView",
    "NodeEvents",
    "NodeView",
    "Unsubscribe",
    "rpc_multiaddr",
]

Unsubscribe = Callable[[], None]
"""Cancels a subscription made through `NodeEvents`."""


def rpc_multiaddr(host: str, port: int) -> str:
    """The multiaddress of a WebSocket listener: ``/ip4/127.0.0.1/tcp/9944/ws``.

    IPv4 and IPv6 literals become ``/ip4`` and ``/ip6``; any other host name ``/dns``.
    """
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return f"/dns/{host}/tcp/{port}/ws"
    family = "ip4" if address.version == 4 else "ip6"
    return f"/{family}/{address}/tcp/{port}/ws"


@dataclass(frozen=True, slots=True)
class ChainInfo:
    """Static facts about the running chain and node."""

    chain_name: str
    """``system_chain`` (the chain spec's name, e.g. ``Development``)."""
    chain_type: str
    """``system_chainType`` (``Development``, ``Local``, ``Live``)."""
    node_name: str
    """``system_name`` (``Deepshard Node``)."""
    node_version: str
    """``system_version``."""
    properties: Mapping[str, Any] = field(default_factory=dict)
    """``system_properties`` (ss58Format, tokenDecimals, tokenSymbol)."""
    node_role: str = "Authority"
    """``system_nodeRoles`` entry: ``Full`` or ``Authority``."""
    local_peer_id: str = ""
    """``system_localPeerId``."""
    is_archive: bool = False
    """Whether every state is kept (``--archive``): the ``archive_v1_*`` methods are served."""


class StateReader(Protocol):
    """The state of one block, readable from any thread (a database snapshot)."""

    def get(self, key: bytes) -> bytes | None:
        """Return the value at `key`, or None."""
        ...

    def iter_keys(self, prefix: bytes, start_after: bytes | None = None) -> Iterator[bytes]:
        """Yield keys with `prefix`, ascending, strictly after `start_after` if given."""
        ...

    def read_proof(self, keys: list[bytes]) -> list[bytes]:
        """Return the trie nodes proving the values (or absence) of `keys` at this state."""
        ...


class BlockchainReader(Protocol):
    """The block database, as the RPC layer reads it."""

    @property
    def genesis_hash(self) -> H256:
        """Hash of block 0."""
        ...

    @property
    def best_hash(self) -> H256:
        """Hash of the best (head of the longest) chain."""
        ...

    @property
    def finalized_hash(self) -> H256:
        """Hash of the last finalized block."""
        ...

    def header(self, block_hash: H256) -> Header | None:
        """Return the header of a stored block, or None."""
        ...

    def body(self, block_hash: H256) -> tuple[bytes, ...] | None:
        """Return a stored block's extrinsics (full encodings), or None."""
        ...

    def justifications(self, block_hash: H256) -> list[tuple[bytes, bytes]] | None:
        """Return ``(engine id, justification)`` pairs of a finalized block, or None."""
        ...

    def canonical_hash(self, number: int) -> H256 | None:
        """Return the hash of the best chain's block at `number`, or None."""
        ...

    def children(self, block_hash: H256) -> list[H256]:
        """Return the stored children of a block (every fork), in a stable order."""
        ...

    def state_at(self, block_hash: H256) -> StateReader | None:
        """Return the state after block `block_hash`, or None if unknown or pruned."""
        ...


@dataclass(frozen=True, slots=True)
class TransactionStatus:
    """One status update of a watched transaction (Substrate's `TransactionStatus`).

    ``kind`` is one of ``future``, ``ready``, ``broadcast``, ``inBlock``, ``retracted``,
    ``finalityTimeout``, ``finalized``, ``usurped``, ``dropped``, ``invalid``; ``value`` is the
    block hash (inBlock, retracted, finalityTimeout, finalized), the peers (broadcast) or the
    usurping transaction's hash (usurped).
    """

    kind: str
    """The status name, in the serde camelCase Substrate uses."""
    value: Any = None
    """Its payload, if it has one."""

    @property
    def is_final(self) -> bool:
        """Whether no further update follows (finalized, usurped, dropped, invalid, timeout)."""
        return self.kind in ("finalized", "usurped", "dropped", "invalid", "finalityTimeout")

    def to_json(self) -> Any:
        """The JSON form of ``author_extrinsicUpdate`` notifications."""
        if self.value is None:
            return self.kind
        if isinstance(self.value, bytes):
            return {self.kind: "0x" + self.value.hex()}
        return {self.kind: self.value}


TransactionWatcher = Callable[[TransactionStatus], None]
"""Receives a watched transaction's status updates (called from any thread)."""


class PoolView(Protocol):
    """The transaction pool, as the RPC layer uses it."""

    def submit(self, extrinsic: bytes, source: TransactionSource) -> H256:
        """Validate and add a transaction; return its hash.

        Raises:
            TransactionRejected: the runtime found it invalid (JSON-RPC 1010 / 1011).
            PoolError: already imported (1013), temporarily banned (1012), priority too low
                (1014), or the pool is full.
        """
        ...

    def submit_and_watch(
        self, extrinsic: bytes, source: TransactionSource, watcher: TransactionWatcher
    ) -> tuple[H256, Unsubscribe]:
        """As `submit`, then report every status change to `watcher` until `is_final`."""
        ...

    def pending(self) -> list[bytes]:
        """Every transaction in the pool (ready first), full encodings."""
        ...

    def remove(self, hashes: list[H256]) -> list[H256]:
        """Remove transactions by hash (``author_removeExtrinsic``); return those removed."""
        ...


class NodeEvents(Protocol):
    """Subscriptions to what happens on the node; callbacks may come from any thread."""

    def on_new_best(self, callback: Callable[[Header], None]) -> Unsubscribe:
        """Call `callback` with each new best header."""
        ...

    def on_finalized(self, callback: Callable[[Header], None]) -> Unsubscribe:
        """Call `callback` with each newly finalized header."""
        ...

    def on_imported(self, callback: Callable[[Header], None]) -> Unsubscribe:
        """Call `callback` with every imported header, best or not (``chain_allHead``)."""
        ...


class NodeView(Protocol):
    """Everything the JSON-RPC methods need from a running node."""

    @property
    def info(self) -> ChainInfo:
        """Static chain and node facts."""
        ...

    @property
    def chain(self) -> BlockchainReader:
        """The block database."""
        ...

    @property
    def pool(self) -> PoolView:
        """The transaction pool."""
        ...

    @property
    def events(self) -> NodeEvents:
        """Block notifications."""
        ...

    def runtime_version(self, block_hash: H256) -> RuntimeVersion:
        """The runtime version at a block."""
        ...

    def metadata(self, block_hash: H256) -> bytes:
        """The encoded ``RuntimeMetadataPrefixed`` at a block."""
        ...

    def call_runtime(self, method: str, arguments: bytes, block_hash: H256) -> bytes:
        """Call a runtime API (``state_call``).

        Raises:
            ApiError: unknown method, undecodable arguments, or the runtime refused.
        """
        ...

    def peers(self) -> list[dict[str, Any]]:
        """``system_peers`` entries."""
        ...

    def sync_state(self) -> dict[str, int]:
        """``system_syncState``: startingBlock, currentBlock, highestBlock."""
        ...

    def is_syncing(self) -> bool:
        """Whether the node is catching up with the network."""
        ...

    def finality_round_state(self) -> dict[str, Any] | None:
        """``grandpa_roundState``, or None without a finality gadget."""
        ...

    def on_justification(self, callback: Callable[[bytes], None]) -> Unsubscribe:
        """Call `callback` with each new justification (SCALE)."""
        ...

    def rotate_keys(self) -> bytes:
        """Generate fresh session keys; return their public keys concatenated."""
        ...

    def insert_key(self, key_type: str, suri: str, public_key: bytes) -> None:
        """Store a session key.

        Raises:
            LookupError: an unknown key type.
            ValueError: `suri` does not derive `public_key`.
        """
        ...

    def has_key(self, public_key: bytes, key_type: str) -> bool:
        """Whether the keystore holds the key."""
        ...

    def listen_addresses(self) -> list[str]:
        """``system_localListenAddresses``: the multiaddresses the node listens on.

        With networking, the peer-to-peer addresses peers can dial (with ``/p2p/<peer id>``);
        without it, the JSON-RPC listener (``/ip4/<addr>/tcp/<port>/ws``).
        """
        ...
