"""Genesis storage: the key/value pairs a runtime's pallets write before block 1.

Each pallet's genesis configuration (`GenesisConfig.build`) validates itself and writes its
initial storage through the pallet, in pallet-index order, into an empty overlay. The result is
the raw genesis storage a chain spec carries (``genesis.raw.top``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deepshard.runtime.support.overlay import MemoryBackend, Overlay
from deepshard.runtime.support.pallet import GenesisConfig, Pallet
from deepshard.runtime.support.runtime import Runtime

__all__ = ["build_genesis_storage"]


def build_genesis_storage(
    runtime: Runtime,
    configs: Mapping[type[Pallet[Any]], GenesisConfig],
    extra: Mapping[bytes, bytes] | None = None,
) -> dict[bytes, bytes]:
    """Run every pallet's genesis build and return the resulting storage.

    Args:
        runtime: The runtime whose pallets build their genesis.
        configs: Genesis configuration per pallet class; pallets not listed use their
            default configuration.
        extra: Raw pairs written first (e.g. ``:code``).

    Raises:
        KeyError: a configuration is given for a pallet the runtime does not include.
        ValueError: a pallet's configuration is invalid (the message says why).
    """
    registered = tuple(entry.pallet for entry in runtime.pallets)
    unknown = [p.__name__ for p in configs if p not in registered]
    if unknown:
        raise KeyError(f"genesis given for pallets not in the runtime: {', '.join(unknown)}")
    ctx = runtime.new_context(Overlay(MemoryBackend(extra or {})), 0)
    for entry in runtime.pallets:
        config = configs.get(entry.pallet) or entry.pallet.GENESIS()
        config.build(ctx.pallet(entry.pallet))
    storage = dict(extra or {})
    for key, value in ctx.overlay.changes().items():
        if value is None:
            storage.pop(key, None)
        else:
            storage[key] = value
    return storage
