"""Secret URIs and derivation junctions, exactly as sp-core's `SecretUri` and `DeriveJunction`.

Introduction
------------
A secret URI is ``[PHRASE][PATH][///PASSWORD]`` (sp-core `AddressUri::parse`):

* ``PHRASE`` is the longest leading run of ASCII letters, digits and spaces: a BIP-39 phrase,
  or ``0x`` followed by a 64-digit hex seed. An absent phrase means the public development
  phrase `DEV_PHRASE`, so ``//Alice`` is ``DEV_PHRASE + "//Alice"``.
* ``PATH`` is a run of junctions: ``//name`` is hard, ``/name`` is soft. A name is any
  non-empty text without ``/``.
* ``///PASSWORD`` is everything after the first ``///`` (it may contain ``/``, but no newline).
  The password salts the phrase-to-seed step; it is ignored for ``0x`` seeds.

A junction's 32-byte chain code (`DeriveJunction::soft`): a name that parses as a `u64` (as
Rust's ``str::parse::<u64>`` does: ASCII digits, an optional leading ``+``, leading zeros
allowed) is that integer, 8 bytes little-endian; any other name is its SCALE encoding
(compact length ++ UTF-8). The encoding is zero-padded to 32 bytes, or replaced by its
blake2-256 hash when it is longer than 32 bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from deepshard.primitives.codec import encode_compact
from deepshard.primitives.crypto.errors import DerivationError, InvalidSecretUri, InvalidSeed
from deepshard.primitives.crypto.key_type import SEED_LENGTH
from deepshard.primitives.crypto.mnemonic import bip39_to_mini_secret
from deepshard.primitives.hashing import blake2_256

__all__ = [
    "DEV_PHRASE",
    "DEV_ADDRESS",
    "JUNCTION_ID_LENGTH",
    "DeriveJunction",
    "SecretUri",
    "parse_secret_uri",
    "parse_derivation_path",
    "seed_from_phrase_or_hex",
]

DEV_PHRASE: Final = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"
"""The public phrase of Substrate's development keys (sp-core `DEV_PHRASE`)."""

DEV_ADDRESS: Final = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"
"""The sr25519 address of `DEV_PHRASE` itself, with no junctions (sp-core `DEV_ADDRESS`)."""

JUNCTION_ID_LENGTH: Final = 32
"""Bytes in a chain code (sp-core `JUNCTION_ID_LEN`, schnorrkel `CHAIN_CODE_LENGTH`)."""

_U64_LIMIT: Final = 1 << 64
_U64_TEXT: Final = re.compile(r"\+?[0-9]+")
_HEX_TEXT: Final = re.compile(r"(?:[0-9a-fA-F]{2})+")


def _is_phrase_char(ch: str) -> bool:
    return ch == " " or (ch.isascii() and ch.isalnum())


@dataclass(frozen=True, slots=True)
class DeriveJunction:
    """One step of a derivation path: a 32-byte chain code, hard or soft."""

    chain_code: bytes
    """The 32-byte junction id."""
    is_hard: bool
    """True for a hard (``//``) junction, False for a soft (``/``) one."""

    def __post_init__(self) -> None:
        if len(self.chain_code) != JUNCTION_ID_LENGTH:
            raise DerivationError(
                f"a chain code is {JUNCTION_ID_LENGTH} bytes, got {len(self.chain_code)}"
            )

    @property
    def is_soft(self) -> bool:
        """True for a soft (``/``) junction."""
        return not self.is_hard

    @classmethod
    def soft(cls, value: int | str | bytes) -> DeriveJunction:
        """A soft junction for a `u64` index, a string, or a byte string (sp-core `soft`).

        Raises:
            DerivationError: an integer index is outside the `u64` range.
        """
        return cls(_chain_code(value), is_hard=False)

    @classmethod
    def hard(cls, value: int | str | bytes) -> DeriveJunction:
        """A hard junction for a `u64` index, a string, or a byte string (sp-core `hard`).

        Raises:
            DerivationError: an integer index is outside the `u64` range.
        """
        return cls(_chain_code(value), is_hard=True)

    @classmethod
    def from_segment(cls, segment: str) -> DeriveJunction:
        """The junction for one path segment as the URI parser yields it (sp-core `From<&str>`).

        A segment that starts with ``/`` is hard (the rest is the name); otherwise it is soft.
        A name that parses as a `u64` is that integer, anything else is a string.
        """
        hard = segment.startswith("/")
        name = segment[1:] if hard else segment
        value: int | str = name
        if _U64_TEXT.fullmatch(name) is not None:
            number = int(name)
            if number < _U64_LIMIT:
                value = number
        return cls(_chain_code(value), is_hard=hard)

    def __repr__(self) -> str:
        kind = "hard" if self.is_hard else "soft"
        return f"DeriveJunction({kind}, 0x{self.chain_code.hex()})"


def _chain_code(value: int | str | bytes) -> bytes:
    """SCALE-encode `value`, then pad it to 32 bytes or hash it if it is longer."""
    if isinstance(value, int):
        if not 0 <= value < _U64_LIMIT:
            raise DerivationError(f"a numeric junction is a u64, {value} is out of range")
        encoded = value.to_bytes(8, "little")
    else:
        raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        encoded = encode_compact(len(raw)) + raw
    if len(encoded) > JUNCTION_ID_LENGTH:
        return blake2_256(encoded)
    return encoded.ljust(JUNCTION_ID_LENGTH, b"\x00")


@dataclass(frozen=True, slots=True)
class SecretUri:
    """A parsed secret URI. The phrase and password never appear in `repr()`."""

    phrase: str = field(repr=False)
    """A BIP-39 phrase or a ``0x`` hex seed; `DEV_PHRASE` when the URI had none."""
    password: str | None = field(repr=False)
    """The text after ``///``, or None when the URI had no ``///``."""
    junctions: tuple[DeriveJunction, ...]
    """The derivation path, in order."""

    def root_seed(self, password_override: str | None = None) -> bytes:
        """The 32-byte seed of the URI's root key, before any junction is applied.

        Args:
            password_override: Used instead of the URI's own password when given
                (sp-core `Pair::from_string`'s second argument).

        Raises:
            InvalidSeed: a ``0x`` phrase is not 32 bytes of hex.
            InvalidMnemonic: the phrase is not a valid mnemonic (or a subclass).
        """
        password = password_override if password_override is not None else self.password
        return seed_from_phrase_or_hex(self.phrase, password or "")


def seed_from_phrase_or_hex(phrase: str, password: str = "") -> bytes:
    """Return the seed of a ``0x`` hex seed (password ignored) or of a BIP-39 phrase.

    As in sp-core (through `array_bytes::hex2bytes`, which strips one more ``0x``), the hex
    may itself start with ``0x``.

    Raises:
        InvalidSeed: a ``0x`` phrase is not 32 bytes of hex.
        InvalidMnemonic: the phrase is not a valid mnemonic (or a subclass).
    """
    if phrase.startswith("0x"):
        digits = phrase[2:]
        if digits.startswith("0x"):
            digits = digits[2:]
        if _HEX_TEXT.fullmatch(digits) is None:
            raise InvalidSeed("a 0x seed must be an even, non-zero number of hex digits")
        seed = bytes.fromhex(digits)
        if len(seed) != SEED_LENGTH:
            raise InvalidSeed(f"a 0x seed must be {SEED_LENGTH} bytes, got {len(seed)}")
        return seed
    return bip39_to_mini_secret(phrase, password)


def _split_uri(text: str) -> tuple[str | None, list[str], str | None]:
    """Split a URI into phrase, path segments and password (sp-core `AddressUri::parse`)."""
    end = 0
    while end < len(text) and _is_phrase_char(text[end]):
        end += 1
    phrase = text[:end] or None
    rest = text[end:]
    segments: list[str] = []
    password: str | None = None
    while rest:
        position = len(text) - len(rest)
        if rest.startswith("///"):
            body = rest[3:]
            stop = body.find("\n")
            stop = len(body) if stop < 0 else stop
            password, rest = body[:stop], body[stop:]
        elif rest.startswith("//"):
            body = rest[2:]
            stop = body.find("/")
            stop = len(body) if stop < 0 else stop
            if stop == 0:
                raise InvalidSecretUri(f"empty hard junction at position {position}")
            segments.append("/" + body[:stop])
            rest = body[stop:]
        elif rest.startswith("/"):
            body = rest[1:]
            stop = body.find("/")
            stop = len(body) if stop < 0 else stop
            if stop == 0:
                raise InvalidSecretUri(f"empty soft junction at position {position}")
            segments.append(body[:stop])
            rest = body[stop:]
        elif password is not None:
            raise InvalidSecretUri(f"invalid character in the password at position {position}")
        else:
            raise InvalidSecretUri(
                f"invalid character in the phrase at position {position} "
                "(a phrase holds ASCII letters, digits and spaces only)"
            )
    return phrase, segments, password


def parse_secret_uri(text: str) -> SecretUri:
    """Parse a secret URI (sp-core `SecretUri::from_str`).

    Raises:
        InvalidSecretUri: the text does not follow the grammar in the module docstring.
    """
    phrase, segments, password = _split_uri(text)
    return SecretUri(
        phrase=DEV_PHRASE if phrase is None else phrase,
        password=password,
        junctions=tuple(DeriveJunction.from_segment(s) for s in segments),
    )


def parse_derivation_path(path: str) -> tuple[DeriveJunction, ...]:
    """Parse a bare derivation path such as ``//polkadot//0/1``.

    Raises:
        InvalidSecretUri: the path is malformed, or has a phrase or a password part.
    """
    phrase, segments, password = _split_uri(path)
    if phrase is not None or password is not None:
        raise InvalidSecretUri("a derivation path has junctions only, no phrase or password")
    return tuple(DeriveJunction.from_segment(s) for s in segments)
