"""The Deepshard runtime: its pallets, version, executive, metadata and runtime APIs.

Pallets and their indices (stable forever: clients encode calls with them)::

    0 System   1 Timestamp   2 Aura   3 Grandpa   4 Balances   5 TransactionPayment   6 Sudo
    7 Treasury   8 Utility   9 Multisig   10 Proxy   20 Informants   21 Training   22 Licences

(Grandpa, the finality authorities, sits at 3 as in Substrate's node template.)
`deepshard_runtime()` returns the one composed runtime; it is built on first use, not at import.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Final

from deepshard.pallets.aura import Aura
from deepshard.pallets.balances import Balances
from deepshard.pallets.grandpa import Grandpa
from deepshard.pallets.informants import Informants
from deepshard.pallets.licences import Licences
from deepshard.pallets.multisig import MultisigPallet
from deepshard.pallets.proxy import ProxyPallet
from deepshard.pallets.sudo import Sudo
from deepshard.pallets.system import System
from deepshard.pallets.timestamp import Timestamp
from deepshard.pallets.training import Training
from deepshard.pallets.transaction_payment import PalletFeeHandler, TransactionPayment
from deepshard.pallets.treasury import Treasury
from deepshard.pallets.utility import Utility
from deepshard.primitives.codec import codec_for, decode, decode_compact, encode, encode_compact
from deepshard.primitives.extrinsic import UncheckedExtrinsic
from deepshard.primitives.header import AURA_ENGINE_ID, Digest, Header, PreRuntime
from deepshard.primitives.metadata import BuiltMetadata, SignedExtensionDescription
from deepshard.primitives.numeric import U32, U64, U128
from deepshard.primitives.weights import Weight
from deepshard.runtime import configs
from deepshard.runtime.api_metadata import describe_runtime_apis
from deepshard.runtime.apis import RuntimeApis, decode_block
from deepshard.runtime.code import runtime_code
from deepshard.runtime.executive import Block, Executive
from deepshard.runtime.extensions import SIGNED_EXTENSIONS
from deepshard.runtime.state import BlockState
from deepshard.runtime.support import GenesisConfig, Pallet, Runtime
from deepshard.runtime.support.genesis import build_genesis_storage
from deepshard.runtime.support.inherents import (
    CheckInherentsResult,
    InherentData,
    InherentError,
    ProvideInherent,
)
from deepshard.runtime.support.metadata import runtime_metadata
from deepshard.runtime.support.overlay import Overlay
from deepshard.runtime.version import VERSION

__all__ = [
    "RUNTIME_NAME",
    "PALLETS",
    "VERSION",
    "CODE_KEY",
    "DeepshardRuntime",
    "deepshard_runtime",
]

RUNTIME_NAME: Final = "deepshard_runtime"
"""The runtime's crate name, used in metadata type paths (``deepshard_runtime::RuntimeCall``)."""

CODE_KEY: Final = b":code"
"""Well-known storage key of the runtime code (here: its version descriptor)."""

PALLETS: Final = (
    (0, System, configs.SYSTEM),
    (1, Timestamp, configs.TIMESTAMP),
    (2, Aura, configs.AURA),
    (3, Grandpa, configs.GRANDPA),
    (4, Balances, configs.BALANCES),
    (5, TransactionPayment, configs.TRANSACTION_PAYMENT),
    (6, Sudo, configs.SUDO),
    (7, Treasury, configs.TREASURY),
    (8, Utility, configs.UTILITY),
    (9, MultisigPallet, configs.MULTISIG),
    (10, ProxyPallet, configs.PROXY),
    (20, Informants, configs.INFORMANTS),
    (21, Training, configs.TRAINING),
    (22, Licences, configs.LICENCES),
)
"""``(index, pallet, configuration)`` of every pallet."""


class DeepshardRuntime:
    """The composed runtime with everything a node needs from it."""

    def __init__(self) -> None:
        """Compose the pallets and derive the executive, metadata and runtime APIs."""
        self.runtime = Runtime(name=RUNTIME_NAME, pallets=PALLETS)
        self.version = VERSION
        self.executive = Executive(self.runtime, VERSION, PalletFeeHandler())
        self.extrinsic_type: Any = UncheckedExtrinsic[self.runtime.runtime_call]  # type: ignore[name-defined]
        self.metadata: BuiltMetadata = runtime_metadata(
            self.runtime,
            self.extrinsic_type,
            [
                SignedExtensionDescription(e.identifier, e.extra_type, e.additional_type)
                for e in SIGNED_EXTENSIONS
            ],
            describe_runtime_apis(self.extrinsic_type, VERSION),
        )
        self.apis = RuntimeApis(
            self.executive,
            self.metadata.encoded,
            metadata_at_version={
                v: self.metadata.encoded_at_version(v) or b"" for v in self.metadata.versions
            },
            next_digest=self._next_slot_digest,
            extra={
                "AuraApi_slot_duration": self._aura_slot_duration,
                "AuraApi_authorities": self._aura_authorities,
                "BlockBuilder_inherent_extrinsics": self._inherent_extrinsics_api,
                "BlockBuilder_check_inherents": self._check_inherents_api,
                "TransactionPaymentApi_query_weight_to_fee": self._weight_to_fee_api,
                "TransactionPaymentApi_query_length_to_fee": self._length_to_fee_api,
                "GrandpaApi_grandpa_authorities": self._grandpa_authorities,
                "GrandpaApi_current_set_id": self._grandpa_current_set_id,
                "LicencesApi_price": self._licence_price,
            },
        )

    # --- genesis ------------------------------------------------------------------------------

    @property
    def code(self) -> bytes:
        """The ``:code`` value: the Wasm descriptor of this runtime's version."""
        return runtime_code(self.version)

    def genesis_storage(
        self, configs_by_pallet: Mapping[type[Pallet[Any]], GenesisConfig]
    ) -> dict[bytes, bytes]:
        """Return the raw genesis storage for the given pallet genesis configurations.

        Raises:
            ValueError: a genesis configuration is invalid.
            KeyError: a configuration names a pallet outside the runtime.
        """
        return build_genesis_storage(self.runtime, configs_by_pallet, {CODE_KEY: self.code})

    # --- inherents ------------------------------------------------------------------------------

    def inherent_extrinsics(
        self, state: BlockState, parent: Header, data: InherentData
    ) -> list[bytes]:
        """Return the unsigned inherent extrinsics of the next block, from the author's data."""
        ctx = self.runtime.new_context(Overlay(state), int(parent.number) + 1)
        extrinsics = []
        for entry in self.runtime.pallets:
            pallet = ctx.pallet(entry.pallet)
            if not isinstance(pallet, ProvideInherent):
                continue
            arguments = pallet.create_inherent(data)
            if arguments is None:
                continue
            name = next(c.name for c in entry.pallet.CALLS if pallet.is_inherent(c.name))
            call = self.runtime.make_call(entry.pallet, name, **arguments)
            extrinsics.append(UncheckedExtrinsic(None, call).encode())
        return extrinsics

    def check_inherents(
        self, state: BlockState, block: Block, data: InherentData
    ) -> CheckInherentsResult:
        """Check a block's inherents against this node's own inherent data."""
        result = CheckInherentsResult()
        ctx = self.runtime.new_context(Overlay(state), int(block.header.number))
        for encoded in block.extrinsics:
            xt = UncheckedExtrinsic.decode(encoded, self.runtime.runtime_call)
            if xt.signature is not None:
                break  # inherents come first
            route, inner = self.runtime.route(xt.call)
            pallet = ctx.pallet(route.entry.pallet)
            if not isinstance(pallet, ProvideInherent) or not pallet.is_inherent(route.info.name):
                continue
            arguments = {name: getattr(inner, name) for name in route.argument_names}
            try:
                pallet.check_inherent(arguments, data)
            except InherentError as error:
                result.put_error(error)
                if result.fatal_error:
                    break
        return result

    # --- runtime APIs backed by specific pallets --------------------------------------------------

    def _next_slot_digest(self, state: BlockState, parent: Header) -> Digest:
        """The Aura claim of the slot after `parent`'s: what a dry run's next block carries."""
        ctx = self.runtime.new_context(Overlay(state), int(parent.number))
        slot = int(ctx.pallet(Aura).current_slot.get().value) + 1
        return Digest(logs=(PreRuntime(AURA_ENGINE_ID, encode(U64(slot))),))

    def _aura_slot_duration(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        del arguments
        ctx = self.runtime.new_context(Overlay(state), int(at.number))
        return ctx.pallet(Aura).slot_duration().to_le_bytes()

    def _aura_authorities(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        del arguments
        ctx = self.runtime.new_context(Overlay(state), int(at.number))
        authorities = ctx.pallet(Aura).authorities()
        return encode_compact(len(authorities)) + b"".join(bytes(a) for a in authorities)

    def _weight_to_fee_api(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        weight = decode(Weight, arguments)
        ctx = self.runtime.new_context(Overlay(state), int(at.number))
        return ctx.pallet(TransactionPayment).weight_to_fee(weight).to_le_bytes()

    def _length_to_fee_api(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        length = decode(U32, arguments)
        ctx = self.runtime.new_context(Overlay(state), int(at.number))
        return ctx.pallet(TransactionPayment).length_to_fee(int(length)).to_le_bytes()

    def _grandpa_authorities(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        del arguments
        ctx = self.runtime.new_context(Overlay(state), int(at.number))
        authorities = ctx.pallet(Grandpa).weighted_authorities()
        return encode_compact(len(authorities)) + b"".join(
            bytes(key) + int(weight).to_bytes(8, "little") for key, weight in authorities
        )

    def _grandpa_current_set_id(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        del arguments
        ctx = self.runtime.new_context(Overlay(state), int(at.number))
        return ctx.pallet(Grandpa).current_set_id.get().to_le_bytes()

    def _licence_price(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        version = decode(U32, arguments)
        ctx = self.runtime.new_context(Overlay(state), int(at.number))
        return encode(ctx.pallet(Licences).price_of(version), U128 | None)

    def _inherent_extrinsics_api(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        extrinsics = self.inherent_extrinsics(state, at, InherentData.decode(arguments))
        return encode_compact(len(extrinsics)) + b"".join(extrinsics)

    def _check_inherents_api(self, arguments: bytes, state: BlockState, at: Header) -> bytes:
        del at
        block, end = _split_block_and_data(arguments)
        result = self.check_inherents(state, decode_block(block), InherentData.decode(end))
        return result.encode()


def _split_block_and_data(arguments: bytes) -> tuple[bytes, bytes]:
    header, offset = Header.decode_prefix(arguments, 0)
    del header
    count, offset = decode_compact(arguments, offset)
    xt_codec = codec_for(UncheckedExtrinsic[bytes])
    for _ in range(count):
        _, offset = xt_codec.decode_prefix(arguments, offset)
    return arguments[:offset], arguments[offset:]


@functools.cache
def deepshard_runtime() -> DeepshardRuntime:
    """Return the Deepshard runtime, composing it on first use."""
    return DeepshardRuntime()
