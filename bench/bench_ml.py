"""ML workers on this machine: base model bootstrap, trainer, scorer, curvature methods.

Run with ``python -m bench ml`` (needs the ``ml`` extra; skipped without torch). Figures:

* bootstrap: seconds to pretrain version 0 from scratch (default recipe, 1 thread);
* trainer: tokens/s and seconds per round under the pallet's default profile shape (100 steps
  x 8 sequences x 128 tokens, rank 8, shard of 2 layers), deterministic profile, CPU
  (and CUDA when present);
* trainer seconds per dev round: the dev chains' profile (20 steps x 4 x 128 tokens);
* scorer: probes/s (128-token held-out probes; loss of parent and candidate, Fast-DetectGPT),
  and the scorer job of a dev round (`score_adapters` on 4 adapters, the held-out probe set
  and 32 probe blocks of the batch: seconds, and held-out probes scored per second);
* Fast-DetectGPT against DetectGPT (span perturbations sampled from the parent, 20 copies)
  in seconds per probe at equal probe count, and their ratio.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.harness import Figure, print_figures

PROBES = 8
COPIES = 20


def main() -> None:
    """Print the figures (module docs)."""
    try:
        import torch  # noqa: PLC0415
    except ImportError:
        print("\n== ML workers: skipped (install the 'ml' extra)")
        return
    from deepshard.offchain_workers.ml.adapters import decode_adapter, merge_adapter  # noqa: PLC0415
    from deepshard.offchain_workers.ml.base_model import (  # noqa: PLC0415
        bootstrap,
        load_model,
        token_blocks,
    )
    from deepshard.offchain_workers.ml.corpus import bootstrap_corpus, split_held_out  # noqa: PLC0415
    from deepshard.offchain_workers.ml.curvature import detectgpt, fast_detectgpt  # noqa: PLC0415
    from deepshard.offchain_workers.ml.profile import RoundSpec, TrainingProfile  # noqa: PLC0415
    from deepshard.offchain_workers.ml.scorer import mean_loss, score_adapters  # noqa: PLC0415
    from deepshard.offchain_workers.ml.trainer import train_adapter  # noqa: PLC0415

    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        base = bootstrap(cache=Path(tmp))
        figures.append(
            Figure(
                "bootstrap version 0",
                time.perf_counter() - start,
                "s",
                "byte-level Llama, 4 layers x 128, 150 steps, 1 thread",
            )
        )
        train, held = split_held_out(bootstrap_corpus())
        devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
        blob = b""
        for device in devices:
            model, codec = load_model(base, torch.device(device))
            profile = TrainingProfile(steps=100, batch_size=8, learning_rate_e9=3_000_000)
            result = train_adapter(model, codec, train[:40], RoundSpec(bytes(32), (1, 3), profile))
            blob = blob or result.blob
            figures.append(
                Figure(
                    f"trainer tokens/s ({device})",
                    result.tokens / result.seconds,
                    "tok/s",
                    f"{result.tokens} tokens",
                )
            )
            figures.append(
                Figure(
                    f"trainer seconds per round ({device})",
                    result.seconds,
                    "s",
                    "100 steps x 8 x 128 tokens, rank 8, 2 layers",
                )
            )
        model, codec = load_model(base)
        dev = TrainingProfile(steps=20, batch_size=4, learning_rate_e9=2_000_000)
        dev_blobs = []
        for seed in range(4):
            spec = RoundSpec(bytes([seed]) * 32, (0, 2), dev)
            result = train_adapter(model, codec, train[10:34], spec)
            dev_blobs.append(result.blob)
        figures.append(
            Figure(
                "trainer seconds per dev round (cpu)",
                result.seconds,
                "s",
                f"{dev.steps} steps x {dev.batch_size} x 128 tokens, rank 8, 2 layers",
            )
        )
        parent, codec = load_model(base)
        candidate, _ = load_model(base)
        start = time.perf_counter()
        score_adapters(parent, candidate, codec, dev_blobs, held_out=held, probes=train[10:34])
        job = time.perf_counter() - start
        held_rows = token_blocks(codec, held, 128).shape[0]
        figures.append(
            Figure(
                "scorer job, dev round",
                job,
                "s",
                f"4 adapters x {held_rows} held-out probes + 32 batch probes, 1 process",
            )
        )
        figures.append(
            Figure(
                "scorer job probes/s",
                4 * held_rows / job,
                "probes/s",
                "held-out probes per second, every statistic included",
            )
        )
        candidate, _ = load_model(base)
        merge_adapter(candidate, decode_adapter(blob))
        probes = token_blocks(codec, held, 128)[:PROBES]
        start = time.perf_counter()
        mean_loss(parent, probes)
        mean_loss(candidate, probes)
        fast_detectgpt(parent, candidate, probes)
        scored = time.perf_counter() - start
        figures.append(
            Figure(
                "scorer probes/s",
                PROBES / scored,
                "probes/s",
                "parent+candidate loss and Fast-DetectGPT, 128 tokens each",
            )
        )
        start = time.perf_counter()
        fast_detectgpt(parent, candidate, probes)
        fast = (time.perf_counter() - start) / PROBES
        start = time.perf_counter()
        detectgpt(parent, candidate, probes, copies=COPIES)
        slow = (time.perf_counter() - start) / PROBES
        figures.append(Figure("Fast-DetectGPT per probe", fast * 1e3, "ms", "analytic, 2 passes"))
        figures.append(
            Figure(
                "DetectGPT per probe",
                slow * 1e3,
                "ms",
                f"{COPIES} span perturbations sampled from the parent",
            )
        )
        figures.append(Figure("DetectGPT / Fast-DetectGPT", slow / fast, "x", "aim >= 100"))
    print_figures("ML workers", figures)
