"""Curvature statistics: Fast-DetectGPT (analytic) and the original DetectGPT (perturbations).

Fast-DetectGPT (Bao et al., arXiv 2310.05130), conditional probability curvature with a sampling
model q and a scoring model p, over the tokens ``x_j`` of a text:

    d(x) = (Σ_j log p(x_j|x_<j) - Σ_j μ_j) / sqrt(Σ_j σ²_j),
    μ_j  = Σ_v q(v|x_<j) log p(v|x_<j),
    σ²_j = Σ_v q(v|x_<j) (log p(v|x_<j))² - μ_j²,

the analytic mean and variance of the log-likelihood of tokens resampled from q, so one forward
pass of each model replaces the sampling. Here q is the parent version and p the candidate.

DetectGPT (Mitchell et al., arXiv 2301.11305): perturb the text, and compare its
log-likelihood under p with the perturbed texts' log-likelihoods, normalised by their standard
deviation. Without a mask-filling model from the hub, a perturbation replaces random spans of
tokens with tokens sampled from the parent given the text to their left.
"""

from __future__ import annotations

import torch
from transformers import PreTrainedModel

from deepshard.offchain_workers.ml.runtime import no_grad

__all__ = ["token_logprobs", "fast_detectgpt", "detectgpt", "perturb_spans"]


def token_logprobs(model: PreTrainedModel, ids: torch.Tensor) -> torch.Tensor:
    """Return the log-softmax of `model`'s next-token logits for rows of `ids`, (B, T-1, V)."""
    logits = model(input_ids=ids).logits[:, :-1, :].float()
    return torch.log_softmax(logits, dim=-1)


@no_grad
def fast_detectgpt(
    sampling: PreTrainedModel, scoring: PreTrainedModel, ids: torch.Tensor
) -> torch.Tensor:
    """Return the analytic conditional curvature of each row of `ids` (module docs), shape (B,)."""
    lp_score = token_logprobs(scoring, ids)
    q = torch.softmax(sampling(input_ids=ids).logits[:, :-1, :].float(), dim=-1)
    labels = ids[:, 1:].unsqueeze(-1)
    loglik = lp_score.gather(-1, labels).squeeze(-1).sum(-1)
    mean = (q * lp_score).sum(-1)
    var = (q * lp_score.square()).sum(-1) - mean.square()
    return (loglik - mean.sum(-1)) / var.sum(-1).clamp_min(1e-12).sqrt()


@no_grad
def perturb_spans(
    sampling: PreTrainedModel,
    ids: torch.Tensor,
    *,
    copies: int,
    span: int,
    fraction: float,
    generator: torch.Generator,
) -> torch.Tensor:
    """Return `copies` perturbations of each row of `ids`, shape (B·copies, T).

    About `fraction` of the tokens (after the first) are replaced, in spans of `span` tokens at
    random places; each replaced token is sampled from `sampling` given the perturbed text to
    its left (so spans read as the parent would have continued them).
    """
    rows = ids.repeat_interleave(copies, dim=0).clone()
    b, t = rows.shape
    spans = max(1, round(fraction * (t - 1) / span))
    starts = torch.randint(1, max(2, t - span + 1), (b, spans), generator=generator)
    mask = torch.zeros(b, t, dtype=torch.bool)
    for k in range(span):
        mask.scatter_(1, (starts + k).clamp_max(t - 1), True)
    for pos in range(1, t):
        need = mask[:, pos]
        if not bool(need.any()):
            continue
        logits = sampling(input_ids=rows[need, :pos]).logits[:, -1, :].float()
        probs = torch.softmax(logits, dim=-1).cpu()
        rows[need, pos] = (
            torch.multinomial(probs, 1, generator=generator).squeeze(-1).to(rows.device)
        )
    return rows


@no_grad
def detectgpt(
    sampling: PreTrainedModel,
    scoring: PreTrainedModel,
    ids: torch.Tensor,
    *,
    copies: int = 10,
    span: int = 4,
    fraction: float = 0.15,
    seed: int = 0,
) -> torch.Tensor:
    """Return the normalised perturbation discrepancy of each row of `ids`, shape (B,)."""
    gen = torch.Generator().manual_seed(seed)
    perturbed = perturb_spans(
        sampling, ids, copies=copies, span=span, fraction=fraction, generator=gen
    )

    def loglik(x: torch.Tensor) -> torch.Tensor:
        return token_logprobs(scoring, x).gather(-1, x[:, 1:].unsqueeze(-1)).squeeze(-1).sum(-1)

    original = loglik(ids)
    others = loglik(perturbed).view(ids.shape[0], copies)
    return (original - others.mean(-1)) / others.std(-1).clamp_min(1e-6)
