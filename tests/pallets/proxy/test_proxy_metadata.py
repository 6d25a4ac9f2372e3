"""Proxy as clients see it: FRAME's names, indices and storage layout, via scalecodec."""

from __future__ import annotations

from deepshard.pallets.proxy import ProxyPallet, ProxyType
from deepshard.primitives.extrinsic import Id

# FRAME's pallet_proxy (polkadot-sdk substrate/frame/proxy/src/lib.rs)
FRAME_CALLS = [
    (0, "proxy", ["real", "force_proxy_type", "call"]),
    (1, "add_proxy", ["delegate", "proxy_type", "delay"]),
    (2, "remove_proxy", ["delegate", "proxy_type", "delay"]),
    (3, "remove_proxies", []),
    (4, "create_pure", ["proxy_type", "delay", "index"]),
    (5, "kill_pure", ["spawner", "proxy_type", "index", "height", "ext_index"]),
    (6, "announce", ["real", "call_hash"]),
    (7, "remove_announcement", ["real", "call_hash"]),
    (8, "reject_announcement", ["delegate", "call_hash"]),
    (9, "proxy_announced", ["delegate", "real", "force_proxy_type", "call"]),
    (10, "poke_deposit", []),
]
FRAME_EVENTS = [
    (0, "ProxyExecuted", ["result"]),
    (1, "PureCreated", ["pure", "who", "proxy_type", "disambiguation_index"]),
    (2, "Announced", ["real", "proxy", "call_hash"]),
    (3, "ProxyAdded", ["delegator", "delegatee", "proxy_type", "delay"]),
    (4, "ProxyRemoved", ["delegator", "delegatee", "proxy_type", "delay"]),
    (5, "PureKilled", ["pure", "spawner", "proxy_type", "disambiguation_index"]),
    (6, "DepositPoked", ["who", "kind", "old_deposit", "new_deposit"]),
]
FRAME_ERRORS = [
    "TooMany",
    "NotFound",
    "NotProxy",
    "Unproxyable",
    "Duplicate",
    "NoPermission",
    "Unannounced",
    "NoSelfProxy",
]


def _shape(variants):
    return [(v["index"], v["name"], [f["name"] for f in v["fields"]]) for v in variants]


def test_metadata_is_frames(metadata):
    pallet = metadata.pallet("Proxy")
    assert pallet["index"] == 10
    calls = metadata.variants(pallet["calls"]["ty"])
    assert _shape(calls) == FRAME_CALLS
    assert _shape(metadata.variants(pallet["event"]["ty"])) == FRAME_EVENTS
    errors = metadata.variants(pallet["error"]["ty"])
    assert [(e["index"], e["name"]) for e in errors] == list(enumerate(FRAME_ERRORS))
    assert [c["name"] for c in pallet["constants"]] == [
        "ProxyDepositBase",
        "ProxyDepositFactor",
        "MaxProxies",
        "MaxPending",
        "AnnouncementDepositBase",
        "AnnouncementDepositFactor",
    ]
    entries = pallet["storage"]["entries"]
    assert [(e["name"], e["modifier"]) for e in entries] == [
        ("Proxies", "Default"),
        ("Announcements", "Default"),
    ]
    assert all(e["type"]["Map"]["hashers"] == ["Twox64Concat"] for e in entries)
    kill = calls[5]
    assert [metadata.type(f["type"])["def"].get("compact") is not None for f in kill["fields"]] == [
        False,
        False,
        False,
        True,
        True,
    ]
    proxy_type = metadata.type(calls[1]["fields"][1]["type"])
    assert proxy_type["path"][-1] == "ProxyType"
    assert [(v["index"], v["name"]) for v in proxy_type["def"]["variant"]["variants"]] == [
        (0, "Any"),
        (1, "NonTransfer"),
        (2, "CancelProxy"),
        (3, "Protocol"),
    ]
    poked = metadata.variants(pallet["event"]["ty"])[6]
    kind = metadata.type(poked["fields"][1]["type"])
    assert kind["path"] == ["pallet_proxy", "DepositKind"]
    assert [(v["index"], v["name"]) for v in kind["def"]["variant"]["variants"]] == [
        (0, "Proxies"),
        (1, "Announcements"),
    ]


def test_scalecodec_composes_proxy_calls(metadata, mock):
    two = "0x" + bytes(mock.account(2)).hex()
    encoded = metadata.encode_call(
        {
            "call_module": "Proxy",
            "call_function": "proxy",
            "call_args": {
                "real": {"Id": two},
                "force_proxy_type": "NonTransfer",
                "call": {"call_module": "Training", "call_function": "commit", "call_args": {}},
            },
        }
    )
    ours = mock.RUNTIME.make_call(
        ProxyPallet,
        "proxy",
        real=Id(mock.account(2)),
        force_proxy_type=ProxyType.NonTransfer,
        call=mock.commit(),
    )
    assert encoded == ours.encode()
