"""Typed errors of the key, address and mnemonic code, all under one root, `CryptoError`.

Every error is also a `ValueError`, so callers that only care about "bad input" can catch that.
Verification never raises: a malformed signature or key is simply not a valid signature
(see `deepshard.primitives.crypto.verify`).
"""

from __future__ import annotations

__all__ = [
    "CryptoError",
    "UnsupportedKeyType",
    "UnknownDevAccount",
    "Ss58Error",
    "InvalidBase58",
    "InvalidAddressLength",
    "InvalidPrefix",
    "ReservedPrefix",
    "InvalidChecksum",
    "PrefixMismatch",
    "InvalidMnemonic",
    "InvalidWordCount",
    "UnknownWord",
    "InvalidMnemonicChecksum",
    "InvalidSecretUri",
    "InvalidSeed",
    "InvalidSecretKey",
    "InvalidPublicKey",
    "DerivationError",
    "SoftDerivationUnsupported",
    "HardDerivationOfPublicKey",
]


class CryptoError(ValueError):
    """Root of the errors raised by `deepshard.primitives.crypto`."""


class UnsupportedKeyType(CryptoError):
    """The key type is not one this module implements (only sr25519 and ed25519 are)."""


class UnknownDevAccount(CryptoError):
    """The name is not one of the well-known development accounts (Alice .. Ferdie)."""


# --- SS58 ------------------------------------------------------------------------------------


class Ss58Error(CryptoError):
    """An SS58 address could not be encoded or decoded (sp-core `PublicError`)."""


class InvalidBase58(Ss58Error):
    """The address contains a character outside the base-58 (Bitcoin) alphabet."""


class InvalidAddressLength(Ss58Error):
    """The decoded address or the payload to encode has a length SS58 does not define."""


class InvalidPrefix(Ss58Error):
    """The address-format prefix is out of range: first byte >= 128, or a number above 16383."""


class ReservedPrefix(Ss58Error):
    """The prefix is 46 or 47, which the SS58 registry reserves and Substrate refuses."""


class InvalidChecksum(Ss58Error):
    """The checksum bytes do not match ``blake2b-512("SS58PRE" ++ prefix ++ payload)``."""


class PrefixMismatch(Ss58Error):
    """A well-formed address carries a different network prefix from the one expected.

    Attributes:
        expected: The prefix the caller asked for.
        found: The prefix the address carries.
    """

    def __init__(self, expected: int, found: int) -> None:
        super().__init__(f"address has SS58 prefix {found}, expected {expected}")
        self.expected = expected
        self.found = found


# --- BIP-39 ----------------------------------------------------------------------------------


class InvalidMnemonic(CryptoError):
    """A phrase is not a valid English BIP-39 mnemonic (sp-core `InvalidPhrase`)."""


class InvalidWordCount(InvalidMnemonic):
    """The phrase does not have 12, 15, 18, 21 or 24 words."""


class UnknownWord(InvalidMnemonic):
    """A word of the phrase is not in the English BIP-39 word list (words are lower case)."""


class InvalidMnemonicChecksum(InvalidMnemonic):
    """Every word is known but the checksum bits carried by the last word do not match."""


# --- Secret URIs, seeds and derivation ---------------------------------------------------------


class InvalidSecretUri(CryptoError):
    """A secret URI is malformed (sp-core `SecretStringError::InvalidFormat`)."""


class InvalidSeed(CryptoError):
    """A seed is not 32 bytes, or a ``0x`` seed in a secret URI is not 64 hex digits."""


class InvalidSecretKey(CryptoError):
    """A secret key has the wrong length or is not a valid key of its scheme."""


class InvalidPublicKey(CryptoError):
    """A public key has the wrong length or is not a valid point of its scheme."""


class DerivationError(CryptoError):
    """A derivation path cannot be applied to a key (sp-core `SecretStringError::InvalidPath`)."""


class SoftDerivationUnsupported(DerivationError):
    """A soft junction (``/x``) was applied to an ed25519 key, which supports hard ones only."""


class HardDerivationOfPublicKey(DerivationError):
    """A hard junction (``//x``) was applied to a public key; only soft ones can be."""
