"""Run every benchmark module listed in `MODULES`, in order, printing each one's figures.

Usage: ``python -m bench [NAME ...]`` where NAME is a module name without the ``bench_`` prefix
(for example ``python -m bench codec trie``); with no names, all of them run.
"""

from __future__ import annotations

import importlib
import sys

MODULES = (
    "codec",
    "trie",
    "keys",
    "runtime",
    "db",
    "rpc",
    "node",
    "client",
    "pallet_weights",
    "informants",
    "content",
    "sync",
    "training",
    "explorer",
    "ml",
    "licences",
    "licences_pallet",
)


def main(argv: list[str]) -> int:
    """Run the selected benchmark modules."""
    names = argv or list(MODULES)
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(MODULES)}")
        return 2
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        module.main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
