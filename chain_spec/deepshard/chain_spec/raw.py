"""Raw chain specifications: loading, validating and computing the genesis block they define.

Introduction
------------
A *raw* chain spec (``--raw`` in Substrate's ``build-spec``) carries the genesis storage itself:
``genesis.raw.top`` maps hex keys to hex values, and ``genesis.raw.childrenDefault`` maps each
default child trie's storage key to its own key/value map. The genesis block is then fixed:

1. the state root is the trie root of the top storage, with each non-empty child trie's root
   stored under ``:child_storage:default:`` ++ its key, using the trie layout (state version)
   the runtime in ``:code`` declares in its embedded `RuntimeVersion`;
2. the genesis header is ``{parent: 0x00..00, number: 0, state_root, extrinsics_root:
   empty-trie root, digest: []}``;
3. the genesis hash is ``blake2_256`` of that SCALE-encoded header.

Light-client specs (as shipped by substrate-connect) carry only ``genesis.stateRootHash``; the
header and hash follow from it in the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from deepshard.chain_spec.runtime_version import embedded_runtime_version
from deepshard.chain_spec.wasm_blob import WasmBlobError
from deepshard.primitives.codec import H256
from deepshard.primitives.header import Header
from deepshard.primitives.numeric import U32
from deepshard.primitives.trie import EMPTY_TRIE_ROOT, StateVersion
from deepshard.primitives.trie import genesis_state_root as trie_genesis_state_root
from deepshard.primitives.version import RuntimeVersion

__all__ = [
    "CODE_KEY",
    "ChainSpecError",
    "RawChainSpec",
    "GenesisSummary",
    "load_raw_chain_spec",
    "parse_raw_chain_spec",
    "genesis_state_root",
    "genesis_header",
    "summarize_genesis",
]

CODE_KEY: Final = b":code"
"""Well-known storage key of the runtime's Wasm code."""


class ChainSpecError(ValueError):
    """The file is not a readable raw chain specification; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class RawChainSpec:
    """The parts of a raw chain spec that determine (and describe) its genesis block."""

    name: str
    """Human-readable chain name (``name``)."""
    id: str
    """Chain identifier (``id``), e.g. ``polkadot`` or ``asset-hub-rococo``."""
    chain_type: str
    """``Live``, ``Local``, ``Development`` or a custom type."""
    properties: Mapping[str, Any]
    """Free-form chain properties (``ss58Format``, ``tokenSymbol``, ...)."""
    top: Mapping[bytes, bytes] | None
    """Top-trie genesis storage, or None for a light-client spec."""
    children_default: Mapping[bytes, Mapping[bytes, bytes]] = field(default_factory=dict)
    """Default child tries: child storage key (without prefix) to that child's storage."""
    state_root_hash: bytes | None = None
    """Genesis state root given directly by a light-client spec (``genesis.stateRootHash``)."""


@dataclass(frozen=True, slots=True)
class GenesisSummary:
    """What `summarize_genesis` found: the genesis block and how it was derived."""

    spec: RawChainSpec
    """The chain spec summarised."""
    state_version: StateVersion
    """Trie layout used for the genesis state root."""
    state_version_source: str
    """Where the state version came from (runtime, override, or given state root)."""
    runtime_version: RuntimeVersion | None
    """Version embedded in the genesis runtime, when `:code` is present and readable."""
    header: Header
    """The genesis header."""

    @property
    def state_root(self) -> bytes:
        """The genesis state root."""
        return self.header.state_root

    @property
    def genesis_hash(self) -> bytes:
        """The genesis block hash (blake2_256 of the SCALE-encoded header)."""
        return self.header.hash()


def _hex_bytes(text: object, where: str) -> bytes:
    if not isinstance(text, str):
        raise ChainSpecError(
            f"{where}: expected a 0x-prefixed hex string, got {type(text).__name__}"
        )
    if not text.startswith("0x"):
        raise ChainSpecError(f"{where}: {text[:20]!r} is not 0x-prefixed hex")
    try:
        return bytes.fromhex(text[2:])
    except ValueError:
        raise ChainSpecError(f"{where}: {text[:20]!r}... is not valid hex") from None


def _storage_map(raw: object, where: str) -> dict[bytes, bytes]:
    if not isinstance(raw, dict):
        raise ChainSpecError(f"{where}: expected an object of hex keys to hex values")
    return {
        _hex_bytes(key, f"{where} key {key!r}"): _hex_bytes(value, f"{where}[{key}]")
        for key, value in raw.items()
    }


def parse_raw_chain_spec(document: object) -> RawChainSpec:
    """Validate a decoded chain-spec JSON document and extract its genesis storage.

    Raises:
        ChainSpecError: the document is not a raw (or light-client) chain spec.
    """
    if not isinstance(document, dict):
        raise ChainSpecError("a chain spec is a JSON object at the top level")
    genesis = document.get("genesis")
    if not isinstance(genesis, dict):
        raise ChainSpecError("the chain spec has no `genesis` object")
    name = str(document.get("name", ""))
    chain_id = str(document.get("id", ""))
    chain_type = str(document.get("chainType", ""))
    properties = document.get("properties")
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        raise ChainSpecError("`properties` must be an object or null")
    if "raw" in genesis:
        raw = genesis["raw"]
        if not isinstance(raw, dict) or "top" not in raw:
            raise ChainSpecError("`genesis.raw` must be an object with a `top` map")
        children_raw = raw.get("childrenDefault")
        if children_raw is None:
            children_raw = {}
        if not isinstance(children_raw, dict):
            raise ChainSpecError("`genesis.raw.childrenDefault` must be an object")
        children = {
            _hex_bytes(key, f"genesis.raw.childrenDefault key {key!r}"): _storage_map(
                child, f"genesis.raw.childrenDefault[{key}]"
            )
            for key, child in children_raw.items()
        }
        return RawChainSpec(
            name=name,
            id=chain_id,
            chain_type=chain_type,
            properties=properties,
            top=_storage_map(raw["top"], "genesis.raw.top"),
            children_default=children,
        )
    if "stateRootHash" in genesis:
        root = _hex_bytes(genesis["stateRootHash"], "genesis.stateRootHash")
        if len(root) != 32:
            raise ChainSpecError("genesis.stateRootHash must be 32 bytes")
        return RawChainSpec(name, chain_id, chain_type, properties, top=None, state_root_hash=root)
    raise ChainSpecError(
        "this is not a raw chain spec (no `genesis.raw`): convert it with "
        "`build-spec --raw` (Substrate) before inspecting it"
    )


def load_raw_chain_spec(path: Path) -> RawChainSpec:
    """Read and validate a raw chain spec file.

    Raises:
        ChainSpecError: the file cannot be read, is not JSON, or is not a raw chain spec.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ChainSpecError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ChainSpecError(f"{path}: cannot be read: {error}") from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ChainSpecError(
            f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from error
    try:
        return parse_raw_chain_spec(document)
    except ChainSpecError as error:
        raise ChainSpecError(f"{path}: {error}") from error


def genesis_state_root(spec: RawChainSpec, version: StateVersion) -> bytes:
    """Return the genesis state root of a raw spec under the given trie layout.

    Raises:
        ChainSpecError: the spec carries no storage and no state root.
    """
    if spec.top is None:
        if spec.state_root_hash is None:
            raise ChainSpecError("the chain spec carries neither storage nor a state root")
        return spec.state_root_hash
    return trie_genesis_state_root(spec.top, spec.children_default, version)


def genesis_header(state_root: bytes) -> Header:
    """Return the genesis header for a state root: number 0, zero parent, no extrinsics or logs."""
    return Header(
        parent_hash=H256(bytes(32)),
        number=U32(0),
        state_root=H256(state_root),
        extrinsics_root=H256(EMPTY_TRIE_ROOT),
    )


def summarize_genesis(
    spec: RawChainSpec, state_version: StateVersion | None = None
) -> GenesisSummary:
    """Derive the genesis block of a chain spec, reading the state version from its runtime.

    Args:
        spec: The loaded chain spec.
        state_version: Forces a trie layout instead of the one the runtime declares.

    Raises:
        ChainSpecError: the runtime's version cannot be read and no override was given.
    """
    runtime_version = None
    code = spec.top.get(CODE_KEY) if spec.top is not None else None
    if code is not None:
        try:
            runtime_version = embedded_runtime_version(code)
        except WasmBlobError as error:
            if state_version is None:
                raise ChainSpecError(
                    f"cannot read the runtime version from `:code` ({error}); "
                    "pass the state version explicitly"
                ) from error
    if spec.top is None:
        version, source = StateVersion.V0, "given by genesis.stateRootHash"
    elif state_version is not None:
        version, source = state_version, "set on the command line"
    elif runtime_version is not None:
        version, source = runtime_version.state_version, "declared by the genesis runtime"
    else:
        raise ChainSpecError("the spec has no `:code`; pass the state version explicitly")
    header = genesis_header(genesis_state_root(spec, version))
    return GenesisSummary(spec, version, source, runtime_version, header)
