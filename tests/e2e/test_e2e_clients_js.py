"""polkadot-api, dedot and @substrate/api-sidecar (npm, pinned in tests/e2e/clients-js),
unmodified, against a running dev node.

Each JavaScript client reads constants (``System.Version``) and storage (``System.Account``,
``Balances.Locks``), calls a runtime API it learns from metadata V15, estimates a fee, signs a
transfer and follows it until finalized with its events: polkadot-api through its default
WebSocket provider and through the raw provider that speaks only the new JSON-RPC spec, dedot
with auto-detection and with ``rpcVersion: 'v2'``. Sidecar runs as the process exchanges run,
and its balance-info, node/network, transaction/dry-run, transaction/fee-estimate and blocks
endpoints must answer 200 with the node's own values.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from substrateinterface import Keypair, SubstrateInterface

from deepshard.primitives.codec import decode_compact
from deepshard.runtime.runtime import deepshard_runtime

from .conftest import free_port

pytestmark = pytest.mark.e2e

CLIENTS = Path(__file__).parent / "clients-js"
AMOUNT = 10**12
NEW_SPEC_ONLY = {"chainHead_v1_follow", "transaction_v1_broadcast"}


def _node_bin() -> str:
    node = shutil.which("node")
    if node is None or not (CLIENTS / "node_modules" / "polkadot-api").exists():
        pytest.fail("Node.js and the npm packages are needed: run `make clients-js-deps`")
    return node


def _run(script: str, *args: str) -> dict[str, Any]:
    run = subprocess.run(
        [_node_bin(), str(CLIENTS / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=CLIENTS,
    )
    assert run.returncode == 0, run.stderr[-3000:] + run.stdout[-2000:]
    found: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return found


def _check_transfer(found: dict[str, Any]) -> None:
    version = deepshard_runtime().version
    assert found["specName"] == "deepshard"
    assert found["specVersion"] == int(version.spec_version)
    assert found["ss58"] == 42
    assert found["locks"] == []
    assert int(found["fee"]) > 0
    assert int(found["after"]) - int(found["before"]) == AMOUNT
    assert found["events"][-1] == "System.ExtrinsicSuccess"
    assert "Balances.Transfer" in found["events"]
    assert "TransactionPayment.TransactionFeePaid" in found["events"]


def _run_with_input(script: str, data: Any) -> dict[str, Any]:
    run = subprocess.run(
        [_node_bin(), str(CLIENTS / script)],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=CLIENTS,
    )
    assert run.returncode == 0, run.stderr[-3000:] + run.stdout[-2000:]
    found: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return found


def _call(node: Any, method: str, data: bytes) -> bytes:
    answer = node.rpc("state_call", [method, "0x" + data.hex()])
    return bytes.fromhex(str(answer["result"])[2:])


def test_polkadot_api_and_dedot_codecs_read_the_served_metadata_byte_for_byte(
    dev_node: Any,
) -> None:
    """V14, V15 and V16 as served decode with each client's codec and encode back identically."""
    v14 = bytes.fromhex(str(dev_node.rpc("state_getMetadata")["result"])[2:])
    answer = _call(dev_node, "Metadata_metadata_at_version", (15).to_bytes(4, "little"))
    length, offset = decode_compact(answer, 1)
    v15 = answer[offset : offset + length]
    answer = _call(dev_node, "Metadata_metadata_at_version", (16).to_bytes(4, "little"))
    length, offset = decode_compact(answer, 1)
    v16 = answer[offset : offset + length]
    served = {"v14": v14, "v15": v15, "v16": v16}
    found = _run_with_input("metadata.mjs", {k: "0x" + v.hex() for k, v in served.items()})
    runtime = deepshard_runtime()
    names = [e.pallet.NAME for e in runtime.runtime.pallets]
    for version in ("v14", "v15", "v16"):
        assert found[version]["papi"]["tag"] == version
        assert found[version]["papi"]["roundTrip"] is True
        assert found[version]["papi"]["pallets"] == names
        assert found[version]["dedot"] == {"tag": version.upper(), "roundTrip": True}
    assert runtime.metadata.v15 is not None
    for version in ("v15", "v16"):
        assert found[version]["papi"]["apis"] == [
            f"{api.name}:{len(api.methods)}" for api in runtime.metadata.v15.apis
        ]


@pytest.mark.parametrize("mode", ["default", "raw"])
def test_polkadot_api(dev_node: Any, mode: str) -> None:
    found = _run("papi.mjs", dev_node.ws_url, mode)
    _check_transfer(found)
    assert found["ok"] is True
    assert found["block"] >= 1
    assert int(found["paidFee"]) == int(found["fee"])  # the estimate is what was charged
    assert int(found["existentialDeposit"]) > 0
    assert set(found["methods"]) >= NEW_SPEC_ONLY
    if mode == "raw":  # nothing but the new spec went over the wire
        legacy = [m for m in found["methods"] if m.split("_")[0] in ("chain", "state", "author")]
        assert legacy == []


@pytest.mark.parametrize("mode", ["auto", "v2"])
def test_dedot(dev_node: Any, mode: str) -> None:
    found = _run("dedot.mjs", dev_node.ws_url, mode)
    _check_transfer(found)
    assert found["rpcVersion"] == "v2"  # auto-detection picks the new spec
    assert found["metadataVersion"] == "V16"  # the newest the node serves
    assert found["status"] == "Finalized"


@pytest.fixture
def sidecar(dev_node: Any) -> Iterator[str]:
    port = free_port()
    binary = CLIENTS / "node_modules" / ".bin" / "substrate-api-sidecar"
    if shutil.which("node") is None or not binary.exists():
        pytest.fail("Node.js and the npm packages are needed: run `make clients-js-deps`")
    env = {
        **os.environ,
        "SAS_SUBSTRATE_URL": dev_node.ws_url,
        "SAS_EXPRESS_PORT": str(port),
        "SAS_EXPRESS_BIND_HOST": "127.0.0.1",
    }
    process = subprocess.Popen(
        [str(binary)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=CLIENTS
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            _get(url, "/node/version")
            break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                process.kill()
                pytest.fail(f"sidecar did not start:\n{output[-3000:]}")
            time.sleep(0.3)
    yield url
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _get(base: str, path: str) -> Any:
    with urllib.request.urlopen(base + path, timeout=30) as response:
        assert response.status == 200
        return json.loads(response.read())


def _post(base: str, path: str, body: Any) -> Any:
    request = urllib.request.Request(
        base + path, json.dumps(body).encode(), {"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return json.loads(response.read())


def test_sidecar_endpoints(dev_node: Any, sidecar: str) -> None:
    substrate = SubstrateInterface(url=dev_node.ws_url)
    alice = Keypair.create_from_uri("//Alice")
    bob = Keypair.create_from_uri("//Bob")

    balance = _get(sidecar, f"/accounts/{alice.ss58_address}/balance-info")
    at = balance["at"]["hash"]
    account = substrate.query("System", "Account", [alice.ss58_address], block_hash=at).value
    assert int(balance["free"]) == account["data"]["free"]
    assert int(balance["nonce"]) == account["nonce"]
    assert balance["locks"] == []
    assert balance["tokenSymbol"] == "DSH"

    network = _get(sidecar, "/node/network")
    assert network["localListenAddresses"] == [f"/ip4/127.0.0.1/tcp/{dev_node.port}/ws"]
    assert network["isSyncing"] is False

    call = substrate.compose_call(
        "Balances", "transfer_keep_alive", {"dest": bob.ss58_address, "value": AMOUNT}
    )
    signed = str(substrate.create_signed_extrinsic(call, alice).data)
    dry = _post(sidecar, "/transaction/dry-run", {"tx": signed})
    assert dry["dryRunResult"] == {"resultType": "DispatchOutcome", "result": {"ok": []}}
    fee = _post(sidecar, "/transaction/fee-estimate", {"tx": signed})
    expected = substrate.get_payment_info(call, alice)
    assert int(fee["partialFee"]) == expected["partialFee"]
    assert int(fee["weight"]["refTime"]) == expected["weight"]["ref_time"]

    block = _get(sidecar, "/blocks/1")
    assert block["number"] == "1"
    assert block["hash"] == substrate.get_block_hash(1)
    assert block["extrinsics"][0]["method"] == {"pallet": "timestamp", "method": "set"}
    assert block["extrinsics"][0]["success"] is True
