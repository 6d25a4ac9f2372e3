"""Content-store throughput: add and cat of a 256 MiB file, next to plain sha2-256.

Run with ``python -m bench content`` (``DEEPSHARD_BENCH_CONTENT_MIB`` changes the size). The
file is pseudo-random bytes from a fixed seed, written to a temporary directory on the disk that
holds ``$TMPDIR``; the embedded store lives there too (LMDB with sync and metasync on).

Figures, in MiB/s of file bytes, once per Kubo profile:

* ``sha2-256`` -- hashlib over the same bytes in 1 MiB reads: the floor, since hashing every
  byte once is the only work an add must do;
* ``only-hash`` -- the UnixFS import computing every CID (chunking, dag-pb/UnixFS encoding,
  CIDs), storing nothing (``ipfs add -n``);
* ``add`` -- the same import into the embedded store, committed and pinned;
* ``cat`` -- reading the file back through the store, every block hashed against its CID.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.harness import Figure, print_figures
from deepshard.offchain_workers.content.embedded import EmbeddedStore, import_path
from deepshard.offchain_workers.content.importer import DiscardSink
from deepshard.offchain_workers.content.profiles import (
    UNIXFS_V0_2015,
    UNIXFS_V1_2025,
    ImportProfile,
)

MIB = 1024 * 1024


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _write_file(path: Path, size: int) -> None:
    block = hashlib.shake_256(b"deepshard bench content").digest(MIB)
    with path.open("wb") as fh:
        for i in range(size // MIB):
            fh.write(bytes(b ^ (i & 0xFF) for b in block[:64]) + block[64:])


def _sha256(path: Path) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(MIB):
            digest.update(chunk)


async def _add_and_cat(path: Path, profile: ImportProfile, repo: Path) -> tuple[str, float, float]:
    store = EmbeddedStore(repo)
    try:
        start = time.perf_counter()
        root = (await store.add_path(path, profile=profile))[-1].cid
        added = time.perf_counter()
        async for _piece in store.cat(root):
            pass
        return str(root), added - start, time.perf_counter() - added
    finally:
        store.close()


def main() -> None:
    """Print the figures."""
    size = int(os.environ.get("DEEPSHARD_BENCH_CONTENT_MIB", "256")) * MIB
    mib = size / MIB
    with tempfile.TemporaryDirectory(prefix="deepshard-bench-content-") as tmp:
        path = Path(tmp) / "data.bin"
        _write_file(path, size)
        figures = [Figure("sha2-256", mib / _timed(lambda: _sha256(path)), "MiB/s", "the floor")]
        for profile in (UNIXFS_V0_2015, UNIXFS_V1_2025):
            only_hash = _timed(lambda p=profile: import_path(path, p, DiscardSink()))
            root, add_time, cat_time = asyncio.run(
                _add_and_cat(path, profile, Path(tmp) / f"repo-{profile.name}")
            )
            name = profile.name
            figures += [
                Figure(f"{name} only-hash", mib / only_hash, "MiB/s", root),
                Figure(f"{name} add", mib / add_time, "MiB/s", "embedded store, pinned"),
                Figure(f"{name} cat", mib / cat_time, "MiB/s", "every block verified"),
            ]
        print_figures(f"content store, {mib:.0f} MiB file", figures)


if __name__ == "__main__":
    main()
