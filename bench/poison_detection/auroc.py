"""AUROC (Mann-Whitney) with a Hanley-McNeil 95 % confidence interval."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["auroc", "auroc_ci"]


def auroc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """Return P(positive > negative) + ½ P(tie), over all pairs.

    Raises:
        ValueError: either side is empty.
    """
    if not positives or not negatives:
        raise ValueError("AUROC needs both classes")
    ranked = sorted([(v, 1) for v in positives] + [(v, 0) for v in negatives])
    # average ranks of ties, then the Mann-Whitney U of the positives
    rank_sum = 0.0
    i = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mean_rank = (i + 1 + j) / 2
        rank_sum += mean_rank * sum(1 for k in range(i, j) if ranked[k][1])
        i = j
    n1, n0 = len(positives), len(negatives)
    return (rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0)


def auroc_ci(positives: Sequence[float], negatives: Sequence[float]) -> tuple[float, float, float]:
    """Return (AUROC, low, high): the Hanley-McNeil (1982) normal 95 % interval, clipped."""
    a = auroc(positives, negatives)
    n1, n0 = len(positives), len(negatives)
    q1 = a / (2 - a)
    q2 = 2 * a * a / (1 + a)
    var = (a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n0 - 1) * (q2 - a * a)) / (n1 * n0)
    se = math.sqrt(max(var, 0.0))
    return a, max(0.0, a - 1.96 * se), min(1.0, a + 1.96 * se)
