"""BIP-39 mnemonics: Substrate's mini-secret, generation, validation and the typed errors."""

from __future__ import annotations

from typing import Any

import bip39
import pytest
from substrateinterface import Keypair as SiKeypair

from deepshard.primitives.crypto import (
    DEV_PHRASE,
    MNEMONIC_WORD_COUNTS,
    InvalidMnemonic,
    InvalidMnemonicChecksum,
    InvalidWordCount,
    UnknownWord,
    bip39_to_mini_secret,
    generate_mnemonic,
    is_valid_mnemonic,
    validate_mnemonic,
)

DEV_MINI_SECRET = "fac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e"


def test_dev_phrase_mini_secret() -> None:
    assert bip39_to_mini_secret(DEV_PHRASE).hex() == DEV_MINI_SECRET
    assert bip39_to_mini_secret(DEV_PHRASE, "") == bip39_to_mini_secret(DEV_PHRASE)
    assert bip39_to_mini_secret(DEV_PHRASE, "password") != bip39_to_mini_secret(DEV_PHRASE)


def test_mini_secrets_agree_with_polkadot_js(polkadot_js_vectors: dict[str, Any]) -> None:
    for vector in polkadot_js_vectors["mini_secrets"]:
        seed = bip39_to_mini_secret(vector["mnemonic"], vector["password"])
        assert "0x" + seed.hex() == vector["mini_secret"], vector["mnemonic"]


@pytest.mark.parametrize("words", MNEMONIC_WORD_COUNTS)
def test_generated_mnemonics_are_valid_and_agree_with_substrate_interface(words: int) -> None:
    for _ in range(10):
        phrase = generate_mnemonic(words)
        assert len(phrase.split(" ")) == words
        assert is_valid_mnemonic(phrase)
        assert bip39.bip39_validate(phrase)
        seed = bip39_to_mini_secret(phrase)
        assert SiKeypair.create_from_mnemonic(phrase).seed_hex == seed, phrase


def test_whitespace_between_words_is_free_like_rust_bip39() -> None:
    spaced = "  " + DEV_PHRASE.replace(" ", " \t ") + "\n"
    assert bip39_to_mini_secret(spaced).hex() == DEV_MINI_SECRET


# --- one test per typed error --------------------------------------------------------------------


def test_invalid_word_count() -> None:
    with pytest.raises(InvalidWordCount, match="this one has 11"):
        validate_mnemonic(" ".join(DEV_PHRASE.split()[:11]))
    with pytest.raises(InvalidWordCount, match="not 13"):
        generate_mnemonic(13)


def test_unknown_word() -> None:
    with pytest.raises(UnknownWord, match="index 11"):
        bip39_to_mini_secret(DEV_PHRASE.replace("walk", "walks"))
    with pytest.raises(UnknownWord, match="index 0"):
        bip39_to_mini_secret(DEV_PHRASE.upper())  # the word list is lower case


def test_invalid_mnemonic_checksum() -> None:
    with pytest.raises(InvalidMnemonicChecksum):
        bip39_to_mini_secret(DEV_PHRASE.replace("walk", "fit"))


def test_invalid_mnemonic_is_the_common_base() -> None:
    assert not is_valid_mnemonic("abandon " * 12)
    for error in (InvalidWordCount, UnknownWord, InvalidMnemonicChecksum):
        assert issubclass(error, InvalidMnemonic)
    with pytest.raises(InvalidMnemonic):
        validate_mnemonic("")


def test_error_messages_do_not_leak_the_phrase() -> None:
    with pytest.raises(InvalidMnemonic) as info:
        bip39_to_mini_secret(DEV_PHRASE.replace("walk", "fit"))
    assert "bottom" not in str(info.value)
