"""``BlockBuilder_finalize_block`` (BlockBuilder v6): the header of the next block, finished.

Checked against facts from outside the executive: the empty ordered trie's root
(``blake2_256(0x00)``, substrate-wire.md §5), the next number and parent, and the block the
executive itself builds; and against the advertised API: metadata V15 lists the method.
"""

from __future__ import annotations

import pytest

from deepshard.chain_spec.builder import genesis_from_patch, preset_patch
from deepshard.chain_spec.presets import DEV
from deepshard.primitives.codec import H256
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.header import Header
from deepshard.primitives.metadata import RuntimeMetadataV15, decode_metadata_v15
from deepshard.runtime.apis import ApiError, RuntimeApis
from deepshard.runtime.runtime import deepshard_runtime
from deepshard.runtime.state import InMemoryState

from .conftest import Chain


def test_finalize_block_returns_the_next_empty_header(chain: Chain) -> None:
    apis = RuntimeApis(chain.executive, b"")
    parent = chain.genesis_header
    header = Header.decode(apis.call("BlockBuilder_finalize_block", b"", chain.genesis, parent))
    assert int(header.number) == 1
    assert header.parent_hash == parent.hash()
    assert bytes(header.extrinsics_root) == blake2_256(b"\x00")  # no extrinsics
    # the same header the executive gives a block it builds empty
    building = chain.executive.initialize_block(
        chain.genesis,
        Header(
            parent_hash=parent.hash(),
            number=1,
            state_root=H256(),
            extrinsics_root=H256(),
        ),
    )
    expected, _ = chain.executive.finalize_block(building)
    assert header == expected
    # a dry run: the state is untouched
    assert apis.call("BlockBuilder_finalize_block", b"", chain.genesis, parent) == header.encode()


def test_finalize_block_refuses_arguments_and_reports_a_panicking_hook() -> None:
    runtime = deepshard_runtime()
    state = InMemoryState(runtime.genesis_storage(genesis_from_patch(preset_patch(DEV))))
    root = state.storage_root({}, runtime.version.state_version)
    genesis = Header(
        parent_hash=H256(),
        number=0,
        state_root=H256(root),
        extrinsics_root=H256(blake2_256(b"\x00")),
    )
    with pytest.raises(ApiError, match="no arguments"):
        runtime.apis.call("BlockBuilder_finalize_block", b"\x00", state, genesis)
    # a lone call has no timestamp inherent: Timestamp's on_finalize refuses, as FRAME's panics
    with pytest.raises(ApiError, match="Timestamp must be updated once in the block"):
        runtime.apis.call("BlockBuilder_finalize_block", b"", state, genesis)


def test_the_advertised_block_builder_methods_are_all_served_and_described() -> None:
    runtime = deepshard_runtime()
    metadata = decode_metadata_v15(runtime.metadata.encoded_at_version(15) or b"")
    assert isinstance(metadata, RuntimeMetadataV15)
    (builder,) = [api for api in metadata.apis if api.name == "BlockBuilder"]
    names = [m.name for m in builder.methods]
    # BlockBuilder v6 (sp-block-builder): these four, in this order
    assert names == ["apply_extrinsic", "finalize_block", "inherent_extrinsics", "check_inherents"]
    assert all(f"BlockBuilder_{n}" in runtime.apis.methods for n in names)
    (core,) = [api for api in metadata.apis if api.name == "Core"]
    assert [m.name for m in core.methods] == ["version", "execute_block", "initialize_block"]
    assert all(f"Core_{m.name}" in runtime.apis.methods for m in core.methods)
