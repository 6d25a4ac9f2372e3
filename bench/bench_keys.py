"""Signature throughput on one core: sr25519 and ed25519 verify and sign, plus SS58 decoding.

`verify` is `deepshard.primitives.crypto.verify`, the transaction-validation entry point, so
the figures include its argument checks. Run with ``python -m bench keys``.
"""

from __future__ import annotations

import sr25519

from bench.harness import Figure, per_second, print_figures
from deepshard.primitives.crypto import (
    Keypair,
    KeyType,
    dev_keypair,
    ss58_decode,
    ss58_encode,
    verify,
)

# A typical signed-extrinsic payload: call + extra + additional signed, under 256 bytes.
MESSAGE = bytes(range(256))[:160]


def main() -> None:
    """Print the key-operation figures."""
    sr = dev_keypair("Alice", KeyType.SR25519)
    ed = dev_keypair("Alice", KeyType.ED25519)
    sr_signature = sr.sign(MESSAGE)
    ed_signature = ed.sign(MESSAGE)
    assert verify(KeyType.SR25519, sr_signature, MESSAGE, sr.public_key)
    assert verify(KeyType.ED25519, ed_signature, MESSAGE, ed.public_key)
    corrupted = sr_signature[:10] + bytes((sr_signature[10] ^ 1,)) + sr_signature[11:]
    assert not verify(KeyType.SR25519, corrupted, MESSAGE, sr.public_key)
    address = ss58_encode(sr.public_key)
    note = f"{len(MESSAGE)}-byte message, one core"
    figures = [
        Figure(
            "sr25519 verify",
            per_second(lambda: verify(KeyType.SR25519, sr_signature, MESSAGE, sr.public_key)),
            "verifications/s",
            note,
        ),
        Figure(
            "ed25519 verify",
            per_second(lambda: verify(KeyType.ED25519, ed_signature, MESSAGE, ed.public_key)),
            "verifications/s",
            note,
        ),
        Figure(
            "sr25519 verify, corrupted signature",
            per_second(lambda: verify(KeyType.SR25519, corrupted, MESSAGE, sr.public_key)),
            "verifications/s",
            "one flipped bit: a rejection costs a full check",
        ),
        Figure(
            "sr25519 verify, unmarked signature",
            per_second(lambda: verify(KeyType.SR25519, ed_signature, MESSAGE, sr.public_key)),
            "verifications/s",
            "refused before any curve arithmetic",
        ),
        Figure(
            "sr25519 verify, raw binding",
            per_second(lambda: sr25519.verify(sr_signature, MESSAGE, sr.public_key)),
            "verifications/s",
            "py-sr25519-bindings alone: the wrapper's overhead is the difference",
        ),
        Figure("sr25519 sign", per_second(lambda: sr.sign(MESSAGE)), "signatures/s", note),
        Figure("ed25519 sign", per_second(lambda: ed.sign(MESSAGE)), "signatures/s", note),
        Figure(
            "sr25519 from seed",
            per_second(lambda: Keypair.from_seed(bytes(32))),
            "key pairs/s",
        ),
        Figure(
            "sr25519 //Alice from URI",
            per_second(lambda: Keypair.from_uri("//Alice"), min_time=1.0),
            "key pairs/s",
            "BIP-39 PBKDF2 (2048 rounds) dominates",
        ),
        Figure("SS58 decode", per_second(lambda: ss58_decode(address)), "addresses/s"),
        Figure("SS58 encode", per_second(lambda: ss58_encode(sr.public_key)), "addresses/s"),
    ]
    print_figures("keys (deepshard.primitives.crypto)", figures)


if __name__ == "__main__":
    main()
