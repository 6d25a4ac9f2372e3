"""Write a pallet's measured weights into its ``weights.py`` (FRAME's generated ``weights.rs``).

The writer owns two parts of the module and keeps everything else as it is (the weight-table
Protocol, reference and unit tables, imports):

* the ``Measured figures`` section at the end of the module docstring: how, where and when the
  figures were measured;
* the ``BenchmarkedWeights`` class: one method per Protocol method, returning the fitted
  ``base + slope * component`` in picoseconds plus the fitted storage reads and writes priced
  with a `RuntimeDbWeight` (replaced if present, else added after the Protocol, and named in
  ``__all__``; the module's import from ``deepshard.primitives.weights`` is completed).

Protocol parameters that are not benchmark components (a flag priced at its worst case) are
accepted and ignored.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

from deepshard.client.benchmarking.fit import Fit, Fitted
from deepshard.runtime.support.benchmarking import BenchmarkSuite, protocol_methods

__all__ = ["RunInfo", "render_weights_module", "benchmarked_class"]

MEASURED_HEADING = "Measured figures"
"""The docstring section the writer owns (everything from it on is rewritten)."""
CLASS_NAME = "BenchmarkedWeights"
"""The class the writer owns."""
LINE_LENGTH = 100
"""The project's line length (the generated code is already formatted)."""


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


def _linear(fit: Fit, names: list[str]) -> str:
    """``base + slope * name ...`` with zero terms left out (``1 * n`` written ``n``)."""
    terms = [f"{s:_} * {n}" if s != 1 else n for s, n in zip(fit.slopes, names, strict=True) if s]
    if fit.base or not terms:
        terms.insert(0, f"{fit.base:_}")
    return " + ".join(terms)


def _summary(fitted: Fitted, names: list[str]) -> str:
    time = f"{fitted.time.base / 1_000_000:.1f} µs" + "".join(
        f" + {s / 1_000_000:.3f} µs per {n}"
        for s, n in zip(fitted.time.slopes, names, strict=True)
        if s
    )
    return f"{time}; reads {_linear(fitted.reads, names)}, writes {_linear(fitted.writes, names)}"


def _docline(text: str) -> list[str]:
    """A one-line docstring, or a summary and a wrapped second paragraph if it is too long."""
    line = f'        """{text}."""'
    if len(line) <= LINE_LENGTH:
        return [line]
    head, _, tail = text.partition("; ")
    body = f"Storage: {tail}."
    if len(f'        """{head}.') > LINE_LENGTH:
        # a cost over several components: the first terms as the summary, the rest after it
        terms = head.split(" + ")
        cut = len(terms)
        while cut > 1 and len(f'        """{" + ".join(terms[:cut])}.') > LINE_LENGTH:
            cut -= 1
        head = " + ".join(terms[:cut])
        body = f"Plus {' + '.join(terms[cut:])}. {body}"
    lines = textwrap.wrap(body, LINE_LENGTH - 8)
    return [f'        """{head}.', "", *(f"        {line}" for line in lines), '        """']


def benchmarked_class(suite: BenchmarkSuite, fits: Mapping[str, Fitted]) -> str:
    """The source of the ``BenchmarkedWeights`` class for `fits`."""
    protocol = suite.weights_protocol
    components = {b.name: [c.name for c in b.components] for b in suite}
    out = [
        f"class {CLASS_NAME}:",
        f'    """{suite.pallet} weights measured on the machine above."""',
        "",
        "    def __init__(self, db: RuntimeDbWeight = ROCKS_DB_WEIGHT) -> None:",
        '        """Price storage reads and writes with `db` (System\'s default `DbWeight`)."""',
        "        self.db = db",
    ]
    for method in protocol_methods(protocol):
        signature = inspect.signature(getattr(protocol, method))
        parameters = [p for p in signature.parameters.values() if p.name != "self"]
        typed = "".join(
            f", {p.name}: {getattr(p.annotation, '__name__', p.annotation)}" for p in parameters
        )
        fitted = fits[method]
        names = components[method]
        used = {
            n
            for fit in (fitted.time, fitted.reads, fitted.writes)
            for s, n in zip(fit.slopes, names, strict=True)
            if s
        }
        unused = [p.name for p in parameters if p.name not in used]
        out += ["", f"    def {method}(self{typed}) -> Weight:"]
        out += _docline(f"`{method}`: {_summary(fitted, names)}")
        if unused:
            out.append(
                f"        del {', '.join(unused)}  # no measurable effect, or priced at worst"
            )
        time = f"Weight.from_parts({_linear(fitted.time, names)}, 0)"
        db = (
            f"self.db.reads_writes({_linear(fitted.reads, names)}, {_linear(fitted.writes, names)})"
        )
        line = f"        return {time}.saturating_add({db})"
        cost = f"            {_linear(fitted.time, names)}, 0"
        if len(line) <= LINE_LENGTH:
            out.append(line)
        elif len(f"        return {time}.saturating_add(") > LINE_LENGTH:
            # a long cost over several components: ruff's layout of the same expression
            out.append("        return Weight.from_parts(")
            if len(cost) <= LINE_LENGTH:
                out.append(cost)
            else:
                terms = _linear(fitted.time, names).split(" + ")
                out += [f"            {terms[0]}", *(f"            + {t}" for t in terms[1:])]
                out[-1] += ","
                out.append("            0,")
            tail = f"        ).saturating_add({db})"
            if len(tail) <= LINE_LENGTH:
                out.append(tail)
            elif len(f"            {db}") <= LINE_LENGTH:
                out += ["        ).saturating_add(", f"            {db}", "        )"]
            else:
                out += [
                    "        ).saturating_add(",
                    "            self.db.reads_writes(",
                    f"                {_linear(fitted.reads, names)},",
                    f"                {_linear(fitted.writes, names)},",
                    "            )",
                    "        )",
                ]
        elif len(f"            {db}") <= LINE_LENGTH:
            out += [f"        return {time}.saturating_add(", f"            {db}", "        )"]
        else:
            out += [
                f"        return {time}.saturating_add(",
                "            self.db.reads_writes(",
                f"                {_linear(fitted.reads, names)},",
                f"                {_linear(fitted.writes, names)},",
                "            )",
                "        )",
            ]
    return "\n".join(out) + "\n"


NEEDED_IMPORTS = ("ROCKS_DB_WEIGHT", "RuntimeDbWeight", "Weight")
"""What the generated class needs from ``deepshard.primitives.weights``."""


def _import_lines(tree: ast.Module) -> tuple[int, int, list[str]]:
    """``(start, end, lines)``: where the weights import is (or goes) and its new text."""
    module = "deepshard.primitives.weights"
    node = next(
        (n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == module), None
    )
    names = set(NEEDED_IMPORTS)
    if node is not None:
        names |= {alias.name for alias in node.names}
        start, end = node.lineno - 1, node.end_lineno or node.lineno
    else:
        last = max(
            n.end_lineno or n.lineno
            for n in tree.body
            if isinstance(n, ast.Import | ast.ImportFrom)
        )
        start = end = last
    ordered = sorted(names, key=lambda n: (not n.isupper(), n))
    one_line = f"from {module} import {', '.join(ordered)}"
    if len(one_line) <= LINE_LENGTH:
        return start, end, [one_line]
    return start, end, [f"from {module} import (", *(f"    {n}," for n in ordered), ")"]


def render_weights_module(
    suite: BenchmarkSuite, fits: Mapping[str, Fitted], source: str, info: RunInfo
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
    # Edit from the bottom up, so that earlier line numbers stay valid.
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
    start, end, imports = _import_lines(tree)
    lines[start:end] = imports
    lines[doc_node.lineno - 1 : doc_node.end_lineno] = new_doc
    return "\n".join(lines).rstrip() + "\n"
