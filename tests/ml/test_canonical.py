"""Canonical safetensors: byte-stable, and read identically by the ``safetensors`` package."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepshard.offchain_workers.ml.canonical import (
    RawTensor,
    canonical_json,
    dump_safetensors,
    parse_safetensors,
)
from deepshard.offchain_workers.ml.errors import ModelFormatError

_names = st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=8)


@st.composite
def tensors(draw: st.DrawFn) -> dict[str, RawTensor]:
    """Random F32/I64 tensors with random names and shapes."""
    out = {}
    for name in draw(st.lists(_names, min_size=0, max_size=5, unique=True)):
        dtype = draw(st.sampled_from(["F32", "I64", "U8"]))
        shape = tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=3)))
        n = 1
        for d in shape:
            n *= d
        size = {"F32": 4, "I64": 8, "U8": 1}[dtype]
        out[name] = RawTensor(dtype, shape, draw(st.binary(min_size=n * size, max_size=n * size)))
    return out


@given(tensors(), st.dictionaries(_names, _names, max_size=3))
def test_round_trip_and_canonical(t: dict[str, RawTensor], meta: dict[str, str]) -> None:
    """Parse inverts dump; insertion order does not change the bytes; header is 8-aligned."""
    blob = dump_safetensors(t, meta)
    again = dump_safetensors(dict(reversed(list(t.items()))), dict(reversed(list(meta.items()))))
    assert blob == again
    assert struct.unpack_from("<Q", blob)[0] % 8 == 0
    parsed, parsed_meta = parse_safetensors(blob)
    assert parsed == t
    assert parsed_meta == meta


@given(tensors(), st.dictionaries(_names, _names, max_size=3))
def test_safetensors_package_reads_the_same(t: dict[str, RawTensor], meta: dict[str, str]) -> None:
    """The reference reader (``safetensors.numpy``) sees the same tensors and metadata."""
    np = pytest.importorskip("numpy")
    sn = pytest.importorskip("safetensors.numpy")
    safetensors = pytest.importorskip("safetensors")
    blob = dump_safetensors(t, meta)
    loaded = sn.load(blob)
    assert sorted(loaded) == sorted(t)
    dtypes = {"F32": np.float32, "I64": np.int64, "U8": np.uint8}
    for name, raw in t.items():
        expect = np.frombuffer(raw.data, dtype=dtypes[raw.dtype]).reshape(raw.shape)
        assert loaded[name].tobytes() == expect.tobytes()
        assert loaded[name].shape == raw.shape
    if t:
        import tempfile  # noqa: PLC0415

        with tempfile.NamedTemporaryFile(suffix=".safetensors") as f:
            f.write(blob)
            f.flush()
            with safetensors.safe_open(f.name, framework="numpy") as opened:
                assert (opened.metadata() or {}) == meta


@pytest.mark.parametrize(
    "blob",
    [
        b"",
        b"\x01\x00",
        struct.pack("<Q", 10**12) + b"{}",
        struct.pack("<Q", 2) + b"[]",
        struct.pack("<Q", 4) + b"nope",
        struct.pack("<Q", 56) + b'{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}    ',
        struct.pack("<Q", 56)
        + b'{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}    '
        + bytes(8),
        struct.pack("<Q", 56)
        + b'{"a":{"dtype":"X99","shape":[2],"data_offsets":[0,8]}}    '
        + bytes(8),
    ],
)
def test_malformed_files_raise_typed_errors(blob: bytes) -> None:
    """Truncated, non-JSON, out-of-range or mis-shaped files raise `ModelFormatError`."""
    with pytest.raises(ModelFormatError):
        parse_safetensors(blob)


def test_dump_refuses_mismatched_data() -> None:
    """Data whose length does not match the shape is refused, not written."""
    with pytest.raises(ModelFormatError):
        dump_safetensors({"a": RawTensor("F32", (2,), b"\x00" * 4)}, {})


def test_canonical_json_is_sorted_and_compact() -> None:
    """Keys sorted, no spaces."""
    assert canonical_json({"b": 1, "a": [1, 2]}) == b'{"a":[1,2],"b":1}'
