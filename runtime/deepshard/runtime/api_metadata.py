"""Descriptions of the runtime APIs for metadata V15: names, inputs, outputs, docs.

Metadata V15 lists every runtime API a runtime implements, so clients (polkadot-api, dedot,
subxt) call ``state_call("<Api>_<method>", SCALE(inputs))`` and decode the answer without
definitions of their own. `describe_runtime_apis` returns the list for a runtime whose
extrinsic and block types are given; every method listed here has a handler in
`deepshard.runtime.apis.RuntimeApis` (or among the runtime's extra handlers), and a test holds
the two lists equal.

The declarations below exist for the metadata only: they give FRAME's type paths to values the
handlers encode by hand (``sp_inherents::InherentData`` is a ``BTreeMap`` of identifiers to
bytes, ``sp_core::OpaqueMetadata`` is ``Vec<u8>``).
"""

from __future__ import annotations

import dataclasses
import types
from typing import Annotated, Any

from deepshard.pallets.aura import AuthorityId
from deepshard.pallets.grandpa.logic import AuthorityId as GrandpaAuthorityId
from deepshard.primitives import transaction_validity as tv
from deepshard.primitives.codec import H256, AccountId32, Enum, FixedLen, Struct, Vec
from deepshard.primitives.dispatch import ApplyExtrinsicResult
from deepshard.primitives.header import Header
from deepshard.primitives.metadata import RuntimeApiDescription, RuntimeApiMethodDescription
from deepshard.primitives.numeric import U32, U64, U128
from deepshard.primitives.version import RuntimeVersion, api_id
from deepshard.primitives.weights import FeeDetails, RuntimeDispatchInfo, Weight

__all__ = [
    "OpaqueMetadata",
    "ExtrinsicInclusionMode",
    "TransactionSource",
    "InherentData",
    "CheckInherentsResult",
    "SlotDuration",
    "block_type",
    "describe_runtime_apis",
]

InherentIdentifier = Annotated[bytes, FixedLen(8)]


class OpaqueMetadata(Struct, type_path=("sp_core", "OpaqueMetadata"), unnamed=True):
    """Encoded metadata, as opaque bytes."""

    bytes_: bytes
    """The ``RuntimeMetadataPrefixed`` bytes."""


class ExtrinsicInclusionMode(Enum, type_path=("sp_runtime", "ExtrinsicInclusionMode")):
    """Which extrinsics a block being initialised may include."""


class AllExtrinsics(ExtrinsicInclusionMode, index=0):
    """Inherents and transactions."""


class OnlyInherents(ExtrinsicInclusionMode, index=1):
    """Inherents only."""


class TransactionSource(
    Enum, type_path=("sp_runtime", "transaction_validity", "TransactionSource")
):
    """Where a transaction being validated came from."""


class InBlock(TransactionSource, index=0):
    """From a block being imported."""


class Local(TransactionSource, index=1):
    """From this node (RPC or an offchain worker)."""


class External(TransactionSource, index=2):
    """From the network."""


class InherentMap(
    Struct,
    type_path=("BTreeMap",),
    type_params=(("K", InherentIdentifier), ("V", bytes)),
    unnamed=True,
):
    """A sorted map of inherent identifiers to their SCALE data."""

    entries: Vec[tuple[InherentIdentifier, bytes]]
    """``(identifier, data)`` pairs in identifier order."""


class InherentData(Struct, type_path=("sp_inherents", "InherentData")):
    """The data a block author supplies to create inherents (the timestamp, the slot ...)."""

    data: InherentMap
    """Each inherent's data by identifier."""


class CheckInherentsResult(Struct, type_path=("sp_inherents", "CheckInherentsResult")):
    """The outcome of checking a block's inherents against local data."""

    okay: bool
    """No error was found."""
    fatal_error: bool
    """At least one error is fatal: the block must be rejected."""
    errors: InherentData
    """The errors, by inherent identifier."""


class SlotDuration(Struct, type_path=("sp_consensus_slots", "SlotDuration"), unnamed=True):
    """The length of a slot in milliseconds."""

    millis: U64
    """Milliseconds."""


def block_type(extrinsic_type: Any) -> type[Struct]:
    """Return ``sp_runtime::generic::block::Block<Header, UncheckedExtrinsic>`` for a runtime."""
    return types.new_class(
        "Block",
        (Struct,),
        {
            "type_path": ("sp_runtime", "generic", "block", "Block"),
            "type_params": (("Header", Header), ("Extrinsic", extrinsic_type)),
        },
        lambda ns: ns.update(
            {
                "__doc__": "A block: its header and its extrinsics.",
                "__module__": __name__,
                "__annotations__": {"header": Header, "extrinsics": Vec[extrinsic_type]},
            }
        ),
    )


def _method(
    name: str, inputs: tuple[tuple[str, Any], ...], output: Any, doc: str
) -> RuntimeApiMethodDescription:
    return RuntimeApiMethodDescription(name, inputs, output, (" " + doc,))


def describe_runtime_apis(
    extrinsic_type: Any, version: RuntimeVersion | None = None
) -> tuple[RuntimeApiDescription, ...]:
    """Return the runtime APIs of a runtime whose ``UncheckedExtrinsic`` is `extrinsic_type`.

    The order is the order of ``RuntimeVersion.apis``; each API gets its version from `version`
    (needed for metadata V16).
    """
    described = _describe(extrinsic_type)
    if version is None:
        return described
    return tuple(
        dataclasses.replace(api, version=int(version.api_version(api_id(api.name)) or 0))
        for api in described
    )


def _describe(extrinsic_type: Any) -> tuple[RuntimeApiDescription, ...]:
    block = block_type(extrinsic_type)
    xt = extrinsic_type
    return (
        RuntimeApiDescription(
            "Core",
            (
                _method("version", (), RuntimeVersion, "The runtime's version."),
                _method("execute_block", (("block", block),), tuple[()], "Execute a whole block."),
                _method(
                    "initialize_block",
                    (("header", Header),),
                    ExtrinsicInclusionMode,
                    "Start a block on top of the state (a dry run: nothing is kept).",
                ),
            ),
            (" The calls every runtime answers.",),
        ),
        RuntimeApiDescription(
            "Metadata",
            (
                _method("metadata", (), OpaqueMetadata, "The metadata at its default version."),
                _method(
                    "metadata_at_version",
                    (("version", U32),),
                    OpaqueMetadata | None,
                    "The metadata at `version`, or None if the runtime does not serve it.",
                ),
                _method(
                    "metadata_versions", (), Vec[U32], "The metadata versions the runtime serves."
                ),
            ),
            (" What clients read to learn the runtime's types, calls and storage.",),
        ),
        RuntimeApiDescription(
            "BlockBuilder",
            (
                _method(
                    "apply_extrinsic",
                    (("extrinsic", xt),),
                    ApplyExtrinsicResult,
                    "Apply one extrinsic on top of the block's state and report the outcome.",
                ),
                _method(
                    "finalize_block",
                    (),
                    Header,
                    "Finish the block being built and return its header (without the seal).",
                ),
                _method(
                    "inherent_extrinsics",
                    (("inherent", InherentData),),
                    Vec[xt],  # type: ignore[valid-type]
                    "The inherent extrinsics of the next block, made from the author's data.",
                ),
                _method(
                    "check_inherents",
                    (("block", block), ("data", InherentData)),
                    CheckInherentsResult,
                    "Check a block's inherents against this node's own data.",
                ),
            ),
            (" Building blocks: applying extrinsics and making inherents.",),
        ),
        RuntimeApiDescription(
            "TaggedTransactionQueue",
            (
                _method(
                    "validate_transaction",
                    (("source", TransactionSource), ("tx", xt), ("block_hash", H256)),
                    tv.TransactionValidity,
                    "Whether a transaction may enter the pool, with its priority and tags.",
                ),
            ),
            (" Validation of transactions for the transaction pool.",),
        ),
        RuntimeApiDescription(
            "AuraApi",
            (
                _method("slot_duration", (), SlotDuration, "The slot length."),
                _method("authorities", (), Vec[AuthorityId], "The current block authors."),
            ),
            (" Aura block authoring: slot length and authorities.",),
        ),
        RuntimeApiDescription(
            "GrandpaApi",
            (
                _method(
                    "grandpa_authorities",
                    (),
                    Vec[tuple[GrandpaAuthorityId, U64]],
                    "The finality voters and their weights.",
                ),
                _method("current_set_id", (), U64, "The id of the current voter set."),
            ),
            (" GRANDPA-style finality: the voter set.",),
        ),
        RuntimeApiDescription(
            "AccountNonceApi",
            (
                _method(
                    "account_nonce",
                    (("account", AccountId32),),
                    U32,
                    "The nonce the account's next transaction must carry.",
                ),
            ),
            (" Account nonces.",),
        ),
        RuntimeApiDescription(
            "TransactionPaymentApi",
            (
                _method(
                    "query_info",
                    (("uxt", xt), ("len", U32)),
                    RuntimeDispatchInfo,
                    "The weight, class and fee of an extrinsic (its signature is not checked).",
                ),
                _method(
                    "query_fee_details",
                    (("uxt", xt), ("len", U32)),
                    FeeDetails,
                    "The parts of an extrinsic's fee (its signature is not checked).",
                ),
                _method(
                    "query_weight_to_fee",
                    (("weight", Weight),),
                    U128,
                    "The fee of a weight, before the fee multiplier.",
                ),
                _method(
                    "query_length_to_fee",
                    (("length", U32),),
                    U128,
                    "The fee of an encoded length in bytes.",
                ),
            ),
            (" Fee estimates for wallets.",),
        ),
        RuntimeApiDescription(
            "LicencesApi",
            (
                _method(
                    "price",
                    (("version", U32),),
                    U128 | None,
                    "A licence's price for `version` now, or None if no such version exists.",
                ),
            ),
            (" Weight licences: what a wallet quotes before it buys.",),
        ),
    )
