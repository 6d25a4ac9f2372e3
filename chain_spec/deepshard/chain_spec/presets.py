"""Chain presets: the genesis of the dev, local and testnet chains, as plain data.

A preset names its chain, its token properties and its genesis in human terms -- dev account
names or SS58 addresses, whole balances -- and `deepshard.chain_spec.builder` turns it into a
plain chain spec (``genesis.runtimeGenesis.patch``, JSON) and then a raw one (the storage
itself). Nothing here runs runtime code.

* ``dev`` -- one authority (Alice), Alice is sudo, the six dev accounts and their stash
  accounts pre-funded; blocks are final as soon as they are imported.
* ``local`` -- four authorities (Alice, Bob, Charlie, Dave), Alice is sudo, same endowments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from deepshard.primitives.crypto import DEV_ACCOUNT_NAMES

__all__ = ["ChainPreset", "DEV", "LOCAL", "PRESETS", "DEV_ACCOUNTS", "ENDOWMENT"]

DEV_ACCOUNTS: Final = DEV_ACCOUNT_NAMES
"""The well-known development accounts (``//Alice`` ...)."""

ENDOWMENT: Final = 1 << 60
"""Balance each endowed dev account starts with (about 1.15 million DSH), as Substrate's."""


@dataclass(frozen=True, slots=True)
class ChainPreset:
    """A chain's identity and genesis, before it is turned into storage."""

    name: str
    """Human-readable chain name (``Development``; avoid names of scalecodec preset files)."""
    id: str
    """Chain identifier (``dev``)."""
    chain_type: str
    """``Development``, ``Local`` or ``Live``."""
    authorities: tuple[str, ...]
    """Aura authorities: dev account names or SS58 addresses (sr25519 keys)."""
    sudo: str | None
    """The sudo key: a dev account name or SS58 address (None: no sudo)."""
    endowed: tuple[str, ...]
    """Accounts funded at genesis: dev account names (``Alice``, ``Alice//stash``) or SS58."""
    endowment: int = ENDOWMENT
    """Balance given to each endowed account, in the smallest unit."""
    properties: Mapping[str, Any] = field(
        default_factory=lambda: {"ss58Format": 42, "tokenDecimals": 12, "tokenSymbol": "DSH"}
    )
    """Chain properties shown by wallets."""
    protocol_id: str = "deepshard"
    """Network protocol id."""


_ENDOWED: Final = DEV_ACCOUNTS + tuple(f"{name}//stash" for name in DEV_ACCOUNTS)

DEV: Final = ChainPreset(
    name="Development",
    id="dev",
    chain_type="Development",
    authorities=("Alice",),
    sudo="Alice",
    endowed=_ENDOWED,
)
"""The single-authority development chain (``deepshard node --dev``)."""

LOCAL: Final = ChainPreset(
    name="Local Testnet",
    id="local_testnet",
    chain_type="Local",
    authorities=("Alice", "Bob", "Charlie", "Dave"),
    sudo="Alice",
    endowed=_ENDOWED,
)
"""The four-authority local testnet (``--chain local``)."""

PRESETS: Final = {"dev": DEV, "local": LOCAL}
"""Presets by the name the ``--chain`` option takes."""
