"""Timestamp as clients see it: metadata decoded by scalecodec, the call composed by it."""

from __future__ import annotations

from deepshard.pallets.timestamp import Timestamp
from deepshard.primitives.numeric import U64


def test_metadata_is_frames(metadata):
    timestamp = metadata.pallet("Timestamp")
    entries = timestamp["storage"]["entries"]
    assert [(e["name"], e["modifier"]) for e in entries] == [
        ("Now", "Default"),
        ("DidUpdate", "Default"),
    ]
    assert metadata.type(entries[0]["type"]["Plain"])["def"] == {"primitive": "u64"}
    assert metadata.type(entries[1]["type"]["Plain"])["def"] == {"primitive": "bool"}
    (constant,) = timestamp["constants"]
    assert constant["name"] == "MinimumPeriod"
    assert as_bytes(constant["value"]) == bytes.fromhex("0500000000000000")
    (set_call,) = metadata.variants(timestamp["calls"]["ty"])
    assert (set_call["index"], set_call["name"]) == (0, "set")
    (now,) = set_call["fields"]
    assert now["name"] == "now"
    assert metadata.type(now["type"])["def"] == {"compact": {"type": entries[0]["type"]["Plain"]}}
    assert timestamp["event"] is None
    assert timestamp["error"] is None


def test_substrate_interface_composes_the_inherent(metadata, runtime):
    encoded = metadata.encode_call(
        {
            "call_module": "Timestamp",
            "call_function": "set",
            "call_args": {"now": 1_700_000_000_000},
        }
    )
    assert encoded == runtime.call_codec.encode(
        runtime.make_call(Timestamp, "set", now=U64(1_700_000_000_000))
    )


def as_bytes(value: str) -> bytes:
    """scalecodec returns ``Bytes`` as hex, or as text when they happen to be valid UTF-8."""
    return bytes.fromhex(value[2:]) if value.startswith("0x") else value.encode()
