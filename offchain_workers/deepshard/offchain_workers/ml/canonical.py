"""Canonical safetensors: equal tensors and metadata give equal bytes, hence equal sha256 and CID.

The safetensors format is an 8-byte little-endian header length, a JSON header and the raw
little-endian tensor data. The library's writer does not promise a byte-stable header (its
metadata map is unordered), so this module writes the format itself, canonically: header keys
sorted, compact separators, tensors laid out in name order, the header padded with spaces to a
multiple of 8 bytes (as the reference writer does). Any safetensors reader loads the result
(tests check it against the ``safetensors`` package). Tensors are given as ``(dtype, shape,
raw little-endian bytes)`` so this module needs no torch.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deepshard.offchain_workers.ml.errors import ModelFormatError

__all__ = ["RawTensor", "canonical_json", "dump_safetensors", "parse_safetensors", "sha256_hex"]

_ITEM_SIZE = {
    "F64": 8,
    "F32": 4,
    "F16": 2,
    "BF16": 2,
    "I64": 8,
    "I32": 4,
    "I16": 2,
    "I8": 1,
    "U8": 1,
}
_MAX_HEADER = 100 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RawTensor:
    """A tensor as safetensors stores it: dtype name, shape and little-endian bytes."""

    dtype: str
    shape: tuple[int, ...]
    data: bytes


def canonical_json(value: Any) -> bytes:
    """Return `value` as compact JSON with sorted keys (ASCII), the canonical text form."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def sha256_hex(data: bytes) -> str:
    """Return the lowercase hex sha256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def _count(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def dump_safetensors(tensors: Mapping[str, RawTensor], metadata: Mapping[str, str]) -> bytes:
    """Serialise `tensors` with `metadata` canonically (module docs).

    Raises:
        ModelFormatError: an unknown dtype, or data whose length does not match the shape.
    """
    header: dict[str, Any] = {}
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    offset = 0
    parts = []
    for name in sorted(tensors):
        t = tensors[name]
        size = _ITEM_SIZE.get(t.dtype)
        if size is None:
            raise ModelFormatError(f"tensor {name}: unsupported dtype {t.dtype}")
        if len(t.data) != size * _count(t.shape):
            raise ModelFormatError(f"tensor {name}: {len(t.data)} bytes for shape {t.shape}")
        header[name] = {
            "dtype": t.dtype,
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(t.data)],
        }
        offset += len(t.data)
        parts.append(t.data)
    text = canonical_json(header)
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(parts)


def parse_safetensors(blob: bytes) -> tuple[dict[str, RawTensor], dict[str, str]]:
    """Parse a safetensors file into its tensors and metadata, checking every offset.

    Raises:
        ModelFormatError: a truncated or malformed file.
    """
    if len(blob) < 8:
        raise ModelFormatError("safetensors file shorter than its header length")
    (n,) = struct.unpack_from("<Q", blob)
    if n > _MAX_HEADER or 8 + n > len(blob):
        raise ModelFormatError("safetensors header length out of range")
    try:
        header = json.loads(blob[8 : 8 + n])
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelFormatError(f"safetensors header is not JSON: {exc}") from None
    if not isinstance(header, dict):
        raise ModelFormatError("safetensors header is not an object")
    raw_meta = header.pop("__metadata__", {}) or {}
    if not isinstance(raw_meta, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw_meta.items()
    ):
        raise ModelFormatError("safetensors metadata is not a string map")
    body = blob[8 + n :]
    tensors: dict[str, RawTensor] = {}
    for name, info in header.items():
        try:
            dtype, shape, (start, end) = info["dtype"], tuple(info["shape"]), info["data_offsets"]
        except (KeyError, TypeError, ValueError):
            raise ModelFormatError(f"tensor {name}: malformed header entry") from None
        size = _ITEM_SIZE.get(dtype)
        if size is None or not (0 <= start <= end <= len(body)):
            raise ModelFormatError(f"tensor {name}: bad dtype or offsets")
        if end - start != size * _count(shape):
            raise ModelFormatError(f"tensor {name}: offsets do not match its shape")
        tensors[name] = RawTensor(dtype, shape, bytes(body[start:end]))
    return tensors, dict(raw_meta)
