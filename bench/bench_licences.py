"""Licence key-custody benchmark: streamed XChaCha20-Poly1305 throughput, key split and rebuild.

Run with ``python -m bench licences``. A 64 MiB file of random bytes (a stand-in for a
safetensors shard: ciphertext speed does not depend on content) is encrypted to and decrypted
from a temporary file with `deepshard.offchain_workers.keeper.custody`, in 1 MiB chunks, each
pass timed from disk to disk (best of `ROUNDS`). Also timed: splitting a key 7-of-10 and
rebuilding it from 7 sealed shares (seal, open, interpolate), the work of one purchase.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from nacl.public import PrivateKey

from bench.harness import Figure, per_second, print_figures
from deepshard.offchain_workers.keeper import custody

SIZE_MIB = 64
ROUNDS = 3
THRESHOLD, KEEPERS = 7, 10


def _best(fn: Callable[[], None]) -> float:
    """The fastest of `ROUNDS` runs of `fn`, in seconds."""
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Print encryption and decryption MiB/s and the cost of one purchase's key shares."""
    key = secrets.token_bytes(custody.KEY_SIZE)
    buyer = PrivateKey.generate()
    with tempfile.TemporaryDirectory() as tmp:
        plain, sealed, opened = Path(tmp, "w.bin"), Path(tmp, "w.enc"), Path(tmp, "w.out")
        with plain.open("wb") as out:
            for _ in range(SIZE_MIB):
                out.write(secrets.token_bytes(1 << 20))

        def encrypt() -> None:
            with plain.open("rb") as src, sealed.open("wb") as dst:
                custody.encrypt_stream(src, dst, key)

        def decrypt() -> None:
            with sealed.open("rb") as src, opened.open("wb") as dst:
                custody.decrypt_stream(src, dst, key)

        enc = _best(encrypt)
        dec = _best(decrypt)
        assert opened.read_bytes() == plain.read_bytes()

    def purchase() -> None:
        shares = custody.split_key(key, THRESHOLD, KEEPERS)
        boxes = [custody.seal_share(s, bytes(buyer.public_key)) for s in shares[:THRESHOLD]]
        assert custody.combine_shares([custody.open_share(b, bytes(buyer)) for b in boxes]) == key

    print_figures(
        "licences: key custody",
        [
            Figure(
                "encrypt (disk to disk)", SIZE_MIB / enc, "MiB/s", f"{SIZE_MIB} MiB, 1 MiB chunks"
            ),
            Figure("decrypt (disk to disk)", SIZE_MIB / dec, "MiB/s", "authenticated"),
            Figure(
                f"split {THRESHOLD}-of-{KEEPERS}, seal, open, rebuild",
                per_second(purchase),
                "purchases/s",
            ),
        ],
    )


if __name__ == "__main__":
    main()
