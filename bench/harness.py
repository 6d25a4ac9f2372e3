"""Small timing helpers shared by the benchmarks (wall clock, best of several rounds)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Figure", "per_second", "seconds_per_call", "print_figures"]


@dataclass(frozen=True, slots=True)
class Figure:
    """One printed benchmark figure."""

    name: str
    value: float
    unit: str
    note: str = ""


def seconds_per_call(fn: Callable[[], object], *, min_time: float = 0.5, rounds: int = 5) -> float:
    """Return the best (lowest) mean time of one call of `fn` over `rounds` timed rounds.

    Each round repeats `fn` until at least `min_time / rounds` seconds have passed, so short
    functions are timed over many calls and long ones over at least one.
    """
    best = float("inf")
    budget = min_time / rounds
    for _ in range(rounds):
        calls = 0
        start = time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= budget:
                break
        best = min(best, elapsed / calls)
    return best


def per_second(fn: Callable[[], object], *, items: int = 1, min_time: float = 0.5) -> float:
    """Return how many items per second `fn` processes when one call handles `items` items."""
    return items / seconds_per_call(fn, min_time=min_time)


def print_figures(title: str, figures: list[Figure]) -> None:
    """Print a titled table of figures, one per line, aligned."""
    print(f"\n== {title}")
    width = max(len(f.name) for f in figures)
    for f in figures:
        note = f"   ({f.note})" if f.note else ""
        print(f"  {f.name:<{width}}  {f.value:>14,.2f} {f.unit}{note}")
