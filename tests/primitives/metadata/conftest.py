"""A small synthetic runtime made of codec declarations, and its metadata.

System (index 0) and Balances (index 5) in the shape FRAME gives them: ``System.Account`` is a
Blake2_128Concat map AccountId32 -> AccountInfo, ``System.Events`` a Vec<EventRecord>, the
Balances calls take a MultiAddress and a Compact<u128>, ``Balances.Transfer`` has a field
``from``. Every declaration has an explicit type path, so nothing depends on this module's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import pytest
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from deepshard.primitives.codec import (
    H256,
    AccountId32,
    Compact,
    Enum,
    FixedLen,
    Struct,
    Vec,
    encode,
)
from deepshard.primitives.extrinsic import Era, MultiAddress, UncheckedExtrinsic
from deepshard.primitives.metadata import (
    BuiltMetadata,
    ConstantDescription,
    ExtrinsicDescription,
    PalletDescription,
    SignedExtensionDescription,
    StorageEntryDescription,
    StorageEntryModifier,
    StorageHasher,
    build_metadata,
)
from deepshard.primitives.numeric import U8, U16, U32, U64, U128

# --- shared types ----------------------------------------------------------------------------


class Weight(Struct, type_path=("sp_weights", "weight_v2", "Weight")):
    """A two-dimensional weight."""

    ref_time: Compact[U64]
    proof_size: Compact[U64]


class DispatchClass(Enum, type_path=("frame_support", "dispatch", "DispatchClass")):
    """The class of a dispatchable."""


class Normal(DispatchClass, index=0):
    """A normal dispatch."""


class Operational(DispatchClass, index=1):
    """An operational dispatch."""


class Mandatory(DispatchClass, index=2):
    """A mandatory dispatch."""


class Pays(Enum, type_path=("frame_support", "dispatch", "Pays")):
    """Whether a dispatch pays a fee."""


class Yes(Pays, index=0):
    """It pays."""


class No(Pays, index=1):
    """It does not."""


class DispatchInfo(Struct, type_path=("frame_support", "dispatch", "DispatchInfo")):
    """Weight, class and fee information of a dispatch."""

    weight: Weight
    class_: DispatchClass
    pays_fee: Pays


class ModuleError(Struct, type_path=("sp_runtime", "ModuleError")):
    """An error of a pallet."""

    index: U8
    error: Annotated[bytes, FixedLen(4)]


class DispatchError(Enum, type_path=("sp_runtime", "DispatchError")):
    """Why a dispatch failed."""


class Other(DispatchError, index=0):
    """Some error."""


class CannotLookup(DispatchError, index=1):
    """An address lookup failed."""


class BadOrigin(DispatchError, index=2):
    """Wrong origin."""


class Module(DispatchError, index=3, unnamed=True):
    """A pallet's error."""

    error: ModuleError


# --- System ---------------------------------------------------------------------------------


class ExtraFlags(Struct, type_path=("pallet_balances", "types", "ExtraFlags"), unnamed=True):
    """Account flags."""

    bits: U128


class AccountData(
    Struct,
    type_path=("pallet_balances", "types", "AccountData"),
    type_params=(("Balance", U128),),
):
    """Balances of an account."""

    free: U128
    reserved: U128
    frozen: U128
    flags: ExtraFlags


class AccountInfo(
    Struct,
    type_path=("frame_system", "AccountInfo"),
    type_params=(("Nonce", U32), ("AccountData", AccountData)),
):
    """Information of an account."""

    nonce: U32
    consumers: U32
    providers: U32
    sufficients: U32
    data: AccountData


class Phase(Enum, type_path=("frame_system", "Phase")):
    """The phase of block execution an event belongs to."""


class ApplyExtrinsic(Phase, index=0, unnamed=True):
    """Applying the extrinsic with this index."""

    index: U32


class Finalization(Phase, index=1):
    """Finalizing the block."""


class Initialization(Phase, index=2):
    """Initializing the block."""


class SystemCall(Enum, type_path=("frame_system", "pallet", "Call")):
    """Calls of the System pallet."""


class remark(SystemCall, index=0):  # noqa: N801 - call names are snake_case, as in FRAME
    """Make some on-chain remark."""

    remark: bytes


class remark_with_event(SystemCall, index=7):  # noqa: N801
    """Make some on-chain remark and emit an event."""

    remark: bytes


class SystemEvent(Enum, type_path=("frame_system", "pallet", "Event")):
    """Events of the System pallet."""


class ExtrinsicSuccess(SystemEvent, index=0):
    """An extrinsic completed successfully."""

    dispatch_info: DispatchInfo


class ExtrinsicFailed(SystemEvent, index=1):
    """An extrinsic failed."""

    dispatch_error: DispatchError
    dispatch_info: DispatchInfo


class NewAccount(SystemEvent, index=3):
    """A new account was created."""

    account: AccountId32


class SystemError(Enum, type_path=("frame_system", "pallet", "Error")):
    """Errors of the System pallet."""


class InvalidSpecName(SystemError, index=0):
    """The name of specification does not match between the current runtime and the new one."""


class SpecVersionNeedsToIncrease(SystemError, index=1):
    """The specification version is not allowed to decrease."""


# --- Balances -------------------------------------------------------------------------------


class BalancesCall(Enum, type_path=("pallet_balances", "pallet", "Call")):
    """Calls of the Balances pallet."""


class transfer_allow_death(BalancesCall, index=0):  # noqa: N801
    """Transfer some liquid free balance to another account."""

    dest: MultiAddress
    value: Compact[U128]


class force_transfer(BalancesCall, index=2):  # noqa: N801
    """Exactly as `transfer_allow_death`, except the origin must be root."""

    source: MultiAddress
    dest: MultiAddress
    value: Compact[U128]


class transfer_keep_alive(BalancesCall, index=3):  # noqa: N801
    """Same as `transfer_allow_death`, but keeps the sender alive."""

    dest: MultiAddress
    value: Compact[U128]


class BalancesEvent(Enum, type_path=("pallet_balances", "pallet", "Event")):
    """Events of the Balances pallet."""


class Endowed(BalancesEvent, index=0):
    """An account was created with some free balance."""

    account: AccountId32
    free_balance: U128


class Transfer(BalancesEvent, index=2):
    """Transfer succeeded."""

    from_: AccountId32
    to: AccountId32
    amount: U128


class BalancesError(Enum, type_path=("pallet_balances", "pallet", "Error")):
    """Errors of the Balances pallet."""


class VestingBalance(BalancesError, index=0):
    """Vesting balance too high to send value."""


class LiquidityRestrictions(BalancesError, index=1):
    """Account liquidity restrictions prevent withdrawal."""


class InsufficientBalance(BalancesError, index=2):
    """Balance too low to send value."""


# --- outer enums ------------------------------------------------------------------------------


class RuntimeCall(Enum, type_path=("deepshard_runtime", "RuntimeCall")):
    """Any call of the runtime."""


class OuterCall:
    """Namespace: FRAME names the outer enums' variants after the pallets."""

    class System(RuntimeCall, index=0, unnamed=True):
        """A System call."""

        call: SystemCall

    class Balances(RuntimeCall, index=5, unnamed=True):
        """A Balances call."""

        call: BalancesCall


class RuntimeEvent(Enum, type_path=("deepshard_runtime", "RuntimeEvent")):
    """Any event of the runtime."""


class OuterEvent:
    """Namespace: FRAME names the outer enums' variants after the pallets."""

    class System(RuntimeEvent, index=0, unnamed=True):
        """A System event."""

        event: SystemEvent

    class Balances(RuntimeEvent, index=5, unnamed=True):
        """A Balances event."""

        event: BalancesEvent


class EventRecord(
    Struct,
    type_path=("frame_system", "EventRecord"),
    type_params=(("E", RuntimeEvent), ("T", H256)),
):
    """An event with its phase and topics."""

    phase: Phase
    event: RuntimeEvent
    topics: Vec[H256]


class Runtime(Struct, type_path=("deepshard_runtime", "Runtime")):
    """The runtime."""


# --- signed extensions ------------------------------------------------------------------------

_EXT = ("frame_system", "extensions")


class CheckNonZeroSender(
    Struct,
    type_path=(*_EXT, "check_non_zero_sender", "CheckNonZeroSender"),
    type_params=(("T", None),),
):
    """Refuses the zero account as sender."""


class CheckSpecVersion(
    Struct, type_path=(*_EXT, "check_spec_version", "CheckSpecVersion"), type_params=(("T", None),)
):
    """Signs the spec version."""


class CheckTxVersion(
    Struct, type_path=(*_EXT, "check_tx_version", "CheckTxVersion"), type_params=(("T", None),)
):
    """Signs the transaction version."""


class CheckGenesis(
    Struct, type_path=(*_EXT, "check_genesis", "CheckGenesis"), type_params=(("T", None),)
):
    """Signs the genesis hash."""


class CheckMortality(Struct, type_path=(*_EXT, "check_mortality", "CheckMortality"), unnamed=True):
    """The era of the transaction."""

    era: Era


class CheckNonce(Struct, type_path=(*_EXT, "check_nonce", "CheckNonce"), unnamed=True):
    """The sender's nonce."""

    nonce: Compact[U32]


class CheckWeight(
    Struct, type_path=(*_EXT, "check_weight", "CheckWeight"), type_params=(("T", None),)
):
    """Checks the block weight."""


class ChargeTransactionPayment(
    Struct, type_path=("pallet_transaction_payment", "ChargeTransactionPayment"), unnamed=True
):
    """The tip."""

    tip: Compact[U128]


SIGNED_EXTENSIONS = (
    SignedExtensionDescription("CheckNonZeroSender", CheckNonZeroSender, tuple[()]),
    SignedExtensionDescription("CheckSpecVersion", CheckSpecVersion, U32),
    SignedExtensionDescription("CheckTxVersion", CheckTxVersion, U32),
    SignedExtensionDescription("CheckGenesis", CheckGenesis, H256),
    SignedExtensionDescription("CheckMortality", CheckMortality, H256),
    SignedExtensionDescription("CheckNonce", CheckNonce, tuple[()]),
    SignedExtensionDescription("CheckWeight", CheckWeight, tuple[()]),
    SignedExtensionDescription("ChargeTransactionPayment", ChargeTransactionPayment, tuple[()]),
)

ACCOUNT_INFO_DEFAULT = bytes(16 + 64)

SYSTEM = PalletDescription(
    name="System",
    index=0,
    storage=(
        StorageEntryDescription(
            "Account",
            AccountInfo,
            keys=(AccountId32,),
            hashers=(StorageHasher.BLAKE2_128_CONCAT,),
            default=ACCOUNT_INFO_DEFAULT,
            docs=(" The full account information for a particular account ID.",),
        ),
        StorageEntryDescription(
            "Number", U32, default=bytes(4), docs=(" The current block number.",)
        ),
        StorageEntryDescription(
            "BlockHash",
            H256,
            keys=(U32,),
            hashers=(StorageHasher.TWOX_64_CONCAT,),
            default=bytes(32),
            docs=(" Map of block numbers to block hashes.",),
        ),
        StorageEntryDescription(
            "Events", Vec[EventRecord], default=b"\x00", docs=(" Events deposited this block.",)
        ),
    ),
    calls=SystemCall,
    event=SystemEvent,
    constants=(
        ConstantDescription("BlockHashCount", U32, encode(U32(2400), U32), (" Maximum hashes.",)),
        ConstantDescription("SS58Prefix", U16, encode(U16(42), U16), (" The SS58 prefix.",)),
    ),
    error=SystemError,
)

BALANCES = PalletDescription(
    name="Balances",
    index=5,
    storage=(
        StorageEntryDescription(
            "TotalIssuance", U128, default=bytes(16), docs=(" The total units issued.",)
        ),
        StorageEntryDescription(
            "Reserves",
            Vec[U128],
            keys=(AccountId32, U32),
            hashers=(StorageHasher.BLAKE2_128_CONCAT, StorageHasher.TWOX_64_CONCAT),
            modifier=StorageEntryModifier.OPTIONAL,
            default=b"\x00",
        ),
    ),
    calls=BalancesCall,
    event=BalancesEvent,
    constants=(
        ConstantDescription(
            "ExistentialDeposit", U128, encode(U128(500), U128), (" The minimum balance.",)
        ),
    ),
    error=BalancesError,
)

EXTRINSIC = ExtrinsicDescription(UncheckedExtrinsic[RuntimeCall], SIGNED_EXTENSIONS)


def build_synthetic() -> BuiltMetadata:
    """Build the synthetic runtime's metadata (a fresh registry every time)."""
    return build_metadata([SYSTEM, BALANCES], EXTRINSIC, Runtime)


@dataclass(frozen=True)
class Synthetic:
    """The synthetic runtime as the tests see it."""

    built: BuiltMetadata
    types: dict[str, Any]


@pytest.fixture(scope="session")
def synthetic() -> Synthetic:
    """The synthetic runtime's metadata and declarations."""
    return Synthetic(build_synthetic(), dict(globals()))


def scalecodec_config() -> RuntimeConfigurationObject:
    """A scalecodec configuration with the core preset (what substrate-interface loads)."""
    config = RuntimeConfigurationObject()
    config.update_type_registry(load_type_registry_preset("core"))
    return config


@pytest.fixture
def fresh_scalecodec() -> RuntimeConfigurationObject:
    """A fresh scalecodec configuration with only the core preset."""
    return scalecodec_config()


@pytest.fixture(scope="session")
def scalecodec_metadata(synthetic: Synthetic) -> tuple[RuntimeConfigurationObject, Any]:
    """scalecodec's decoding of our bytes, with the portable registry loaded."""
    config = scalecodec_config()
    metadata = config.create_scale_object(
        "MetadataVersioned", data=ScaleBytes(synthetic.built.encoded)
    )
    metadata.decode()
    config.add_portable_registry(metadata)
    return config, metadata
