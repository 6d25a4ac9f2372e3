"""`MetadataBuilder` / `build_metadata`: order, shape, round trip and validation."""

from __future__ import annotations

from typing import Any

import pytest

from deepshard.primitives.codec import AccountId32, Enum, Vec
from deepshard.primitives.metadata import (
    ConstantDescription,
    ExtrinsicDescription,
    InvalidDescription,
    InvalidMetadata,
    MetadataBuilder,
    PalletDescription,
    SignedExtensionDescription,
    StorageEntryDescription,
    StorageEntryModifier,
    StorageHasher,
    build_metadata,
    decode_metadata,
    encode_metadata,
)
from deepshard.primitives.metadata.model import (
    MapStorage,
    PlainStorage,
    PortableRegistry,
    PortableType,
    RuntimeMetadataV14,
    TypeDefTuple,
)
from deepshard.primitives.numeric import U8, U32, U128

# --- declarations ----------------------------------------------------------------------------


class Unnamed(Enum, type_path=("test", "Call")):
    """A call enum with a positional argument."""


class poke(Unnamed, index=0, unnamed=True):  # noqa: N801
    """A call whose argument has no name."""

    value: U32


class Gappy(Enum, type_path=("test", "Error")):
    """Errors with a hole in their indices."""


class First(Gappy, index=0):
    """Index 0."""


class Third(Gappy, index=2):
    """Index 2."""


NO_EXTRINSIC = ExtrinsicDescription(tuple[()])


def _minimal(*pallets: PalletDescription) -> Any:
    return build_metadata(pallets, NO_EXTRINSIC, tuple[()])


# --- the synthetic runtime ---------------------------------------------------------------------


def test_bytes_are_prefixed_v14_and_decode_to_the_model(synthetic: Any) -> None:
    built = synthetic.built
    assert built.encoded[:5] == b"meta\x0e"
    assert decode_metadata(built.encoded) == built.metadata
    assert encode_metadata(built.metadata) == built.encoded
    assert built.to_hex() == "0x" + built.encoded.hex()
    assert len(built.hash) == 32


def test_build_is_deterministic(synthetic: Any) -> None:
    t = synthetic.types
    again = build_metadata([t["BALANCES"], t["SYSTEM"]], t["EXTRINSIC"], t["Runtime"])
    assert again.encoded == synthetic.built.encoded
    builder = MetadataBuilder()
    builder.add_pallet(t["BALANCES"])
    builder.add_pallet(t["SYSTEM"])
    assert [p.index for p in builder.pallets] == [0, 5]
    assert builder.build(t["EXTRINSIC"], t["Runtime"]).encoded == synthetic.built.encoded


def test_frame_registration_order(synthetic: Any) -> None:
    """Pallets by index, storage key before value: the first key type gets id 0, as in FRAME."""
    metadata = synthetic.built.metadata
    registry = synthetic.built.registry
    assert registry.id_of(AccountId32) == 0
    assert metadata.types.get(0).path == ("sp_core", "crypto", "AccountId32")
    account = metadata.pallet("System").storage.entries[0]
    assert isinstance(account.ty, MapStorage)
    assert account.ty.key == 0
    assert account.ty.value == registry.id_of(synthetic.types["AccountInfo"])
    assert metadata.ty == len(metadata.types.types) - 1  # the runtime type is registered last
    assert metadata.pallet_by_index(5).name == "Balances"
    with pytest.raises(KeyError):
        metadata.pallet("Nope")
    with pytest.raises(KeyError):
        metadata.pallet_by_index(1)


def test_storage_entries(synthetic: Any) -> None:
    metadata = synthetic.built.metadata
    balances = metadata.pallet("Balances")
    assert balances.storage is not None
    assert balances.storage.prefix == "Balances"
    total, reserves = balances.storage.entries
    assert isinstance(total.ty, PlainStorage)
    assert total.modifier is StorageEntryModifier.DEFAULT
    assert total.default == bytes(16)
    assert isinstance(reserves.ty, MapStorage)
    assert reserves.modifier is StorageEntryModifier.OPTIONAL
    assert reserves.ty.hashers == (StorageHasher.BLAKE2_128_CONCAT, StorageHasher.TWOX_64_CONCAT)
    key = metadata.types.get(reserves.ty.key).type_def
    assert key == TypeDefTuple((U32(0), U32(synthetic.built.registry.id_of(U32))))


def test_constants_and_sections(synthetic: Any) -> None:
    system = synthetic.built.metadata.pallet("System")
    assert [(c.name, c.value) for c in system.constants] == [
        ("BlockHashCount", (2400).to_bytes(4, "little")),
        ("SS58Prefix", b"\x2a\x00"),
    ]
    assert system.calls is not None
    assert system.event is not None
    assert system.error is not None


# --- shapes ------------------------------------------------------------------------------------


def test_pallet_without_parts_has_none_sections() -> None:
    built = _minimal(PalletDescription("Empty", 3))
    pallet = built.metadata.pallets[0]
    assert (pallet.storage, pallet.calls, pallet.event, pallet.error) == (None, None, None, None)
    assert pallet.constants == ()
    assert pallet.index == 3


def test_storage_prefix_override() -> None:
    entry = StorageEntryDescription("Value", U8)
    built = _minimal(PalletDescription("Renamed", 0, storage=(entry,), storage_prefix="Old"))
    assert built.metadata.pallets[0].storage.prefix == "Old"


def test_descriptors_are_accepted_as_types(synthetic: Any) -> None:
    t = synthetic.types
    pallet = PalletDescription(
        "Balances", 0, calls=t["BalancesCall"].type_info(), error=t["BalancesError"]
    )
    built = _minimal(pallet)
    assert built.metadata.pallets[0].calls.ty == built.registry.id_of(t["BalancesCall"])


def test_hand_built_model_round_trips() -> None:
    metadata = RuntimeMetadataV14(
        types=PortableRegistry(types=()),
        pallets=(),
        extrinsic=_minimal().metadata.extrinsic,
        ty=U32(0),
    )
    with pytest.raises(InvalidMetadata, match="missing type id"):
        decode_metadata(encode_metadata(metadata))


# --- validation --------------------------------------------------------------------------------


def test_duplicate_pallet_index_and_name() -> None:
    builder = MetadataBuilder()
    builder.add_pallet(PalletDescription("A", 1))
    with pytest.raises(InvalidDescription, match="share index 1"):
        builder.add_pallet(PalletDescription("B", 1))
    with pytest.raises(InvalidDescription, match="two pallets"):
        builder.add_pallet(PalletDescription("A", 2))


def test_call_arguments_need_names() -> None:
    with pytest.raises(InvalidDescription, match="has no name"):
        _minimal(PalletDescription("P", 0, calls=Unnamed))


def test_error_indices_must_be_contiguous() -> None:
    with pytest.raises(InvalidDescription, match="error indices"):
        _minimal(PalletDescription("P", 0, error=Gappy))


@pytest.mark.parametrize("part", ["calls", "event", "error"])
def test_sections_must_be_enums(part: str) -> None:
    with pytest.raises(InvalidDescription, match="must be an enum"):
        _minimal(PalletDescription("P", 0, **{part: U32}))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: PalletDescription("P", 256), "not a u8"),
        (lambda: PalletDescription("P", True), "must be an int"),
        (lambda: PalletDescription("", 0), "non-empty"),
        (
            lambda: PalletDescription("P", 0, storage=(StorageEntryDescription("A", U8),) * 2),
            "declared twice",
        ),
        (
            lambda: PalletDescription(
                "P", 0, constants=(ConstantDescription("C", U8, b"\x00"),) * 2
            ),
            "declared twice",
        ),
        (
            lambda: StorageEntryDescription("M", U8, keys=(U8,)),
            "0 hashers for 1 keys",
        ),
        (
            lambda: StorageEntryDescription("M", U8, keys=(U8,), hashers=(2,)),
            "StorageHasher",
        ),
        (lambda: StorageEntryDescription("M", U8, default="00"), "bytes"),
        (lambda: StorageEntryDescription("M", U8, modifier=1), "modifier"),
        (lambda: StorageEntryDescription("M", U8, docs=["x"]), "docs"),
        (lambda: ConstantDescription("C", U8, 0), "bytes"),  # type: ignore[arg-type]
        (lambda: ExtrinsicDescription(U8, version=128), "0..=127"),
        (
            lambda: ExtrinsicDescription(
                U8, (SignedExtensionDescription("CheckNonce", U8, U8),) * 2
            ),
            "declared twice",
        ),
    ],
)
def test_invalid_descriptions(make: Any, message: str) -> None:
    with pytest.raises(InvalidDescription, match=message):
        make()


# --- decoding ----------------------------------------------------------------------------------


def test_decode_metadata_errors(synthetic: Any) -> None:
    data = synthetic.built.encoded
    with pytest.raises(InvalidMetadata, match="b'meta'"):
        decode_metadata(b"atem" + data[4:])
    with pytest.raises(InvalidMetadata, match="version 15"):
        decode_metadata(data[:4] + b"\x0f" + data[5:])
    with pytest.raises(InvalidMetadata, match="version None"):
        decode_metadata(b"meta")
    with pytest.raises(InvalidMetadata, match="malformed"):
        decode_metadata(data[:-1])
    with pytest.raises(InvalidMetadata, match="malformed"):
        decode_metadata(data + b"\x00")


def test_decode_metadata_checks_ids() -> None:
    built = _minimal(PalletDescription("P", 0, storage=(StorageEntryDescription("V", Vec[U128]),)))
    types = built.metadata.types.types
    shuffled = (PortableType(id=U32(1), ty=types[0].ty), *types[1:])
    bad = RuntimeMetadataV14(
        types=PortableRegistry(types=shuffled),
        pallets=built.metadata.pallets,
        extrinsic=built.metadata.extrinsic,
        ty=built.metadata.ty,
    )
    with pytest.raises(InvalidMetadata, match="position 0 has id 1"):
        decode_metadata(encode_metadata(bad))
