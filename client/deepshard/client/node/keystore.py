"""The node's keystore: session keys on disk, as Substrate's local keystore keeps them.

Each key is one file in ``<base>/chains/<chain id>/keystore``; its name is the hex of the
4-byte key type (``aura``) followed by the hex of the public key, and its content is the
secret URI as a JSON string. ``deepshard node key insert`` writes such a file; the node loads
the Aura key it finds there (or the dev key ``--alice`` names).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Final

from deepshard.primitives.crypto import CryptoError, Keypair, KeyType

__all__ = ["KEY_TYPES", "KeystoreError", "Keystore"]

KEY_TYPES: Final = {"aura": b"aura", "gran": b"gran", "babe": b"babe", "imon": b"imon"}
"""Known 4-byte key types (Substrate's ``KeyTypeId``)."""


class KeystoreError(ValueError):
    """A key cannot be stored or read; the message says why."""


class Keystore:
    """Session keys stored as files in one directory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def insert(self, key_type: str, suri: str, scheme: KeyType = KeyType.SR25519) -> Keypair:
        """Store the key derived from `suri` under `key_type`; return the key pair.

        Raises:
            KeystoreError: an unknown key type or an invalid secret URI.
        """
        identifier = KEY_TYPES.get(key_type)
        if identifier is None:
            raise KeystoreError(f"unknown key type {key_type!r}; known: {', '.join(KEY_TYPES)}")
        try:
            keypair = Keypair.from_uri(suri, scheme)
        except CryptoError as error:
            raise KeystoreError(f"invalid secret URI: {error}") from error
        self.path.mkdir(parents=True, exist_ok=True)
        target = self.path / (identifier.hex() + keypair.public_key.hex())
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(suri), encoding="utf-8")
        os.chmod(temporary, 0o600)
        temporary.replace(target)
        return keypair

    def keys(self, key_type: str, scheme: KeyType = KeyType.SR25519) -> list[Keypair]:
        """Return every stored key pair of `key_type`, in file-name order.

        Raises:
            KeystoreError: a key file is unreadable or does not match its name.
        """
        identifier = KEY_TYPES.get(key_type)
        if identifier is None or not self.path.is_dir():
            return []
        found = []
        for file in sorted(self.path.iterdir()):
            if not file.name.startswith(identifier.hex()) or file.suffix == ".tmp":
                continue
            try:
                suri = json.loads(file.read_text(encoding="utf-8"))
                keypair = Keypair.from_uri(suri, scheme)
            except (OSError, ValueError) as error:
                raise KeystoreError(f"{file}: unreadable key file: {error}") from error
            if identifier.hex() + keypair.public_key.hex() != file.name:
                raise KeystoreError(f"{file}: the key does not match its file name")
            found.append(keypair)
        return found
