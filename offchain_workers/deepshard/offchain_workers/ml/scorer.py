"""The scorer job: the Training pallet's statistics for every revealed adapter, quantised.

For each candidate (the parent version with one revealed adapter merged) and the layout the
runtime declares (``heldout_loss``, ``heldout_improvement``, ``probe_loglik``, ``curvature``,
``weight_distance``):

* held-out loss: mean next-token cross-entropy (nats) on the round's held-out probe set;
* its improvement: the parent's held-out loss minus the candidate's;
* probe log-likelihood: mean per-token log-likelihood on probes drawn from the batch (at most
  `MAX_PROBE_BLOCKS` blocks, evenly spaced through it, the same for every scorer);
* curvature: mean Fast-DetectGPT curvature of the held-out probes, the parent as sampling model
  and the candidate as scoring model (`curvature.fast_detectgpt`), or with ``detectgpt=True``
  the perturbation discrepancy (`curvature.detectgpt`) instead;
* weight distance: the median Frobenius distance of the adapter's weight updates to the other
  revealed adapters' (0 when it is alone).

Each value is quantised to an ``i64`` x10^6 (rounded half to even, saturated). The held-out
loss and the curvature come from one pass over the held-out blocks (the candidate's and the
parent's next-token distributions, row batch by row batch), so scoring an adapter costs two
forward passes over the probe set and one over the probes.
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
from deepshard.offchain_workers.ml.curvature import detectgpt, token_logprobs
from deepshard.offchain_workers.ml.errors import MLError
from deepshard.offchain_workers.ml.runtime import no_grad

__all__ = [
    "STATISTICS",
    "MAX_PROBE_BLOCKS",
    "ScoreSet",
    "quantise",
    "mean_loss",
    "held_out_pass",
    "parent_distributions",
    "probe_rows",
    "weight_distances",
    "score_adapters",
]

STATISTICS = ("heldout_loss", "heldout_improvement", "probe_loglik", "curvature", "weight_distance")
"""The score vector's layout (the Training pallet's ``DEFAULT_STATISTICS``, in order)."""
_I64 = 2**63 - 1
MAX_PROBE_BLOCKS = 32
"""The most blocks of the batch the probe log-likelihood is measured on."""
_CACHE_FLOATS = 64 * 2**20
"""The most floats of parent distributions kept across adapters (256 MiB)."""


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


@no_grad
def parent_distributions(
    parent: PreTrainedModel, blocks: torch.Tensor, batch: int = 16
) -> list[torch.Tensor]:
    """Return the parent's next-token distributions over `blocks`, one tensor per row batch."""
    return [
        torch.softmax(parent(input_ids=blocks[i : i + batch]).logits[:, :-1, :].float(), dim=-1)
        for i in range(0, blocks.shape[0], batch)
    ]


@no_grad
def held_out_pass(
    parent: PreTrainedModel,
    candidate: PreTrainedModel,
    blocks: torch.Tensor,
    batch: int = 16,
    parent_probs: list[torch.Tensor] | None = None,
) -> tuple[float, torch.Tensor]:
    """Return the candidate's mean held-out loss and each row's Fast-DetectGPT curvature.

    One forward pass of the candidate per row batch gives the loss (as `mean_loss` computes
    it) and, with the parent as sampling model, the analytic curvature
    (`curvature.fast_detectgpt`); the parent's distributions are computed here too unless
    `parent_probs` (`parent_distributions` of the same blocks and batch) holds them.
    """
    total = 0.0
    count = 0
    curvatures = []
    for n, i in enumerate(range(0, blocks.shape[0], batch)):
        rows = blocks[i : i + batch]
        lp = token_logprobs(candidate, rows)
        labels = rows[:, 1:]
        total += float(
            torch.nn.functional.nll_loss(
                lp.reshape(-1, lp.shape[-1]), labels.reshape(-1), reduction="sum"
            )
        )
        count += labels.numel()
        q = (
            parent_probs[n]
            if parent_probs is not None
            else torch.softmax(parent(input_ids=rows).logits[:, :-1, :].float(), dim=-1)
        )
        loglik = lp.gather(-1, labels.unsqueeze(-1)).squeeze(-1).sum(-1)
        mean = (q * lp).sum(-1)
        var = (q * lp.square()).sum(-1) - mean.square()
        curvatures.append((loglik - mean.sum(-1)) / var.sum(-1).clamp_min(1e-12).sqrt())
    return total / count, torch.cat(curvatures)


def probe_rows(blocks: torch.Tensor, most: int = MAX_PROBE_BLOCKS) -> torch.Tensor:
    """Return at most `most` rows of `blocks`, evenly spaced (all of them if fewer)."""
    n = blocks.shape[0]
    if n <= most:
        return blocks
    return blocks[[i * n // most for i in range(most)]]


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
    probe = probe_rows(token_blocks(codec, probes, block_size)).to(device)
    decoded = [decode_adapter(b) for b in adapters]
    parent_loss = mean_loss(parent, held)
    # The parent's distributions serve every adapter when they fit in memory (a byte-level
    # vocabulary: a few MB); with a large vocabulary each adapter recomputes them.
    small = held.numel() * int(getattr(parent.config, "vocab_size", 0) or 0) <= _CACHE_FLOATS
    probs = parent_distributions(parent, held) if small and not use_detectgpt else None
    distances = weight_distances(decoded)
    original = {k: v.clone() for k, v in parent.state_dict().items()}
    out = []
    for adapter, distance in zip(decoded, distances, strict=True):
        candidate.load_state_dict(original)
        merge_adapter(candidate, adapter)
        loss, curv = held_out_pass(parent, candidate, held, parent_probs=probs)
        if use_detectgpt:
            curv = detectgpt(parent, candidate, held)
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
