"""The architecture lint: import layering, runtime determinism and docstrings, checked on the AST.

Introduction
------------
DESIGN.md section 2 fixes who may import whom, and section 4 fixes what the runtime may never
do (floats, clocks, randomness, set-order dependence). Both are enforced here, in the spirit
of EELS's `ethereum-spec-lint`: a small AST checker plus tests that run it over every source
root. Each finding reads ``path:line: RULE message``.

Rules:

* ``ARCH001`` a module imports a Deepshard module its layer may not depend on (`LAYERS`);
* ``ARCH002`` a module outside ``deepshard.offchain_workers`` imports torch, transformers or peft;
* in ``deepshard.runtime`` and ``deepshard.pallets`` only (`DETERMINISTIC`):
  ``DET001`` float (or complex) literal, ``DET002`` ``float()``/``complex()`` call, ``DET003``
  the ``/`` operator (true division of ints gives a float; use ``//`` or a fixed-point type),
  ``DET004`` import of a clock, randomness, OS, thread or network module (`BANNED_MODULES`),
  ``DET005`` ``hash()`` or ``id()`` (they vary between processes), ``DET006`` iterating a set
  (``for``, comprehensions, ``list(...)`` and friends, ``.pop()``): over a set literal, a
  ``set()``/``frozenset()`` call or set operation, or a name or attribute known to hold a set
  (annotated ``set[...]``/``frozenset[...]`` or assigned one). Iterate ``sorted(...)`` instead;
* ``DOC001`` a public module, class, function or method has no docstring.

Run ``python tests/test_architecture.py`` to print every finding in the tree.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# --- the rules, as data ----------------------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent

SOURCE_ROOTS: tuple[str, ...] = (
    "primitives",
    "runtime",
    "pallets",
    "client",
    "offchain_workers",
    "chain_spec",
)
"""The folders that hold the ``deepshard`` namespace (one source root each)."""

LAYERS: dict[str, tuple[str, ...]] = {
    "deepshard.primitives": ("deepshard.primitives",),
    # The runtime crate composes pallets (executive, runtime, APIs); its FRAME-analogue support
    # library stays below the pallets.
    "deepshard.runtime": ("deepshard.runtime", "deepshard.pallets", "deepshard.primitives"),
    "deepshard.runtime.support": ("deepshard.runtime.support", "deepshard.primitives"),
    "deepshard.pallets": ("deepshard.pallets", "deepshard.runtime.support", "deepshard.primitives"),
    "deepshard.chain_spec": (
        "deepshard.chain_spec",
        "deepshard.primitives",
        "deepshard.runtime",
        "deepshard.pallets",
    ),
    "deepshard.client": (
        "deepshard.client",
        "deepshard.runtime",
        "deepshard.pallets",
        "deepshard.primitives",
        "deepshard.chain_spec",
    ),
    # The typed chain client is what the wallet, the explorer and the workers use: it knows the
    # runtime only through metadata, so it may not import the runtime, the pallets or the node.
    "deepshard.client.rpc.client": ("deepshard.client.rpc.client", "deepshard.primitives"),
    # The wallet: keys (primitives), the node over RPC (the chain client), and the content
    # store to pin a batch before proposing it; never the runtime, the pallets or the node.
    "deepshard.client.wallet": (
        "deepshard.client.wallet",
        "deepshard.client.rpc.client",
        "deepshard.offchain_workers.content",
        "deepshard.primitives",
    ),
    "deepshard.client.explorer": (
        "deepshard.client.explorer",
        "deepshard.client.rpc.client",
        "deepshard.primitives",
    ),
    "deepshard.offchain_workers": (
        "deepshard.offchain_workers",
        "deepshard.client.rpc.client",
        "deepshard.primitives",
    ),
}
"""Importer package -> the Deepshard packages it may import; the longest matching key wins."""

ROOT_CLI = "deepshard.client.cli"
"""The root command, which may also import every group's ``cli`` module."""

HEAVY_ML: frozenset[str] = frozenset({"torch", "transformers", "peft"})
"""Optional ML dependencies: only ``deepshard.offchain_workers`` may import them."""
HEAVY_ML_ALLOWED = "deepshard.offchain_workers"

DETERMINISTIC: tuple[str, ...] = ("deepshard.runtime", "deepshard.pallets")
"""Packages held to the determinism rules."""

BANNED_MODULES: frozenset[str] = frozenset(
    {"time", "datetime", "random", "secrets", "os", "threading", "asyncio", "uuid", "socket"}
)
"""Modules the deterministic packages may not import (nor any submodule of them)."""

SET_TYPE_NAMES: frozenset[str] = frozenset(
    {"set", "frozenset", "Set", "FrozenSet", "AbstractSet", "MutableSet"}
)
ORDERED_CONSUMERS: frozenset[str] = frozenset({"list", "tuple", "enumerate", "zip", "iter"})
"""Builtins whose result depends on the iteration order of their argument."""


@dataclass(frozen=True, order=True)
class Violation:
    """One finding: where, which rule, and what is wrong."""

    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule} {self.message}"


# --- module names -----------------------------------------------------------------------------


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def module_name(path: Path, root: Path) -> tuple[str, bool]:
    """Return the dotted module name of a file under a source root, and whether it is a package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def source_files(repo: Path = REPO) -> Iterator[tuple[Path, str, bool]]:
    """Yield ``(path, module, is_package)`` for every Python file of the source roots."""
    for root_name in SOURCE_ROOTS:
        root = repo / root_name
        for path in sorted((root / "deepshard").rglob("*.py")):
            if "__pycache__" not in path.parts:
                yield (path, *module_name(path, root))


def known_modules(repo: Path = REPO) -> frozenset[str]:
    """Every module and package name the source roots define (namespace folders included)."""
    names: set[str] = set()
    for _, module, _ in source_files(repo):
        parts = module.split(".")
        names.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return frozenset(names)


# --- the checker ------------------------------------------------------------------------------


def _layer_of(module: str) -> tuple[str, ...] | None:
    matches = [key for key in LAYERS if _within(module, key)]
    return LAYERS[max(matches, key=len)] if matches else None


def import_allowed(importer: str, target: str) -> bool:
    """Whether `importer` may import the Deepshard module `target` (DESIGN.md section 2)."""
    if not _within(target, "deepshard") or target == "deepshard":
        return True
    if importer == ROOT_CLI and "cli" in target.split(".")[2:]:
        return True
    allowed = _layer_of(importer)
    if allowed is None:
        return False
    return any(_within(target, package) for package in allowed)


def _is_set_annotation(node: ast.expr | None) -> bool:
    if node is None:
        return False
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Name):
        return node.id in SET_TYPE_NAMES
    if isinstance(node, ast.Attribute):
        return node.attr in SET_TYPE_NAMES
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.split("[", 1)[0].rsplit(".", 1)[-1].strip()
        return text in SET_TYPE_NAMES
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # `set[int] | None`
        return _is_set_annotation(node.left) or _is_set_annotation(node.right)
    return False


class _Checker(ast.NodeVisitor):
    """Walks one module and collects its violations."""

    def __init__(self, path: str, module: str, is_package: bool, modules: frozenset[str]) -> None:
        self.path = path
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.modules = modules
        self.deterministic = any(_within(module, p) for p in DETERMINISTIC)
        self.violations: list[Violation] = []
        self.set_attrs: set[str] = set()
        self.set_names: list[set[str]] = [set()]

    def report(self, node: ast.AST, rule: str, message: str) -> None:
        line = getattr(node, "lineno", 1)
        self.violations.append(Violation(self.path, line, rule, message))

    # --- imports --------------------------------------------------------------------------

    def _check_target(self, node: ast.AST, target: str) -> None:
        top = target.split(".", 1)[0]
        if top in HEAVY_ML and not _within(self.module, HEAVY_ML_ALLOWED):
            self.report(node, "ARCH002", f"imports {target}: heavy ML stays in offchain_workers")
        if not import_allowed(self.module, target):
            self.report(
                node, "ARCH001", f"{self.module} may not import {target} (DESIGN.md section 2)"
            )
        if self.deterministic and top in BANNED_MODULES:
            self.report(node, "DET004", f"imports {target}: not deterministic in the runtime")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._check_target(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            anchor = self.package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)] if node.level > 1 else anchor
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            candidate = f"{base}.{alias.name}"
            is_module = candidate in self.modules or base == "deepshard"
            self._check_target(node, candidate if is_module else base)

    def _dynamic_import(self, node: ast.Call) -> None:
        func = node.func
        dynamic = (isinstance(func, ast.Name) and func.id == "__import__") or (
            isinstance(func, ast.Attribute) and func.attr == "import_module"
        )
        if dynamic and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                self._check_target(node, first.value)

    # --- determinism ----------------------------------------------------------------------

    def visit_Constant(self, node: ast.Constant) -> None:
        if self.deterministic and isinstance(node.value, float | complex):
            self.report(node, "DET001", f"float literal {node.value!r}: use integers")

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if self.deterministic and isinstance(node.op, ast.Div):
            self.report(node, "DET003", "the / operator gives a float: use // or fixed point")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if self.deterministic and isinstance(node.op, ast.Div):
            self.report(node, "DET003", "the /= operator gives a float: use //= or fixed point")
        self._track_assignment(node.target, None, None)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        self._dynamic_import(node)
        func = node.func
        if self.deterministic:
            if isinstance(func, ast.Name) and func.id in {"float", "complex"}:
                self.report(node, "DET002", f"{func.id}() call: use integers")
            if isinstance(func, ast.Name) and func.id in {"hash", "id"}:
                self.report(node, "DET005", f"{func.id}() differs between processes")
            if isinstance(func, ast.Name) and func.id in ORDERED_CONSUMERS:
                for arg in node.args:
                    self._check_iteration(arg, f"{func.id}() over")
            if isinstance(func, ast.Attribute) and func.attr == "join" and node.args:
                self._check_iteration(node.args[0], "str.join over")
            is_pop = isinstance(func, ast.Attribute) and func.attr == "pop" and not node.args
            if is_pop and isinstance(func, ast.Attribute) and self._is_set(func.value):
                self.report(node, "DET006", "set.pop() returns an arbitrary element")
        self.generic_visit(node)

    def _is_set(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Set | ast.SetComp):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in {"set", "frozenset"}:
                return True
            if isinstance(func, ast.Attribute) and func.attr in {
                "union",
                "intersection",
                "difference",
                "symmetric_difference",
                "copy",
            }:
                return self._is_set(func.value)
            return False
        if isinstance(node, ast.BinOp) and isinstance(
            node.op, ast.BitOr | ast.BitAnd | ast.BitXor | ast.Sub
        ):
            return self._is_set(node.left) or self._is_set(node.right)
        if isinstance(node, ast.Name):
            return any(node.id in scope for scope in self.set_names)
        if isinstance(node, ast.Attribute):
            return node.attr in self.set_attrs
        return False

    def _check_iteration(self, node: ast.expr, how: str) -> None:
        if self.deterministic and self._is_set(node):
            self.report(node, "DET006", f"{how} a set: its order is arbitrary; iterate sorted(...)")

    def visit_For(self, node: ast.For) -> None:
        self._check_iteration(node.iter, "for loop over")
        self.generic_visit(node)

    def visit_AsyncFor(self, node: ast.AsyncFor) -> None:
        self._check_iteration(node.iter, "async for loop over")
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self._check_iteration(node.iter, "comprehension over")
        self.generic_visit(node)

    def _track_assignment(
        self, target: ast.expr, annotation: ast.expr | None, value: ast.expr | None
    ) -> None:
        is_set = _is_set_annotation(annotation) or (value is not None and self._is_set(value))
        if not is_set:
            return
        if isinstance(target, ast.Name):
            self.set_names[-1].add(target.id)
        elif isinstance(target, ast.Attribute):
            self.set_attrs.add(target.attr)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._track_assignment(target, None, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._track_assignment(node.target, node.annotation, node.value)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        scope = {
            arg.arg
            for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            if _is_set_annotation(arg.annotation)
        }
        self.set_names.append(scope)
        self.generic_visit(node)
        self.set_names.pop()

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.visit_FunctionDef(node)


def _is_set_constructor(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Set | ast.SetComp):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"set", "frozenset"}
    )


def _pre_scan_set_attrs(tree: ast.Module) -> set[str]:
    """Attributes holding sets anywhere in the module, so a use before the definition counts."""
    attrs: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):  # dataclass-style fields: `members: set[int]`
            attrs.update(
                field.target.id
                for field in node.body
                if isinstance(field, ast.AnnAssign)
                and isinstance(field.target, ast.Name)
                and _is_set_annotation(field.annotation)
            )
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Attribute):
            if _is_set_annotation(node.annotation) or _is_set_constructor(node.value):
                attrs.add(node.target.attr)
        elif isinstance(node, ast.Assign) and _is_set_constructor(node.value):
            attrs.update(t.attr for t in node.targets if isinstance(t, ast.Attribute))
    return attrs


# --- docstrings -------------------------------------------------------------------------------


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _exported(tree: ast.Module) -> set[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            is_all = any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)
            if is_all and isinstance(node.value, ast.List | ast.Tuple):
                return {
                    e.value
                    for e in node.value.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                }
    return None


def _skipped_function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    if node.name.startswith("__") and node.name.endswith("__"):
        return True  # magic methods document themselves (D105, D107)
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Name) and decorator.id == "overload":
            return True
        if isinstance(decorator, ast.Attribute) and decorator.attr in {
            "overload",
            "setter",
            "deleter",
        }:
            return True
    return False


def check_docstrings(tree: ast.Module, path: str, module: str) -> list[Violation]:
    """Every public module, class, function and method must have a docstring."""
    found: list[Violation] = []
    if any(_is_private(part) for part in module.split(".")):
        return found
    if ast.get_docstring(tree) is None:
        found.append(Violation(path, 1, "DOC001", f"module {module} has no docstring"))
    exported = _exported(tree)

    def walk(body: Iterable[ast.stmt], owner: str | None) -> None:
        for node in body:
            if not isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if _is_private(node.name):
                continue
            if owner is None and exported is not None and node.name not in exported:
                continue
            qualified = f"{owner}.{node.name}" if owner else node.name
            if isinstance(node, ast.ClassDef):
                kind = "class"
                walk(node.body, qualified)
            elif _skipped_function(node):
                continue
            else:
                kind = "method" if owner else "function"
            if ast.get_docstring(node) is None:
                message = f"{kind} {qualified} has no docstring"
                found.append(Violation(path, node.lineno, "DOC001", message))

    walk(tree.body, None)
    return found


# --- entry points -------------------------------------------------------------------------


def check_source(
    source: str,
    module: str,
    *,
    path: str = "<snippet>",
    is_package: bool = False,
    modules: frozenset[str] = frozenset(),
    docstrings: bool = True,
) -> list[Violation]:
    """Check one module's source text as if it were `module`; return its violations, sorted."""
    tree = ast.parse(source, filename=path)
    checker = _Checker(path, module, is_package, modules)
    checker.set_attrs |= _pre_scan_set_attrs(tree)
    checker.visit(tree)
    found = checker.violations
    if docstrings:
        found += check_docstrings(tree, path, module)
    return sorted(found)


def check_repository(repo: Path = REPO) -> list[Violation]:
    """Check every source file of the repository."""
    modules = known_modules(repo)
    found: list[Violation] = []
    for path, module, is_package in source_files(repo):
        relative = str(path.relative_to(repo))
        source = path.read_text(encoding="utf-8")
        found += check_source(source, module, path=relative, is_package=is_package, modules=modules)
    return found


# --- the tree ---------------------------------------------------------------------------------


def test_source_tree_follows_the_architecture() -> None:
    violations = check_repository()
    assert not violations, "architecture lint:\n" + "\n".join(map(str, violations))


def test_source_roots_match_the_build() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    sources = config["tool"]["hatch"]["build"]["targets"]["wheel"]["sources"]
    assert tuple(sources) == SOURCE_ROOTS
    assert {key.split(".")[1] for key in LAYERS} == set(SOURCE_ROOTS)


def test_every_source_root_is_found() -> None:
    modules = known_modules()
    for root in SOURCE_ROOTS:
        assert f"deepshard.{root}" in modules


# --- the checker on snippets --------------------------------------------------------------

DOC = '"""Doc."""\n'


def rules(source: str, module: str, **kwargs: object) -> list[str]:
    found = check_source(DOC + source, module, docstrings=False, **kwargs)  # type: ignore[arg-type]
    return [v.rule for v in found]


LAYERING_CASES = [
    # (importer, import statement, allowed)
    ("deepshard.primitives.codec.api", "import deepshard.primitives.hashing", True),
    ("deepshard.primitives.codec.api", "from deepshard.runtime import support", False),
    ("deepshard.primitives.codec.api", "import deepshard.client.cli", False),
    ("deepshard.primitives.codec.api", "from deepshard import runtime", False),
    ("deepshard.runtime.executive", "from deepshard.primitives.numeric import U32", True),
    ("deepshard.runtime.executive", "from deepshard.pallets.system import System", True),
    ("deepshard.runtime.support.pallet", "from deepshard.pallets.system import System", False),
    ("deepshard.runtime.support.pallet", "from deepshard.runtime.executive import run", False),
    ("deepshard.runtime.executive", "import deepshard.client.node", False),
    ("deepshard.pallets.balances.pallet", "from deepshard.runtime.support import Pallet", True),
    ("deepshard.pallets.balances.pallet", "from deepshard.runtime.support.storage import x", True),
    ("deepshard.pallets.balances.pallet", "from deepshard.pallets.system import System", True),
    ("deepshard.pallets.balances.pallet", "from deepshard.runtime.executive import run", False),
    ("deepshard.pallets.balances.pallet", "from deepshard.runtime import executive", False),
    ("deepshard.pallets.balances.pallet", "import deepshard.client.rpc", False),
    ("deepshard.pallets.balances.pallet", "from deepshard.chain_spec import presets", False),
    ("deepshard.chain_spec.builder", "from deepshard.pallets.balances import Genesis", True),
    ("deepshard.chain_spec.builder", "from deepshard.runtime.runtime import RUNTIME", True),
    ("deepshard.chain_spec.builder", "from deepshard.client.node import service", False),
    ("deepshard.client.node.service", "from deepshard.runtime.runtime import RUNTIME", True),
    ("deepshard.client.node.service", "from deepshard.chain_spec.builder import build", True),
    ("deepshard.client.node.service", "import deepshard.offchain_workers.trainer", False),
    ("deepshard.client.wallet.commands", "from deepshard.primitives.crypto import Keypair", True),
    ("deepshard.client.wallet.commands", "from deepshard.client.wallet.keystore import K", True),
    ("deepshard.client.wallet.commands", "from deepshard.client.rpc.client import Rpc", True),
    ("deepshard.client.wallet.commands", "from deepshard.client.rpc.server import Srv", False),
    ("deepshard.client.wallet.commands", "from deepshard.runtime.runtime import RUNTIME", False),
    ("deepshard.client.wallet.commands", "from deepshard.pallets.balances import Call", False),
    ("deepshard.client.wallet.commands", "from deepshard.client.node import service", False),
    (
        "deepshard.client.wallet.informants",
        "from deepshard.offchain_workers.content import EmbeddedStore",
        True,
    ),
    (
        "deepshard.client.wallet.informants",
        "from deepshard.offchain_workers.curator import Worker",
        False,
    ),
    ("deepshard.client.wallet.flow", "from deepshard.client.rpc.module import RpcModule", False),
    ("deepshard.client.explorer.indexer", "from deepshard.pallets.system import Event", False),
    ("deepshard.client.rpc.client.runtime", "from deepshard.primitives.metadata import M", True),
    ("deepshard.client.rpc.client.client", "from deepshard.client.rpc.client.types import B", True),
    ("deepshard.client.rpc.client.runtime", "from deepshard.runtime.runtime import RUNTIME", False),
    ("deepshard.client.rpc.client.runtime", "from deepshard.pallets.balances import Call", False),
    ("deepshard.client.rpc.client.client", "from deepshard.client.rpc.server import S", False),
    ("deepshard.client.rpc.client.client", "from deepshard.client.node import service", False),
    ("deepshard.client.explorer.indexer", "from deepshard.primitives.codec import decode", True),
    ("deepshard.client.explorer.indexer", "from deepshard.client.rpc.client import C", True),
    ("deepshard.client.explorer.api", "from deepshard.client.rpc.server import Server", False),
    ("deepshard.client.explorer.store", "from deepshard.client.node import service", False),
    ("deepshard.client.explorer.rows", "from deepshard.runtime.runtime import RUNTIME", False),
    ("deepshard.offchain_workers.trainer", "from deepshard.primitives.crypto import sign", True),
    (
        "deepshard.offchain_workers.trainer",
        "from deepshard.offchain_workers.ipfs import Store",
        True,
    ),
    ("deepshard.offchain_workers.trainer", "from deepshard.runtime.support import Pallet", False),
    ("deepshard.offchain_workers.trainer", "from deepshard.client.rpc.client import Rpc", True),
    ("deepshard.offchain_workers.trainer", "from deepshard.client.node import logs", False),
    ("deepshard.client.cli", "from deepshard.offchain_workers.cli import app", True),
    ("deepshard.client.cli", "from deepshard.client.wallet.cli import app", True),
    ("deepshard.client.cli", "from deepshard.offchain_workers.trainer import run", False),
    ("deepshard.client.node.cli", "from deepshard.offchain_workers.cli import app", False),
]


@pytest.mark.parametrize(("importer", "statement", "allowed"), LAYERING_CASES)
def test_layering_rule(importer: str, statement: str, allowed: bool) -> None:
    modules = frozenset({"deepshard.runtime.support", "deepshard.runtime.executive"})
    found = rules(statement, importer, modules=modules)
    assert (found == []) is allowed, found
    if not allowed:
        assert found == ["ARCH001"]


def test_relative_imports_are_resolved() -> None:
    modules = frozenset({"deepshard.pallets.balances.weights"})
    assert (
        rules("from .weights import W", "deepshard.pallets.balances.pallet", modules=modules) == []
    )
    assert rules("from . import weights", "deepshard.pallets.balances", is_package=True) == []
    # Two levels up from a pallet module reaches another pallet: allowed; three reach runtime.
    assert rules("from ..system import S", "deepshard.pallets.balances.pallet") == []
    assert rules("from ...runtime.executive import run", "deepshard.pallets.balances.pallet") == [
        "ARCH001"
    ]
    assert rules("from ...client import x", "deepshard.primitives.codec.api") == ["ARCH001"]


def test_dynamic_imports_are_checked() -> None:
    code = "import importlib\nm = importlib.import_module('deepshard.client.node')\n"
    assert rules(code, "deepshard.primitives.codec.api") == ["ARCH001"]
    assert rules("m = __import__('deepshard.runtime')\n", "deepshard.primitives.x") == ["ARCH001"]


@pytest.mark.parametrize(
    "statement", ["import torch", "from transformers import AutoModel", "import peft.tuners"]
)
def test_heavy_ml_only_in_offchain_workers(statement: str) -> None:
    assert rules(statement, "deepshard.client.node.service") == ["ARCH002"]
    assert rules(statement, "deepshard.primitives.codec.api") == ["ARCH002"]
    assert rules(statement, "deepshard.offchain_workers.trainer") == []


DETERMINISM_CASES = [
    ("x = 1.5\n", ["DET001"]),
    ("x = 1e18\n", ["DET001"]),
    ("x = 2j\n", ["DET001"]),
    ("x = float(y)\n", ["DET002"]),
    ("x = a / b\n", ["DET003"]),
    ("a /= b\n", ["DET003"]),
    ("import time\n", ["DET004"]),
    ("import os.path\n", ["DET004"]),
    ("from datetime import datetime\n", ["DET004"]),
    ("from random import randint\n", ["DET004"]),
    ("import secrets, uuid, socket, threading, asyncio\n", ["DET004"] * 5),
    ("x = hash(y)\n", ["DET005"]),
    ("x = id(y)\n", ["DET005"]),
    ("for v in {1, 2}:\n    pass\n", ["DET006"]),
    ("for v in set(xs):\n    pass\n", ["DET006"]),
    ("for v in frozenset(xs):\n    pass\n", ["DET006"]),
    ("ys = [v for v in set(xs)]\n", ["DET006"]),
    ("ys = {v: 1 for v in {x for x in xs}}\n", ["DET006"]),
    ("ys = list(set(xs))\n", ["DET006"]),
    ("ys = ','.join(set(xs))\n", ["DET006"]),
    ("for v in set(a) | set(b):\n    pass\n", ["DET006"]),
    ("for v in set(a).union(b):\n    pass\n", ["DET006"]),
    ("s = set()\nfor v in s:\n    pass\n", ["DET006"]),
    ("s: set[int] = make()\nfor v in s:\n    pass\n", ["DET006"]),
    ("def f(s: frozenset[int]) -> None:\n    for v in s:\n        pass\n", ["DET006"]),
    ("def f(s: 'set[int]') -> None:\n    return [v for v in s]\n", ["DET006"]),
    ("s = set(xs)\nv = s.pop()\n", ["DET006"]),
    (
        "class Pool:\n    members: set[int]\n    def all(self) -> list[int]:\n"
        "        return [m for m in self.members]\n",
        ["DET006"],
    ),
    (
        "class Pool:\n    def __init__(self) -> None:\n        self.seen = set()\n"
        "    def each(self) -> None:\n        for v in self.seen:\n            pass\n",
        ["DET006"],
    ),
    (  # the attribute is known to be a set even where it is used before it is assigned
        "class Pool:\n    def each(self) -> None:\n        for v in self.seen:\n            pass\n"
        "    def __init__(self) -> None:\n        self.seen = set()\n",
        ["DET006"],
    ),
    # Allowed: integers, floor division, sorted sets, membership tests, dict iteration.
    ("x = a // b\nx = 10**18\nx = 'a/b'\n", []),
    ("for v in sorted({1, 2}):\n    pass\n", []),
    ("if v in {1, 2}:\n    pass\n", []),
    ("for k in d:\n    pass\nfor k, v in d.items():\n    pass\n", []),
    ("import hashlib\nfrom math import isqrt\n", []),
    ("n = len(set(xs))\n", []),
    ("def f(s: list[int]) -> None:\n    for v in s:\n        pass\n", []),
    ("xs.pop()\n", []),
]


@pytest.mark.parametrize(("source", "expected"), DETERMINISM_CASES)
def test_determinism_rules_in_runtime_and_pallets(source: str, expected: list[str]) -> None:
    assert rules(source, "deepshard.runtime.executive") == expected
    assert rules(source, "deepshard.pallets.balances.pallet") == expected


@pytest.mark.parametrize(("source", "expected"), DETERMINISM_CASES)
def test_determinism_rules_do_not_apply_elsewhere(source: str, expected: list[str]) -> None:
    assert rules(source, "deepshard.client.node.service") == []
    assert rules(source, "deepshard.offchain_workers.trainer") == []


DOCSTRING_CASES = [
    ("", ["module deepshard.runtime.x has no docstring"]),
    (DOC + "def f() -> None:\n    pass\n", ["function f has no docstring"]),
    (DOC + "class C:\n    pass\n", ["class C has no docstring"]),
    (
        DOC + 'class C:\n    """C."""\n    def m(self) -> None:\n        pass\n',
        ["method C.m has no docstring"],
    ),
    (DOC + "async def f() -> None:\n    pass\n", ["function f has no docstring"]),
    # Exempt: private names, magic methods, nested functions, overloads, names not exported.
    (DOC + "def _f() -> None:\n    pass\nclass _C:\n    def m(self) -> None:\n        pass\n", []),
    (DOC + 'class C:\n    """C."""\n    def __init__(self) -> None:\n        pass\n', []),
    (DOC + 'def f() -> None:\n    """F."""\n    def inner() -> None:\n        pass\n', []),
    (DOC + '__all__ = ["g"]\ndef f() -> None:\n    pass\ndef g() -> None:\n    """G."""\n', []),
    (DOC + "@overload\ndef f(x: int) -> int: ...\n" + 'def f(x: int) -> int:\n    """F."""\n', []),
]


@pytest.mark.parametrize(("source", "expected"), DOCSTRING_CASES)
def test_docstring_rule(source: str, expected: list[str]) -> None:
    found = check_source(source, "deepshard.runtime.x")
    assert [v.message for v in found] == expected
    assert all(v.rule == "DOC001" for v in found)


def test_private_modules_need_no_docstrings() -> None:
    assert check_source("def f(): pass\n", "deepshard.runtime._private") == []


def test_messages_point_at_file_line_and_rule() -> None:
    source = DOC + "import deepshard.client.cli\n\nx = 1 / 2\n"
    found = check_source(source, "deepshard.pallets.p", path="pallets/deepshard/pallets/p.py")
    assert [str(v) for v in found] == [
        "pallets/deepshard/pallets/p.py:2: ARCH001 deepshard.pallets.p may not import "
        "deepshard.client.cli (DESIGN.md section 2)",
        "pallets/deepshard/pallets/p.py:4: DET003 the / operator gives a float: use // or "
        "fixed point",
    ]


def test_the_repository_check_fails_on_a_bad_tree(tmp_path: Path) -> None:
    for root in SOURCE_ROOTS:
        (tmp_path / root / "deepshard" / root).mkdir(parents=True)
    (tmp_path / "primitives/deepshard/primitives/__init__.py").write_text(DOC)
    bad = tmp_path / "pallets/deepshard/pallets/bad.py"
    bad.write_text(DOC + "from deepshard.client import rpc\nimport random\n")
    (tmp_path / "client/deepshard/client/__init__.py").write_text(DOC)
    (tmp_path / "client/deepshard/client/rpc.py").write_text(DOC)
    found = check_repository(tmp_path)
    assert [(v.path, v.line, v.rule) for v in found] == [
        ("pallets/deepshard/pallets/bad.py", 2, "ARCH001"),
        ("pallets/deepshard/pallets/bad.py", 3, "DET004"),
    ]


def main() -> int:
    """Print every violation in the repository; exit non-zero if there is any."""
    violations = check_repository()
    for violation in violations:
        print(violation)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
