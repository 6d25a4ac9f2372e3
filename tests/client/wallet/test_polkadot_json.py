"""polkadot.js v3 key files, checked both ways against substrate-interface's Keypair."""

from __future__ import annotations

import base64
import json

import pytest
from substrateinterface import Keypair as SiKeypair
from substrateinterface import KeypairType

from deepshard.client.wallet.errors import KeystoreFormatError, WrongPassword
from deepshard.client.wallet.polkadot_json import (
    SCRYPT_N,
    KeyFile,
    decode_key_file,
    encode_key_file,
)
from deepshard.primitives.crypto import Keypair, KeyType

PHRASE = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"
SCHEMES = [(KeyType.SR25519, KeypairType.SR25519), (KeyType.ED25519, KeypairType.ED25519)]


@pytest.mark.parametrize(("ours", "theirs"), SCHEMES)
def test_our_export_opens_in_substrate_interface(ours: KeyType, theirs: int) -> None:
    pair = Keypair.from_uri(PHRASE + "//wallet", ours)
    text = encode_key_file(pair, "correct horse", {"name": "w"})
    loaded = SiKeypair.create_from_encrypted_json(json.loads(text), "correct horse")
    assert loaded.public_key == pair.public_key
    assert loaded.crypto_type == theirs
    message = b"deepshard wallet"
    assert pair.verify(bytes(loaded.sign(message)), message)


def test_substrate_interface_export_opens_in_ours() -> None:
    # substrate-interface exports sr25519 only (ed25519 is covered by @polkadot/keyring, e2e).
    ours, theirs = SCHEMES[0]
    their_pair = SiKeypair.create_from_uri(PHRASE + "//wallet", crypto_type=theirs)
    exported = their_pair.export_to_encrypted_json("pw", name="si")
    pair = decode_key_file(json.dumps(exported), "pw")
    assert pair.public_key == their_pair.public_key
    assert pair.key_type is ours
    message = b"signed by our copy"
    assert their_pair.verify(message, pair.sign(message))


def test_file_layout() -> None:
    pair = Keypair.from_uri("//Alice")
    document = json.loads(encode_key_file(pair, "pw", {"name": "alice"}))
    assert document["encoding"] == {
        "content": ["pkcs8", "sr25519"],
        "type": ["scrypt", "xsalsa20-poly1305"],
        "version": "3",
    }
    assert document["address"] == pair.ss58_address()
    raw = base64.b64decode(document["encoded"])
    assert int.from_bytes(raw[32:36], "little") == SCRYPT_N == 1 << 15
    assert int.from_bytes(raw[36:40], "little") == 1
    assert int.from_bytes(raw[40:44], "little") == 8
    # salt 32 + params 12 + nonce 24 + MAC 16 + frame 16 + 64 + 5 + 32
    assert len(raw) == 32 + 12 + 24 + 16 + 117


def test_wrong_password_and_tampering() -> None:
    text = encode_key_file(Keypair.from_uri("//Bob"), "pw")
    with pytest.raises(WrongPassword):
        decode_key_file(text, "not pw")
    document = json.loads(text)
    raw = bytearray(base64.b64decode(document["encoded"]))
    raw[-1] ^= 1
    document["encoded"] = base64.b64encode(raw).decode()
    with pytest.raises(WrongPassword):
        decode_key_file(json.dumps(document), "pw")


def test_unencrypted_file() -> None:
    pair = Keypair.from_uri("//Charlie", KeyType.ED25519)
    text = encode_key_file(pair, None)
    assert json.loads(text)["encoding"]["type"] == ["none"]
    assert not KeyFile.parse(text).encrypted
    assert decode_key_file(text, "") == pair


def test_address_must_match_the_secret() -> None:
    text = encode_key_file(Keypair.from_uri("//Alice"), "pw")
    document = json.loads(text)
    document["address"] = Keypair.from_uri("//Bob").ss58_address()
    with pytest.raises(KeystoreFormatError, match="does not match"):
        decode_key_file(json.dumps(document), "pw")


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        "{}",
        '{"encoded": "", "encoding": {"content": ["pkcs8", "sr25519"], "type": ["scrypt", '
        '"xsalsa20-poly1305"], "version": "2"}, "address": "x"}',
        '{"encoded": "", "encoding": {"content": ["pkcs8", "ecdsa"], "type": ["scrypt", '
        '"xsalsa20-poly1305"], "version": "3"}, "address": "x"}',
        '{"encoded": "!!", "encoding": {"content": ["pkcs8", "sr25519"], "type": ["none"], '
        '"version": "3"}, "address": "x"}',
        '{"encoded": "", "encoding": {"content": ["pkcs8", "sr25519"], "type": ["none"], '
        '"version": "3"}, "address": "not-an-address"}',
    ],
)
def test_malformed_files(document: str) -> None:
    with pytest.raises(KeystoreFormatError):
        KeyFile.parse(document)


def test_hostile_scrypt_parameters_are_refused() -> None:
    document = json.loads(encode_key_file(Keypair.from_uri("//Alice"), "pw"))
    raw = bytearray(base64.b64decode(document["encoded"]))
    raw[32:36] = (1 << 30).to_bytes(4, "little")
    document["encoded"] = base64.b64encode(raw).decode()
    with pytest.raises(KeystoreFormatError, match="scrypt"):
        decode_key_file(json.dumps(document), "pw")
