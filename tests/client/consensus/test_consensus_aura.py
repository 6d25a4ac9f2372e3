"""Aura sealing and verification: the seal bytes match Substrate's layout and forgeries fail."""

from __future__ import annotations

from dataclasses import replace

import pytest

from deepshard.client.consensus.aura import (
    BadSeal,
    MissingPreDigest,
    MissingSeal,
    SlotInFuture,
    WrongAuthor,
    pre_digest,
    seal_header,
    slot_at,
    slot_author,
    slot_of,
    verify_header,
)
from deepshard.primitives.codec import H256
from deepshard.primitives.crypto import KeyType, dev_keypair
from deepshard.primitives.header import Digest, Header, Other
from deepshard.primitives.numeric import U32

ALICE = dev_keypair("Alice", KeyType.SR25519)
BOB = dev_keypair("Bob", KeyType.SR25519)
AUTHORITIES = (ALICE.public_key, BOB.public_key)


def _header(slot: int, extra: tuple = ()) -> Header:  # type: ignore[type-arg]
    return Header(
        parent_hash=H256(bytes(32)),
        number=U32(7),
        state_root=H256(b"\x01" * 32),
        extrinsics_root=H256(b"\x02" * 32),
        digest=Digest(logs=(pre_digest(slot), *extra)),
    )


def test_pre_digest_matches_a_real_aura_block() -> None:
    # A real Aura pre-runtime item from substrate-wire.md: slot 0x1002e0af, little-endian.
    assert pre_digest(0x1002E0AF).encode().hex() == "0661757261" + "20afe0021000000000"


def test_seal_layout_and_round_trip() -> None:
    sealed = seal_header(_header(100), ALICE)
    seal = sealed.digest.logs[-1].encode()
    assert seal[:7].hex() == "05617572610101"  # Seal, b"aura", compact(64)
    verified = verify_header(sealed, AUTHORITIES, current_slot=100)
    assert (verified.slot, verified.author) == (100, ALICE.public_key)
    assert verified.pre_header == _header(100)


def test_slot_ownership() -> None:
    assert slot_author(100, AUTHORITIES) == ALICE.public_key
    assert slot_author(101, AUTHORITIES) == BOB.public_key
    assert slot_author(5, ()) is None
    assert slot_at(6_000 * 42 + 5_999, 6_000) == 42


def test_wrong_author_and_forgeries_fail() -> None:
    with pytest.raises(BadSeal):
        verify_header(seal_header(_header(101), ALICE), AUTHORITIES)  # slot 101 is Bob's
    sealed = seal_header(_header(100), ALICE)
    tampered = replace(sealed, number=U32(8))
    with pytest.raises(BadSeal):
        verify_header(tampered, AUTHORITIES)
    with pytest.raises(WrongAuthor):
        verify_header(sealed, ())


def test_missing_parts() -> None:
    with pytest.raises(MissingSeal):
        verify_header(_header(100), AUTHORITIES)
    unslotted = replace(_header(100), digest=Digest(logs=(Other(b"x"),)))
    with pytest.raises(MissingPreDigest):
        slot_of(unslotted)
    with pytest.raises(MissingPreDigest):
        verify_header(seal_header(unslotted, ALICE), AUTHORITIES)


def test_future_slots_are_refused() -> None:
    sealed = seal_header(_header(110), ALICE)
    with pytest.raises(SlotInFuture):
        verify_header(sealed, AUTHORITIES, current_slot=100)
