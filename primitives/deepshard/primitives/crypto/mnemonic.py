"""BIP-39 mnemonics (English) and Substrate's mini-secret derived from them.

Introduction
------------
Substrate does **not** use the BIP-39 seed (PBKDF2 over the *phrase*). It decodes the phrase to
its entropy and runs ``PBKDF2-HMAC-SHA512(entropy, salt="mnemonic" ++ password, 2048)``, keeping
the first 32 bytes as the key seed (`substrate-bip39::mini_secret_from_entropy`). That seed is
the sr25519 `MiniSecretKey` or the ed25519 secret key.

Parsing follows the Rust `bip39` crate that sp-core uses: words are separated by any
whitespace, must be lower case, and there must be 12, 15, 18, 21 or 24 of them.
"""

from __future__ import annotations

from typing import Final

import bip39

from deepshard.primitives.crypto.errors import (
    InvalidMnemonic,
    InvalidMnemonicChecksum,
    InvalidWordCount,
    UnknownWord,
)

__all__ = [
    "MNEMONIC_WORD_COUNTS",
    "generate_mnemonic",
    "validate_mnemonic",
    "is_valid_mnemonic",
    "bip39_to_mini_secret",
]

MNEMONIC_WORD_COUNTS: Final = (12, 15, 18, 21, 24)
"""The phrase lengths BIP-39 defines (128 to 256 bits of entropy)."""


def generate_mnemonic(words: int = 12) -> str:
    """Return a fresh random English mnemonic of `words` words, separated by single spaces.

    Raises:
        InvalidWordCount: `words` is not 12, 15, 18, 21 or 24.
    """
    if words not in MNEMONIC_WORD_COUNTS:
        raise InvalidWordCount(f"a mnemonic has 12, 15, 18, 21 or 24 words, not {words}")
    phrase: str = bip39.bip39_generate(words, "en")
    return phrase


def bip39_to_mini_secret(phrase: str, password: str = "") -> bytes:
    """Return Substrate's 32-byte seed for an English mnemonic and an optional password.

    Raises:
        InvalidWordCount: the phrase does not have 12, 15, 18, 21 or 24 words.
        UnknownWord: a word is not in the English word list.
        InvalidMnemonicChecksum: the checksum does not match.
        InvalidMnemonic: the phrase is invalid for another reason.
    """
    count = len(phrase.split())
    if count not in MNEMONIC_WORD_COUNTS:
        raise InvalidWordCount(f"a mnemonic has 12, 15, 18, 21 or 24 words, this one has {count}")
    try:
        seed: bytes = bip39.bip39_to_mini_secret(phrase, password, "en")
    except ValueError as exc:
        raise _mnemonic_error(str(exc)) from None
    return bytes(seed)


def validate_mnemonic(phrase: str) -> None:
    """Check that `phrase` is a valid English mnemonic.

    Raises:
        InvalidMnemonic: or one of its subclasses, naming the problem.
    """
    bip39_to_mini_secret(phrase)


def is_valid_mnemonic(phrase: str) -> bool:
    """Whether `phrase` is a valid English mnemonic."""
    try:
        validate_mnemonic(phrase)
    except InvalidMnemonic:
        return False
    return True


def _mnemonic_error(message: str) -> InvalidMnemonic:
    """Map an error of the Rust `bip39` crate to the typed error it describes."""
    if "invalid word in phrase with index" in message:
        index = message.rsplit(" ", 1)[-1]
        return UnknownWord(f"the word at index {index} is not in the English BIP-39 word list")
    if "invalid checksum" in message:
        return InvalidMnemonicChecksum("the mnemonic's checksum does not match its words")
    if "invalid number of words" in message:
        return InvalidWordCount(f"a mnemonic has 12, 15, 18, 21 or 24 words ({message})")
    return InvalidMnemonic(f"invalid mnemonic: {message}")
