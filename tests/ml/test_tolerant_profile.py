"""Honest replicas trained with different thread counts: the chain's tolerant rule flags none.

Uses the Training pallet's own aggregation (``deepshard.pallets.training.logic``); before that
pallet is merged, ``DEEPSHARD_TRAINING_LOGIC=/path/to/training/logic.py`` points at a copy, and
without either the test skips.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")
pytest.importorskip("peft")


def _logic() -> Any:
    try:
        return importlib.import_module("deepshard.pallets.training.logic")
    except ImportError:
        path = os.environ.get("DEEPSHARD_TRAINING_LOGIC")
        if not path:
            return None
        spec = importlib.util.spec_from_file_location("training_logic_under_test", path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module


LOGIC = _logic()
pytestmark = pytest.mark.skipif(LOGIC is None, reason="the Training pallet is not installed")
LAYOUT = ((False, 10_000), (True, 10_000), (True, 20_000), (True, 50_000), (False, 50_000))


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

    logic = LOGIC
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
        [logic.Statistic(higher_is_better=h, floor=f) for h, f in LAYOUT],
        logic.ProfileMode.Tolerant,
        improvement_index=1,
        loss_index=0,
        min_improvement=1_000,
        mad_factor=3_000,
        quorum=3,
    )
    assert result.outliers == []
    assert result.accepted == [0, 1, 2, 3]
