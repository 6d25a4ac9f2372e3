"""The `RuntimeVersion` a Substrate runtime embeds in its Wasm custom sections.

`sp_version` writes two custom sections at build time: ``runtime_version`` (the SCALE-encoded
`RuntimeVersion`, whose trailing fields depend on the `Core` API version) and ``runtime_apis``
(a plain concatenation of ``([u8; 8] api id, u32 version)`` entries, no length prefix). A node
reads them to learn the runtime's state version without instantiating it; so do we.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from deepshard.chain_spec.wasm_blob import WasmBlobError, custom_sections, decompress_code
from deepshard.primitives.codec import DecodeError
from deepshard.primitives.numeric import U32
from deepshard.primitives.version import CORE_API_ID, RuntimeVersion

__all__ = ["embedded_runtime_version"]

_API_ENTRY_LENGTH: Final = 12


def embedded_runtime_version(code: bytes) -> RuntimeVersion:
    """Read the `RuntimeVersion` embedded in a (possibly compressed) runtime code blob.

    As Substrate's ``read_embedded_version``: the ``runtime_apis`` section (when present)
    gives the API list and the ``Core`` version that decides the layout of ``runtime_version``.

    Raises:
        WasmBlobError: the blob is not a readable Wasm runtime or lacks the version section.
    """
    sections = custom_sections(decompress_code(code))
    version_section = sections.get("runtime_version")
    if version_section is None:
        raise WasmBlobError("the runtime has no `runtime_version` custom section")
    apis_section = sections.get("runtime_apis")
    try:
        if apis_section is None:
            return RuntimeVersion.decode_with_version_hint(version_section)
        if len(apis_section) % _API_ENTRY_LENGTH:
            raise WasmBlobError("the `runtime_apis` section is not a whole number of entries")
        apis = tuple(
            (
                apis_section[offset : offset + 8],
                U32(int.from_bytes(apis_section[offset + 8 : offset + 12], "little")),
            )
            for offset in range(0, len(apis_section), _API_ENTRY_LENGTH)
        )
        core_version = next((int(v) for api, v in apis if api == CORE_API_ID), None)
        embedded = RuntimeVersion.decode_with_version_hint(version_section, core_version)
    except DecodeError as error:
        raise WasmBlobError(f"malformed runtime_version section: {error}") from error
    return replace(embedded, apis=apis)
