"""Metadata V15 (and V16) of the Deepshard runtime: model round trip, consistency with the
runtime APIs, the outer error enum, the registry shared with V14, and the committed snapshot.

@polkadot/types reading the same bytes from a live node is `tests/e2e/test_e2e_metadata_v15.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deepshard.primitives.codec import Enum, Struct
from deepshard.primitives.metadata import (
    CustomValueDescription,
    ExtrinsicDescription,
    InvalidDescription,
    InvalidMetadata,
    OuterEnumsDescription,
    PalletDescription,
    RuntimeApiDescription,
    RuntimeApiMethodDescription,
    build_metadata,
    decode_metadata,
    decode_metadata_v15,
    decode_metadata_v16,
    encode_metadata_v15,
    encode_metadata_v16,
    render_metadata_v15,
)
from deepshard.primitives.metadata.model import TypeDefVariant
from deepshard.primitives.metadata.v16 import NotDeprecated, v16_from_v15
from deepshard.primitives.numeric import U32
from deepshard.primitives.version import api_id
from deepshard.runtime.runtime import deepshard_runtime

SNAPSHOT = Path(__file__).parent / "snapshots" / "deepshard_metadata_v15.txt"


def test_v15_bytes_round_trip_through_the_model() -> None:
    built = deepshard_runtime().metadata
    assert built.versions == (14, 15, 16)
    assert built.encoded_v15 is not None
    assert built.encoded_v15[:5] == b"meta\x0f"
    decoded = decode_metadata_v15(built.encoded_v15)
    assert decoded == built.v15
    assert encode_metadata_v15(decoded) == built.encoded_v15
    with pytest.raises(InvalidMetadata, match="version 15"):
        decode_metadata_v15(built.encoded)
    with pytest.raises(InvalidMetadata):
        decode_metadata_v15(built.encoded_v15[:-1])


def test_v15_extends_the_v14_registry_and_pallets() -> None:
    """One id means one type in both versions; V15 only appends."""
    built = deepshard_runtime().metadata
    v14 = decode_metadata(built.encoded)
    v15 = built.v15
    assert v15 is not None
    assert v15.types.types[: len(v14.types.types)] == v14.types.types
    assert len(v15.types.types) > len(v14.types.types)
    assert [(p.name, p.index, p.storage, p.calls, p.event, p.error) for p in v15.pallets] == [
        (p.name, p.index, p.storage, p.calls, p.event, p.error) for p in v14.pallets
    ]
    assert all(p.docs for p in v15.pallets)
    assert v15.extrinsic.signed_extensions == v14.extrinsic.signed_extensions
    assert v15.ty == v14.ty
    assert v15.outer_enums.call_enum_ty == v15.extrinsic.call_ty


def test_every_runtime_api_method_is_described_and_served() -> None:
    runtime = deepshard_runtime()
    v15 = runtime.metadata.v15
    assert v15 is not None
    described = {f"{api.name}_{m.name}" for api in v15.apis for m in api.methods}
    assert described == set(runtime.apis.methods)
    assert [api_id(api.name) for api in v15.apis] == [ident for ident, _ in runtime.version.apis]


def test_runtime_error_has_a_variant_per_pallet_with_errors() -> None:
    runtime = deepshard_runtime()
    v15 = runtime.metadata.v15
    assert v15 is not None
    error = v15.types.get(v15.outer_enums.error_enum_ty)
    assert isinstance(error.type_def, TypeDefVariant)
    with_errors = {
        e.index: e.pallet.NAME for e in runtime.runtime.pallets if e.pallet.ERROR is not None
    }
    assert {v.index: v.name for v in error.type_def.members} == with_errors
    by_name = {p.name: p for p in v15.pallets}
    for variant in error.type_def.members:
        (field,) = variant.fields
        pallet_error = by_name[variant.name].error
        assert pallet_error is not None
        assert field.ty == pallet_error.ty  # the very same type as the pallet's error section


def test_v15_matches_the_committed_snapshot() -> None:
    """Regenerate deliberately (and bump spec_version) with DEEPSHARD_UPDATE_SNAPSHOTS=1."""
    v15 = deepshard_runtime().metadata.v15
    assert v15 is not None
    text = render_metadata_v15(v15)
    if os.environ.get("DEEPSHARD_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == SNAPSHOT.read_text(encoding="utf-8")


# --- builder rules --------------------------------------------------------------------------------


class Things(Enum, type_path=("test", "Event")):
    """Events."""


class Happened(Things, index=0):
    """It happened."""


class Bare(Struct, type_path=("test", "Extrinsic")):
    """An extrinsic type without the Address/Call/Signature parameters."""

    raw: bytes


def _api(name: str) -> RuntimeApiDescription:
    return RuntimeApiDescription(
        name, (RuntimeApiMethodDescription("get", (("key", U32),), U32, (" Get.",)),)
    )


def test_builder_refuses_what_v15_cannot_express() -> None:
    pallet = PalletDescription("Things", 0, event=Things, docs=(" Things.",))
    enums = OuterEnumsDescription(event=Things, error=Things)
    with pytest.raises(InvalidDescription, match="Address"):
        build_metadata([pallet], ExtrinsicDescription(Bare), tuple[()], outer_enums=enums)
    with pytest.raises(InvalidDescription, match="twice"):
        RuntimeApiDescription(
            "Api",
            (
                RuntimeApiMethodDescription("m", (), U32),
                RuntimeApiMethodDescription("m", (), U32),
            ),
        )
    with pytest.raises(InvalidDescription, match="twice"):
        RuntimeApiMethodDescription("m", (("a", U32), ("a", U32)), U32)
    with pytest.raises(InvalidDescription, match="pairs"):
        RuntimeApiMethodDescription("m", (U32,), U32)  # type: ignore[arg-type]
    runtime = deepshard_runtime()
    extrinsic = ExtrinsicDescription(runtime.extrinsic_type)
    with pytest.raises(InvalidDescription, match="twice"):
        build_metadata(
            [pallet], extrinsic, tuple[()], outer_enums=enums, apis=(_api("A"), _api("A"))
        )
    with pytest.raises(InvalidDescription, match="enum"):
        build_metadata(
            [pallet], extrinsic, tuple[()], outer_enums=OuterEnumsDescription(Bare, Things)
        )


def test_custom_values_are_sorted_by_name() -> None:
    runtime = deepshard_runtime()
    built = build_metadata(
        [PalletDescription("Things", 0, event=Things)],
        ExtrinsicDescription(runtime.extrinsic_type),
        tuple[()],
        outer_enums=OuterEnumsDescription(event=Things, error=Things),
        apis=(_api("B"), _api("A")),
        custom=(
            CustomValueDescription("zeta", U32, b"\x01\x00\x00\x00"),
            CustomValueDescription("alpha", U32, b"\x02\x00\x00\x00"),
        ),
    )
    assert built.v15 is not None
    assert built.encoded_v15 is not None
    assert [name for name, _ in built.v15.custom.map] == ["alpha", "zeta"]
    assert [api.name for api in built.v15.apis] == ["B", "A"]  # APIs keep their given order
    assert decode_metadata_v15(built.encoded_v15) == built.v15
    assert built.encoded_at_version(14) == built.encoded
    assert built.encoded_at_version(16) is None


# --- V16 --------------------------------------------------------------------------------------


def test_v16_is_v15_in_the_newer_layout() -> None:
    runtime = deepshard_runtime()
    built = runtime.metadata
    v15, v16 = built.v15, built.v16
    assert v15 is not None
    assert v16 is not None
    assert built.encoded_v16 is not None
    assert built.encoded_v16[:5] == b"meta\x10"
    assert decode_metadata_v16(built.encoded_v16) == v16
    assert encode_metadata_v16(v16) == built.encoded_v16
    assert v16.types == v15.types  # one registry for both
    assert v16.outer_enums == v15.outer_enums
    ext = v16.extrinsic
    assert ext.versions == b"\x04"
    assert [(e.identifier, e.ty, e.implicit) for e in ext.transaction_extensions] == [
        (e.identifier, e.ty, e.additional_signed) for e in v15.extrinsic.signed_extensions
    ]
    assert ext.transaction_extensions_by_version == (
        (0, tuple(range(len(ext.transaction_extensions)))),
    )
    assert [(api.name, int(api.version)) for api in v16.apis] == [
        (api.name, int(runtime.version.api_version(api_id(api.name)) or 0)) for api in v15.apis
    ]
    assert [p.name for p in v16.pallets] == [p.name for p in v15.pallets]
    assert all(isinstance(p.deprecation_info, NotDeprecated) for p in v16.pallets)
    with pytest.raises(InvalidMetadata, match="version 16"):
        decode_metadata_v16(built.encoded_v15)


def test_v16_needs_every_api_version() -> None:
    v15 = deepshard_runtime().metadata.v15
    assert v15 is not None
    with pytest.raises(InvalidMetadata, match="no version"):
        v16_from_v15(v15, {"Core": 5})
