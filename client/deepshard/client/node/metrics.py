"""Prometheus metrics of the node, named like a Substrate node's where one exists."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

__all__ = ["NodeMetrics"]


class NodeMetrics:
    """The node's metrics, in their own registry (so several nodes can run in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.block_height = Gauge(
            "substrate_block_height",
            "Block height info of the chain",
            ["status"],
            registry=self.registry,
        )
        self.import_seconds = Histogram(
            "substrate_block_import_seconds",
            "Time taken to verify, execute and commit a block",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.proposer_seconds = Histogram(
            "substrate_proposer_block_constructed",
            "Time taken to build a block",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.pool_ready = Gauge(
            "substrate_ready_transactions_number",
            "Number of transactions in the ready queue",
            registry=self.registry,
        )
        self.pool_future = Gauge(
            "substrate_future_transactions_number",
            "Number of transactions in the future queue",
            registry=self.registry,
        )
        self.rpc_calls = Counter(
            "substrate_rpc_calls_total",
            "Number of JSON-RPC calls",
            ["method", "is_error"],
            registry=self.registry,
        )

        self.peers = Gauge(
            "substrate_sub_libp2p_peers_count",
            "Number of connected peers",
            registry=self.registry,
        )
        self.sync_is_major_syncing = Gauge(
            "substrate_sub_libp2p_is_major_syncing",
            "Whether the node is far behind the best peer (1) or not (0)",
            registry=self.registry,
        )
        self.sync_imported_blocks = Counter(
            "substrate_sync_imported_blocks",
            "Blocks imported from peers",
            registry=self.registry,
        )
        self.banned_peers = Gauge(
            "substrate_sub_libp2p_banned_peers",
            "Peers serving a ban",
            registry=self.registry,
        )

    def serve(self, port: int, host: str = "127.0.0.1") -> None:
        """Expose the metrics at ``http://host:port/metrics`` (a background thread)."""
        start_http_server(port, addr=host, registry=self.registry)
