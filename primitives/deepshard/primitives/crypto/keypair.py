"""`Keypair`: one sr25519 or ed25519 key pair, built from a seed, a mnemonic or a secret URI.

Introduction
------------
A `Keypair` is a frozen value. Two key pairs are equal when they have the same key type and
public key (an sr25519 secret key's nonce half can differ between equal pairs, see
`deepshard.primitives.crypto.sr25519`). The secret key and seed are attributes, so code that
needs them (a keystore) can read them, but they never appear in `repr()`.

The constructors follow sp-core `Pair`:

* `Keypair.from_seed`: a 32-byte seed (`Pair::from_seed`);
* `Keypair.from_mnemonic`: an English BIP-39 phrase plus optional password (`Pair::from_phrase`);
* `Keypair.from_uri`: a secret URI such as ``//Alice`` or ``PHRASE//hard/soft///password``
  (`Pair::from_string`), see `deepshard.primitives.crypto.suri`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from deepshard.primitives.crypto import ed25519, sr25519
from deepshard.primitives.crypto.errors import (
    HardDerivationOfPublicKey,
    InvalidPublicKey,
    InvalidSecretKey,
    SoftDerivationUnsupported,
    UnsupportedKeyType,
)
from deepshard.primitives.crypto.key_type import PUBLIC_KEY_LENGTH, SEED_LENGTH, KeyType
from deepshard.primitives.crypto.mnemonic import bip39_to_mini_secret, generate_mnemonic
from deepshard.primitives.crypto.ss58 import DEFAULT_SS58_PREFIX, ss58_encode
from deepshard.primitives.crypto.suri import (
    DeriveJunction,
    parse_derivation_path,
    parse_secret_uri,
)
from deepshard.primitives.crypto.verify import verify

__all__ = ["Keypair", "as_key_type", "derive_public_key"]


def as_key_type(value: KeyType | int) -> KeyType:
    """Return `value` as a `KeyType`.

    Raises:
        UnsupportedKeyType: `value` names no implemented scheme (ECDSA, 2, is not implemented).
    """
    if isinstance(value, KeyType):
        return value
    try:
        return KeyType(value)
    except ValueError:
        raise UnsupportedKeyType(
            f"key type {value!r} is not supported (0 = ed25519, 1 = sr25519)"
        ) from None


@dataclass(frozen=True, slots=True, repr=False)
class Keypair:
    """An sr25519 or ed25519 key pair. Build one with the ``from_*`` class methods."""

    key_type: KeyType
    """The signature scheme."""
    public_key: bytes
    """The 32-byte public key, which is also the account id."""
    secret_key: bytes = field(compare=False)
    """sr25519: the 64-byte expanded secret (scalar ++ nonce); ed25519: the 32-byte seed."""
    seed: bytes | None = field(default=None, compare=False)
    """The 32-byte seed the pair was made from, when known (None after sr25519 derivation)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_type", as_key_type(self.key_type))
        if len(self.public_key) != PUBLIC_KEY_LENGTH:
            raise InvalidPublicKey(
                f"a public key is {PUBLIC_KEY_LENGTH} bytes, got {len(self.public_key)}"
            )
        expected = sr25519.SECRET_KEY_LENGTH if self.key_type is KeyType.SR25519 else SEED_LENGTH
        if len(self.secret_key) != expected:
            raise InvalidSecretKey(
                f"an {self.key_type.label} secret key is {expected} bytes, "
                f"got {len(self.secret_key)}"
            )

    def __repr__(self) -> str:
        return (
            f"Keypair({self.key_type.label}, public_key=0x{self.public_key.hex()}, "
            f"address={self.ss58_address()})"
        )

    # --- constructors --------------------------------------------------------------------------

    @classmethod
    def from_seed(cls, seed: bytes, key_type: KeyType | int = KeyType.SR25519) -> Keypair:
        """The key pair of a 32-byte seed (an sr25519 mini-secret or an ed25519 secret key).

        Raises:
            InvalidSeed: `seed` is not 32 bytes.
            UnsupportedKeyType: `key_type` is not sr25519 or ed25519.
        """
        kind = as_key_type(key_type)
        seed = bytes(seed)
        if kind is KeyType.SR25519:
            public, secret = sr25519.pair_from_seed(seed)
        else:
            public, secret = ed25519.pair_from_seed(seed)
        return cls(kind, public, secret, seed)

    @classmethod
    def from_secret_key(cls, secret_key: bytes, key_type: KeyType | int) -> Keypair:
        """The key pair of a secret key: 64 bytes for sr25519, the 32-byte seed for ed25519.

        Raises:
            InvalidSecretKey: the secret key has the wrong length or is invalid.
            UnsupportedKeyType: `key_type` is not sr25519 or ed25519.
        """
        kind = as_key_type(key_type)
        secret_key = bytes(secret_key)
        if kind is KeyType.SR25519:
            return cls(kind, sr25519.public_from_secret(secret_key), secret_key, None)
        if len(secret_key) != SEED_LENGTH:
            raise InvalidSecretKey(
                f"an ed25519 secret key is {SEED_LENGTH} bytes, got {len(secret_key)}"
            )
        return cls.from_seed(secret_key, kind)

    @classmethod
    def from_mnemonic(
        cls, phrase: str, password: str = "", key_type: KeyType | int = KeyType.SR25519
    ) -> Keypair:
        """The key pair of an English BIP-39 phrase and optional password.

        Raises:
            InvalidMnemonic: the phrase is invalid (or a subclass naming why).
            UnsupportedKeyType: `key_type` is not sr25519 or ed25519.
        """
        return cls.from_seed(bip39_to_mini_secret(phrase, password), key_type)

    @classmethod
    def from_uri(
        cls,
        suri: str,
        key_type: KeyType | int = KeyType.SR25519,
        *,
        password: str | None = None,
    ) -> Keypair:
        """The key pair of a secret URI (``//Alice``, ``0xSEED//1``, ``PHRASE/soft///pw``).

        Args:
            suri: The secret URI; see `deepshard.primitives.crypto.suri`.
            key_type: The signature scheme.
            password: When given, used instead of the URI's own ``///password``.

        Raises:
            InvalidSecretUri: the URI is malformed.
            InvalidSeed: a ``0x`` seed is not 32 bytes of hex.
            InvalidMnemonic: the phrase is invalid (or a subclass naming why).
            SoftDerivationUnsupported: an ed25519 URI has a soft junction.
            UnsupportedKeyType: `key_type` is not sr25519 or ed25519.
        """
        kind = as_key_type(key_type)
        uri = parse_secret_uri(suri)
        if kind is KeyType.ED25519:
            _ensure_hard_only(uri.junctions)
        return cls.from_seed(uri.root_seed(password), kind).derive(uri.junctions)

    @classmethod
    def generate(cls, key_type: KeyType | int = KeyType.SR25519) -> Keypair:
        """A fresh key pair from 32 random bytes (`secrets`); there is no phrase to recover it."""
        return cls.from_seed(secrets.token_bytes(SEED_LENGTH), key_type)

    @classmethod
    def generate_with_mnemonic(
        cls, key_type: KeyType | int = KeyType.SR25519, *, words: int = 12, password: str = ""
    ) -> tuple[Keypair, str]:
        """A fresh key pair and the mnemonic that recovers it (`Pair::generate_with_phrase`).

        Raises:
            InvalidWordCount: `words` is not 12, 15, 18, 21 or 24.
        """
        phrase = generate_mnemonic(words)
        return cls.from_mnemonic(phrase, password, key_type), phrase

    # --- use -----------------------------------------------------------------------------------

    @property
    def account_id(self) -> bytes:
        """The 32-byte `AccountId32` of this pair: its public key."""
        return self.public_key

    def ss58_address(self, prefix: int = DEFAULT_SS58_PREFIX) -> str:
        """The SS58 address of the public key for network `prefix` (default 42)."""
        return ss58_encode(self.public_key, prefix)

    def sign(self, message: bytes) -> bytes:
        """Sign `message` and return the 64-byte signature.

        sr25519 signs in the ``substrate`` context and is randomised; ed25519 is deterministic.
        Hashing long payloads first (extrinsics over 256 bytes) is the caller's business.
        """
        if self.key_type is KeyType.SR25519:
            return sr25519.sign(self.public_key, self.secret_key, message)
        return ed25519.sign(self.secret_key, message)

    def verify(self, signature: bytes, message: bytes) -> bool:
        """Whether `signature` is this pair's valid signature of `message`; never raises."""
        return verify(self.key_type, signature, message, self.public_key)

    def derive(self, path: str | Iterable[DeriveJunction]) -> Keypair:
        """The child key pair at `path` (``"//hard/soft"`` or a sequence of junctions).

        Raises:
            InvalidSecretUri: `path` is text that is not a bare derivation path.
            SoftDerivationUnsupported: a soft junction on an ed25519 key.
        """
        junctions = parse_derivation_path(path) if isinstance(path, str) else tuple(path)
        if not junctions:
            return self
        if self.key_type is KeyType.ED25519:
            _ensure_hard_only(junctions)
            seed = self.secret_key
            for junction in junctions:
                seed = ed25519.derive_hard(seed, junction.chain_code)
            return Keypair.from_seed(seed, KeyType.ED25519)
        public, secret = self.public_key, self.secret_key
        for junction in junctions:
            derive = sr25519.derive_hard if junction.is_hard else sr25519.derive_soft
            public, secret = derive(public, secret, junction.chain_code)
        return Keypair(KeyType.SR25519, public, secret, None)


def derive_public_key(
    public_key: bytes,
    path: str | Iterable[DeriveJunction],
    key_type: KeyType | int = KeyType.SR25519,
) -> bytes:
    """Derive a child public key without the secret (sp-core `Public::derive`): soft only.

    ``derive_public_key(parent.public_key, "/x")`` equals ``parent.derive("/x").public_key``.

    Raises:
        HardDerivationOfPublicKey: the path has a hard junction.
        SoftDerivationUnsupported: `key_type` is ed25519 and the path is not empty.
        InvalidPublicKey: `public_key` is not a valid sr25519 public key.
        InvalidSecretUri: `path` is text that is not a bare derivation path.
    """
    kind = as_key_type(key_type)
    junctions = parse_derivation_path(path) if isinstance(path, str) else tuple(path)
    if any(j.is_hard for j in junctions):
        raise HardDerivationOfPublicKey(
            "a public key can only be derived along soft junctions (/name), the path has //"
        )
    if junctions and kind is KeyType.ED25519:
        raise SoftDerivationUnsupported("ed25519 public keys cannot be derived (no soft HDKD)")
    for junction in junctions:
        public_key = sr25519.derive_public_soft(public_key, junction.chain_code)
    return bytes(public_key)


def _ensure_hard_only(junctions: Iterable[DeriveJunction]) -> None:
    if any(j.is_soft for j in junctions):
        raise SoftDerivationUnsupported(
            "ed25519 supports hard derivation (//name) only, the path has a soft junction (/name)"
        )
