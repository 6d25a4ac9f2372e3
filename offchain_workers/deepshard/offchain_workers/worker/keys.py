"""A worker's signing key: a secret URI (``--key //Alice``) or a keystore directory.

A keystore directory holds key files in Substrate's local-keystore layout: the file name is
the hex of the 4-byte key type followed by the hex of the public key, the content the secret URI
as a JSON string. The worker takes the one key of type ``dswk`` (Deepshard worker key) there, or
the only key when there is one, and checks that the URI derives the public key the name states.
"""

from __future__ import annotations

import json
from pathlib import Path

from deepshard.primitives.crypto import CryptoError, Keypair

__all__ = ["WORKER_KEY_TYPE", "KeyError_", "load_key"]

WORKER_KEY_TYPE = b"dswk"
"""The key type of worker keys in a keystore."""


class KeyError_(ValueError):  # noqa: N801 - not the builtin KeyError
    """No usable key: the message says why."""


def load_key(suri: str | None, keystore: Path | None) -> Keypair:
    """Return the worker's key pair from exactly one of `suri` and `keystore`.

    Raises:
        KeyError_: neither or both given, an invalid URI, or no single matching key file.
    """
    if (suri is None) == (keystore is None):
        raise KeyError_("give --key SURI or --keystore DIR (exactly one)")
    if suri is not None:
        try:
            return Keypair.from_uri(suri)
        except CryptoError as exc:
            raise KeyError_(f"invalid secret URI: {exc}") from None
    assert keystore is not None
    try:
        files = sorted(p for p in keystore.iterdir() if p.is_file())
    except OSError as exc:
        raise KeyError_(f"cannot read keystore {keystore}: {exc}") from None
    typed = [p for p in files if p.name.startswith(WORKER_KEY_TYPE.hex())]
    chosen = typed or files
    if len(chosen) != 1:
        raise KeyError_(f"{keystore}: expected one worker key file, found {len(chosen)}")
    path = chosen[0]
    try:
        key = Keypair.from_uri(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError, CryptoError) as exc:
        raise KeyError_(f"{path}: not a secret URI key file: {exc}") from None
    if path.name[8:] != key.public_key.hex():
        raise KeyError_(f"{path}: the URI does not derive the public key in the file name")
    return key
