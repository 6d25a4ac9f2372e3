"""The Aura pallet: the authority set and the slot of each block."""

from deepshard.pallets.aura.pallet import (
    Aura,
    AuraGenesis,
    AuthoritiesChange,
    AuthorityId,
    Config,
    ConsensusLog,
    MissingSlotDigest,
    OnDisabled,
    Slot,
    SlotMustIncrease,
    SlotMustNotDecrease,
    TimestampSlotMismatch,
    ZeroSlotDuration,
    expected_author,
    slot_from_digest,
)

__all__ = [
    "Aura",
    "AuraGenesis",
    "Config",
    "AuthorityId",
    "Slot",
    "ConsensusLog",
    "AuthoritiesChange",
    "OnDisabled",
    "MissingSlotDigest",
    "SlotMustIncrease",
    "SlotMustNotDecrease",
    "TimestampSlotMismatch",
    "ZeroSlotDuration",
    "slot_from_digest",
    "expected_author",
]
