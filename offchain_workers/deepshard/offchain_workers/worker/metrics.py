"""Prometheus metrics of a worker, in their own registry (several workers per test process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server

__all__ = ["WorkerMetrics"]


class WorkerMetrics:
    """What a worker exposes on ``--prometheus-port``."""

    def __init__(self, role: str) -> None:
        self.registry = CollectorRegistry()
        labels = {"role": role}
        self.finalized = Gauge(
            "deepshard_worker_finalized_block_number",
            "Last finalized block the worker processed",
            ["role"],
            registry=self.registry,
        ).labels(**labels)
        self.submitted = Counter(
            "deepshard_worker_extrinsics",
            "Extrinsics the worker submitted, by outcome",
            ["role", "outcome"],
            registry=self.registry,
        )
        self.reconnects = Counter(
            "deepshard_worker_reconnects",
            "Connections to the node lost and retried",
            ["role"],
            registry=self.registry,
        ).labels(**labels)
        self.jobs = Counter(
            "deepshard_worker_jobs",
            "Jobs run, by kind and result",
            ["role", "kind", "result"],
            registry=self.registry,
        )
        self.role = role

    def serve(self, port: int, host: str = "127.0.0.1") -> None:
        """Expose the metrics over HTTP."""
        start_http_server(port, addr=host, registry=self.registry)
