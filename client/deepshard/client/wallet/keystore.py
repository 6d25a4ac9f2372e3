"""The keystore: one polkadot.js v3 key file per key in a directory, readable by its owner only.

The directory is ``$DEEPSHARD_WALLET_PATH``, else ``~/.deepshard/wallet``; it is created with
mode 0700 and every key file (``<name>.json``) with mode 0600. A key is found by its name or by
its SS58 address (any prefix).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from deepshard.client.wallet.errors import InvalidInput, KeyExists, UnknownKey, WalletError
from deepshard.client.wallet.polkadot_json import KeyFile, encode_key_file
from deepshard.primitives.crypto import Keypair, decode_account_id
from deepshard.primitives.crypto.errors import CryptoError

__all__ = ["Keystore", "StoredKey", "default_keystore_path", "NAME_PATTERN"]

NAME_PATTERN: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
"""What a key's name may be: it is also its file name."""
_FILE_MODE: Final = 0o600
_DIR_MODE: Final = 0o700


def default_keystore_path() -> Path:
    """``$DEEPSHARD_WALLET_PATH``, else ``~/.deepshard/wallet``."""
    env = os.environ.get("DEEPSHARD_WALLET_PATH")
    return Path(env) if env else Path.home() / ".deepshard" / "wallet"


@dataclass(frozen=True, slots=True)
class StoredKey:
    """A key in the keystore: its name, file and parsed (still encrypted) content."""

    name: str
    """The key's name (its file name without ``.json``)."""
    path: Path
    """The key file."""
    file: KeyFile
    """The parsed file."""

    @property
    def public_key(self) -> bytes:
        """The key's public key (its account id)."""
        return self.file.public_key


class Keystore:
    """A directory of key files (see the module docs)."""

    def __init__(self, path: Path) -> None:
        """Use the keystore at `path` (created on the first write)."""
        self.path = path

    def _file(self, name: str) -> Path:
        if not NAME_PATTERN.match(name):
            raise InvalidInput(
                f"{name!r} is not a key name (letters, digits, '_', '.', '-'; up to 64)"
            )
        return self.path / f"{name}.json"

    def list(self) -> list[StoredKey]:
        """Every readable key file, by name (files that do not parse are skipped)."""
        if not self.path.is_dir():
            return []
        found = []
        for file in sorted(self.path.glob("*.json")):
            try:
                found.append(StoredKey(file.stem, file, KeyFile.parse(file.read_bytes())))
            except (OSError, WalletError):
                continue  # a broken file must not hide the others
        return found

    def get(self, name_or_address: str) -> StoredKey:
        """Find a key by name, or by SS58 address (any prefix) / ``0x`` public key.

        Raises:
            UnknownKey: no such key.
            KeystoreFormatError: the named file is not a key file.
        """
        if NAME_PATTERN.match(name_or_address):
            file = self._file(name_or_address)
            if file.is_file():
                return StoredKey(name_or_address, file, KeyFile.parse(file.read_bytes()))
        public = _public_key_of(name_or_address)
        if public is not None:
            for key in self.list():
                if key.public_key == public:
                    return key
        raise UnknownKey(f"no key {name_or_address!r} in the keystore {self.path}")

    def add(self, name: str, pair: Keypair, password: str, *, overwrite: bool = False) -> StoredKey:
        """Encrypt `pair` with `password` and store it as `name`.

        Raises:
            KeyExists: `name` is taken (and not `overwrite`).
            InvalidInput: `name` is not a valid key name.
        """
        meta = {"name": name, "whenCreated": int(time.time() * 1000)}
        return self.add_file(name, encode_key_file(pair, password, meta), overwrite=overwrite)

    def add_file(self, name: str, text: str, *, overwrite: bool = False) -> StoredKey:
        """Store an already encoded key file as `name` (mode 0600, written atomically).

        Raises:
            KeyExists: `name` is taken (and not `overwrite`).
            KeystoreFormatError: `text` is not a key file.
        """
        parsed = KeyFile.parse(text)
        target = self._file(name)
        if target.exists() and not overwrite:
            raise KeyExists(f"a key named {name!r} exists already ({target})")
        self.path.mkdir(parents=True, exist_ok=True, mode=_DIR_MODE)
        temporary = target.with_suffix(".json.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _FILE_MODE)
        with os.fdopen(descriptor, "w") as out:
            out.write(text)
        os.chmod(temporary, _FILE_MODE)
        os.replace(temporary, target)
        return StoredKey(name, target, parsed)

    def remove(self, name: str) -> None:
        """Delete key `name`.

        Raises:
            UnknownKey: no such key.
        """
        target = self._file(name)
        if not target.is_file():
            raise UnknownKey(f"no key {name!r} in the keystore {self.path}")
        target.unlink()


def _public_key_of(text: str) -> bytes | None:
    if text.startswith("0x") and len(text) == 66:
        try:
            return bytes.fromhex(text[2:])
        except ValueError:
            return None
    try:
        return decode_account_id(text)
    except CryptoError:
        return None
