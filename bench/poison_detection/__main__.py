"""Poison detection: AUROC of each statistic, and whom the chain's aggregation slashes.

Usage::

    python -m bench.poison_detection [--quick] [--trials T] [--out DIR]
                                     [--training-logic PATH/TO/training/logic.py]

Factors: honest replicas N ∈ {4, 8}; poison fraction f ∈ {0, 1/64, 1/32, 1/16, 1/8, 1/4, 1/2};
poison type: domain shift (Python source instead of prose), backdoor (a trigger string followed
by a fixed payload), random bytes; honest noise: none (deterministic profile), thread count
(1 or 2 threads per replica; tolerant profile), data order (each replica its own order;
tolerant profile). In each trial one poisoner joins the N honest replicas of a round.

The poison fraction f counts the chunks the poisoner actually trains on (at least one when
f > 0; ``k/T`` in the table), see `bench.poison_detection.experiment` for why.

Per cell it prints the AUROC of each statistic (poisoners against honest replicas, oriented so
that 1.0 means the poisoner is always worse) with its 95 % interval, the honest false-slash
rate and the poisoner catch rate of the chain's aggregation run on the quantised scores, and
per (N, type, noise) the smallest f caught in ≥ 95 % of trials. It writes ``poison.png``
(AUROC against f, one line per statistic, a panel per type x noise, N = 8) and
``poison.json`` into ``--out``. ``--quick`` runs a reduced grid for CI; the full grid with the
default trial count fits in about an hour on 2 CPU cores.

The AUROC compares each adapter's statistic *with its own round's median* (the lower median
over the round's adapters, as the chain takes it), not raw values pooled across rounds: each
trial has its own batch, so raw held-out losses differ from round to round by more than a
small poison moves them, and no detector, the chain's included, ever compares adapters of
different rounds.

Reading the thread-noise rows: on the bootstrap model 1- and 2-thread replicas give identical
adapters, so the tolerant rule's MAD is 0 and each statistic's threshold is its floor from the
runtime's layout; a poisoner is flagged only when its deviations add up to more than one floor
per statistic (5 in all). A single poisoned chunk moves the weight distance by 2-11 floors and
the other statistics by well under one, so the chain misses some poisoners that the weight
distance alone ranks perfectly: a limit of the pallet's rule and floors, not of the scores.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from fractions import Fraction
from pathlib import Path

from bench.poison_detection.aggregation import LAYOUT, load_aggregation
from bench.poison_detection.auroc import auroc_ci
from bench.poison_detection.experiment import NOISES, POISONS, Lab

_LABELS = {
    "heldout_loss": "held-out loss",
    "heldout_improvement": "improvement",
    "probe_loglik": "probe loglik",
    "curvature": "curvature",
    "weight_distance": "weight distance",
}
"""Column labels of the statistics (each cell is 16 characters wide)."""

FRACTIONS = (
    Fraction(0),
    Fraction(1, 64),
    Fraction(1, 32),
    Fraction(1, 16),
    Fraction(1, 8),
    Fraction(1, 4),
    Fraction(1, 2),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.poison_detection")
    parser.add_argument("--quick", action="store_true", help="Reduced grid for CI.")
    parser.add_argument("--trials", type=int, default=None, help="Trials per cell.")
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--training-logic", type=Path, default=None)
    args = parser.parse_args(argv)
    # transformers' deprecation notices would land in the middle of the table
    warnings.filterwarnings("ignore", category=FutureWarning)
    aggregate = load_aggregation(args.training_logic)
    ns: tuple[int, ...]
    fractions: tuple[Fraction, ...]
    if args.quick:
        ns, fractions, noises, trials = (
            (4,),
            (Fraction(0), Fraction(1, 64), Fraction(1, 32), Fraction(1, 2)),
            NOISES,
            args.trials or 3,
        )
        lab = Lab(steps=8)
    else:
        ns, fractions, noises, trials = (4, 8), FRACTIONS, NOISES, args.trials or 12
        lab = Lab()
    start = time.perf_counter()
    results = []
    names = [name for name, _, _ in LAYOUT]
    print(
        f"poison detection: N={ns} f={[str(f) for f in fractions]} noise={noises} trials={trials}"
    )
    print(
        "AUROC of each statistic against its round's median [95 % interval]; k/T: poisoned"
        " of trained chunks (last trial); honest-slash and caught: the chain's rule"
    )
    print(
        f"{'N':>2} {'noise':<10} {'poison':<12} {'f':>5} {'k/T':>5} "
        + " ".join(f"{_LABELS.get(n, n)[:16]:>16}" for n in names)
        + "  honest-slash  caught"
    )
    for noise in noises:
        for kind in POISONS:
            for n in ns:
                for f in fractions:
                    pos: list[list[float]] = [[] for _ in names]
                    neg: list[list[float]] = [[] for _ in names]
                    honest_slashed = caught = honest_total = 0
                    for t in range(trials):
                        batch = lab.batch(t)
                        honest = [lab.adapter(t, noise, batch, i) for i in range(n)]
                        texts, poisoned, trained = lab.poisoned(t, kind, float(f), noise, n)
                        poisoner = lab.adapter(t, noise, texts, n)
                        rows = lab.rows([*honest, poisoner])
                        for k, (_, higher, _) in enumerate(LAYOUT):
                            sign = -1 if higher else 1
                            centre = _lower_median([r[k] for r in rows])
                            pos[k].append(sign * (rows[-1][k] - centre))
                            neg[k].extend(sign * (r[k] - centre) for r in rows[:-1])
                        out = aggregate(
                            rows, [a.sha256 for a in [*honest, poisoner]], noise != "none"
                        )
                        honest_slashed += sum(1 for i in out if i < n)
                        honest_total += n
                        caught += n in out
                    cis = [auroc_ci(p, q) for p, q in zip(pos, neg, strict=True)]
                    cell = {
                        "n": n,
                        "noise": noise,
                        "poison": kind,
                        "f": str(f),
                        "poisoned_of_trained": f"{poisoned}/{trained}",
                        "auroc": dict(zip(names, cis, strict=True)),
                        "honest_slash_rate": honest_slashed / honest_total,
                        "catch_rate": caught / trials,
                    }
                    results.append(cell)
                    print(
                        f"{n:>2} {noise:<10} {kind:<12} {f!s:>5} {poisoned:>2}/{trained:<2} "
                        + " ".join(f"{a:4.2f} [{lo:4.2f},{hi:4.2f}]" for a, lo, hi in cis)
                        + f"  {cell['honest_slash_rate']:12.3f}  {cell['catch_rate']:6.2f}",
                        flush=True,
                    )
    print("\nsmallest f caught in >= 95 % of trials (chain aggregation):")
    for noise in noises:
        for kind in POISONS:
            for n in ns:
                hit = [
                    c["f"]
                    for c in results
                    if (c["n"], c["noise"], c["poison"]) == (n, noise, kind)
                    and c["f"] != "0"
                    and float(str(c["catch_rate"])) >= 0.95
                ]
                print(f"  N={n} {noise:<10} {kind:<12} {hit[0] if hit else 'none'}")
    elapsed = time.perf_counter() - start
    print(f"\n{lab.trainings} adapters trained, {elapsed:.0f} s")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "poison.json").write_text(json.dumps(results, indent=1))
    _plot(results, max(ns), noises, args.out / "poison.png")
    print(f"wrote {args.out / 'poison.json'} and {args.out / 'poison.png'}")
    return 0


def _lower_median(values: list[int]) -> int:
    """The lower median, as the chain's `compute_median` takes it."""
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def _plot(results: list[dict[str, object]], n: int, noises: tuple[str, ...], path: Path) -> None:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, axes = plt.subplots(
        len(noises),
        len(POISONS),
        figsize=(4 * len(POISONS), 3 * len(noises)),
        squeeze=False,
        sharey=True,
    )
    for r, noise in enumerate(noises):
        for c, kind in enumerate(POISONS):
            ax = axes[r][c]
            cells = [x for x in results if (x["n"], x["noise"], x["poison"]) == (n, noise, kind)]
            xs = [float(Fraction(str(x["f"]))) for x in cells]
            for name, _, _ in LAYOUT:
                ys = [x["auroc"][name][0] for x in cells]  # type: ignore[index]
                ax.plot(xs, ys, marker="o", label=name)
            ax.set_xscale("symlog", linthresh=1 / 64)
            ax.set_ylim(0, 1.05)
            ax.set_title(f"{kind}, noise={noise}, N={n}", fontsize=9)
            ax.set_xlabel("poison fraction f")
            ax.set_ylabel("AUROC")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    raise SystemExit(main())
