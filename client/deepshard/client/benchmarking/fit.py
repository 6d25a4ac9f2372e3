"""Integer least squares: a weight's base cost and its cost per component unit.

The fit is ordinary least squares solved exactly over rationals (`fractions.Fraction`, Gaussian
elimination on the normal equations), then rounded to whole picoseconds; a negative slope
(noise on a flat cost) becomes zero, and the base is raised if needed so that the fitted line
is never below the cheapest measurement at the smallest component values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["Fit", "Fitted", "fit_linear"]


@dataclass(frozen=True, slots=True)
class Fit:
    """``cost = base + sum(slope_i * component_i)``, in picoseconds."""

    base: int
    """The cost at zero for every component."""
    slopes: tuple[int, ...]
    """The cost per unit of each component."""

    def at(self, values: Sequence[int]) -> int:
        """The fitted cost at `values`."""
        return self.base + sum(s * v for s, v in zip(self.slopes, values, strict=True))


@dataclass(frozen=True, slots=True)
class Fitted:
    """A benchmark's fitted time (picoseconds) and storage reads and writes."""

    time: Fit
    """The measured time."""
    reads: Fit
    """Distinct keys read."""
    writes: Fit
    """Distinct keys written."""


def _solve(matrix: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    """Solve ``matrix x = rhs`` exactly; None if it is singular."""
    n = len(rhs)
    rows = [[*row, value] for row, value in zip(matrix, rhs, strict=True)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if rows[r][col] != 0), None)
        if pivot is None:
            return None
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col and rows[r][col] != 0:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[i][n] / rows[i][i] for i in range(n)]


def fit_linear(points: Sequence[tuple[Sequence[int], int]]) -> Fit:
    """Fit ``cost = base + slopes . values`` to ``(values, cost)`` points.

    With no components (or a single distinct point) the base is the median cost.

    Raises:
        ValueError: no points, or points with different numbers of components.
    """
    if not points:
        raise ValueError("no measurements to fit")
    width = len(points[0][0])
    if any(len(values) != width for values, _ in points):
        raise ValueError("every point needs the same components")
    costs = sorted(cost for _, cost in points)
    if width == 0 or len({tuple(v) for v, _ in points}) < 2:
        return Fit(costs[len(costs) // 2], (0,) * width)
    design = [[Fraction(1), *(Fraction(v) for v in values)] for values, _ in points]
    target = [Fraction(cost) for _, cost in points]
    size = width + 1
    normal = [
        [sum((row[i] * row[j] for row in design), Fraction(0)) for j in range(size)]
        for i in range(size)
    ]
    rhs = [
        sum((row[i] * t for row, t in zip(design, target, strict=True)), Fraction(0))
        for i in range(size)
    ]
    solution = _solve(normal, rhs)
    if solution is None:  # a component never varied: price it at zero
        return Fit(costs[len(costs) // 2], (0,) * width)
    slopes = tuple(max(0, round(s)) for s in solution[1:])
    base = max(0, round(solution[0]))
    lowest = min(points, key=lambda p: tuple(p[0]))
    base = max(base, lowest[1] - sum(s * v for s, v in zip(slopes, lowest[0], strict=True)))
    return Fit(base, slopes)
