"""The value of the well-known ``:code`` storage key for a Python-specified runtime.

A Substrate chain stores its runtime's Wasm at ``:code``, and tools (a node at genesis,
``deepshard chain-spec inspect``) read the runtime's `RuntimeVersion` from the module's custom
sections without executing it. Deepshard's runtime is Python, so ``:code`` holds a Wasm module
with no code at all -- only those custom sections: ``runtime_version`` (the SCALE
`RuntimeVersion`) and ``runtime_apis`` (its ``(api id, version)`` entries, 12 bytes each), plus a
``deepshard_runtime`` section naming the runtime that actually executes. Any Wasm reader sees a
valid, empty module; every reader of runtime versions sees the true version.
"""

from __future__ import annotations

from deepshard.primitives.version import RuntimeVersion

__all__ = ["runtime_code"]

_WASM_HEADER = b"\x00asm\x01\x00\x00\x00"


def _leb128(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _custom_section(name: str, payload: bytes) -> bytes:
    encoded_name = name.encode()
    body = _leb128(len(encoded_name)) + encoded_name + payload
    return b"\x00" + _leb128(len(body)) + body


def runtime_code(version: RuntimeVersion) -> bytes:
    """Return the ``:code`` value describing `version` (an empty Wasm module with sections)."""
    apis = b"".join(bytes(api) + int(v).to_bytes(4, "little") for api, v in version.apis)
    return (
        _WASM_HEADER
        + _custom_section("runtime_version", version.encode())
        + _custom_section("runtime_apis", apis)
        + _custom_section("deepshard_runtime", f"python:{version.impl_name}".encode())
    )
