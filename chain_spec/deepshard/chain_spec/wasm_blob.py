"""Reading a Substrate runtime's Wasm blob without executing it.

Introduction
------------
A chain spec's `:code` entry holds the runtime as a Wasm module, usually compressed with zstd
behind an 8-byte magic prefix (`sp-maybe-compressed-blob`). The runtime embeds its
`RuntimeVersion` in a custom section named ``runtime_version`` (written by
`sp_version::runtime_version` at build time), which is how a Substrate node learns, before
running anything, which trie state version the genesis state uses. This module does the same:
decompress with a bomb limit, walk the Wasm sections, return the custom section's bytes.
"""

from __future__ import annotations

from typing import Final

import zstandard

__all__ = [
    "ZSTD_PREFIX",
    "CODE_BLOB_BOMB_LIMIT",
    "WasmBlobError",
    "decompress_code",
    "custom_sections",
]

ZSTD_PREFIX: Final = bytes.fromhex("52bc537646db8e05")
"""Magic prefix that marks a zstd-compressed code blob (`sp_maybe_compressed_blob::ZSTD_PREFIX`)."""

CODE_BLOB_BOMB_LIMIT: Final = 50 * 1024 * 1024
"""Largest decompressed runtime accepted, as Substrate's `CODE_BLOB_BOMB_LIMIT` (50 MiB)."""

_WASM_MAGIC: Final = b"\x00asm"
_CUSTOM_SECTION_ID: Final = 0


class WasmBlobError(ValueError):
    """The code blob is not a (possibly compressed) Wasm module that can be read."""


def decompress_code(blob: bytes) -> bytes:
    """Return the plain Wasm module of a code blob, decompressing it if it carries `ZSTD_PREFIX`.

    Raises:
        WasmBlobError: the compressed data is corrupt or inflates beyond `CODE_BLOB_BOMB_LIMIT`.
    """
    if not blob.startswith(ZSTD_PREFIX):
        return blob
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(blob[len(ZSTD_PREFIX) :])
        code: bytes = reader.read(CODE_BLOB_BOMB_LIMIT + 1)
    except zstandard.ZstdError as error:
        raise WasmBlobError(f"corrupt zstd-compressed runtime: {error}") from error
    if len(code) > CODE_BLOB_BOMB_LIMIT:
        raise WasmBlobError("compressed runtime inflates beyond the 50 MiB bomb limit")
    return code


def _read_leb128_u32(data: bytes, offset: int) -> tuple[int, int]:
    value = 0
    for shift in range(0, 35, 7):
        if offset >= len(data):
            raise WasmBlobError(f"Wasm module truncated inside a LEB128 integer at byte {offset}")
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if value >= 1 << 32:
                raise WasmBlobError(f"LEB128 integer overflows u32 before byte {offset}")
            return value, offset
    raise WasmBlobError(f"LEB128 integer longer than 5 bytes before byte {offset}")


def custom_sections(module: bytes) -> dict[str, bytes]:
    """Return the custom sections of a Wasm module by name (the first of each name wins).

    Raises:
        WasmBlobError: the bytes are not a well-formed Wasm module.
    """
    if module[:4] != _WASM_MAGIC:
        raise WasmBlobError("not a Wasm module (missing the \\0asm magic)")
    if len(module) < 8:
        raise WasmBlobError("Wasm module truncated in its header")
    sections: dict[str, bytes] = {}
    offset = 8
    while offset < len(module):
        section_id = module[offset]
        size, body = _read_leb128_u32(module, offset + 1)
        end = body + size
        if end > len(module):
            raise WasmBlobError(f"Wasm section at byte {offset} runs past the end of the module")
        if section_id == _CUSTOM_SECTION_ID:
            name_length, name_start = _read_leb128_u32(module, body)
            name_end = name_start + name_length
            if name_end > end:
                raise WasmBlobError(f"custom section name at byte {body} overruns its section")
            try:
                name = module[name_start:name_end].decode("utf-8")
            except UnicodeDecodeError as error:
                raise WasmBlobError(f"custom section name at byte {body} is not UTF-8") from error
            sections.setdefault(name, module[name_end:end])
        offset = end
    return sections
