"""Metadata V15 served by a dev node, read by @polkadot/types (npm, pinned in tests/e2e/js).

@polkadot/types decodes the bytes ``Metadata_metadata_at_version(15)`` returns and encodes them
again: the bytes must come back identical, and what it read (pallets, the extrinsic's parts,
the outer enums, every runtime API method) must match the runtime. The outputs of live runtime
API calls are then decoded by the type ids V15 gives as their outputs, and re-encoded to the
same bytes: the declared output types are the real layouts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from substrateinterface import Keypair

from deepshard.primitives.codec import decode_compact
from deepshard.primitives.metadata import decode_metadata_v15
from deepshard.runtime.runtime import deepshard_runtime

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).parent / "js" / "metadata_v15.mjs"


def _call(node: Any, method: str, data: bytes = b"") -> bytes:
    answer = node.rpc("state_call", [method, "0x" + data.hex()])
    assert "result" in answer, answer
    return bytes.fromhex(str(answer["result"])[2:])


def test_polkadot_types_reads_v15_byte_for_byte(dev_node: Any) -> None:
    node_bin = shutil.which("node")
    if node_bin is None or not (SCRIPT.parent / "node_modules" / "@polkadot" / "types").exists():
        pytest.fail("Node.js and the npm packages are needed: run `make js-deps`")
    assert _call(dev_node, "Metadata_metadata_versions") == bytes.fromhex(
        "0c0e0000000f00000010000000"
    )
    answer = _call(dev_node, "Metadata_metadata_at_version", (15).to_bytes(4, "little"))
    assert answer[0] == 1  # Some
    length, offset = decode_compact(answer, 1)
    encoded = answer[offset:]
    assert len(encoded) == length
    assert encoded == deepshard_runtime().metadata.encoded_v15
    assert _call(dev_node, "Metadata_metadata_at_version", (17).to_bytes(4, "little")) == b"\x00"
    v15 = decode_metadata_v15(encoded)

    def output(api: str, method: str) -> int:
        return next(int(m.output) for m in v15.api(api).methods if m.name == method)

    alice = Keypair.create_from_uri("//Alice")
    calls = [
        ("Core", "version", b""),
        ("Metadata", "metadata_versions", b""),
        ("AuraApi", "slot_duration", b""),
        ("AuraApi", "authorities", b""),
        ("AccountNonceApi", "account_nonce", alice.public_key),
    ]
    samples = [
        {"type": output(api, method), "hex": "0x" + _call(dev_node, f"{api}_{method}", data).hex()}
        for api, method, data in calls
    ]
    run = subprocess.run(
        [node_bin, str(SCRIPT)],
        input=json.dumps({"metadata": "0x" + encoded.hex(), "samples": samples}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["version"] == 15
    assert seen["reencoded"] == "0x" + encoded.hex()
    assert seen["types"] == len(v15.types.types)
    runtime = deepshard_runtime()
    assert seen["pallets"] == [[e.pallet.NAME, e.index, 1] for e in runtime.runtime.pallets]
    assert seen["extrinsic"] == {
        "version": 4,
        "address": "sp_runtime::multiaddress::MultiAddress",
        "call": "deepshard_runtime::RuntimeCall",
        "signature": "sp_runtime::MultiSignature",
        "extra": len(v15.extrinsic.signed_extensions),
        "signedExtensions": [e.identifier for e in v15.extrinsic.signed_extensions],
    }
    assert seen["outerEnums"] == {
        "call": "deepshard_runtime::RuntimeCall",
        "event": "deepshard_runtime::RuntimeEvent",
        "error": "deepshard_runtime::RuntimeError",
    }
    assert seen["apis"] == [
        [api.name, [[m.name, [p.name for p in m.inputs], int(m.output)] for m in api.methods]]
        for api in v15.apis
    ]
    assert seen["custom"] == 0
    for sample, answer_json in zip(samples, seen["samples"], strict=True):
        assert answer_json["reencoded"] == sample["hex"]
    version = seen["samples"][0]["json"]
    assert version["specName"] == "deepshard"
    assert version["specVersion"] == int(runtime.version.spec_version)
    assert seen["samples"][1]["json"] == [14, 15, 16]
    assert seen["samples"][4]["json"] == 0
