"""The chain's own aggregation, plugged in: which revealed adapters a round slashes.

`load_aggregation` returns a function ``(rows, sha256s, tolerant) -> outlier indices`` built on
the Training pallet's pure rules, ``deepshard.pallets.training.logic.compute_round_result``,
with the runtime's default statistics layout, MAD factor, quorum and minimum improvement. Until
the Training pallet is merged, pass ``--training-logic PATH`` to a ``logic.py`` of it; this is
the one function to swap for any other rule.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["LAYOUT", "Aggregate", "load_aggregation"]

LAYOUT = (
    ("heldout_loss", False, 10_000),
    ("heldout_improvement", True, 10_000),
    ("probe_loglik", True, 20_000),
    ("curvature", True, 50_000),
    ("weight_distance", False, 50_000),
)
"""The runtime's statistics layout: name, higher is better, floor (x10^6)."""
MAD_FACTOR = 3_000
QUORUM = 3
MIN_IMPROVEMENT = 1_000
BOND = 1_000

Aggregate = Callable[[Sequence[Sequence[int]], Sequence[bytes], bool], list[int]]


def _module(path: Path | None) -> Any:
    if path is None:
        return importlib.import_module("deepshard.pallets.training.logic")
    spec = importlib.util.spec_from_file_location("training_logic", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def load_aggregation(path: Path | None = None) -> Aggregate:
    """Return the chain's outlier rule (module docs).

    Raises:
        ImportError: the Training pallet is not installed and no `path` is given.
    """
    logic = _module(path)
    stats = [logic.Statistic(higher_is_better=h, floor=f) for _, h, f in LAYOUT]

    def aggregate(
        rows: Sequence[Sequence[int]], shas: Sequence[bytes], tolerant: bool
    ) -> list[int]:
        adapters = [
            logic.Adapter(trainer=i.to_bytes(32, "little"), sha256=s, bond=BOND)
            for i, s in enumerate(shas)
        ]
        result = logic.compute_round_result(
            adapters,
            BOND * len(adapters),
            [(BOND, [list(r) for r in rows])],
            stats,
            logic.ProfileMode.Tolerant if tolerant else logic.ProfileMode.Deterministic,
            improvement_index=1,
            loss_index=0,
            min_improvement=MIN_IMPROVEMENT,
            mad_factor=MAD_FACTOR,
            quorum=QUORUM,
        )
        return list(result.outliers)

    return aggregate
