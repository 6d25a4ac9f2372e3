"""The key types and the fixed sizes shared by the signature schemes."""

from __future__ import annotations

import enum
from typing import Final

__all__ = [
    "KeyType",
    "PUBLIC_KEY_LENGTH",
    "SIGNATURE_LENGTH",
    "SEED_LENGTH",
]

PUBLIC_KEY_LENGTH: Final = 32
"""Bytes in an sr25519 or ed25519 public key (and so in an `AccountId32`)."""

SIGNATURE_LENGTH: Final = 64
"""Bytes in an sr25519 or ed25519 signature."""

SEED_LENGTH: Final = 32
"""Bytes in a seed: schnorrkel's `MiniSecretKey`, or the RFC 8032 ed25519 secret key."""


class KeyType(enum.IntEnum):
    """A signature scheme, numbered as the variants of Substrate's `MultiSignature`.

    The numbers are also py-substrate-interface's `KeypairType` values. ECDSA (2) is not
    implemented here.
    """

    ED25519 = 0
    SR25519 = 1

    @property
    def label(self) -> str:
        """The scheme's lower-case name, as in polkadot.js keystores (``"sr25519"``)."""
        return self.name.lower()
