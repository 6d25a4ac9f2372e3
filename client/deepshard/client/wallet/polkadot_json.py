"""polkadot.js keystore JSON (version 3): the file `@polkadot/keyring` exports and imports.

Layout, as `@polkadot/keyring` writes it::

    {"encoded": base64(salt[32] ++ N ++ p ++ r ++ nonce[24] ++ secretbox(pkcs8)),
     "encoding": {"content": ["pkcs8", "sr25519"], "type": ["scrypt", "xsalsa20-poly1305"],
                  "version": "3"},
     "address": SS58 (prefix 42), "meta": {"name": ..., "whenCreated": ms}}

``N``, ``p`` and ``r`` are little-endian u32 (2^15, 1, 8); the secretbox key is the first 32
of the 64 bytes scrypt derives from the password. The plaintext is a fixed PKCS#8-like frame:
``HEADER[16] ++ secret[64] ++ DIVIDER[5] ++ public[32]``, where the secret is the sr25519 key
in its ed25519-expanded form, or the ed25519 ``seed ++ public``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import nacl.exceptions
import nacl.secret

from deepshard.client.wallet.errors import KeystoreFormatError, WrongPassword
from deepshard.primitives.crypto import Keypair, KeyType, decode_account_id, ss58_encode
from deepshard.primitives.crypto.errors import CryptoError
from deepshard.primitives.crypto.sr25519 import (
    secret_from_ed25519_expanded,
    secret_to_ed25519_expanded,
)

__all__ = ["KeyFile", "encode_key_file", "decode_key_file", "SCRYPT_N", "SCRYPT_P", "SCRYPT_R"]

PKCS8_HEADER: Final = bytes([48, 83, 2, 1, 1, 48, 5, 6, 3, 43, 101, 112, 4, 34, 4, 32])
PKCS8_DIVIDER: Final = bytes([161, 35, 3, 33, 0])
SCRYPT_N: Final = 1 << 15
SCRYPT_P: Final = 1
SCRYPT_R: Final = 8
_SALT: Final = 32
_NONCE: Final = 24
_PARAMS: Final = _SALT + 12
_SECRET: Final = 64
_PLAIN: Final = len(PKCS8_HEADER) + _SECRET + len(PKCS8_DIVIDER) + 32
_ENCRYPTED_TYPE: Final = ["scrypt", "xsalsa20-poly1305"]
_MAX_SCRYPT_N: Final = 1 << 20
_SCHEMES: Final = {"sr25519": KeyType.SR25519, "ed25519": KeyType.ED25519}


@dataclass(frozen=True, slots=True)
class KeyFile:
    """A parsed (not yet decrypted) key file."""

    address: str
    """The SS58 address recorded in the file."""
    key_type: KeyType
    """Its signature scheme."""
    public_key: bytes
    """The public key of the address."""
    encoded: bytes = field(repr=False)
    """The encrypted (or, for ``type: none``, plain) PKCS#8 frame with its scrypt header."""
    encrypted: bool
    """Whether a password is needed."""
    meta: Mapping[str, Any]
    """The file's ``meta`` object (``name``, ``whenCreated``...)."""

    @property
    def name(self) -> str:
        """The key's name from ``meta`` (empty if none)."""
        value = self.meta.get("name", "")
        return value if isinstance(value, str) else ""

    @classmethod
    def parse(cls, text: str | bytes) -> KeyFile:
        """Parse a key file's JSON.

        Raises:
            KeystoreFormatError: not JSON, not version 3, an unknown scheme or a bad address.
        """
        try:
            data = json.loads(text)
            encoding = data["encoding"]
            content = list(encoding["content"])
            kinds = list(encoding["type"])
            version = str(encoding["version"])
            encoded = base64.b64decode(data["encoded"], validate=True)
            address = str(data["address"])
            meta = data.get("meta") or {}
        except (ValueError, KeyError, TypeError) as exc:
            raise KeystoreFormatError(f"not a polkadot.js key file: {exc}") from None
        if version != "3":
            raise KeystoreFormatError(f"key file version {version} is not supported (only 3)")
        if len(content) != 2 or content[0] != "pkcs8" or content[1] not in _SCHEMES:
            raise KeystoreFormatError(f"key file content {content} is not pkcs8 sr25519/ed25519")
        if kinds not in (_ENCRYPTED_TYPE, ["none"]):
            raise KeystoreFormatError(f"key file encryption {kinds} is not supported")
        try:
            public = decode_account_id(address)
        except CryptoError as exc:
            raise KeystoreFormatError(f"key file address {address!r}: {exc}") from None
        if not isinstance(meta, Mapping):
            raise KeystoreFormatError("key file meta is not an object")
        return cls(address, _SCHEMES[content[1]], public, encoded, kinds != ["none"], meta)

    def decrypt(self, password: str) -> Keypair:
        """Open the file with `password` and return its key pair.

        Raises:
            WrongPassword: the password does not open it.
            KeystoreFormatError: the content is not a valid frame, or its key is not the
                file's address.
        """
        plain = _decrypt(self.encoded, password) if self.encrypted else self.encoded
        if (
            len(plain) != _PLAIN
            or not plain.startswith(PKCS8_HEADER)
            or plain[16 + _SECRET : 16 + _SECRET + 5] != PKCS8_DIVIDER
        ):
            raise KeystoreFormatError("the decrypted key is not a PKCS#8 frame")
        secret, public = plain[16 : 16 + _SECRET], plain[16 + _SECRET + 5 :]
        try:
            if self.key_type is KeyType.SR25519:
                derived, schnorrkel = secret_from_ed25519_expanded(secret)
                pair = Keypair(KeyType.SR25519, derived, schnorrkel, None)
            else:
                pair = Keypair.from_seed(secret[:32], KeyType.ED25519)
        except CryptoError as exc:
            raise KeystoreFormatError(f"the key file holds an invalid secret: {exc}") from None
        if pair.public_key != public or public != self.public_key:
            raise KeystoreFormatError("the key file's secret does not match its address")
        return pair


def _decrypt(encoded: bytes, password: str) -> bytes:
    if len(encoded) < _PARAMS + _NONCE + nacl.secret.SecretBox.MACBYTES:
        raise KeystoreFormatError("the encrypted key is too short")
    salt = encoded[:_SALT]
    n, p, r = (
        int.from_bytes(encoded[_SALT + 4 * i : _SALT + 4 * i + 4], "little") for i in range(3)
    )
    if n > _MAX_SCRYPT_N or n < 2 or n & (n - 1) or not 0 < p <= 16 or not 0 < r <= 32:
        raise KeystoreFormatError(f"unsupported scrypt parameters N={n} p={p} r={r}")
    key = _scrypt(password, salt, n, p, r)
    nonce = encoded[_PARAMS : _PARAMS + _NONCE]
    try:
        return nacl.secret.SecretBox(key).decrypt(encoded[_PARAMS + _NONCE :], nonce)
    except nacl.exceptions.CryptoError:
        raise WrongPassword("wrong password (the key file does not open with it)") from None


def _scrypt(password: str, salt: bytes, n: int, p: int, r: int) -> bytes:
    derived = hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * r * n * p + 2**20, dklen=64
    )
    return derived[:32]


def encode_key_file(
    pair: Keypair, password: str | None, meta: Mapping[str, Any] | None = None, *, prefix: int = 42
) -> str:
    """Write `pair` as a polkadot.js v3 key file (JSON text), encrypted unless no password.

    An empty password or None writes ``type: ["none"]``, as `@polkadot/keyring` does.
    """
    if pair.key_type is KeyType.SR25519:
        secret = secret_to_ed25519_expanded(pair.secret_key)
    else:
        secret = pair.secret_key + pair.public_key
    plain = PKCS8_HEADER + secret + PKCS8_DIVIDER + pair.public_key
    if password:
        salt = secrets.token_bytes(_SALT)
        key = _scrypt(password, salt, SCRYPT_N, SCRYPT_P, SCRYPT_R)
        nonce = secrets.token_bytes(_NONCE)
        box = nacl.secret.SecretBox(key).encrypt(plain, nonce).ciphertext
        params = b"".join(v.to_bytes(4, "little") for v in (SCRYPT_N, SCRYPT_P, SCRYPT_R))
        encoded, kinds = salt + params + nonce + box, _ENCRYPTED_TYPE
    else:
        encoded, kinds = plain, ["none"]
    document = {
        "encoded": base64.b64encode(encoded).decode(),
        "encoding": {"content": ["pkcs8", pair.key_type.label], "type": kinds, "version": "3"},
        "address": ss58_encode(pair.public_key, prefix),
        "meta": dict(meta or {}),
    }
    return json.dumps(document, indent=2)


def decode_key_file(text: str | bytes, password: str) -> Keypair:
    """Parse and decrypt a key file in one step (see `KeyFile.parse` and `KeyFile.decrypt`)."""
    return KeyFile.parse(text).decrypt(password)
