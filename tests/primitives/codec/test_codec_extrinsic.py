"""Extrinsic v4 envelope, era, signing payload: against substrate-wire.md vectors and scalecodec."""

from __future__ import annotations

from typing import Any

import pytest
import sr25519
from hypothesis import given, settings
from hypothesis import strategies as st
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset
from substrateinterface import Keypair

from deepshard.primitives.codec import (
    AccountId32,
    Compact,
    EncodeError,
    Struct,
    TrailingBytes,
    Truncated,
    codec_for,
)
from deepshard.primitives.extrinsic import (
    Era,
    ExtrinsicSignature,
    Id,
    MultiAddress,
    Sr25519,
    Sr25519Signature,
    UncheckedExtrinsic,
    additional_signed,
    signing_payload,
)
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.numeric import U8, U32, U128

ALICE = bytes.fromhex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")


class Transfer(Struct):
    pallet_index: U8
    call_index: U8
    dest: MultiAddress
    value: Compact[U128]


SC_TYPES = {
    "types": {
        "TestTransfer": {
            "type": "struct",
            "type_mapping": [
                ["pallet_index", "u8"],
                ["call_index", "u8"],
                ["dest", "MultiAddress"],
                ["value", "Compact<u128>"],
            ],
        },
        "TestSignedBody": {
            "type": "struct",
            "type_mapping": [
                ["version", "u8"],
                ["address", "MultiAddress"],
                ["signature", "MultiSignature"],
                ["era", "Era"],
                ["nonce", "Compact<u32>"],
                ["tip", "Compact<u128>"],
                ["call", "TestTransfer"],
            ],
        },
    }
}


@pytest.fixture(scope="module")
def rc() -> RuntimeConfigurationObject:
    config = RuntimeConfigurationObject()
    config.update_type_registry(load_type_registry_preset("core"))
    config.update_type_registry(SC_TYPES)
    return config


def test_verified_example_layout() -> None:
    # substrate-wire.md §3: Alice, Balances.transfer(dest=Alice, 10**12), nonce 5, immortal.
    call = Transfer(U8(6), U8(0), Id(AccountId32(ALICE)), U128(10**12))
    signature = bytes(range(64))
    xt = UncheckedExtrinsic(
        ExtrinsicSignature(
            Id(AccountId32(ALICE)), Sr25519(Sr25519Signature(signature)), Era(), U32(5), U128(0)
        ),
        call,
    )
    expected = (
        bytes.fromhex("3d02" + "84" + "00")
        + ALICE
        + b"\x01"
        + signature
        + bytes.fromhex("00" + "14" + "00" + "0600" + "00")
        + ALICE
        + bytes.fromhex("070010a5d4e8")
    )
    assert xt.encode() == expected
    assert xt.hash() == blake2_256(expected)
    assert UncheckedExtrinsic.decode(expected, Transfer) == xt
    raw = UncheckedExtrinsic.decode(expected)
    assert raw.call == call.encode()
    assert raw.encode() == expected


@pytest.mark.parametrize(
    ("period", "current", "wire", "birth"),
    [
        (64, 1, "1500", 1),
        (64, 1000, "8502", 1000),
        (4, 0, "0100", 0),
        (65536, 12345, "3f30", 12336),
    ],
)
def test_mortal_era(period: int, current: int, wire: str, birth: int) -> None:
    era = Era.mortal(period, current)
    assert era.to_bytes().hex() == wire
    assert codec_for(Era).decode(bytes.fromhex(wire)) == era
    assert era.birth(current) == birth
    assert era.death(current) == birth + era.period


def test_immortal_era() -> None:
    assert Era().to_bytes() == b"\x00"
    assert Era.immortal().death(5) == 2**64 - 1
    with pytest.raises(ValueError, match="invalid mortal era"):
        Era(63, 1)


@settings(max_examples=100)
@given(st.integers(1, 1 << 20), st.integers(0, 1 << 40))
def test_era_agrees_with_scalecodec(period: int, current: int) -> None:
    from scalecodec.types import Era as ScEra  # noqa: PLC0415

    ours = Era.mortal(period, current)
    theirs = ScEra()
    theirs.encode((ours.period, ours.phase))
    assert bytes(theirs.data.data) == ours.to_bytes()
    assert theirs.birth(current) == ours.birth(current)
    assert theirs.death(current) == ours.death(current)
    decoded = ScEra(data=ScaleBytes(bytearray(ours.to_bytes())))
    decoded.decode()
    assert decoded.value == (ours.period, ours.phase)


def test_signed_transfer_matches_scalecodec_and_verifies(rc: RuntimeConfigurationObject) -> None:
    keypair = Keypair.create_from_uri("//Alice")
    assert keypair.public_key == ALICE
    bob = Keypair.create_from_uri("//Bob").public_key
    call = Transfer(U8(5), U8(3), Id(AccountId32(bob)), U128(12345 * 10**10))
    era = Era.mortal(64, 1_000)
    genesis, birth_hash = blake2_256(b"genesis"), blake2_256(b"block 1000")
    extra = era.to_bytes() + bytes.fromhex("1c") + b"\x00"  # nonce 7, tip 0
    payload = signing_payload(call.encode(), extra, additional_signed(100, 1, genesis, birth_hash))
    signature = keypair.sign(payload)
    xt = UncheckedExtrinsic(
        ExtrinsicSignature(
            Id(AccountId32(ALICE)), Sr25519(Sr25519Signature(signature)), era, U32(7), U128(0)
        ),
        call,
    )
    assert xt.signature is not None
    assert xt.signature.extra() == extra
    ours = xt.encode()

    # scalecodec, from independent definitions, produces and reads the same bytes.
    body = rc.create_scale_object("TestSignedBody").encode(
        {
            "version": 0x84,
            "address": {"Id": "0x" + ALICE.hex()},
            "signature": {"Sr25519": "0x" + signature.hex()},
            "era": (era.period, era.phase),
            "nonce": 7,
            "tip": 0,
            "call": {
                "pallet_index": 5,
                "call_index": 3,
                "dest": {"Id": "0x" + bob.hex()},
                "value": 12345 * 10**10,
            },
        }
    )
    prefix = rc.create_scale_object("Compact<u32>").encode(len(body.data))
    assert bytes((prefix + body).data) == ours
    scale = ScaleBytes(bytearray(ours))
    rc.create_scale_object("Compact<u32>", data=scale).decode(check_remaining=False)
    decoded = rc.create_scale_object("TestSignedBody", data=scale).decode()
    assert decoded["call"]["value"] == 12345 * 10**10
    assert decoded["era"] == (64, 40)

    # The signature verifies over the payload rebuilt from the decoded extrinsic.
    back = UncheckedExtrinsic.decode(ours, Transfer)
    assert back.signature is not None
    rebuilt = signing_payload(
        back.call.encode(), back.signature.extra(), additional_signed(100, 1, genesis, birth_hash)
    )
    assert sr25519.verify(bytes(back.signature.signature.signature), rebuilt, ALICE)


def test_long_payload_is_hashed() -> None:
    assert signing_payload(b"x" * 100, b"", b"y" * 156) == b"x" * 100 + b"y" * 156
    assert signing_payload(b"x" * 100, b"", b"y" * 157) == blake2_256(b"x" * 100 + b"y" * 157)


def test_unsigned_and_raw_calls() -> None:
    xt = UncheckedExtrinsic(None, b"\x00\x01\x02")
    assert xt.encode() == b"\x10\x04\x00\x01\x02"
    assert UncheckedExtrinsic.decode(b"\x10\x04\x00\x01\x02") == xt
    assert not xt.is_signed


def test_length_prefix_must_match_the_body() -> None:
    call = Transfer(U8(5), U8(3), Id(AccountId32(ALICE)), U128(1))
    good = UncheckedExtrinsic(None, call).encode()
    longer = bytes((good[0] + 4,)) + good[1:] + b"\x00"
    with pytest.raises(TrailingBytes) as info:
        UncheckedExtrinsic.decode(longer, Transfer)
    assert info.value.position == len(good)
    shorter = bytes((good[0] - 4,)) + good[1:]
    with pytest.raises(Truncated):
        UncheckedExtrinsic.decode(shorter, Transfer, exact=False)


def test_encode_errors() -> None:
    with pytest.raises(EncodeError):
        UncheckedExtrinsic(None, 5).encode()
    with pytest.raises(EncodeError):
        codec_for(Era).encode("00")


# --- a minimal V14 metadata, so scalecodec's own metadata-driven Extrinsic decoder can run ---


def T(i: int, d: Any, path: Any = (), params: Any = (), docs: Any = ()) -> Any:
    return {
        "id": i,
        "type": {
            "path": list(path),
            "params": [{"name": n, "type": t} for n, t in params],
            "def": d,
            "docs": list(docs),
        },
    }


def F(t: int, name: str | None = None, tn: str | None = None) -> Any:
    return {"name": name, "type": t, "typeName": tn, "docs": []}


def V(name: str, idx: int, fields: Any = ()) -> Any:
    return {"name": name, "fields": list(fields), "index": idx, "docs": []}


types = [
    T(0, {"primitive": "u8"}),
    T(1, {"array": {"len": 32, "type": 0}}),
    T(2, {"composite": {"fields": [F(1, tn="[u8; 32]")]}}, ["sp_core", "crypto", "AccountId32"]),
    T(3, {"primitive": "u32"}),
    T(4, {"compact": {"type": 3}}),
    T(5, {"sequence": {"type": 0}}),
    T(6, {"array": {"len": 20, "type": 0}}),
    T(
        7,
        {
            "variant": {
                "variants": [
                    V("Id", 0, [F(2, tn="AccountId")]),
                    V("Index", 1, [F(4, tn="AccountIndex")]),
                    V("Raw", 2, [F(5, tn="Vec<u8>")]),
                    V("Address32", 3, [F(1, tn="[u8; 32]")]),
                    V("Address20", 4, [F(6, tn="[u8; 20]")]),
                ]
            }
        },
        ["sp_runtime", "multiaddress", "MultiAddress"],
        [("AccountId", 2), ("AccountIndex", 3)],
    ),
    T(8, {"primitive": "u128"}),
    T(9, {"compact": {"type": 8}}),
    T(
        10,
        {
            "variant": {
                "variants": [
                    V(
                        "transfer_keep_alive",
                        3,
                        [F(7, "dest", "AccountIdLookupOf<T>"), F(9, "value", "T::Balance")],
                    )
                ]
            }
        },
        ["pallet_balances", "pallet", "Call"],
    ),
    T(
        11,
        {
            "variant": {
                "variants": [
                    V(
                        "Balances",
                        5,
                        [
                            F(
                                10,
                                tn="CallableCallFor<Balances, Runtime>",
                            )
                        ],
                    )
                ]
            }
        },
        ["deepshard_runtime", "RuntimeCall"],
    ),
    T(12, {"array": {"len": 64, "type": 0}}),
    T(13, {"composite": {"fields": [F(12, tn="[u8; 64]")]}}, ["sp_core", "ed25519", "Signature"]),
    T(14, {"composite": {"fields": [F(12, tn="[u8; 64]")]}}, ["sp_core", "sr25519", "Signature"]),
    T(15, {"array": {"len": 65, "type": 0}}),
    T(16, {"composite": {"fields": [F(15, tn="[u8; 65]")]}}, ["sp_core", "ecdsa", "Signature"]),
    T(
        17,
        {
            "variant": {
                "variants": [
                    V("Ed25519", 0, [F(13)]),
                    V("Sr25519", 1, [F(14)]),
                    V("Ecdsa", 2, [F(16)]),
                ]
            }
        },
        ["sp_runtime", "MultiSignature"],
    ),
    T(
        18,
        {
            "variant": {
                "variants": [V("Immortal", 0)] + [V(f"Mortal{i}", i, [F(0)]) for i in range(1, 256)]
            }
        },
        ["sp_runtime", "generic", "era", "Era"],
    ),
    T(
        19,
        {"composite": {"fields": [F(5)]}},
        ["sp_runtime", "generic", "unchecked_extrinsic", "UncheckedExtrinsic"],
        [("Address", 7), ("Call", 11), ("Signature", 17), ("Extra", 20)],
    ),
    T(20, {"tuple": []}),
    T(
        21,
        {"composite": {"fields": [F(18, tn="Era")]}},
        ["frame_system", "extensions", "check_mortality", "CheckMortality"],
    ),
    T(
        22,
        {"composite": {"fields": [F(4, tn="T::Nonce")]}},
        ["frame_system", "extensions", "check_nonce", "CheckNonce"],
    ),
    T(
        23,
        {"composite": {"fields": [F(9, tn="BalanceOf<T>")]}},
        ["pallet_transaction_payment", "ChargeTransactionPayment"],
    ),
    T(24, {"composite": {"fields": [F(1, tn="[u8; 32]")]}}, ["primitive_types", "H256"]),
]
md = {
    "types": {"types": types},
    "pallets": [
        {
            "name": "Balances",
            "storage": None,
            "calls": {"ty": 10},
            "event": None,
            "constants": [],
            "error": None,
            "index": 5,
        }
    ],
    "extrinsic": {
        "ty": 19,
        "version": 4,
        "signed_extensions": [
            {"identifier": "CheckMortality", "ty": 21, "additional_signed": 24},
            {"identifier": "CheckNonce", "ty": 22, "additional_signed": 20},
            {"identifier": "ChargeTransactionPayment", "ty": 23, "additional_signed": 20},
        ],
    },
    "runtime_type": 11,
}


def build_scalecodec_runtime() -> tuple[RuntimeConfigurationObject, Any]:
    """Encode the metadata with scalecodec, decode it back and load its type registry."""
    rc = RuntimeConfigurationObject()
    rc.update_type_registry(load_type_registry_preset("core"))
    raw = rc.create_scale_object("MetadataVersioned").encode(("0x6d657461", {"V14": md}))
    metadata = rc.create_scale_object("MetadataVersioned", data=ScaleBytes(raw.data))
    metadata.decode()
    rc.add_portable_registry(metadata)
    return rc, metadata


def test_scalecodec_metadata_extrinsic_decoder_reads_ours() -> None:
    """scalecodec's GenericExtrinsic, driven by V14 metadata as SI drives it, decodes our bytes."""
    runtime, metadata = build_scalecodec_runtime()
    bob = Keypair.create_from_uri("//Bob").public_key
    call = Transfer(U8(5), U8(3), Id(AccountId32(bob)), U128(10**12 + 7))
    signature = bytes(range(64))
    for era in (Era(), Era.mortal(64, 1_000), Era.mortal(4096, 123_456)):
        xt = UncheckedExtrinsic(
            ExtrinsicSignature(
                Id(AccountId32(ALICE)), Sr25519(Sr25519Signature(signature)), era, U32(9), U128(3)
            ),
            call,
        )
        data = xt.encode()
        obj = runtime.create_scale_object(
            "Extrinsic", data=ScaleBytes(bytearray(data)), metadata=metadata
        )
        value = obj.decode()
        assert value["extrinsic_hash"] == "0x" + xt.hash().hex()
        assert value["address"] == "0x" + ALICE.hex()
        assert value["signature"] == {"Sr25519": "0x" + signature.hex()}
        assert value["era"] == ("00" if era.is_immortal else (era.period, era.phase))
        assert (value["nonce"], value["tip"]) == (9, 3)
        assert value["call"]["call_module"] == "Balances"
        assert value["call"]["call_function"] == "transfer_keep_alive"
        args = {a["name"]: a["value"] for a in value["call"]["call_args"]}
        assert args == {"dest": "0x" + bob.hex(), "value": 10**12 + 7}
