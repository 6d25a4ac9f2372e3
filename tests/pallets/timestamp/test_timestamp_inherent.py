"""Timestamp's inherent: creating and checking it, and the `InherentData` wire types."""

from __future__ import annotations

import pytest

from deepshard.pallets.timestamp import (
    INHERENT_IDENTIFIER,
    MAX_TIMESTAMP_DRIFT_MILLIS,
    Timestamp,
    TimestampInherentError,
)
from deepshard.primitives.numeric import U64
from deepshard.runtime.support import NONE
from deepshard.runtime.support.inherents import (
    CheckInherentsResult,
    InherentData,
    InherentDataError,
    InherentError,
    ProvideInherent,
)


def data_at(moment: int) -> InherentData:
    data = InherentData()
    data.put_data(INHERENT_IDENTIFIER, U64(moment))
    return data


def test_timestamp_provides_an_inherent(ext):
    timestamp = ext.pallet(Timestamp)
    assert isinstance(timestamp, ProvideInherent)
    assert Timestamp.INHERENT_IDENTIFIER == b"timstap0"
    assert Timestamp.INHERENT_CALL == "set"
    assert timestamp.is_inherent("set")
    assert not timestamp.is_inherent("remark")


def test_create_inherent_uses_the_authors_time(ext):
    timestamp = ext.pallet(Timestamp)
    assert timestamp.create_inherent(data_at(1_000)) == {"now": U64(1_000)}


def test_create_inherent_respects_the_minimum_period(ext, next_block):
    ext.dispatch(Timestamp, "set", NONE, now=U64(1_000))
    next_block(ext)
    timestamp = ext.pallet(Timestamp)
    # the author's clock lags: the inherent still moves time forward by MinimumPeriod
    arguments = timestamp.create_inherent(data_at(900))
    assert arguments == {"now": U64(1_005)}
    ext.dispatch(Timestamp, "set", NONE, **arguments)
    assert timestamp.get() == 1_005


def test_create_inherent_needs_data(ext):
    with pytest.raises(InherentDataError, match="must be provided"):
        ext.pallet(Timestamp).create_inherent(InherentData())


def test_check_inherent_accepts_a_timestamp_within_drift(ext, next_block):
    ext.dispatch(Timestamp, "set", NONE, now=U64(1_000))
    next_block(ext)
    timestamp = ext.pallet(Timestamp)
    local = data_at(2_000)
    timestamp.check_inherent({"now": U64(1_005)}, local)  # earliest allowed
    timestamp.check_inherent({"now": U64(2_000) + MAX_TIMESTAMP_DRIFT_MILLIS}, local)  # latest


def test_check_inherent_rejects_a_timestamp_too_far_in_the_future(ext):
    with pytest.raises(InherentError, match="too far in the future") as raised:
        ext.pallet(Timestamp).check_inherent({"now": U64(32_001)}, data_at(2_000))
    error = raised.value
    assert error.identifier == INHERENT_IDENTIFIER
    assert error.error == bytes([TimestampInherentError.TooFarInFuture])
    assert error.fatal


def test_check_inherent_rejects_a_timestamp_too_early(ext, next_block):
    ext.dispatch(Timestamp, "set", NONE, now=U64(1_000))
    next_block(ext)
    with pytest.raises(InherentError, match="lower than the minimum period") as raised:
        ext.pallet(Timestamp).check_inherent({"now": U64(1_004)}, data_at(1_004))
    assert raised.value.error == b"\x00"


def test_check_inherent_needs_well_formed_data(ext):
    data = InherentData()
    data.put_raw(INHERENT_IDENTIFIER, b"\x01\x02")  # not a u64
    with pytest.raises(InherentDataError, match="not a valid"):
        ext.pallet(Timestamp).check_inherent({"now": U64(1)}, data)


# --- InherentData and CheckInherentsResult (sp_inherents) -------------------------------------


def test_inherent_data_encodes_as_substrate_btreemap():
    data = data_at(0x0102030405060708)
    data.put_raw(b"auraslot", U64(7).to_le_bytes())
    expected = (
        "08"  # two entries, in identifier order
        + b"auraslot".hex()
        + "20"
        + "0700000000000000"
        + b"timstap0".hex()
        + "20"
        + "0807060504030201"
    )
    assert data.encode().hex() == expected
    assert InherentData.decode(data.encode()) == data
    assert data.identifiers() == (b"auraslot", b"timstap0")
    assert data.get_data(INHERENT_IDENTIFIER, U64) == 0x0102030405060708


def test_inherent_data_refuses_duplicates_and_bad_identifiers():
    data = data_at(1)
    with pytest.raises(InherentDataError, match="already exists"):
        data.put_data(INHERENT_IDENTIFIER, U64(2))
    data.replace_data(INHERENT_IDENTIFIER, U64(2))
    assert data.get_data(INHERENT_IDENTIFIER, U64) == 2
    with pytest.raises(InherentDataError, match="8 bytes"):
        data.put_raw(b"short", b"")
    assert data.get_data(b"missing!", U64) is None


@pytest.mark.parametrize(
    "encoded",
    [
        "04" + b"timstap0".hex() + "20" + "00",  # value truncated
        "04" + "74696d",  # identifier truncated
        "00" + "00",  # trailing byte
        "08" + (b"timstap0".hex() + "00") * 2,  # repeated identifier
    ],
)
def test_inherent_data_decode_rejects_malformed_bytes(encoded):
    with pytest.raises(InherentDataError):
        InherentData.decode(bytes.fromhex(encoded))


def test_check_inherents_result_keeps_a_fatal_error_alone():
    result = CheckInherentsResult()
    assert result.encode() == b"\x01\x00\x00"
    result.put_error(InherentError(b"testinh0", b"\x05", fatal=False, message="soft"))
    assert (result.okay, result.fatal_error) == (False, False)
    result.put_error(InherentError(INHERENT_IDENTIFIER, b"\x01", fatal=True, message="hard"))
    assert result.errors.identifiers() == (INHERENT_IDENTIFIER,)  # the soft one was dropped
    assert result.encode() == b"\x00\x01" + InherentData({INHERENT_IDENTIFIER: b"\x01"}).encode()
    with pytest.raises(InherentDataError, match="fatal"):
        result.put_error(InherentError(b"testinh0", b"\x05", fatal=False, message="late"))
