"""Training a shard across processes: ``torch.distributed`` under torch's own elastic launcher.

When one device cannot hold (or train fast enough) a round's shard, `train_distributed` runs the
trainer job as N ranks of one process group: torch's elastic launcher (the engine behind
``torchrun``: ``torch.distributed.launcher.api.elastic_launch``, standalone c10d rendezvous on
localhost) starts the N processes, each joins the group (gloo on CPU, NCCL on CUDA), wraps the
LoRA model in ``DistributedDataParallel`` and trains on its share of every step's batch
(`trainer.train_adapter` with ``distributed=True``); gradients are averaged, so every rank ends
with the same adapter, and rank 0's canonical file is the result.

Under the deterministic profile the allreduce's summation order is part of the arithmetic: all
replicas of a round must train with the same number of processes to be bit-identical.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import torch
import torch.distributed as dist
from torch.distributed.launcher.api import LaunchConfig, elastic_launch

from deepshard.offchain_workers.ml.adapters import load_version
from deepshard.offchain_workers.ml.errors import MLError
from deepshard.offchain_workers.ml.profile import RoundSpec
from deepshard.offchain_workers.ml.trainer import TrainedAdapter, train_adapter

__all__ = ["train_distributed"]


def _rank_main(
    base: Path, adapters: list[bytes], texts: list[str], spec: RoundSpec
) -> TrainedAdapter | None:
    """One rank: join the group, train its share, return the adapter on rank 0."""
    dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    try:
        rank = dist.get_rank()
        model, codec = load_version(base, adapters)
        if torch.cuda.is_available():  # one device per rank, as NCCL wants
            local = int(os.environ.get("LOCAL_RANK", "0"))
            torch.cuda.set_device(local)
            model.to(torch.device("cuda", local))
        result = train_adapter(model, codec, texts, spec, distributed=True)
    finally:
        dist.destroy_process_group()
    return result if rank == 0 else None


def train_distributed(
    base: Path, adapters: list[bytes], texts: list[str], spec: RoundSpec, nproc: int
) -> TrainedAdapter:
    """Train the round's adapter with `nproc` processes (module docs); return rank 0's.

    Raises:
        MLError: `nproc` below 1 or not dividing the batch size, or a rank failed.
    """
    if nproc < 1:
        raise MLError(f"--nproc must be at least 1, not {nproc}")
    if spec.profile.batch_size % nproc:
        raise MLError(f"batch size {spec.profile.batch_size} is not divisible by {nproc} processes")
    config = LaunchConfig(
        min_nodes=1,
        max_nodes=1,
        nproc_per_node=nproc,
        run_id=f"deepshard-train-{uuid.uuid4().hex[:12]}",
        rdzv_backend="c10d",
        rdzv_endpoint="localhost:0",
        max_restarts=0,
        monitor_interval=0.1,
        start_method="spawn",
    )
    try:
        results = elastic_launch(config, _rank_main)(base, adapters, texts, spec)
    except Exception as exc:  # the launcher raises ChildFailedError with each rank's error
        raise MLError(f"distributed training failed: {exc}") from None
    result = results.get(0)
    if not isinstance(result, TrainedAdapter):
        raise MLError("distributed training returned no adapter from rank 0")
    return result
