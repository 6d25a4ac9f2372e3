"""A shard trained by two processes under torch's elastic launcher (DDP, gloo on CPU).

``deepshard ml train --nproc 2`` starts two ranks through ``torch.distributed``'s elastic launcher
(what ``torchrun`` runs); each trains on its half of every step's batch and DDP averages the
gradients. The adapter it writes lowers the loss on the batch, and it is the adapter one process
trains on the whole batch, up to the rounding of the gradients' allreduce.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

from deepshard.offchain_workers.ml.adapters import decode_adapter, load_version  # noqa: E402
from deepshard.offchain_workers.ml.base_model import token_blocks  # noqa: E402
from deepshard.offchain_workers.ml.scorer import mean_loss  # noqa: E402

pytestmark = pytest.mark.slow

SEED = "33" * 32
ARGS = ["--steps", "12", "--batch-size", "4", "--learning-rate-e9", "3000000", "--layers", "0:2"]


def _train(cache: Path, batch: Path, out: Path, *extra: str) -> dict[str, object]:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "deepshard.client.cli",
            "ml",
            "train",
            "--batch",
            str(batch),
            "--seed",
            SEED,
            "-o",
            str(out),
            *ARGS,
            *extra,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "DEEPSHARD_MODEL_CACHE": str(cache)},
        check=False,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    result: dict[str, object] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def test_two_process_ddp_trains_the_adapter(
    tmp_path: Path,
    model_cache: Path,
    base_dir: Path,
    honest_texts: list[str],
    write_jsonl: Callable[[Path, list[str]], Path],
) -> None:
    batch = write_jsonl(tmp_path / "batch.jsonl", honest_texts)
    ddp = _train(model_cache, batch, tmp_path / "ddp.safetensors", "--nproc", "2")
    single = _train(model_cache, batch, tmp_path / "one.safetensors")
    blob = (tmp_path / "ddp.safetensors").read_bytes()
    assert ddp["tokens"] == single["tokens"] == 12 * 4 * 128
    # It lowers the loss on the batch it trained on.
    blocks = token_blocks(load_version(base_dir, [])[1], honest_texts, 128)[:16]
    before = mean_loss(load_version(base_dir, [])[0], blocks)
    after = mean_loss(load_version(base_dir, [blob])[0], blocks)
    assert after < before - 0.01
    # Averaged half-batch gradients are the whole batch's: the same adapter, up to rounding.
    ddp_deltas = decode_adapter(blob).deltas()
    one_deltas = decode_adapter((tmp_path / "one.safetensors").read_bytes()).deltas()
    assert set(ddp_deltas) == set(one_deltas)
    for name, delta in ddp_deltas.items():
        assert torch.allclose(delta, one_deltas[name], rtol=1e-3, atol=1e-5), name


def test_a_batch_the_processes_cannot_split_is_refused(
    tmp_path: Path,
    model_cache: Path,
    base_dir: Path,
    write_jsonl: Callable[[Path, list[str]], Path],
) -> None:
    batch = write_jsonl(tmp_path / "batch.jsonl", ["some text to train on"] * 4)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "deepshard.client.cli",
            "ml",
            "train",
            "--batch",
            str(batch),
            "--seed",
            SEED,
            "-o",
            str(tmp_path / "x.safetensors"),
            "--steps",
            "1",
            "--batch-size",
            "3",
            "--layers",
            "0:2",
            "--nproc",
            "2",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "DEEPSHARD_MODEL_CACHE": str(model_cache)},
        check=False,
    )
    assert run.returncode != 0
    assert "not divisible by 2" in run.stderr
