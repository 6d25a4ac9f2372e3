"""Hashing and storage keys against substrate-interface / scalecodec and Substrate's goldens."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import pytest
import xxhash
from hypothesis import given
from hypothesis import strategies as st
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset
from substrateinterface.storage import StorageKey
from substrateinterface.utils import hasher as oracle

from deepshard.primitives.hashing import (
    StorageHasher,
    blake2_128,
    blake2_256,
    blake2_512,
    storage_key,
    storage_prefix,
    twox_64,
    twox_128,
    twox_256,
)

ALICE = bytes.fromhex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
BOB = bytes.fromhex("8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48")

ORACLE_HASHERS = {
    StorageHasher.BLAKE2_128: oracle.blake2_128,
    StorageHasher.BLAKE2_256: oracle.blake2_256,
    StorageHasher.BLAKE2_128_CONCAT: oracle.blake2_128_concat,
    StorageHasher.TWOX_128: oracle.xxh128,
    StorageHasher.TWOX_64_CONCAT: oracle.two_x64_concat,
    StorageHasher.IDENTITY: oracle.identity,
}


def xxh64_le(data: bytes, seed: int) -> bytes:
    """xxHash64 through the streaming API and big-endian digest, reversed (a second route)."""
    return xxhash.xxh64(data, seed=seed).digest()[::-1]


# --- hash functions against the oracles ----------------------------------------------------


@given(st.binary(max_size=2048))
def test_hash_functions_match_substrate_interface(data: bytes) -> None:
    assert blake2_128(data) == oracle.blake2_128(data)
    assert blake2_256(data) == oracle.blake2_256(data)
    assert twox_128(data) == bytes(oracle.xxh128(data))
    assert twox_64(data) == bytes(oracle.xxh64(data))
    assert blake2_512(data) == hashlib.blake2b(data, digest_size=64).digest()
    assert twox_256(data) == b"".join(xxh64_le(data, seed) for seed in range(4))
    assert len(blake2_512(data)) == 64
    assert len(twox_256(data)) == 32


@given(st.binary(max_size=512), st.sampled_from(sorted(ORACLE_HASHERS)))
def test_storage_hashers_match_substrate_interface(data: bytes, hasher: StorageHasher) -> None:
    hashed = hasher.hash(data)
    assert hashed == bytes(ORACLE_HASHERS[hasher](data))
    if hasher.is_concat:
        assert hashed[hasher.hash_length :] == data
    assert len(hashed) == hasher.hash_length + (len(data) if hasher.is_concat else 0)


@given(st.binary(max_size=512))
def test_twox_256_hasher(data: bytes) -> None:
    assert StorageHasher.TWOX_256.hash(data) == twox_256(data)
    assert StorageHasher.TWOX_256.hash_length == 32
    assert not StorageHasher.TWOX_256.is_concat


def test_well_known_digests() -> None:
    # blake2b of the empty input, 128 and 256 bits (RFC 7693 reference implementation).
    assert blake2_128(b"").hex() == "cae66941d9efbd404e4d88758ea67670"
    assert (
        blake2_256(b"").hex() == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"
    )
    # xxHash64 of the empty input with seed 0 is 0xef46db3751d8e999, stored little-endian.
    assert twox_64(b"").hex() == "99e9d85137db46ef"


def test_metadata_numbering_and_names() -> None:
    # V14 `StorageHasher` variant indices and names, as scale-info and scalecodec spell them.
    assert [(h.value, h.metadata_name) for h in StorageHasher] == [
        (0, "Blake2_128"),
        (1, "Blake2_256"),
        (2, "Blake2_128Concat"),
        (3, "Twox128"),
        (4, "Twox256"),
        (5, "Twox64Concat"),
        (6, "Identity"),
    ]
    config = RuntimeConfigurationObject()
    config.update_type_registry(load_type_registry_preset("core"))
    for hasher in StorageHasher:
        decoded = config.create_scale_object("StorageHasher", ScaleBytes(bytes([hasher.value])))
        assert decoded.decode() == hasher.metadata_name


# --- golden keys ---------------------------------------------------------------------------


def test_golden_pallet_and_item_hashes() -> None:
    assert twox_128(b"System").hex() == "26aa394eea5630e07c48ae0c9558cef7"
    assert twox_128(b"Account").hex() == "b99d880ec681799c0cf30e8886371da9"
    assert twox_128(b"Balances").hex() == "c2261276cc9d1f8598ea4b6a74b15c2f"
    assert twox_128(b"TotalIssuance").hex() == "57c875e4cff74148e4628f264b974c80"


def test_golden_storage_values() -> None:
    assert (
        storage_key("Balances", "TotalIssuance").hex()
        == "c2261276cc9d1f8598ea4b6a74b15c2f57c875e4cff74148e4628f264b974c80"
    )
    assert storage_prefix("Balances", "TotalIssuance") == storage_key("Balances", "TotalIssuance")
    # Well-known keys every Substrate client reads.
    assert (
        storage_key("System", "Number").hex()
        == "26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac"
    )
    assert (
        storage_key("System", "Events").hex()
        == "26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"
    )


def test_golden_system_account_of_alice() -> None:
    key = storage_key("System", "Account", ((StorageHasher.BLAKE2_128_CONCAT, ALICE),))
    assert key.hex() == (
        "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9"
        "de1e86a9a8c739864cf3cc5ec2bea59f"
        "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
    )
    # The key can be walked back: strip the prefix and the hash, and the account remains.
    hasher = StorageHasher.BLAKE2_128_CONCAT
    assert key[32 + hasher.hash_length :] == ALICE


# --- full keys against substrate-interface's own StorageKey --------------------------------


@dataclass
class _FakeStorageFunction:
    """The few methods StorageKey.generate reads from a V14 storage entry."""

    key_types: list[str]
    hashers: list[str]

    def get_value_type_string(self) -> str:
        return "u128"

    def get_params_type_string(self) -> list[str]:
        return self.key_types

    def get_param_hashers(self) -> list[str]:
        return self.hashers


@dataclass
class _FakePallet:
    prefix: str
    functions: dict[str, _FakeStorageFunction] = field(default_factory=dict)

    @property
    def value(self) -> dict[str, Any]:
        return {"storage": {"prefix": self.prefix}}

    def get_storage_function(self, name: str) -> _FakeStorageFunction | None:
        return self.functions.get(name)


@dataclass
class _FakeMetadata:
    pallet: _FakePallet

    def get_metadata_pallet(self, name: str) -> _FakePallet | None:
        return self.pallet if name == self.pallet.prefix else None


@pytest.fixture(scope="module")
def scale_config() -> RuntimeConfigurationObject:
    config = RuntimeConfigurationObject()
    config.update_type_registry(load_type_registry_preset("core"))
    return config


def substrate_interface_key(
    config: RuntimeConfigurationObject,
    pallet: str,
    item: str,
    keys: list[tuple[StorageHasher, str, Any]],
) -> bytes:
    """Have substrate-interface build the key, encoding each parameter with scalecodec."""
    function = _FakeStorageFunction(
        key_types=[type_string for _, type_string, _ in keys],
        hashers=[hasher.metadata_name for hasher, _, _ in keys],
    )
    metadata = _FakeMetadata(_FakePallet(pallet, {item: function}))
    key = StorageKey(pallet, item, [v for _, _, v in keys], b"", "u128", metadata, config)
    return bytes(key.generate())


def encode(config: RuntimeConfigurationObject, type_string: str, value: Any) -> bytes:
    return bytes(config.create_scale_object(type_string).encode(value).data)


def test_system_account_matches_substrate_interface(
    scale_config: RuntimeConfigurationObject,
) -> None:
    expected = substrate_interface_key(
        scale_config,
        "System",
        "Account",
        [(StorageHasher.BLAKE2_128_CONCAT, "[u8; 32]", "0x" + ALICE.hex())],
    )
    assert storage_key("System", "Account", ((StorageHasher.BLAKE2_128_CONCAT, ALICE),)) == (
        expected
    )


def test_double_map_matches_substrate_interface(scale_config: RuntimeConfigurationObject) -> None:
    # Staking.ErasStakers-like: (Twox64Concat u32 era, Twox64Concat AccountId) ...
    era = 7
    expected = substrate_interface_key(
        scale_config,
        "Staking",
        "ErasStakers",
        [
            (StorageHasher.TWOX_64_CONCAT, "u32", era),
            (StorageHasher.TWOX_64_CONCAT, "[u8; 32]", "0x" + BOB.hex()),
        ],
    )
    ours = storage_key(
        "Staking",
        "ErasStakers",
        (
            (StorageHasher.TWOX_64_CONCAT, era.to_bytes(4, "little")),
            (StorageHasher.TWOX_64_CONCAT, BOB),
        ),
    )
    assert ours == expected
    # ... and the layout spelled out: prefix ++ twox64(era) ++ era ++ twox64(bob) ++ bob.
    assert ours == (
        twox_128(b"Staking")
        + twox_128(b"ErasStakers")
        + twox_64(era.to_bytes(4, "little"))
        + era.to_bytes(4, "little")
        + twox_64(BOB)
        + BOB
    )


_KEY_TYPES = [
    ("u8", st.integers(0, 2**8 - 1)),
    ("u32", st.integers(0, 2**32 - 1)),
    ("u64", st.integers(0, 2**64 - 1)),
    ("u128", st.integers(0, 2**128 - 1)),
    ("[u8; 32]", st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex())),
    ("Vec<u8>", st.binary(max_size=100).map(lambda b: "0x" + b.hex())),
    ("bool", st.booleans()),
]


@st.composite
def map_keys(draw: st.DrawFn) -> list[tuple[StorageHasher, str, Any]]:
    """One to four keys (an N-map), each with a hasher substrate-interface knows."""
    count = draw(st.integers(1, 4))
    keys = []
    for _ in range(count):
        type_string, values = draw(st.sampled_from(_KEY_TYPES))
        hasher = draw(st.sampled_from(sorted(ORACLE_HASHERS)))
        keys.append((hasher, type_string, draw(values)))
    return keys


names = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="\\"),
    min_size=1,
    max_size=24,
)


@given(pallet=names, item=names, keys=map_keys())
def test_n_map_keys_match_substrate_interface(
    scale_config: RuntimeConfigurationObject,
    pallet: str,
    item: str,
    keys: list[tuple[StorageHasher, str, Any]],
) -> None:
    expected = substrate_interface_key(scale_config, pallet, item, keys)
    encoded = tuple((hasher, encode(scale_config, t, v)) for hasher, t, v in keys)
    assert storage_key(pallet, item, encoded) == expected


@given(pallet=st.text(max_size=30), item=st.text(max_size=30))
def test_prefix_is_twox128_of_utf8_names(pallet: str, item: str) -> None:
    prefix = storage_prefix(pallet, item)
    assert prefix == bytes(oracle.xxh128(pallet.encode())) + bytes(oracle.xxh128(item.encode()))
    assert len(prefix) == 32
