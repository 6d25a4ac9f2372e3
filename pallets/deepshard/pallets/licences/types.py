"""On-chain types of the Licences pallet: keepers, ciphertexts, purchases and pricing."""

from __future__ import annotations

from deepshard.pallets.licences.logic import PurchasePhase
from deepshard.primitives.codec import H256, AccountId32, FixedBytes, Struct, Vec
from deepshard.primitives.numeric import U32, U128, Perbill

__all__ = [
    "PurchasePhase",
    "BoxKey",
    "KeeperInfo",
    "CiphertextInfo",
    "Purchase",
    "Pricing",
]


class BoxKey(FixedBytes, length=32):
    """An X25519 public key (``[u8; 32]``): what key shares are sealed to."""


class KeeperInfo(Struct, type_path=("pallet_licences", "types", "KeeperInfo")):
    """A keeper's bond and the key its shares are sealed to."""

    bond: U128
    """The amount held as its bond."""
    box_key: BoxKey
    """Its X25519 public key: a ciphertext's registrar seals this keeper's share to it."""
    unlock_at: U32 | None
    """When unbonding: the first block it may withdraw (None while bonded)."""
    open_purchases: U32
    """How many open purchases list it among their keepers (it may not withdraw meanwhile)."""


class CiphertextInfo(Struct, type_path=("pallet_licences", "types", "CiphertextInfo")):
    """A model version's encrypted weights and how their content key is shared."""

    cid: bytes
    """The ciphertext's CID (a binary CID with sha2-256)."""
    sha256: H256
    """The sha256 of the ciphertext's bytes."""
    threshold: U32
    """How many shares rebuild the content key (t)."""
    keepers: Vec[AccountId32]
    """The keepers holding one share each (n), in share order."""
    registrar: AccountId32
    """The keeper that encrypted the weights and registered them."""


class Purchase(Struct, type_path=("pallet_licences", "types", "Purchase")):
    """A licence bought: the escrow, the deadline and the shares delivered so far."""

    buyer: AccountId32
    """Who pays and receives the shares."""
    version: U32
    """The model version bought."""
    buyer_box_key: BoxKey
    """The buyer's X25519 public key: keepers re-seal their shares to it."""
    price: U128
    """The price paid into escrow (held on the buyer's account)."""
    deadline: U32
    """The first block at which the purchase expires if not served."""
    phase: PurchasePhase
    """Open, Served or Expired."""
    keepers: Vec[AccountId32]
    """The keepers of the share set active (bonded, not unbonding) when it opened: each owes
    its share, or is slashed."""
    deliveries: Vec[tuple[AccountId32, bytes]]
    """``(keeper, share sealed to the buyer)`` in delivery order."""
    payouts: Vec[tuple[AccountId32, U128]]
    """Where the escrow goes when the purchase is served (informants and trainers)."""
    to_treasury: U128
    """The treasury's part of the escrow when the purchase is served."""


class Pricing(Struct, type_path=("pallet_licences", "types", "Pricing")):
    """The price curve: ``min(cap, base_price * (1 + growth_rate) ^ (value / value_unit))``."""

    base_price: U128
    """The price of a version with no value behind it."""
    growth_rate: Perbill
    """The growth of the price per value unit."""
    value_unit: U128
    """The value (paid out by Informants and Training) that makes one unit."""
    cap: U128
    """The most a licence ever costs."""
