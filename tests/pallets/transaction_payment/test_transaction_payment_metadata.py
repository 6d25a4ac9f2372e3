"""TransactionPayment as clients see it: metadata and ``TransactionFeePaid`` via scalecodec."""

from __future__ import annotations

from deepshard.pallets.transaction_payment import TransactionFeePaid
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.numeric import U128
from deepshard.runtime.support import DepositedEvent, Phase


def test_metadata_is_frames(metadata):
    payment = metadata.pallet("TransactionPayment")
    multiplier, version = payment["storage"]["entries"]
    assert (multiplier["name"], version["name"]) == ("NextFeeMultiplier", "StorageVersion")
    fixed = metadata.type(multiplier["type"]["Plain"])
    assert fixed["path"] == ["sp_arithmetic", "fixed_point", "FixedU128"]
    assert as_bytes(multiplier["default"]) == (10**18).to_bytes(16, "little")  # 1.0
    releases = metadata.type(version["type"]["Plain"])
    assert releases["path"] == ["pallet_transaction_payment", "Releases"]
    assert [v["name"] for v in releases["def"]["variant"]["variants"]] == ["V1Ancient", "V2"]
    (constant,) = payment["constants"]
    assert constant["name"] == "OperationalFeeMultiplier"
    assert as_bytes(constant["value"]) == b"\x05"
    (event,) = metadata.variants(payment["event"]["ty"])
    assert (event["index"], event["name"]) == (0, "TransactionFeePaid")
    assert [f["name"] for f in event["fields"]] == ["who", "actual_fee", "tip"]
    assert payment["calls"] is None
    assert payment["error"] is None


def test_substrate_interface_reads_the_fee(metadata):
    # ExtrinsicReceipt.total_fee_amount sums TransactionFeePaid.actual_fee
    who = AccountId32(b"\x01" * 32)
    event = TransactionFeePaid(who=who, actual_fee=U128(12_345), tip=U128(45))
    records = metadata.runtime.encode_event_records(
        [DepositedEvent(Phase.APPLY_EXTRINSIC, 3, 2, event, ())]
    )
    (record,) = metadata.decode_events(records)
    assert (record["module_id"], record["event_id"]) == ("TransactionPayment", "TransactionFeePaid")
    assert record["attributes"]["actual_fee"] == 12_345
    assert record["attributes"]["tip"] == 45
    assert record["extrinsic_idx"] == 3


def as_bytes(value: str) -> bytes:
    """scalecodec returns ``Bytes`` as hex, or as text when they happen to be valid UTF-8."""
    return bytes.fromhex(value[2:]) if value.startswith("0x") else value.encode()
