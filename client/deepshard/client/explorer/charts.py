"""Server-rendered SVG charts of a round's statistics (no script, no external asset).

`statistic_chart` draws one statistic as a strip plot: one row per revealed trainer with a dot
at its consensus value, the median/MAD band the outlier rule uses shaded behind, the median as
a dashed line, and the trainers the chain found outlying in red with a ring and a label. The
SVG scales with its container (``viewBox``, ``width: 100%``), so it reads on a phone as on a
desktop; every mark carries a ``<title>`` with the exact value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final
from xml.sax.saxutils import escape, quoteattr

__all__ = ["statistic_chart", "micro", "label"]

WIDTH: Final = 360
LABEL: Final = 88
"""Room on the left for the trainer labels."""
RIGHT: Final = 14
ROW: Final = 24
TOP: Final = 8
AXIS: Final = 34


def micro(value: int) -> str:
    """Render a x10^6 integer with six decimals, exactly (no float)."""
    whole, fraction = divmod(abs(int(value)), 1_000_000)
    return f"{'-' if value < 0 else ''}{whole}.{fraction:06d}"


def _short(value: int) -> str:
    """A compact decimal for axis labels (three decimals, rounded toward zero)."""
    text = micro(value)
    return text[: text.index(".") + 4]


TICK_GAP: Final = 44
"""The least distance between two axis labels (viewBox units)."""


def label(address: str) -> str:
    """A short label of an address: its first five and last four characters."""
    return f"{address[:5]}…{address[-4:]}" if len(address) > 12 else address


def statistic_chart(view: Mapping[str, Any]) -> str:
    """Return the SVG of one statistic of `aggregation.statistics_view`."""
    values = view["values"]
    points = [int(v["value"]) for v in values]
    low, high, median = int(view["low"]), int(view["high"]), int(view["median"])
    lo, hi = min([*points, low]), max([*points, high])
    pad = max((hi - lo) // 12, 1)
    lo, hi = lo - pad, hi + pad
    span = hi - lo
    plot = WIDTH - LABEL - RIGHT
    height = TOP + ROW * max(len(values), 1) + AXIS

    def x(value: int) -> str:
        return f"{LABEL + (value - lo) * plot / span:.1f}"

    bottom = TOP + ROW * max(len(values), 1)
    name = str(view["name"])
    direction = "higher is better" if view["higher_is_better"] else "lower is better"
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f"aria-label={quoteattr(f'{name}: consensus score of each trainer')} "
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<rect class="band" x="{x(low)}" y="{TOP - 4}" '
        f'width="{float(x(high)) - float(x(low)):.1f}" height="{bottom - TOP + 8}">'
        f"<title>{escape(f'band: median ± tolerance = {micro(low)} … {micro(high)}')}</title>"
        "</rect>",
        f'<line class="median" x1="{x(median)}" x2="{x(median)}" y1="{TOP - 4}" '
        f'y2="{bottom + 4}"><title>{escape(f"median {micro(median)}")}</title></line>',
    ]
    for row, entry in enumerate(values):
        y = TOP + ROW * row + ROW // 2
        value = int(entry["value"])
        outlier = bool(entry["outlier"])
        kind = "outlier" if outlier else ("outside" if entry["outside"] else "inside")
        trainer = str(entry["trainer"])
        parts.append(
            f'<text class="who" x="{LABEL - 6}" y="{y + 4}" text-anchor="end">'
            f"{escape(label(trainer))}</text>"
            f'<line class="guide" x1="{LABEL}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>'
        )
        tip = escape(f"{trainer}: {micro(value)}{' (outlier)' if outlier else ''}")
        if outlier:
            parts.append(f'<circle class="ring" cx="{x(value)}" cy="{y}" r="9"/>')
        parts.append(
            f'<circle class="dot {kind}" cx="{x(value)}" cy="{y}" r="5" '
            f'data-trainer={quoteattr(trainer)} data-value="{value}">'
            f"<title>{tip}</title></circle>"
        )
        if outlier:
            anchor = "end" if float(x(value)) > LABEL + plot / 2 else "start"
            shift = -13 if anchor == "end" else 13
            parts.append(
                f'<text class="flag" x="{float(x(value)) + shift:.1f}" y="{y + 4}" '
                f'text-anchor="{anchor}">outlier</text>'
            )
    ticks = [median]  # the median first; then the extremes where they do not crowd it
    for tick in (lo + pad, hi - pad):
        if all(abs(float(x(tick)) - float(x(kept))) >= TICK_GAP for kept in ticks):
            ticks.append(tick)
    ticks.sort()
    axis = bottom + 4
    parts.append(f'<line class="axis" x1="{LABEL}" x2="{WIDTH - RIGHT}" y1="{axis}" y2="{axis}"/>')
    for index, tick in enumerate(ticks):
        anchor = "start" if index == 0 and len(ticks) > 1 else "middle"
        if index == len(ticks) - 1 and len(ticks) > 1:
            anchor = "end"
        parts.append(
            f'<text class="tick" x="{x(tick)}" y="{bottom + 18}" text-anchor="{anchor}">'
            f"{escape(_short(tick))}</text>"
        )
    parts.append(
        f'<text class="direction" x="{WIDTH - RIGHT}" y="{bottom + 31}" text-anchor="end">'
        f"{escape(direction)}</text></svg>"
    )
    return "".join(parts)
