"""The `RuntimeVersion` a Substrate runtime embeds in its Wasm custom sections.

`sp_version` writes two custom sections at build time: ``runtime_version`` (the SCALE-encoded
`RuntimeVersion`, whose trailing fields depend on the `Core` API version) and ``runtime_apis``
(a plain concatenation of ``([u8; 8] api id, u32 version)`` entries, no length prefix). A node
reads them to learn the runtime's state version without instantiating it; so do we.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from deepshard.chain_spec.wasm_blob import WasmBlobError, custom_sections, decompress_code
from deepshard.primitives.codec import DecodeError, decode_compact
from deepshard.primitives.trie import StateVersion

__all__ = ["CORE_API_ID", "RuntimeVersion", "decode_runtime_version", "embedded_runtime_version"]

CORE_API_ID: Final = bytes.fromhex("df6acb689907609b")
"""blake2_64("Core"): the id of the `Core` runtime API."""

_API_ENTRY_LENGTH: Final = 12


@dataclass(frozen=True, slots=True)
class RuntimeVersion:
    """`sp_version::RuntimeVersion` as embedded in a runtime."""

    spec_name: str
    """Identifies the runtime (e.g. ``statemine``)."""
    impl_name: str
    """Name of the implementation."""
    authoring_version: int
    """Version of the authorship interface."""
    spec_version: int
    """Version of the runtime specification."""
    impl_version: int
    """Version of the implementation."""
    apis: tuple[tuple[bytes, int], ...]
    """Runtime APIs as (8-byte id, version)."""
    transaction_version: int
    """Version of the extrinsic format (1 when the runtime predates the field)."""
    system_version: int
    """0: state V0; 1: state V1; 2: state V1 and V1 extrinsics root (0 before the field)."""

    @property
    def state_version(self) -> StateVersion:
        """Trie layout of the runtime's state (V0 only when `system_version` is 0)."""
        return StateVersion.V0 if self.system_version == 0 else StateVersion.V1

    @property
    def extrinsics_root_state_version(self) -> StateVersion:
        """Trie layout of the extrinsics root (V1 only from `system_version` 2, per RFC-0042)."""
        return StateVersion.V1 if self.system_version >= 2 else StateVersion.V0


def _read_string(data: bytes, offset: int) -> tuple[str, int]:
    length, offset = decode_compact(data, offset)
    end = offset + length
    if end > len(data):
        raise WasmBlobError(f"runtime_version string cut short at byte {offset}")
    try:
        return data[offset:end].decode("utf-8"), end
    except UnicodeDecodeError:
        raise WasmBlobError(f"runtime_version string at byte {offset} is not UTF-8") from None


def _read_u32(data: bytes, offset: int) -> tuple[int, int]:
    end = offset + 4
    if end > len(data):
        raise WasmBlobError(f"runtime_version integer cut short at byte {offset}")
    return int.from_bytes(data[offset:end], "little"), end


def _read_api_entry(data: bytes, offset: int) -> tuple[tuple[bytes, int], int]:
    end = offset + _API_ENTRY_LENGTH
    if end > len(data):
        raise WasmBlobError(f"runtime API entry cut short at byte {offset}")
    return (data[offset : offset + 8], int.from_bytes(data[offset + 8 : end], "little")), end


def decode_runtime_version(section: bytes, core_version_hint: int | None = None) -> RuntimeVersion:
    """Decode a ``runtime_version`` section, as `RuntimeVersion::decode_with_version_hint`.

    The `Core` API version (from the hint, else from the decoded api list) decides which
    trailing fields are present: `transaction_version` from Core 3, `system_version` from Core 4.

    Raises:
        WasmBlobError: the section is truncated or malformed.
    """
    try:
        spec_name, offset = _read_string(section, 0)
        impl_name, offset = _read_string(section, offset)
        authoring_version, offset = _read_u32(section, offset)
        spec_version, offset = _read_u32(section, offset)
        impl_version, offset = _read_u32(section, offset)
        count, offset = decode_compact(section, offset)
        if count * _API_ENTRY_LENGTH > len(section) - offset:
            raise WasmBlobError("runtime_version api list is longer than its section")
        apis = []
        for _ in range(count):
            entry, offset = _read_api_entry(section, offset)
            apis.append(entry)
    except DecodeError as error:
        raise WasmBlobError(f"malformed runtime_version section: {error}") from error
    core_version = core_version_hint
    if core_version is None:
        core_version = next((v for api_id, v in apis if api_id == CORE_API_ID), 1)
    transaction_version = 1
    system_version = 0
    if core_version >= 3:
        transaction_version, offset = _read_u32(section, offset)
    if core_version >= 4:
        if offset >= len(section):
            raise WasmBlobError("runtime_version section ends before its system version")
        system_version = section[offset]
    return RuntimeVersion(
        spec_name=spec_name,
        impl_name=impl_name,
        authoring_version=authoring_version,
        spec_version=spec_version,
        impl_version=impl_version,
        apis=tuple(apis),
        transaction_version=transaction_version,
        system_version=system_version,
    )


def embedded_runtime_version(code: bytes) -> RuntimeVersion:
    """Read the `RuntimeVersion` embedded in a (possibly compressed) runtime code blob.

    Raises:
        WasmBlobError: the blob is not a readable Wasm runtime or lacks the version section.
    """
    sections = custom_sections(decompress_code(code))
    version_section = sections.get("runtime_version")
    if version_section is None:
        raise WasmBlobError("the runtime has no `runtime_version` custom section")
    apis_section = sections.get("runtime_apis")
    if apis_section is None:
        return decode_runtime_version(version_section)
    if len(apis_section) % _API_ENTRY_LENGTH:
        raise WasmBlobError("the `runtime_apis` section is not a whole number of entries")
    apis = tuple(
        _read_api_entry(apis_section, offset)[0]
        for offset in range(0, len(apis_section), _API_ENTRY_LENGTH)
    )
    core_version = next((v for api_id, v in apis if api_id == CORE_API_ID), None)
    return replace(decode_runtime_version(version_section, core_version), apis=apis)
