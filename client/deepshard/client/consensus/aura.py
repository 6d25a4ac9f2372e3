"""Aura, client side: who may author in a slot, how a block is sealed, how a seal is checked.

Introduction
------------
Time is cut into slots of `slot_duration` milliseconds; slot ``s`` belongs to
``authorities[s % n]`` (the runtime's ``AuraApi_authorities`` at the parent block). An author:

1. puts a ``PreRuntime(b"aura", SCALE u64 slot)`` item in the digest before execution;
2. builds and finalises the block (the runtime checks the slot and the timestamp);
3. signs the hash of the finished header (the *pre-seal hash*) with its sr25519 key and appends
   ``Seal(b"aura", SCALE signature)`` -- the block hash is the hash of the sealed header.

An importer strips the seal, checks that the slot is not in the future (beyond a small drift),
that the signer is the slot's owner, and that the signature verifies over the pre-seal hash;
then it executes the unsealed block.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from deepshard.primitives.codec import DecodeError, decode, encode
from deepshard.primitives.crypto import Keypair, KeyType, verify
from deepshard.primitives.header import AURA_ENGINE_ID, Digest, Header, PreRuntime, Seal
from deepshard.primitives.numeric import U64

__all__ = [
    "SIGNATURE_LENGTH",
    "MAX_SLOT_DRIFT",
    "AuraError",
    "MissingPreDigest",
    "MissingSeal",
    "BadSeal",
    "WrongAuthor",
    "SlotInFuture",
    "VerifiedHeader",
    "slot_at",
    "slot_start",
    "pre_digest",
    "slot_of",
    "slot_author",
    "seal_header",
    "verify_header",
]

SIGNATURE_LENGTH: Final = 64
"""Length of an sr25519 signature."""

MAX_SLOT_DRIFT: Final = 2
"""Slots a block may be ahead of the importer's clock before it is refused (clock skew)."""


class AuraError(Exception):
    """A header fails Aura's checks; the block must not be imported."""


class MissingPreDigest(AuraError):
    """The header has no Aura pre-runtime digest (no slot)."""


class MissingSeal(AuraError):
    """The header's last digest item is not an Aura seal."""


class BadSeal(AuraError):
    """The seal is not a valid signature of the slot's author over the pre-seal hash."""


class WrongAuthor(AuraError):
    """The slot belongs to another authority (or there are none)."""


class SlotInFuture(AuraError):
    """The header's slot is ahead of the importer's clock by more than `MAX_SLOT_DRIFT`."""


@dataclass(frozen=True, slots=True)
class VerifiedHeader:
    """A header whose Aura seal checked out."""

    pre_header: Header
    """The header without its seal (what the runtime executes against)."""
    slot: int
    """The slot it was authored in."""
    author: bytes
    """The author's public key."""


def slot_at(now_millis: int, slot_duration: int) -> int:
    """Return the slot containing the instant `now_millis` (Unix milliseconds)."""
    if slot_duration <= 0:
        raise ValueError("the slot duration must be positive")
    return now_millis // slot_duration


def slot_start(slot: int, slot_duration: int) -> int:
    """Return the first millisecond of `slot`."""
    return slot * slot_duration


def pre_digest(slot: int) -> PreRuntime:
    """Return the Aura pre-runtime digest item for `slot`."""
    return PreRuntime(AURA_ENGINE_ID, encode(U64(slot)))


def slot_of(header: Header) -> int:
    """Return the slot of a header from its Aura pre-runtime digest.

    Raises:
        MissingPreDigest: no (well-formed) Aura pre-runtime item.
    """
    for item in header.digest.logs:
        if type(item) is PreRuntime and item.engine == AURA_ENGINE_ID:
            try:
                return int(decode(U64, item.data))
            except DecodeError as error:
                raise MissingPreDigest(f"malformed Aura slot digest: {error}") from error
    raise MissingPreDigest("the header has no Aura slot digest")


def slot_author(slot: int, authorities: tuple[bytes, ...]) -> bytes | None:
    """Return the public key owning `slot`, or None without authorities."""
    if not authorities:
        return None
    return authorities[slot % len(authorities)]


def seal_header(header: Header, keypair: Keypair) -> Header:
    """Return `header` with an Aura seal signed by `keypair` appended to its digest."""
    signature = keypair.sign(bytes(header.hash()))
    seal = Seal(AURA_ENGINE_ID, signature)
    return replace(header, digest=Digest(logs=(*header.digest.logs, seal)))


def verify_header(
    header: Header, authorities: tuple[bytes, ...], current_slot: int | None = None
) -> VerifiedHeader:
    """Check a sealed header's Aura seal and slot (the import-side half of Aura).

    Args:
        header: The header as received, seal last.
        authorities: The authority set at the parent block.
        current_slot: The importer's current slot; None skips the future-slot check.

    Raises:
        MissingSeal, MissingPreDigest, SlotInFuture, WrongAuthor, BadSeal: as named.
    """
    logs = header.digest.logs
    if not logs or type(logs[-1]) is not Seal or logs[-1].engine != AURA_ENGINE_ID:
        raise MissingSeal("the header's last digest item is not an Aura seal")
    seal = logs[-1]
    pre_header = replace(header, digest=Digest(logs=logs[:-1]))
    slot = slot_of(pre_header)
    if current_slot is not None and slot > current_slot + MAX_SLOT_DRIFT:
        raise SlotInFuture(f"slot {slot} is ahead of the current slot {current_slot}")
    author = slot_author(slot, authorities)
    if author is None:
        raise WrongAuthor("there are no Aura authorities")
    signature = bytes(seal.data)
    if len(signature) != SIGNATURE_LENGTH or not verify(
        KeyType.SR25519, signature, bytes(pre_header.hash()), author
    ):
        raise BadSeal(f"the seal is not {author.hex()}'s signature for slot {slot}")
    return VerifiedHeader(pre_header, slot, bytes(author))
