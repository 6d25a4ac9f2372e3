"""The signed extensions: what a signed transaction carries besides its call, and the checks.

Introduction
------------
Substrate transactions carry *signed extensions* in a fixed order, which clients read from
the metadata and sign in that order. Deepshard uses the standard set, so py-substrate-interface
and polkadot.js sign our transactions without configuration:

==== ========================== ================== =======================================
#    identifier                 extra (on the wire) additional (signed, not sent)
==== ========================== ================== =======================================
1    CheckNonZeroSender         --                 --
2    CheckSpecVersion           --                 spec_version u32
3    CheckTxVersion             --                 transaction_version u32
4    CheckGenesis               --                 genesis hash
5    CheckMortality             Era                hash of the era's birth block
6    CheckNonce                 Compact<u32>       --
7    CheckWeight                --                 --
8    ChargeTransactionPayment   Compact<u128> tip  --
==== ========================== ================== =======================================

This module declares their metadata types (`SIGNED_EXTENSIONS`); the checks themselves are
steps of the executive (`deepshard.runtime.executive`), in this order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deepshard.primitives.codec import H256, Compact, Struct
from deepshard.primitives.extrinsic import Era
from deepshard.primitives.numeric import U32, U128

__all__ = [
    "SignedExtensionInfo",
    "SIGNED_EXTENSIONS",
    "CheckNonZeroSender",
    "CheckSpecVersion",
    "CheckTxVersion",
    "CheckGenesis",
    "CheckMortality",
    "CheckNonce",
    "CheckWeight",
    "ChargeTransactionPayment",
]

_SYSTEM = ("frame_system", "extensions")


class CheckNonZeroSender(
    Struct, type_path=(*_SYSTEM, "check_non_zero_sender", "CheckNonZeroSender")
):
    """Refuses transactions from the all-zero account."""


class CheckSpecVersion(Struct, type_path=(*_SYSTEM, "check_spec_version", "CheckSpecVersion")):
    """Signs the runtime's spec version: a transaction dies with a runtime upgrade."""


class CheckTxVersion(Struct, type_path=(*_SYSTEM, "check_tx_version", "CheckTxVersion")):
    """Signs the runtime's transaction version."""


class CheckGenesis(Struct, type_path=(*_SYSTEM, "check_genesis", "CheckGenesis")):
    """Signs the genesis hash: a transaction is valid on one chain only."""


class CheckMortality(
    Struct, type_path=(*_SYSTEM, "check_mortality", "CheckMortality"), unnamed=True
):
    """Carries the era and signs its birth block's hash: a mortal transaction expires."""

    era: Era
    """The transaction's era."""


class CheckNonce(Struct, type_path=(*_SYSTEM, "check_nonce", "CheckNonce"), unnamed=True):
    """Carries the sender's nonce: transactions of one account apply in order, once each."""

    nonce: Compact[U32]
    """The nonce."""


class CheckWeight(Struct, type_path=(*_SYSTEM, "check_weight", "CheckWeight")):
    """Keeps the block within its weight and length limits."""


class ChargeTransactionPayment(
    Struct,
    type_path=("pallet_transaction_payment", "ChargeTransactionPayment"),
    unnamed=True,
):
    """Carries the tip and charges the fee before dispatch."""

    tip: Compact[U128]
    """Tip for the block author, on top of the fee."""


@dataclass(frozen=True, slots=True)
class SignedExtensionInfo:
    """One signed extension as the metadata lists it."""

    identifier: str
    """The name clients recognise."""
    extra_type: Any
    """Type of the bytes the extension adds to the transaction (empty struct: none)."""
    additional_type: Any
    """Type of the implicit data it signs (``tuple[()]``: none)."""


_NOTHING: Any = tuple[()]

SIGNED_EXTENSIONS: tuple[SignedExtensionInfo, ...] = (
    SignedExtensionInfo("CheckNonZeroSender", CheckNonZeroSender, _NOTHING),
    SignedExtensionInfo("CheckSpecVersion", CheckSpecVersion, U32),
    SignedExtensionInfo("CheckTxVersion", CheckTxVersion, U32),
    SignedExtensionInfo("CheckGenesis", CheckGenesis, H256),
    SignedExtensionInfo("CheckMortality", CheckMortality, H256),
    SignedExtensionInfo("CheckNonce", CheckNonce, _NOTHING),
    SignedExtensionInfo("CheckWeight", CheckWeight, _NOTHING),
    SignedExtensionInfo("ChargeTransactionPayment", ChargeTransactionPayment, _NOTHING),
)
"""The signed extensions in their wire order (the metadata's ``signed_extensions``)."""
