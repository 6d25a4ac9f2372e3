"""Which optional parts of Deepshard this build has: detected, never assumed.

The licence steps of a devnet need the Licences pallet in the running runtime (read from its
metadata) and the ``deepshard worker keeper`` and ``deepshard infer generate`` commands (read
from the ``deepshard`` command tree). A build without them runs every other step and reports
those as "skipped: not available".
"""

from __future__ import annotations

from typing import Any

from deepshard.client.devnet.steps import Feature

__all__ = ["cli_features", "has_command", "runtime_features"]


def has_command(*path: str) -> bool:
    """Whether ``deepshard <path...>`` exists (``has_command("worker", "keeper")``)."""
    import typer.main  # noqa: PLC0415 - only when asked

    from deepshard.client.cli import app  # noqa: PLC0415 - the root imports this package

    command: Any = typer.main.get_command(app)
    for name in path:
        commands = getattr(command, "commands", None)
        if not isinstance(commands, dict) or name not in commands:
            return False
        command = commands[name]
    return True


def cli_features() -> frozenset[Feature]:
    """The features the ``deepshard`` command tree provides."""
    found: set[Feature] = set()
    if has_command("worker", "keeper"):
        found.add(Feature.KEEPER)
    if has_command("infer", "generate"):
        found.add(Feature.INFER)
    return frozenset(found)


def runtime_features(runtime: Any) -> frozenset[Feature]:
    """The features a running runtime (a `RuntimeView`) provides."""
    try:
        runtime.call_variant("Licences", "buy")
    except LookupError:
        return frozenset()
    return frozenset({Feature.LICENCES})
