"""The node's configuration, resolved from the command line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["NodeConfig", "P2pOptions", "RpcMethodsPolicy"]

RpcMethodsPolicy = str
"""``auto`` (unsafe methods only on a local interface), ``safe`` or ``unsafe``."""


@dataclass(frozen=True, slots=True)
class P2pOptions:
    """Peer-to-peer options, as on the command line (multiaddrs in text form)."""

    listen: tuple[str, ...] = ("/ip4/0.0.0.0/tcp/30333",)
    """``--listen-addr`` (``--port`` sets the port of the default one)."""
    public: tuple[str, ...] = ()
    """``--public-addr``."""
    bootnodes: tuple[str, ...] = ()
    """``--bootnodes``."""
    reserved: tuple[str, ...] = ()
    """``--reserved-nodes``."""
    reserved_only: bool = False
    """``--reserved-only``."""
    in_peers: int = 32
    """``--in-peers``."""
    out_peers: int = 8
    """``--out-peers``."""
    node_key: str | None = None
    """``--node-key`` (64 hex digits)."""
    node_key_file: Path | None = None
    """``--node-key-file`` (default: ``<chain>/network/secret_ed25519``, created if absent)."""


@dataclass(frozen=True, slots=True)
class NodeConfig:
    """Everything `NodeService` needs to start."""

    chain_spec: dict[str, Any]
    """The raw chain spec (``genesis.raw``)."""
    base_path: Path
    """Where the chain's database and keystore live (``<base>/chains/<id>/``)."""
    name: str = "deepshard-node"
    """Human-readable node name."""
    validator: bool = False
    """Whether to author blocks with the keystore's (or the dev) Aura key."""
    dev_key: str | None = None
    """A dev account whose Aura key to use (``Alice`` for ``--alice`` / ``--dev``)."""
    rpc_host: str = "127.0.0.1"
    """Interface of the JSON-RPC server (``--rpc-external``: all interfaces)."""
    rpc_port: int = 9944
    """Port of the JSON-RPC server (0: none)."""
    rpc_methods: RpcMethodsPolicy = "auto"
    """Which JSON-RPC methods are exposed."""
    rpc_max_connections: int = 100
    """Most concurrent JSON-RPC connections."""
    prometheus_port: int | None = None
    """Port of the Prometheus exporter (None: off)."""
    archive: bool = False
    """Keep every state (no pruning)."""
    state_pruning: int = 256
    """Finalized states kept when not archiving."""
    version: str = "0.1.0"
    """The node's version string."""
    p2p: P2pOptions | None = None
    """Peer-to-peer networking (None: a lone node, as ``--dev`` runs by default)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Options for tests and tools (e.g. a fixed clock)."""

    @property
    def chain_id(self) -> str:
        """The chain spec's id."""
        return str(self.chain_spec.get("id", "unknown"))

    @property
    def chain_path(self) -> Path:
        """``<base>/chains/<chain id>``."""
        return self.base_path / "chains" / self.chain_id

    @property
    def database_path(self) -> Path:
        """Where the LMDB database lives."""
        return self.chain_path / "db"

    @property
    def keystore_path(self) -> Path:
        """Where session keys live."""
        return self.chain_path / "keystore"

    @property
    def node_key_path(self) -> Path:
        """Where the generated node key is kept (Substrate's place for it)."""
        return self.chain_path / "network" / "secret_ed25519"
