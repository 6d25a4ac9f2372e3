"""RuntimeVersion: api ids, the layouts of every Core version, JSON, state versions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepshard.primitives.codec import DecodeError, Truncated, codec_for
from deepshard.primitives.numeric import U8, U32
from deepshard.primitives.trie import StateVersion
from deepshard.primitives.version import (
    CORE_API_ID,
    KNOWN_API_IDS,
    RuntimeVersion,
    api_id,
    core_version_from_apis,
)

# substrate-wire.md section 7: blake2b-64 of the trait names, as polkadot.js and nodes use them.
API_IDS = {
    "Core": "df6acb689907609b",
    "Metadata": "37e397fc7c91f5e4",
    "BlockBuilder": "40fe3ad401f8959a",
    "TaggedTransactionQueue": "d2bc9897eed08f15",
    "OffchainWorkerApi": "f78b278be53f454c",
    "AuraApi": "dd718d5cc53262d4",
    "GrandpaApi": "ed99c5acb25eedf5",
    "SessionKeys": "ab3c0572291feb8b",
    "AccountNonceApi": "bc9d89904f5b923f",
    "TransactionPaymentApi": "37c8bb1350a9a2a8",
    "TransactionPaymentCallApi": "f3ff14d5ab527059",
    "GenesisBuilder": "fbc577b9d747efd6",
}

# System.Version of two V14 fixtures in py-substrate-interface's test suite
# (test/fixtures/metadata_hex.json): the Substrate node (Core 3: no system version) and Karura
# (Core 4: state_version 0).
SUBSTRATE_NODE_VERSION = bytes.fromhex(
    "106e6f6465387375627374726174652d6e6f64650a0000000b0100000100000034df6acb689907609b0300"
    "000037e397fc7c91f5e40100000040fe3ad401f8959a05000000d2bc9897eed08f1503000000f78b278be5"
    "3f454c02000000ed99c5acb25eedf503000000cbca25e39f14238702000000687ad44ad37f03c201000000"
    "bc9d89904f5b923f0100000068b66ba122c93fa70100000037c8bb1350a9a2a80100000091d5df18b0d2cf"
    "5801000000ab3c0572291feb8b0100000002000000"
)
KARURA_VERSION = bytes.fromhex(
    "186b6172757261186b617275726101000000f00700000000000030df6acb689907609b0400000037e397fc"
    "7c91f5e40100000040fe3ad401f8959a05000000d2bc9897eed08f1503000000f78b278be53f454c020000"
    "00dd718d5cc53262d401000000ab3c0572291feb8b01000000bc9d89904f5b923f0100000037c8bb1350a9"
    "a2a8010000006ef953004ba30e5901000000e3df3f2aa8a5cc5701000000ea93e3f16f3d69620200000001"
    "00000000"
)


@pytest.mark.parametrize(("name", "ident"), API_IDS.items())
def test_api_ids(name: str, ident: str) -> None:
    assert api_id(name) == bytes.fromhex(ident)
    assert KNOWN_API_IDS[name] == bytes.fromhex(ident)


def test_type_path() -> None:
    info = codec_for(RuntimeVersion).info
    assert info.path == ("sp_version", "RuntimeVersion")
    assert [f.name for f in info.fields] == [
        "spec_name",
        "impl_name",
        "authoring_version",
        "spec_version",
        "impl_version",
        "apis",
        "transaction_version",
        "system_version",
    ]


def test_substrate_node_core3() -> None:
    version = RuntimeVersion.decode_with_version_hint(SUBSTRATE_NODE_VERSION)
    assert (version.spec_name, version.impl_name) == ("node", "substrate-node")
    assert (version.authoring_version, version.spec_version, version.impl_version) == (10, 267, 1)
    assert version.transaction_version == 2
    assert version.system_version == 0
    assert version.api_version(CORE_API_ID) == 3
    assert version.has_api("TransactionPaymentApi")
    assert not version.has_api("GenesisBuilder")
    # The Core 4 layout has one more byte, so the exact decoder refuses the Core 3 one.
    with pytest.raises(Truncated):
        RuntimeVersion.decode(SUBSTRATE_NODE_VERSION)
    assert version.encode() == SUBSTRATE_NODE_VERSION + b"\x00"


def test_karura_core4() -> None:
    version = RuntimeVersion.decode_with_version_hint(KARURA_VERSION)
    assert (version.spec_name, version.spec_version) == ("karura", 2032)
    assert version.api_version(CORE_API_ID) == 4
    assert (version.transaction_version, version.system_version) == (1, 0)
    assert RuntimeVersion.decode(KARURA_VERSION) == version
    assert version.encode() == KARURA_VERSION


def test_version_hint_overrides_the_api_list() -> None:
    old = RuntimeVersion.decode_with_version_hint(KARURA_VERSION, 2)
    assert (old.transaction_version, old.system_version) == (1, 0)
    with pytest.raises(DecodeError):
        RuntimeVersion.decode_with_version_hint(SUBSTRATE_NODE_VERSION, 4)
    assert core_version_from_apis(()) is None
    no_core = RuntimeVersion.decode_with_version_hint(
        RuntimeVersion("a", "b", U32(1), U32(2), U32(3), (), U32(9), U8(2)).encode()
    )
    assert (no_core.transaction_version, no_core.system_version) == (1, 0)


def test_state_versions() -> None:
    # sp_version: state V0 only for system_version 0; extrinsics root V1 only from 2.
    def with_system(system: int) -> RuntimeVersion:
        return RuntimeVersion("x", "x", U32(0), U32(0), U32(0), (), U32(1), U8(system))

    assert [with_system(s).state_version for s in (0, 1, 2, 3)] == [
        StateVersion.V0,
        StateVersion.V1,
        StateVersion.V1,
        StateVersion.V1,
    ]
    assert [with_system(s).extrinsics_root_state_version for s in (0, 1, 2, 3)] == [
        StateVersion.V0,
        StateVersion.V0,
        StateVersion.V1,
        StateVersion.V1,
    ]


def test_json() -> None:
    version = RuntimeVersion.decode_with_version_hint(KARURA_VERSION)
    value = version.to_json()
    assert list(value) == [
        "specName",
        "implName",
        "authoringVersion",
        "specVersion",
        "implVersion",
        "apis",
        "transactionVersion",
        "systemVersion",
        "stateVersion",
    ]
    assert value["apis"][0] == ["0xdf6acb689907609b", 4]
    assert value["specVersion"] == 2032
    assert value["systemVersion"] == value["stateVersion"] == 0
    assert RuntimeVersion.from_json(value) == version
    legacy = {k: v for k, v in value.items() if k != "systemVersion"}
    assert RuntimeVersion.from_json(legacy) == version
    with pytest.raises(ValueError, match="differ"):
        RuntimeVersion.from_json({**value, "stateVersion": 1})
    with pytest.raises(ValueError, match="RuntimeVersion"):
        RuntimeVersion.from_json({**value, "apis": [["0x00", 1]]})


versions = st.builds(
    RuntimeVersion,
    spec_name=st.text(max_size=12),
    impl_name=st.text(max_size=12),
    authoring_version=st.integers(0, (1 << 32) - 1).map(U32),
    spec_version=st.integers(0, (1 << 32) - 1).map(U32),
    impl_version=st.integers(0, (1 << 32) - 1).map(U32),
    apis=st.lists(
        st.tuples(st.binary(min_size=8, max_size=8), st.integers(0, 9).map(U32)), max_size=4
    ).map(tuple),
    transaction_version=st.integers(0, (1 << 32) - 1).map(U32),
    system_version=st.integers(0, 255).map(U8),
)


@given(versions)
def test_roundtrips(version: RuntimeVersion) -> None:
    assert RuntimeVersion.decode(version.encode()) == version
    assert RuntimeVersion.decode_with_version_hint(version.encode(), 4) == version
    assert RuntimeVersion.from_json(version.to_json()) == version
