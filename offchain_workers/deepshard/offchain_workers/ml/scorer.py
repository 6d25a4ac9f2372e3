"""The scorer job: the Training pallet's statistics for every revealed adapter, quantised.

For each candidate (the parent version with one revealed adapter merged) and the layout the
runtime declares (``heldout_loss``, ``heldout_improvement``, ``probe_loglik``, ``curvature``,
``weight_distance``):

* held-out loss: mean next-token cross-entropy (nats) on the round's held-out probe set;
* its improvement: the parent's held-out loss minus the candidate's;
* probe log-likelihood: mean per-token log-likelihood on probes drawn from the batch;
* curvature: mean Fast-DetectGPT curvature of the held-out probes, the parent as sampling model
  and the candidate as scoring model (`curvature.fast_detectgpt`), or with ``detectgpt=True``
  the perturbation discrepancy (`curvature.detectgpt`) instead;
* weight distance: the median Frobenius distance of the adapter's weight updates to the other
  revealed adapters' (0 when it is alone).

Each value is quantised to an ``i64`` x10^6 (rounded half to even, saturated).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from transformers import PreTrainedModel

from deepshard.offchain_workers.ml.adapters import LoraAdapter, decode_adapter, merge_adapter
from deepshard.offchain_workers.ml.base_model import token_blocks
from deepshard.offchain_workers.ml.codec import TextCodec
from deepshard.offchain_workers.ml.curvature import detectgpt, fast_detectgpt
from deepshard.offchain_workers.ml.errors import MLError
from deepshard.offchain_workers.ml.runtime import no_grad

__all__ = ["STATISTICS", "ScoreSet", "quantise", "mean_loss", "weight_distances", "score_adapters"]

STATISTICS = ("heldout_loss", "heldout_improvement", "probe_loglik", "curvature", "weight_distance")
"""The score vector's layout (the Training pallet's ``DEFAULT_STATISTICS``, in order)."""
_I64 = 2**63 - 1


@dataclass(frozen=True, slots=True)
class ScoreSet:
    """One adapter's statistics as floats and as the quantised vector submitted on chain."""

    values: dict[str, float]
    """Statistic name -> value."""

    def quantised(self, layout: Sequence[str] = STATISTICS) -> list[int]:
        """Return the i64 x10^6 vector in `layout`'s order."""
        return [quantise(self.values[name]) for name in layout]


def quantise(x: float) -> int:
    """Return ``round(x · 10^6)`` saturated to the i64 range (NaN is refused).

    Raises:
        MLError: `x` is NaN.
    """
    if math.isnan(x):
        raise MLError("a statistic is NaN")
    if x == float("inf") or x * 1e6 >= _I64:
        return _I64
    if x == float("-inf") or x * 1e6 <= -_I64 - 1:
        return -_I64 - 1
    return round(x * 1_000_000)


@no_grad
def mean_loss(model: PreTrainedModel, blocks: torch.Tensor, batch: int = 16) -> float:
    """Return the mean next-token cross-entropy (nats) of `model` over rows of `blocks`."""
    total = 0.0
    count = 0
    for i in range(0, blocks.shape[0], batch):
        rows = blocks[i : i + batch]
        logits = model(input_ids=rows).logits[:, :-1, :].float()
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), rows[:, 1:].reshape(-1), reduction="sum"
        )
        total += float(loss)
        count += rows[:, 1:].numel()
    return total / count


def weight_distances(adapters: Sequence[LoraAdapter]) -> list[float]:
    """Return, per adapter, the median Frobenius distance of its updates to the others'."""
    deltas = [a.deltas() for a in adapters]

    def distance(x: dict[str, torch.Tensor], y: dict[str, torch.Tensor]) -> float:
        total = 0.0
        for key in sorted(set(x) | set(y)):
            a, b = x.get(key), y.get(key)
            diff = a if b is None else (b.neg() if a is None else a - b)
            assert diff is not None
            total += float(diff.double().square().sum())
        return math.sqrt(total)

    out = []
    for i, d in enumerate(deltas):
        others = [distance(d, e) for j, e in enumerate(deltas) if j != i]
        out.append(statistics.median(others) if others else 0.0)
    return out


def score_adapters(
    parent: PreTrainedModel,
    candidate: PreTrainedModel,
    codec: TextCodec,
    adapters: Sequence[bytes],
    *,
    held_out: list[str],
    probes: list[str],
    block_size: int = 128,
    use_detectgpt: bool = False,
) -> list[ScoreSet]:
    """Return the statistics of each adapter file in `adapters` (module docs).

    `candidate` is a second copy of the parent's weights that this function overwrites, one
    adapter at a time (so two models, not one per adapter, live in memory).

    Raises:
        AdapterFormatError: an adapter does not decode or does not fit the model.
        MLError: no held-out or probe text.
    """
    if not held_out or not probes:
        raise MLError("scoring needs held-out texts and probes")
    device = next(parent.parameters()).device
    held = token_blocks(codec, held_out, block_size).to(device)
    probe = token_blocks(codec, probes, block_size).to(device)
    decoded = [decode_adapter(b) for b in adapters]
    parent_loss = mean_loss(parent, held)
    distances = weight_distances(decoded)
    original = {k: v.clone() for k, v in parent.state_dict().items()}
    out = []
    for adapter, distance in zip(decoded, distances, strict=True):
        candidate.load_state_dict(original)
        merge_adapter(candidate, adapter)
        loss = mean_loss(candidate, held)
        curv = (detectgpt if use_detectgpt else fast_detectgpt)(parent, candidate, held)
        out.append(
            ScoreSet(
                {
                    "heldout_loss": loss,
                    "heldout_improvement": parent_loss - loss,
                    "probe_loglik": -mean_loss(candidate, probe),
                    "curvature": float(curv.mean()),
                    "weight_distance": distance,
                }
            )
        )
    return out
