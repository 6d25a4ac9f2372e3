"""Aura pallet: genesis, slot checks on initialization, the timestamp check, authorship."""

from __future__ import annotations

import pytest

from deepshard.pallets.aura import (
    Aura,
    AuraGenesis,
    AuthoritiesChange,
    AuthorityId,
    Config,
    MissingSlotDigest,
    Slot,
    SlotMustIncrease,
    SlotMustNotDecrease,
    TimestampSlotMismatch,
    expected_author,
    slot_from_digest,
)
from deepshard.pallets.system import System
from deepshard.pallets.timestamp import Timestamp
from deepshard.primitives.header import (
    AURA_ENGINE_ID,
    BABE_ENGINE_ID,
    Consensus,
    Digest,
    Other,
    PreRuntime,
    Seal,
)
from deepshard.primitives.numeric import U64
from deepshard.runtime.support import NONE, Runtime
from deepshard.runtime.support.panic import RuntimePanic

# --- genesis --------------------------------------------------------------------------------


def test_genesis_stores_the_authorities(ext, authorities):
    aura = ext.pallet(Aura)
    assert aura.authorities() == authorities
    assert aura.authorities_len() == 3
    assert aura.current_slot.get() == Slot.of(0)
    aura.try_state()


@pytest.mark.parametrize(
    ("authorities", "message"),
    [
        ((), "must not be empty"),
        ((AuthorityId(b"\x01" * 32), AuthorityId(b"\x01" * 32)), "listed twice"),
    ],
)
def test_genesis_validation(build, authorities, message):
    with pytest.raises(ValueError, match=message):
        build(authorities)


def test_genesis_respects_max_authorities(build, authorities):
    with pytest.raises(ValueError, match="exceed max_authorities"):
        build(authorities, max_authorities=2)


# --- slot checks -----------------------------------------------------------------------------


def test_on_initialize_records_the_slot(ext, block, slot):
    block(ext, slot(5))
    assert ext.pallet(Aura).current_slot.get() == Slot.of(5)


def test_on_initialize_weighs_two_reads_one_write(ext, slot):
    system = ext.pallet(System)
    system.digest.put(Digest(logs=(slot(6),)))
    assert ext.pallet(Aura).on_initialize(1) == system.config.db_weight.reads_writes(2, 1)


def test_missing_digest_is_an_invalid_block(ext, block):
    with pytest.raises(MissingSlotDigest, match="no Aura pre-runtime digest"):
        block(ext)


def test_malformed_or_foreign_digests_do_not_count(ext, block):
    with pytest.raises(MissingSlotDigest):
        block(ext, PreRuntime(AURA_ENGINE_ID, b"\x05\x00\x00"))
    with pytest.raises(MissingSlotDigest):
        block(ext, PreRuntime(BABE_ENGINE_ID, U64(5).to_le_bytes()), Other(b"x"))


@pytest.mark.parametrize("next_slot", [5, 4])
def test_slot_must_increase(ext, block, slot, next_slot):
    block(ext, slot(5))
    with pytest.raises(SlotMustIncrease, match=f"slot {next_slot} after 5"):
        block(ext, slot(next_slot))
    assert issubclass(SlotMustIncrease, RuntimePanic)


def test_multiple_blocks_per_slot_when_allowed(build, block, slot):
    ext = build(allow_multiple_blocks_per_slot=True)
    block(ext, slot(5))
    block(ext, slot(5))
    assert ext.pallet(Aura).current_slot.get() == Slot.of(5)
    with pytest.raises(SlotMustNotDecrease):
        block(ext, slot(4))


def test_only_the_first_aura_item_counts(ext, block, slot):
    block(ext, Other(b"x"), slot(7), slot(3))
    assert ext.pallet(Aura).current_slot.get() == Slot.of(7)


# --- timestamp -------------------------------------------------------------------------------


def test_slot_duration_is_twice_the_minimum_period(ext, build):
    assert ext.pallet(Aura).slot_duration() == 6_000
    assert build(slot_duration=U64(2_000)).pallet(Aura).slot_duration() == 2_000


def test_timestamp_in_the_slot_is_accepted(ext, block, slot):
    block(ext, slot(100))
    ext.dispatch(Timestamp, "set", NONE, now=U64(100 * 6_000 + 5_999))
    assert ext.pallet(Timestamp).get() == 605_999


@pytest.mark.parametrize("now", [99 * 6_000 + 5_999, 101 * 6_000])
def test_timestamp_outside_the_slot_is_an_invalid_block(ext, block, slot, now):
    block(ext, slot(100))
    before = ext.snapshot()
    with pytest.raises(TimestampSlotMismatch, match="the block is in slot 100"):
        ext.dispatch(Timestamp, "set", NONE, now=U64(now))
    assert ext.snapshot() == before


# --- authorship ------------------------------------------------------------------------------


def test_author_of_slot(ext, authorities):
    aura = ext.pallet(Aura)
    assert [aura.author_of(s) for s in range(5)] == [
        authorities[0],
        authorities[1],
        authorities[2],
        authorities[0],
        authorities[1],
    ]
    assert aura.author_of(Slot.of(3)) == authorities[0]


def test_find_author_from_a_header_digest(ext, slot, authorities):
    aura = ext.pallet(Aura)
    logs = (slot(8), Seal(AURA_ENGINE_ID, bytes(64)))
    assert aura.find_author(logs) == 2
    assert aura.find_author_id(logs) == authorities[2]
    assert aura.find_author((Other(b"x"),)) is None
    assert aura.find_author_id(()) is None
    assert aura.is_member(authorities[1])
    assert not aura.is_member(AuthorityId(b"\x09" * 32))


def test_import_helpers_need_no_state(slot, authorities):
    assert slot_from_digest((Other(b"x"), slot(11))) == Slot.of(11)
    assert slot_from_digest(()) is None
    assert expected_author(11, authorities) == authorities[2]
    assert expected_author(Slot.of(11), ()) is None


def test_change_authorities_updates_the_set_and_logs_it(ext, block, slot):
    block(ext, slot(1))
    new = (AuthorityId(b"\x07" * 32), AuthorityId(b"\x08" * 32))
    aura = ext.pallet(Aura)
    aura.change_authorities(new)
    assert aura.authorities() == new
    logs = ext.pallet(System).digest.get().logs
    assert logs[-1] == Consensus(AURA_ENGINE_ID, AuthoritiesChange(new).encode())
    # sp_consensus_aura::ConsensusLog::AuthoritiesChange is variant 1: Vec of 32-byte keys
    assert logs[-1].data == b"\x01\x08" + b"\x07" * 32 + b"\x08" * 32
    aura.change_authorities(())  # ignored, as FRAME
    assert aura.authorities() == new
    with pytest.raises(ValueError, match="listed twice"):
        aura.change_authorities((new[0], new[0]))


def test_try_state_catches_a_broken_set(ext):
    aura = ext.pallet(Aura)
    aura.authority_set.put(())
    with pytest.raises(RuntimeError, match="empty"):
        aura.try_state()


# --- configuration and wire facts ------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (Config(max_authorities=0), "at least 1"),
        (Config(slot_duration=U64(0)), "cannot be zero"),
    ],
)
def test_integrity_test(config, message):
    with pytest.raises(ValueError, match=message):
        Runtime(name="bad", pallets=[(2, Aura, config)])


def test_storage_and_types_are_frames():
    authorities, current_slot = Aura.STORAGE
    assert (authorities.name, current_slot.name) == ("Authorities", "CurrentSlot")
    assert authorities.prefix.hex() == (
        "57f8dc2f5ab09467896f47300f0424385e0621c4869aa60c02be9adcc98a0d1d"
    )
    assert current_slot.prefix.hex() == (
        "57f8dc2f5ab09467896f47300f04243806155b3cd9a8c9e5e9a23fd5dc13a5ed"
    )
    assert AuthorityId.TYPE_PATH == ("sp_consensus_aura", "sr25519", "app_sr25519", "Public")
    assert Slot.of(0x0102).encode() == bytes.fromhex("0201000000000000")
    assert Slot.type_info().path == ("sp_consensus_slots", "Slot")
    assert Aura.CALLS == ()
    assert Aura.CONFIG.CONSTANTS == ()


def test_genesis_config_is_plain_data(authorities):
    assert AuraGenesis(authorities=authorities).authorities == authorities
