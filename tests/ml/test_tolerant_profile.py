"""Honest replicas trained with different thread counts: the chain's tolerant rule flags none.

Uses the Training pallet's own aggregation (``deepshard.pallets.training.logic``) with the
runtime's own statistics layout and tolerant-profile settings (MAD factor, quorum, least
improvement).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("peft")

from deepshard.pallets.training import logic
from deepshard.runtime.configs import TRAINING


def test_thread_noise_flags_no_honest_replica(
    base_dir: Path, honest_texts: list[str], held_out_texts: list[str]
) -> None:
    """Four honest replicas, two on 1 thread and two on 2 threads (tolerant profile), scored
    by the scorer and aggregated by the pallet's rule: all accepted, none an outlier."""
    import torch  # noqa: PLC0415

    from deepshard.offchain_workers.ml.base_model import load_model  # noqa: PLC0415
    from deepshard.offchain_workers.ml.canonical import sha256_hex  # noqa: PLC0415
    from deepshard.offchain_workers.ml.profile import (  # noqa: PLC0415
        ProfileMode,
        RoundSpec,
        TrainingProfile,
    )
    from deepshard.offchain_workers.ml.scorer import score_adapters  # noqa: PLC0415
    from deepshard.offchain_workers.ml.trainer import train_adapter  # noqa: PLC0415

    model, codec = load_model(base_dir)
    work, _ = load_model(base_dir)
    blobs = []
    before = torch.get_num_threads()
    try:
        for threads in (1, 2, 1, 2):
            torch.set_num_threads(threads)
            profile = TrainingProfile(
                mode=ProfileMode.TOLERANT, steps=10, batch_size=4, learning_rate_e9=3_000_000
            )
            spec = RoundSpec(b"\x07" * 32, (1, 3), profile)
            blobs.append(train_adapter(model, codec, honest_texts, spec).blob)
    finally:
        torch.set_num_threads(before)
    rows = [
        s.quantised()
        for s in score_adapters(
            model, work, codec, blobs, held_out=held_out_texts, probes=honest_texts[:4]
        )
    ]
    adapters = [
        logic.Adapter(trainer=bytes([i]) * 32, sha256=bytes.fromhex(sha256_hex(b)), bond=100)
        for i, b in enumerate(blobs)
    ]
    result = logic.compute_round_result(
        adapters,
        400,
        [(100, rows)],
        [logic.Statistic(bool(s.higher_is_better), int(s.floor)) for s in TRAINING.statistics],
        logic.ProfileMode.Tolerant,
        improvement_index=int(TRAINING.improvement_statistic),
        loss_index=int(TRAINING.loss_statistic),
        min_improvement=int(TRAINING.min_improvement),
        mad_factor=int(TRAINING.mad_factor),
        quorum=int(TRAINING.tolerant_quorum),
    )
    assert result.outliers == []
    assert result.accepted == [0, 1, 2, 3]
