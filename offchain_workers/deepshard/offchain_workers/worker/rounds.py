"""What the trainer and scorer workers read from the Training pallet, and how they fetch models.

`active_round` reads the open round at a block; `load_parent` fetches a model version by CID —
the base model directory and every accepted adapter file, each adapter's sha256 checked against
the chain — into a local cache keyed by CID, so a restarted worker does not fetch twice. No
torch here: the ML jobs load the files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepshard.client.rpc.client import ChainClient
from deepshard.offchain_workers.content.cids import cid_from_bytes
from deepshard.offchain_workers.ml.content import fetch_file, fetch_model
from deepshard.offchain_workers.ml.errors import MLError
from deepshard.offchain_workers.worker.curator import phase_name

__all__ = [
    "ActiveRound",
    "ParentFiles",
    "account_bytes",
    "active_round",
    "fetch_verified",
    "load_parent",
]


def account_bytes(value: Any) -> bytes:
    """Return a decoded AccountId32 as 32 bytes, however the codec renders it."""
    if isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x"))
    return bytes(value)


@dataclass(frozen=True, slots=True)
class ActiveRound:
    """The open round as a worker needs it."""

    round_id: int
    """Its id."""
    phase: str
    """``Commit``, ``Reveal``, ``Score``, ``Dispute`` or ``Closed``."""
    raw: Any
    """The decoded ``Round``."""

    def drew_trainer(self, who: bytes) -> bool:
        """Whether `who` is one of the round's drawn trainers."""
        return any(account_bytes(t[0]) == who for t in self.raw["trainers"])

    def drew_scorer(self, who: bytes) -> bool:
        """Whether `who` is one of the round's drawn scorers."""
        return any(account_bytes(s[0]) == who for s in self.raw["scorers"])

    def revealed(self) -> list[bytes]:
        """The trainers that revealed, in reveal order (the scores' row order)."""
        return [account_bytes(w) for w in self.raw["revealed"]]


async def active_round(chain: ChainClient, at: bytes) -> ActiveRound | None:
    """Return the round not yet closed at block `at`, or None."""
    round_id = await chain.query("Training", "ActiveRound", at=at)
    if round_id is None:
        return None
    raw = await chain.query("Training", "Rounds", int(round_id), at=at)
    if raw is None:
        return None
    return ActiveRound(int(round_id), phase_name(raw["phase"]), raw)


async def fetch_verified(store: Any, raw_cid: bytes, sha256: bytes | None = None) -> bytes:
    """Fetch a file by its binary CID (every block verified); check its sha256 when given.

    Raises:
        MLError: the bytes do not hash to `sha256`.
        ContentError: a missing or corrupt block.
    """
    data = await fetch_file(store, cid_from_bytes(bytes(raw_cid)))
    if sha256 is not None and hashlib.sha256(data).digest() != bytes(sha256):
        raise MLError(f"{cid_from_bytes(bytes(raw_cid))}: sha256 does not match the chain's")
    return data


@dataclass(frozen=True, slots=True)
class ParentFiles:
    """A model version on local disk: the base directory and its adapters' bytes, in order."""

    base: Path
    """The base model directory."""
    adapters: list[bytes]
    """The accepted adapter files."""


async def load_parent(
    chain: ChainClient, store: Any, version_id: int, cache: Path, base_override: Path | None
) -> ParentFiles:
    """Fetch model version `version_id` (module docs); `base_override` replaces its base.

    Raises:
        MLError: unknown version or an adapter whose bytes do not match the chain.
        ContentError / ModelFormatError: the base model cannot be fetched.
    """
    version = await chain.query("Training", "ModelVersions", version_id)
    if version is None:
        raise MLError(f"model version {version_id} is not on chain")
    if base_override is not None:
        base = base_override
    else:
        cid = cid_from_bytes(bytes(version["base_cid"]))
        base = cache / "models" / str(cid)
        if not (base / "config.json").exists():
            await fetch_model(store, cid, base)
    adapters = []
    for record in version["adapters"]:
        sha = account_bytes(record["sha256"])
        path = cache / "adapters" / sha.hex()
        if path.exists() and hashlib.sha256(path.read_bytes()).digest() == sha:
            adapters.append(path.read_bytes())
            continue
        data = await fetch_verified(store, bytes(record["cid"]), sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        adapters.append(data)
    return ParentFiles(base, adapters)
