"""Write a pallet's measured weights into its ``weights.py`` (FRAME's generated ``weights.rs``).

The writer owns two parts of the module and keeps everything else as it is (the weight-table
Protocol, reference and unit tables, imports):

* the ``Measured figures`` section at the end of the module docstring: how, where and when the
  figures were measured;
* the ``BenchmarkedWeights`` class: one method per Protocol method, returning the fitted
  ``base + slope * component`` in picoseconds (replaced if present, else added after the
  Protocol, and named in ``__all__``).

Protocol parameters that are not benchmark components (a flag priced at its worst case) are
accepted and ignored.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Mapping
from dataclasses import dataclass

from deepshard.client.benchmarking.fit import Fit
from deepshard.runtime.support.benchmarking import BenchmarkSuite, protocol_methods

__all__ = ["RunInfo", "render_weights_module", "benchmarked_class"]

MEASURED_HEADING = "Measured figures"
"""The docstring section the writer owns (everything from it on is rewritten)."""
CLASS_NAME = "BenchmarkedWeights"
"""The class the writer owns."""


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


def _measured_section(info: RunInfo) -> str:
    return (
        f"{MEASURED_HEADING}\n{'-' * len(MEASURED_HEADING)}\n"
        f"``{CLASS_NAME}`` was generated on {info.date} (do not edit it by hand) by::\n\n"
        f"    {info.command}\n\n"
        f"* machine: {info.machine}; {info.python};\n"
        f"* {info.steps} values per component, {info.repeat} repetitions per point (median);\n"
        "* ``ref_time`` is picoseconds of this runtime executing on that machine, storage\n"
        "  accesses included (an in-memory overlay over genesis state); ``proof_size`` is 0.\n"
    )


def benchmarked_class(suite: BenchmarkSuite, fits: Mapping[str, Fit]) -> str:
    """The source of the ``BenchmarkedWeights`` class for `fits`."""
    protocol = suite.weights_protocol
    components = {b.name: [c.name for c in b.components] for b in suite}
    out = [
        f"class {CLASS_NAME}:",
        f'    """{suite.pallet} weights measured on the machine above."""',
    ]
    for method in protocol_methods(protocol):
        signature = inspect.signature(getattr(protocol, method))
        parameters = [p for p in signature.parameters.values() if p.name != "self"]
        typed = "".join(
            f", {p.name}: {getattr(p.annotation, '__name__', p.annotation)}" for p in parameters
        )
        fit = fits[method]
        names = components[method]
        terms = [f"{fit.base:_}"] + [f"{s:_} * {n}" for s, n in zip(fit.slopes, names, strict=True)]
        summary = f"{fit.base / 1_000_000:.1f} µs" + "".join(
            f" + {s / 1_000_000:.3f} µs per {n}" for s, n in zip(fit.slopes, names, strict=True)
        )
        unused = [p.name for p in parameters if p.name not in names]
        out += [
            "",
            f"    def {method}(self{typed}) -> Weight:",
            f'        """`{method}`: {summary}."""',
        ]
        if unused:
            out.append(f"        del {', '.join(unused)}  # priced at its worst case")
        out.append(f"        return Weight.from_parts({' + '.join(terms)}, 0)")
    return "\n".join(out) + "\n"


def render_weights_module(
    suite: BenchmarkSuite, fits: Mapping[str, Fit], source: str, info: RunInfo
) -> str:
    """Return `source` (the current ``weights.py``) with new measured figures."""
    tree = ast.parse(source)
    lines = source.splitlines()
    doc_node = tree.body[0]
    docstring = ast.get_docstring(tree, clean=False) or ""
    intro = docstring.split(MEASURED_HEADING, 1)[0].rstrip()
    new_doc = f'"""{intro}\n\n{_measured_section(info)}"""'.splitlines()
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == CLASS_NAME), None)
    generated = benchmarked_class(suite, fits).splitlines()
    if cls is not None:
        start = cls.lineno - 1 - len(cls.decorator_list)
        lines[start : cls.end_lineno] = generated
    else:
        protocol = next(
            n
            for n in tree.body
            if isinstance(n, ast.ClassDef) and n.name == suite.weights_protocol.__name__
        )
        end = protocol.end_lineno or len(lines)
        lines[end:end] = ["", "", *generated]
        for index, line in enumerate(lines):
            if line.startswith("__all__ = [") and f'"{CLASS_NAME}"' not in line:
                lines[index] = line.replace("__all__ = [", f'__all__ = ["{CLASS_NAME}", ', 1)
                break
    lines[doc_node.lineno - 1 : doc_node.end_lineno] = new_doc
    return "\n".join(lines).rstrip() + "\n"
