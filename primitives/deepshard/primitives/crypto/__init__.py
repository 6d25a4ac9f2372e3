"""Keys and addresses, with Substrate's exact semantics.

* `Keypair` (sr25519 and ed25519) from a seed, a BIP-39 mnemonic or a secret URI; sign, verify,
  derive. `verify` is the never-raising check for the transaction-validation hot path.
* SS58 addresses: `ss58_encode`, `ss58_decode`, `decode_account_id`.
* BIP-39 mnemonics and Substrate's mini-secret: `generate_mnemonic`, `bip39_to_mini_secret`.
* Secret URIs and junctions: `parse_secret_uri`, `DeriveJunction`, `DEV_PHRASE`.
* Development accounts: `dev_keypair("Alice")`.

Every error is a `CryptoError` (and a `ValueError`).
"""

from __future__ import annotations

from deepshard.primitives.crypto.dev import DEV_ACCOUNT_NAMES, dev_keypair, dev_keypairs
from deepshard.primitives.crypto.errors import (
    CryptoError,
    DerivationError,
    HardDerivationOfPublicKey,
    InvalidAddressLength,
    InvalidBase58,
    InvalidChecksum,
    InvalidMnemonic,
    InvalidMnemonicChecksum,
    InvalidPrefix,
    InvalidPublicKey,
    InvalidSecretKey,
    InvalidSecretUri,
    InvalidSeed,
    InvalidWordCount,
    PrefixMismatch,
    ReservedPrefix,
    SoftDerivationUnsupported,
    Ss58Error,
    UnknownDevAccount,
    UnknownWord,
    UnsupportedKeyType,
)
from deepshard.primitives.crypto.key_type import (
    PUBLIC_KEY_LENGTH,
    SEED_LENGTH,
    SIGNATURE_LENGTH,
    KeyType,
)
from deepshard.primitives.crypto.keypair import Keypair, as_key_type, derive_public_key
from deepshard.primitives.crypto.mnemonic import (
    MNEMONIC_WORD_COUNTS,
    bip39_to_mini_secret,
    generate_mnemonic,
    is_valid_mnemonic,
    validate_mnemonic,
)
from deepshard.primitives.crypto.ss58 import (
    DEFAULT_SS58_PREFIX,
    MAX_SS58_PREFIX,
    RESERVED_SS58_PREFIXES,
    Ss58Address,
    decode_account_id,
    is_valid_ss58_address,
    ss58_decode,
    ss58_encode,
)
from deepshard.primitives.crypto.suri import (
    DEV_ADDRESS,
    DEV_PHRASE,
    JUNCTION_ID_LENGTH,
    DeriveJunction,
    SecretUri,
    parse_derivation_path,
    parse_secret_uri,
)
from deepshard.primitives.crypto.verify import verify

__all__ = [
    # key pairs and verification
    "KeyType",
    "Keypair",
    "as_key_type",
    "derive_public_key",
    "verify",
    "PUBLIC_KEY_LENGTH",
    "SIGNATURE_LENGTH",
    "SEED_LENGTH",
    # SS58
    "DEFAULT_SS58_PREFIX",
    "MAX_SS58_PREFIX",
    "RESERVED_SS58_PREFIXES",
    "Ss58Address",
    "ss58_encode",
    "ss58_decode",
    "decode_account_id",
    "is_valid_ss58_address",
    # mnemonics
    "MNEMONIC_WORD_COUNTS",
    "generate_mnemonic",
    "bip39_to_mini_secret",
    "validate_mnemonic",
    "is_valid_mnemonic",
    # secret URIs
    "DEV_PHRASE",
    "DEV_ADDRESS",
    "JUNCTION_ID_LENGTH",
    "DeriveJunction",
    "SecretUri",
    "parse_secret_uri",
    "parse_derivation_path",
    # development accounts
    "DEV_ACCOUNT_NAMES",
    "dev_keypair",
    "dev_keypairs",
    # errors
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
