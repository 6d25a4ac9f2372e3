"""Aura as clients see it: metadata decoded by scalecodec."""

from __future__ import annotations


def test_metadata_is_frames(metadata):
    aura = metadata.pallet("Aura")
    authorities, current_slot = aura["storage"]["entries"]
    assert (authorities["name"], current_slot["name"]) == ("Authorities", "CurrentSlot")
    vec = metadata.type(authorities["type"]["Plain"])
    key = metadata.type(vec["def"]["sequence"]["type"])
    assert key["path"] == ["sp_consensus_aura", "sr25519", "app_sr25519", "Public"]
    slot = metadata.type(current_slot["type"]["Plain"])
    assert slot["path"] == ["sp_consensus_slots", "Slot"]
    assert as_bytes(current_slot["default"]) == bytes(8)
    assert as_bytes(authorities["default"]) == b"\x00"
    assert aura["calls"] is None
    assert aura["event"] is None
    assert aura["error"] is None
    assert aura["constants"] == []


def as_bytes(value: str) -> bytes:
    """scalecodec returns ``Bytes`` as hex, or as text when they happen to be valid UTF-8."""
    return bytes.fromhex(value[2:]) if value.startswith("0x") else value.encode()
