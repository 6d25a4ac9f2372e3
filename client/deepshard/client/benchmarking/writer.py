"""Write a pallet's ``weights.py`` from fitted benchmarks (FRAME's generated ``weights.rs``).

The module keeps the pallet's weight-table Protocol (names, parameters and docs, read from the
current module) and writes two implementations: ``BenchmarkedWeights`` with the fitted figures
of this machine, and ``UnitWeights`` (one unit, plus one per component unit) for tests. Its
docstring keeps the pallet's own introduction and records how the figures were measured.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass

from deepshard.client.benchmarking.fit import Fit
from deepshard.runtime.support.benchmarking import BenchmarkSuite, protocol_methods

__all__ = ["RunInfo", "render_weights_module"]

MEASURED_HEADING = "Measured figures"
"""The docstring section the writer owns (everything from it on is rewritten)."""


@dataclass(frozen=True, slots=True)
class RunInfo:
    """How the figures were measured (the generated header)."""

    command: str
    """The command line that wrote the module."""
    machine: str
    """The processor and core count."""
    python: str
    """The Python implementation and version."""
    date: str
    """The date, ISO 8601."""
    steps: int
    """Values per component."""
    repeat: int
    """Repetitions per point (the median is kept)."""


def _intro(module_doc: str) -> str:
    return module_doc.split(MEASURED_HEADING, 1)[0].rstrip()


def _parameters(method: object) -> list[str]:
    return [p for p in inspect.signature(method).parameters if p != "self"]  # type: ignore[arg-type]


def _doc(method: object) -> str:
    return inspect.getdoc(method) or "The weight."


def _docstring(text: str, indent: str) -> str:
    lines = text.splitlines()
    if len(lines) == 1:
        return f'{indent}"""{lines[0]}"""'
    body = "\n".join(f"{indent}{line}" if line else "" for line in lines[1:])
    return f'{indent}"""{lines[0]}\n{body}\n{indent}"""'


def render_weights_module(
    suite: BenchmarkSuite, fits: Mapping[str, Fit], module_doc: str, info: RunInfo
) -> str:
    """Return the source of the pallet's new ``weights.py``."""
    protocol = suite.weights_protocol
    name = protocol.__name__
    methods = protocol_methods(protocol)
    header = (
        f"{_intro(module_doc)}\n\n"
        f"{MEASURED_HEADING}\n{'-' * len(MEASURED_HEADING)}\n"
        f"Generated on {info.date} by (do not edit by hand)::\n\n    {info.command}\n\n"
        f"* machine: {info.machine}; {info.python};\n"
        f"* {info.steps} values per component, {info.repeat} repetitions per point (median);\n"
        "* ``ref_time`` is picoseconds of this runtime executing on that machine, storage\n"
        "  accesses included (an in-memory overlay over genesis state); ``proof_size`` is 0.\n"
    )
    out = [f'"""{header}"""', "", "from __future__ import annotations", ""]
    out += [
        "from typing import Protocol",
        "",
        "from deepshard.primitives.weights import Weight",
        "",
    ]
    out += [f'__all__ = ["{name}", "BenchmarkedWeights", "UnitWeights"]', "", ""]
    out += [f"class {name}(Protocol):", _docstring(inspect.getdoc(protocol) or "", "    "), ""]
    for method in methods:
        fn = getattr(protocol, method)
        typed = "".join(f", {p}: int" for p in _parameters(fn))
        out += [f"    def {method}(self{typed}) -> Weight:", _docstring(_doc(fn), "        ")]
        out += ["        ...", ""]
    out += [
        "",
        "class BenchmarkedWeights:",
        f'    """{suite.pallet} weights measured on the machine above."""',
        "",
    ]
    for method in methods:
        fn = getattr(protocol, method)
        params = _parameters(fn)
        fit = fits[method]
        terms = [f"{fit.base:_}"] + [
            f"{s:_} * {p}" for s, p in zip(fit.slopes, params, strict=True)
        ]
        signature = "".join(f", {p}: int" for p in params)
        summary = f"{fit.base / 1_000_000:.1f} µs" + "".join(
            f" + {s / 1_000_000:.3f} µs per {p}" for s, p in zip(fit.slopes, params, strict=True)
        )
        out += [
            f"    def {method}(self{signature}) -> Weight:",
            f'        """`{method}`: {summary}."""',
        ]
        out += [f"        return Weight.from_parts({' + '.join(terms)}, 0)", ""]
    out += [
        "",
        "class UnitWeights:",
        '    """One unit, plus one per component unit (tests)."""',
        "",
    ]
    for method in methods:
        params = _parameters(getattr(protocol, method))
        signature = "".join(f", {p}: int" for p in params)
        total = " + ".join(["1", *params])
        out += [
            f"    def {method}(self{signature}) -> Weight:",
            '        """One unit, plus one per component unit."""',
        ]
        out += [f"        return Weight.from_parts({total}, 0)", ""]
    return "\n".join(out).rstrip() + "\n"
