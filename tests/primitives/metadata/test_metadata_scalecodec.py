"""Our metadata bytes against the PyPI ``scalecodec`` package (the independent decoder).

scalecodec decodes the bytes, re-encodes its decoded value to the same bytes, and, once the
portable registry is loaded, decodes a storage value and event records that our codec encoded.
"""

from __future__ import annotations

from typing import Any

from scalecodec.base import ScaleBytes

from deepshard.primitives.codec import H256, AccountId32, encode
from deepshard.primitives.hashing import blake2_128, twox_128
from deepshard.primitives.numeric import U32, U64, U128

ALICE = AccountId32(
    bytes.fromhex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
)
BOB = AccountId32(bytes.fromhex("8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48"))


def _v14(metadata: Any) -> dict[str, Any]:
    magic, versioned = metadata.value
    assert magic == "0x6d657461"
    assert list(versioned) == ["V14"]
    value: dict[str, Any] = versioned["V14"]
    return value


def _hex(value: str) -> str:
    """scalecodec decodes ``Bytes`` as text when they are valid UTF-8, as hex otherwise."""
    return value if value.startswith("0x") else "0x" + value.encode().hex()


def _types(v14: dict[str, Any]) -> list[dict[str, Any]]:
    types: list[dict[str, Any]] = v14["types"]["types"]
    return types


def _by_path(v14: dict[str, Any], *path: str) -> dict[str, Any]:
    matches = [t for t in _types(v14) if tuple(t["type"]["path"]) == path]
    assert len(matches) == 1, f"{path}: {len(matches)} types"
    return matches[0]


def test_scalecodec_decodes_pallets_and_indices(scalecodec_metadata: Any) -> None:
    _, metadata = scalecodec_metadata
    v14 = _v14(metadata)
    assert [(p["name"], p["index"]) for p in v14["pallets"]] == [("System", 0), ("Balances", 5)]
    ids = [t["id"] for t in _types(v14)]
    assert ids == list(range(len(ids)))


def test_scalecodec_sees_storage_hashers_keys_and_docs(scalecodec_metadata: Any) -> None:
    _, metadata = scalecodec_metadata
    v14 = _v14(metadata)
    types = _types(v14)
    system = v14["pallets"][0]
    assert system["storage"]["prefix"] == "System"
    entries = {e["name"]: e for e in system["storage"]["entries"]}
    assert list(entries) == ["Account", "Number", "BlockHash", "Events"]
    account = entries["Account"]
    assert account["modifier"] == "Default"
    assert account["documentation"] == [
        " The full account information for a particular account ID."
    ]
    account_map = account["type"]["Map"]
    assert account_map["hashers"] == ["Blake2_128Concat"]
    assert types[account_map["key"]]["type"]["path"] == ["sp_core", "crypto", "AccountId32"]
    value = types[account_map["value"]]["type"]
    assert value["path"] == ["frame_system", "AccountInfo"]
    assert [p["name"] for p in value["params"]] == ["Nonce", "AccountData"]
    fields = value["def"]["composite"]["fields"]
    assert [f["name"] for f in fields] == ["nonce", "consumers", "providers", "sufficients", "data"]
    events = entries["Events"]
    assert _hex(events["default"]) == "0x00"
    sequence = types[events["type"]["Plain"]]["type"]["def"]["sequence"]
    assert types[sequence["type"]]["type"]["path"] == ["frame_system", "EventRecord"]

    balances = v14["pallets"][1]
    reserves = balances["storage"]["entries"][1]
    assert reserves["modifier"] == "Optional"
    assert reserves["type"]["Map"]["hashers"] == ["Blake2_128Concat", "Twox64Concat"]
    key = types[reserves["type"]["Map"]["key"]]["type"]["def"]
    assert [types[i]["type"]["path"] for i in key["tuple"]] == [
        ["sp_core", "crypto", "AccountId32"],
        [],
    ]


def test_scalecodec_sees_calls_events_errors(scalecodec_metadata: Any) -> None:
    _, metadata = scalecodec_metadata
    v14 = _v14(metadata)
    types = _types(v14)
    balances = v14["pallets"][1]
    calls = types[balances["calls"]["ty"]]["type"]
    assert calls["path"] == ["pallet_balances", "pallet", "Call"]
    variants = {v["name"]: v for v in calls["def"]["variant"]["variants"]}
    keep_alive = variants["transfer_keep_alive"]
    assert keep_alive["index"] == 3
    assert keep_alive["docs"] == [" Same as `transfer_allow_death`, but keeps the sender alive."]
    assert [(f["name"], f["typeName"]) for f in keep_alive["fields"]] == [
        ("dest", "MultiAddress"),
        ("value", "Compact<u128>"),
    ]
    dest = types[keep_alive["fields"][0]["type"]]["type"]
    assert dest["path"] == ["sp_runtime", "multiaddress", "MultiAddress"]
    assert [p["name"] for p in dest["params"]] == ["AccountId", "AccountIndex"]
    value = types[keep_alive["fields"][1]["type"]]["type"]["def"]
    assert types[value["compact"]["type"]]["type"]["def"] == {"primitive": "u128"}

    event = types[balances["event"]["ty"]]["type"]["def"]["variant"]["variants"]
    transfer = next(v for v in event if v["name"] == "Transfer")
    assert transfer["index"] == 2
    assert [f["name"] for f in transfer["fields"]] == ["from", "to", "amount"]

    errors = types[balances["error"]["ty"]]["type"]["def"]["variant"]["variants"]
    assert [(e["index"], e["name"]) for e in errors] == [
        (0, "VestingBalance"),
        (1, "LiquidityRestrictions"),
        (2, "InsufficientBalance"),
    ]
    assert errors[2]["docs"] == [" Balance too low to send value."]

    constants = {c["name"]: c for c in v14["pallets"][0]["constants"]}
    assert _hex(constants["SS58Prefix"]["value"]) == "0x2a00"
    assert types[constants["SS58Prefix"]["type"]]["type"]["def"] == {"primitive": "u16"}


def test_scalecodec_sees_outer_enums_and_extrinsic(scalecodec_metadata: Any) -> None:
    _, metadata = scalecodec_metadata
    v14 = _v14(metadata)
    types = _types(v14)
    call = _by_path(v14, "deepshard_runtime", "RuntimeCall")["type"]["def"]["variant"]
    assert [(v["name"], v["index"]) for v in call["variants"]] == [("System", 0), ("Balances", 5)]
    _by_path(v14, "deepshard_runtime", "RuntimeEvent")

    extrinsic = v14["extrinsic"]
    assert extrinsic["version"] == 4
    xt = types[extrinsic["ty"]]["type"]
    assert xt["path"] == ["sp_runtime", "generic", "unchecked_extrinsic", "UncheckedExtrinsic"]
    assert [p["name"] for p in xt["params"]] == ["Address", "Call", "Signature", "Extra"]
    assert types[xt["params"][1]["type"]]["type"]["path"] == ["deepshard_runtime", "RuntimeCall"]
    exts = {e["identifier"]: e for e in extrinsic["signed_extensions"]}
    assert list(exts) == [
        "CheckNonZeroSender",
        "CheckSpecVersion",
        "CheckTxVersion",
        "CheckGenesis",
        "CheckMortality",
        "CheckNonce",
        "CheckWeight",
        "ChargeTransactionPayment",
    ]
    empty = {"tuple": []}
    for name in ("CheckNonZeroSender", "CheckNonce", "CheckWeight", "ChargeTransactionPayment"):
        assert types[exts[name]["additional_signed"]]["type"]["def"] == empty
    for name in ("CheckNonZeroSender", "CheckSpecVersion", "CheckTxVersion", "CheckWeight"):
        assert types[exts[name]["ty"]]["type"]["def"] == {"composite": {"fields": []}}
    assert types[exts["CheckSpecVersion"]["additional_signed"]]["type"]["def"] == {
        "primitive": "u32"
    }
    genesis = types[exts["CheckGenesis"]["additional_signed"]]["type"]
    assert genesis["path"] == ["primitive_types", "H256"]
    mortality = types[exts["CheckMortality"]["ty"]]["type"]["def"]["composite"]["fields"]
    assert types[mortality[0]["type"]]["type"]["path"] == ["sp_runtime", "generic", "era", "Era"]
    runtime = types[v14["runtime_type"]]["type"]
    assert runtime["path"] == ["deepshard_runtime", "Runtime"]


def test_scalecodec_reencodes_to_identical_bytes(synthetic: Any, fresh_scalecodec: Any) -> None:
    decoder = fresh_scalecodec.create_scale_object(
        "MetadataVersioned", data=ScaleBytes(synthetic.built.encoded)
    )
    value = decoder.decode()
    encoded = fresh_scalecodec.create_scale_object("MetadataVersioned").encode(value)
    assert encoded.data == synthetic.built.encoded


def test_scalecodec_decodes_our_storage_value(synthetic: Any, scalecodec_metadata: Any) -> None:
    config, metadata = scalecodec_metadata
    types = synthetic.types
    info = types["AccountInfo"](
        nonce=U32(5),
        consumers=U32(0),
        providers=U32(1),
        sufficients=U32(0),
        data=types["AccountData"](
            free=U128(10**12),
            reserved=U128(7),
            frozen=U128(0),
            flags=types["ExtraFlags"](U128(1 << 127)),
        ),
    )
    function = metadata.get_metadata_pallet("System").get_storage_function("Account")
    value = config.create_scale_object(
        function.get_value_type_string(), data=ScaleBytes(info.encode())
    )
    decoded = value.decode()
    assert decoded["nonce"] == 5
    assert decoded["providers"] == 1
    assert decoded["data"] == {
        "free": 10**12,
        "reserved": 7,
        "frozen": 0,
        "flags": 1 << 127,
    }
    assert function.get_params_type_string() == [
        f"scale_info::{synthetic.built.registry.id_of(AccountId32)}"
    ]
    # The key a client computes: twox128(prefix) ++ twox128(name) ++ blake2_128(key) ++ key.
    key = twox_128(b"System") + twox_128(b"Account") + blake2_128(ALICE) + ALICE
    assert key.hex().startswith("26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9")


def test_scalecodec_decodes_our_event_records(synthetic: Any, scalecodec_metadata: Any) -> None:
    config, metadata = scalecodec_metadata
    t = synthetic.types
    info = t["DispatchInfo"](
        weight=t["Weight"](ref_time=U64(123_456), proof_size=U64(789)),
        class_=t["Operational"](),
        pays_fee=t["No"](),
    )
    records = (
        t["EventRecord"](
            phase=t["ApplyExtrinsic"](U32(1)),
            event=t["OuterEvent"].Balances(t["Transfer"](from_=ALICE, to=BOB, amount=U128(10**12))),
            topics=(),
        ),
        t["EventRecord"](
            phase=t["ApplyExtrinsic"](U32(1)),
            event=t["OuterEvent"].System(t["ExtrinsicSuccess"](dispatch_info=info)),
            topics=(H256(bytes(range(32))),),
        ),
        t["EventRecord"](
            phase=t["Finalization"](),
            event=t["OuterEvent"].System(t["NewAccount"](account=BOB)),
            topics=(),
        ),
    )
    data = encode(records, t["Vec"][t["EventRecord"]])
    function = metadata.get_metadata_pallet("System").get_storage_function("Events")
    events = config.create_scale_object(
        function.get_value_type_string(), data=ScaleBytes(data), metadata=metadata
    )
    decoded = events.decode()
    assert len(decoded) == 3
    transfer, success, new_account = decoded
    assert transfer["phase"] == "ApplyExtrinsic"
    assert transfer["extrinsic_idx"] == 1
    assert transfer["event_index"] == 5
    assert transfer["module_id"] == "Balances"
    assert transfer["event_id"] == "Transfer"
    assert transfer["attributes"] == {
        "from": "0x" + ALICE.hex(),
        "to": "0x" + BOB.hex(),
        "amount": 10**12,
    }
    assert success["module_id"] == "System"
    assert success["event_id"] == "ExtrinsicSuccess"
    assert success["attributes"] == {
        "dispatch_info": {
            "weight": {"ref_time": 123_456, "proof_size": 789},
            "class": "Operational",
            "pays_fee": "No",
        }
    }
    assert success["topics"] == ["0x" + bytes(range(32)).hex()]
    assert new_account["phase"] == "Finalization"
    assert new_account["event_id"] == "NewAccount"
