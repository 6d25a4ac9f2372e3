"""The poison-detection benchmark's poisoner trains on its poison (f counts trained chunks).

Checked against training itself: replacing a chunk the benchmark counts as trained changes the
adapter's bytes, replacing one it counts as untrained leaves them bit-identical.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")
pytest.importorskip("peft")


@pytest.fixture(scope="module")
def lab(base_dir: Path, model_cache: Path) -> Any:
    """A quick-grid lab whose base model comes from the session's cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(Path(__file__).resolve().parents[2]))  # bench/ is no package
        patch.setenv("DEEPSHARD_MODEL_CACHE", str(model_cache))
        from bench.poison_detection.experiment import Lab  # noqa: PLC0415

        return Lab(steps=8)


@pytest.mark.parametrize("noise", ["none", "data_order"])
def test_fraction_counts_trained_chunks(lab: Any, noise: str) -> None:
    batch = lab.batch(0)
    trained = lab.trained_chunks(0, noise, 4)
    assert 0 < len(trained) < len(batch)  # quick grid: half the blocks are trained on
    for fraction, expected in ((0.0, 0), (1 / 64, 1), (1 / 2, round(len(trained) / 2))):
        texts, k, total = lab.poisoned(0, "random_bytes", fraction, noise, 4)
        changed = [i for i, (a, b) in enumerate(zip(texts, batch, strict=True)) if a != b]
        assert (k, total) == (expected, len(trained))
        assert len(changed) == k
        assert set(changed) <= set(trained)


@pytest.mark.parametrize("noise", ["none", "data_order"])
def test_poison_in_a_trained_chunk_changes_the_adapter(lab: Any, noise: str) -> None:
    batch = lab.batch(0)
    honest = lab.adapter(0, noise, batch, 4).sha256
    texts, _, _ = lab.poisoned(0, "random_bytes", 1 / 64, noise, 4)
    assert lab.adapter(0, noise, texts, 4).sha256 != honest
    untrained = next(i for i in range(len(batch)) if not _touched(lab, batch, noise, i))
    elsewhere = list(batch)
    elsewhere[untrained] = "x" * len(batch[untrained])
    assert lab.adapter(0, noise, elsewhere, 4).sha256 == honest


def _touched(lab: Any, batch: list[str], noise: str, chunk: int) -> bool:
    """Whether any token of `chunk` (or its end-of-text) lies in a block replica 4 trains on."""
    from deepshard.offchain_workers.ml.profile import data_order  # noqa: PLC0415

    p = lab.profile()
    owner = [i for i, t in enumerate(batch) for _ in range(len(lab.codec.encode(t)) + 1)]
    seed = lab.order_seed(0, noise, 4) or lab._round_seed(0)
    rows = set(data_order(seed, len(owner) // p.block_size, p.steps * p.batch_size))
    return any(owner[r * p.block_size + j] == chunk for r in rows for j in range(p.block_size))
