"""The Licences metadata as scalecodec decodes it: every call composes as substrate-interface
composes it, purchases and keepers decode from storage, errors carry their documentation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scalecodec.base import ScaleBytes

from deepshard.pallets.licences import BoxKey, Licences, Pricing
from deepshard.primitives.codec import H256
from deepshard.primitives.numeric import U32, U64, U128, Perbill

from .conftest import BUYER, CIPHERTEXT_CID, KEEPERS, Builder, mock_runtime

KEEPER = KEEPERS[0]

CALLS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "bond_keeper",
        {"amount": 500, "box_key": "0x" + "ab" * 32},
        {"amount": U128(500), "box_key": BoxKey(b"\xab" * 32)},
    ),
    ("unbond_keeper", {}, {}),
    ("withdraw_keeper", {}, {}),
    (
        "register_ciphertext",
        {
            "version": 3,
            "cid": "0x" + CIPHERTEXT_CID.hex(),
            "sha256": "0x" + "01" * 32,
            "threshold": 2,
            "shares": [["0x" + bytes(KEEPER.id).hex(), "0x0102"]],
        },
        {
            "version": U32(3),
            "cid": CIPHERTEXT_CID,
            "sha256": H256(b"\x01" * 32),
            "threshold": U32(2),
            "shares": [(KEEPER.id, b"\x01\x02")],
        },
    ),
    (
        "buy",
        {"version": 3, "buyer_box_key": "0x" + "cd" * 32, "max_price": 10**15},
        {"version": U32(3), "buyer_box_key": BoxKey(b"\xcd" * 32), "max_price": U128(10**15)},
    ),
    (
        "deliver_share",
        {"purchase_id": 9, "sealed_share": "0x00ff"},
        {"purchase_id": U64(9), "sealed_share": b"\x00\xff"},
    ),
    (
        "set_pricing",
        {"pricing": {"base_price": 5, "growth_rate": 7, "value_unit": 11, "cap": 13}},
        {
            "pricing": Pricing(
                base_price=U128(5),
                growth_rate=Perbill.from_parts(7),
                value_unit=U128(11),
                cap=U128(13),
            )
        },
    ),
]


def test_every_call_composes_as_substrate_interface_does(
    decoded_metadata: Callable[[Any], Any],
) -> None:
    runtime = mock_runtime()
    meta = decoded_metadata(runtime)
    for name, theirs, ours in CALLS:
        encoded = meta.encode_call(
            {"call_module": "Licences", "call_function": name, "call_args": theirs}
        )
        assert encoded == runtime.call_codec.encode(runtime.make_call(Licences, name, **ours)), name


def test_errors_and_constants_are_described(decoded_metadata: Callable[[Any], Any]) -> None:
    meta = decoded_metadata(mock_runtime())
    pallet = meta.pallet("Licences")
    constants = {c["name"] for c in pallet["constants"]}
    assert {"BasePrice", "GrowthRate", "ValueUnit", "PriceCap", "PurchasePeriod"} <= constants
    assert {"KeeperMinBond", "KeeperSlash", "MinThreshold", "InformantsShare"} <= constants
    variants = meta.type(pallet["error"]["ty"])["def"]["variant"]["variants"]
    docs = {v["name"]: " ".join(v["docs"]) for v in variants}
    assert "max_price" in docs["PriceAboveMax"]
    assert "No ciphertext" in docs["NoCiphertext"]
    assert [v["index"] for v in variants] == list(range(len(variants)))


def test_purchases_and_keepers_decode_from_storage(
    decoded_metadata: Callable[[Any], Any], ext_builder: Builder
) -> None:
    ext = ext_builder().keepers(KEEPERS[:2]).build()
    ext.register(0, KEEPERS[:2], threshold=1)
    ext.call(
        "buy", BUYER.origin, version=U32(0), buyer_box_key=BUYER.box_key, max_price=U128(10**6)
    )
    meta = decoded_metadata(ext.runtime)
    entries = {e["name"]: e for e in meta.pallet("Licences")["storage"]["entries"]}

    def decode(entry: str, key: bytes) -> Any:
        type_id = entries[entry]["type"]["Map"]["value"]
        raw = ext.ctx.overlay.get(key)
        return meta.config.create_scale_object(
            f"scale_info::{type_id}", ScaleBytes(raw), metadata=meta.decoded
        ).decode()

    purchase = decode("Purchases", ext.licences.purchases.key(U64(0)))
    assert purchase["phase"] == "Open"
    assert purchase["price"] == 1_000
    assert purchase["buyer_box_key"] == "0x" + bytes(BUYER.box_key).hex()
    assert len(purchase["keepers"]) == 2
    keeper = decode("Keepers", ext.licences.keepers.key(KEEPER.id))
    assert keeper["bond"] == 1_000
    assert keeper["unlock_at"] is None
    assert keeper["open_purchases"] == 1
    ciphertext = decode("Ciphertexts", ext.licences.ciphertexts.key(U32(0)))
    assert ciphertext["threshold"] == 1
    assert ciphertext["cid"] == "0x" + CIPHERTEXT_CID.hex()
