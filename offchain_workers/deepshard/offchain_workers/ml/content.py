"""Models and adapters in the content store: pin a model directory, fetch one back by CID.

A model directory is added as a UnixFS directory (Kubo's default profile, so ``ipfs add -r``
gives the same CID); fetching lists it and streams each file, every block verified against its
CID, into a temporary directory renamed into place only when complete. No torch needed.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from deepshard.offchain_workers.content.cids import CID
from deepshard.offchain_workers.content.dag import list_directory
from deepshard.offchain_workers.content.store import Bounds
from deepshard.offchain_workers.ml.errors import ModelFormatError

__all__ = ["pin_model", "fetch_model", "fetch_file"]

_NAME_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


async def pin_model(store: Any, path: Path) -> CID:
    """Add and pin the model directory `path`; return its root CID."""
    entries = await store.add_path(path)
    cid: CID = entries[-1].cid
    return cid


async def fetch_file(store: Any, cid: CID, bounds: Bounds | None = None) -> bytes:
    """Return a file's bytes (verified) from the store."""
    return b"".join([piece async for piece in store.cat(cid, bounds=bounds)])


async def fetch_model(store: Any, cid: CID, dest: Path, bounds: Bounds | None = None) -> Path:
    """Write the model directory `cid` to the new directory `dest` (whole or not at all).

    Raises:
        ModelFormatError: an entry that is not a plain file name, or no ``config.json``.
        ContentError: a missing or corrupt block (from the store).
    """
    limit = bounds or store.bounds
    entries = await list_directory(store, cid, limit)
    names = [name for name, _, _ in entries]
    if "config.json" not in names:
        raise ModelFormatError(f"{cid}: not a model directory (no config.json)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".fetch-", dir=dest.parent))
    try:
        for name, child, _ in entries:
            if not name or set(name) - _NAME_OK or name.startswith("."):
                raise ModelFormatError(f"{cid}: unsafe entry name {name!r}")
            (tmp / name).write_bytes(await fetch_file(store, child, limit))
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest
