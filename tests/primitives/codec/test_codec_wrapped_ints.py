"""Per-things and fixed-point numbers encode as their inner integer, as in Substrate."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from deepshard.primitives.codec import InvalidValue, Truncated, TypeKind, codec_for
from deepshard.primitives.numeric import (
    U32,
    U128,
    FixedU128,
    Perbill,
    Percent,
    Permill,
    Perquintill,
)

_RC = RuntimeConfigurationObject()
_RC.update_type_registry(load_type_registry_preset("core"))


@pytest.mark.parametrize(
    ("cls", "scalecodec_type"),
    [(Perbill, "u32"), (Permill, "u32"), (Percent, "u8"), (Perquintill, "u64")],
)
@given(fraction=st.integers(min_value=0, max_value=10**18))
def test_per_things_agree_with_scalecodec(cls: type, scalecodec_type: str, fraction: int) -> None:
    value = cls.from_parts(fraction % (cls.ACCURACY + 1))  # type: ignore[attr-defined]
    ours = codec_for(cls).encode(value)
    theirs = _RC.create_scale_object(scalecodec_type).encode(int(value.parts))
    assert ours == theirs.data
    assert codec_for(cls).decode(ours) == value


@given(inner=st.integers(min_value=0, max_value=U128.MAX))
def test_fixed_u128_is_its_inner_u128(inner: int) -> None:
    value = FixedU128.from_inner(U128(inner))
    encoded = codec_for(FixedU128).encode(value)
    assert encoded == _RC.create_scale_object("u128").encode(inner).data
    assert codec_for(FixedU128).decode(ScaleBytes(encoded).data) == value


def test_out_of_range_parts_are_invalid() -> None:
    with pytest.raises(InvalidValue) as raised:
        codec_for(Perbill).decode(U32(1_000_000_001).to_le_bytes())
    assert raised.value.position == 0
    with pytest.raises(Truncated):
        codec_for(Perbill).decode(b"\x00\x00")


def test_metadata_shape() -> None:
    info = codec_for(Perbill).info
    assert info.kind is TypeKind.COMPOSITE
    assert info.path == ("sp_arithmetic", "per_things", "Perbill")
    assert [f.type.primitive for f in info.fields] == ["u32"]
