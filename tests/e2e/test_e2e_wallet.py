"""`deepshard wallet` against a running dev node, driven through the real CLI (CliRunner).

What the wallet reports is checked against independent readers: balances and storage through
py-substrate-interface, key files through @polkadot/keyring (tests/e2e/js/keystore.mjs).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from substrateinterface import Keypair as SiKeypair
from substrateinterface import SubstrateInterface
from typer.testing import CliRunner

from deepshard.client.cli import app
from deepshard.offchain_workers.content import EmbeddedStore
from deepshard.offchain_workers.content.cids import parse_cid

pytestmark = pytest.mark.e2e

UNIT = 10**12
JS = Path(__file__).parent / "js"
runner = CliRunner()


class Wallet:
    """Runs ``deepshard wallet`` commands against one node and one keystore."""

    def __init__(self, keystore: Path, node: str) -> None:
        self.keystore = keystore
        self.node = node

    def __call__(self, *args: str, password: str = "pw", **env: str) -> tuple[int, Any]:
        environ = {
            "DEEPSHARD_WALLET_PATH": str(self.keystore),
            "DEEPSHARD_NODE": self.node,
            "DEEPSHARD_WALLET_PASSWORD": password,
            "DEEPSHARD_IPFS_PATH": str(self.keystore.parent / "ipfs"),
            **env,
        }
        result = runner.invoke(app, ["wallet", *args], env=environ)
        output = result.output.strip()
        try:
            return result.exit_code, json.loads(output)
        except ValueError:
            return result.exit_code, output

    def ok(self, *args: str, **env: str) -> Any:
        code, out = self(*args, **env)
        assert code == 0, out
        return out


@pytest.fixture(scope="module")
def ws(dev_node: Any) -> Iterator[SubstrateInterface]:
    interface = SubstrateInterface(url=dev_node.ws_url)
    yield interface
    interface.close()


@pytest.fixture(scope="module")
def wallet(dev_node: Any, tmp_path_factory: pytest.TempPathFactory) -> Wallet:
    w = Wallet(tmp_path_factory.mktemp("wallet") / "keys", dev_node.ws_url)
    for name in ("Alice", "Charlie"):
        w.ok("import", name.lower(), "--secret-env", "S", "--json", S=f"//{name}")
    return w


def node_js(*args: str) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "@polkadot" / "keyring").exists():
        pytest.fail("Node.js and the npm packages are needed: run `make js-deps`")
    result = subprocess.run(
        [node, str(JS / "keystore.mjs"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    found: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


async def _cat(store: EmbeddedStore, cid: str) -> list[bytes]:
    return [chunk async for chunk in store.cat(parse_cid(cid))]


def free(ws: SubstrateInterface, address: str) -> int:
    return int(ws.query("System", "Account", [address]).value["data"]["free"])


def test_transfer_receipt_and_balance_match_substrate_interface(
    wallet: Wallet, ws: SubstrateInterface
) -> None:
    bob = SiKeypair.create_from_uri("//Bob").ss58_address
    before = free(ws, bob)
    receipt = wallet.ok("transfer", bob, "1.5", "--from", "alice", "--yes", "--json")
    assert receipt["status"] == "finalized"
    assert receipt["amount"] == 3 * UNIT // 2
    assert "Balances.Transfer" in receipt["events"]
    assert receipt["events"][-1] == "System.ExtrinsicSuccess"
    assert receipt["fee"] > 0
    block = ws.get_block(block_hash=receipt["block_hash"])
    assert block["header"]["number"] == receipt["block_number"]
    index = int(receipt["extrinsic"].split("-")[1])
    assert "0x" + block["extrinsics"][index].extrinsic_hash.hex() == receipt["extrinsic_hash"]
    assert free(ws, bob) == before + 3 * UNIT // 2

    (shown,) = wallet.ok("balance", bob, "alice", "--json")[:1]
    assert shown["free"] == free(ws, bob)
    alice = wallet.ok("balance", "alice", "--json")[0]
    account = ws.query("System", "Account", [alice["address"]]).value
    assert alice["free"] == account["data"]["free"]
    assert alice["reserved"] == account["data"]["reserved"]
    assert alice["nonce"] == account["nonce"]


def test_error_paths(wallet: Wallet, ws: SubstrateInterface) -> None:
    bob = SiKeypair.create_from_uri("//Bob").ss58_address
    before = free(ws, bob)
    code, out = wallet("transfer", bob, "1", "--from", "alice", "--yes", password="wrong")
    assert code == 4
    assert "wrong password" in out
    code, out = wallet("transfer", bob, "1", "--from", "nobody", "--yes")
    assert code == 4
    assert "no key 'nobody'" in out
    code, out = wallet("transfer", "5Bad", "1", "--from", "alice", "--yes", "--json")
    assert (code, out["error"]) == (7, "InvalidAddress")
    code, out = wallet("transfer", bob, "1", "--from", "alice", "--no")
    assert code == 3
    code, out = wallet("transfer", bob, "10000000000", "--from", "alice", "--yes", "--json")
    assert (code, out["error"]) == (8, "InsufficientBalance")
    assert free(ws, bob) == before  # nothing was submitted
    # A module error by name, with its documentation: Charlie has no curator bond. The dry
    # run catches it, so nothing is submitted and no fee is paid.
    charlie = SiKeypair.create_from_uri("//Charlie").ss58_address
    nonce, charlie_free = ws.get_account_nonce(charlie), free(ws, charlie)
    code, out = wallet("curator", "unbond", "5", "--from", "charlie", "--yes", "--json")
    assert code == 6, out
    assert out["error"] == "Informants.NotCurator"
    assert "no active curator bond" in out["docs"]
    assert out["submitted"] is False
    assert (ws.get_account_nonce(charlie), free(ws, charlie)) == (nonce, charlie_free)


def test_keyring_interop_both_ways(wallet: Wallet, ws: SubstrateInterface, tmp_path: Path) -> None:
    # @polkadot/keyring's export loads in ours and signs a transfer the node accepts.
    for scheme in ("sr25519", "ed25519"):
        exported = node_js("export", f"//Interop//{scheme}", scheme, "js-password")
        file = tmp_path / f"{scheme}.json"
        file.write_text(json.dumps(exported))
        name = f"js-{scheme}"
        wallet.ok("import", name, "--json-file", str(file), "--json", password="js-password")
        wallet.ok("transfer", name, "5", "--from", "alice", "--yes", "-q")
        receipt = wallet.ok(
            "transfer", "alice", "1", "--from", name, "--yes", "--json", password="js-password"
        )
        assert "Balances.Transfer" in receipt["events"]
        assert free(ws, exported["address"]) < 4 * UNIT
        # ... and our export loads in @polkadot/keyring, which signs with the same key.
        out = tmp_path / f"{scheme}-ours.json"
        wallet.ok("export", name, "--out", str(out), password="js-password")
        loaded = node_js("load", str(out), "js-password", "0x" + b"deepshard".hex())
        assert loaded["address"] == exported["address"]
        assert loaded["type"] == scheme
        signer = SiKeypair(
            public_key=bytes.fromhex(loaded["publicKey"][2:]),
            crypto_type=0 if scheme == "ed25519" else 1,
            ss58_format=42,
        )
        assert signer.verify(b"deepshard", bytes.fromhex(loaded["signature"][2:]))


def test_transfer_all(wallet: Wallet, ws: SubstrateInterface) -> None:
    wallet.ok("import", "dave", "--secret-env", "S", S="//Dave//wallet")
    wallet.ok("transfer", "dave", "3", "--from", "alice", "--yes", "-q")
    receipt = wallet.ok("transfer-all", "alice", "--from", "dave", "--yes", "--json")
    assert "Balances.Transfer" in receipt["events"]
    assert free(ws, wallet.ok("balance", "dave", "--json")[0]["address"]) == 0


def test_submit_batch_vote_and_claim(
    wallet: Wallet, ws: SubstrateInterface, tmp_path: Path
) -> None:
    alice = SiKeypair.create_from_uri("//Alice")
    period = ws.compose_call("Informants", "set_voting_period", {"period": 3})
    sudo = ws.create_signed_extrinsic(ws.compose_call("Sudo", "sudo", {"call": period}), alice)
    assert ws.submit_extrinsic(sudo, wait_for_inclusion=True).is_success

    bonded = wallet.ok("curator", "bond", "200", "--from", "charlie", "--yes", "--json")
    assert "Informants.CuratorBonded" in bonded["events"]
    status = wallet.ok("curator", "status", "charlie", "--json")
    assert status["active"] == 200 * UNIT
    held = wallet.ok("balance", "charlie", "--json")[0]["holds"]
    assert sum(held.values()) == 200 * UNIT

    batch = tmp_path / "facts.jsonl"
    batch.write_text('{"text": "water boils at 100 C at sea level"}\n{"text": "pi > 3"}\n')
    submitted = wallet.ok(
        "submit-batch", str(batch), "--stake", "150", "-f", "alice", "-y", "--json"
    )
    batch_id = submitted["batch_id"]
    stored = ws.query("Informants", "Batches", [batch_id]).value
    assert stored["item_count"] == submitted["item_count"] == 2
    assert stored["byte_size"] == batch.stat().st_size
    assert stored["stake"] == 150 * UNIT
    # The file is pinned in the embedded store under the CID the chain holds.
    store = EmbeddedStore(wallet.keystore.parent / "ipfs")
    try:
        pins = asyncio.run(store.pin_ls(parse_cid(submitted["cid"])))
        assert [str(p.cid) for p in pins] == [submitted["cid"]]
        assert b"".join(asyncio.run(_cat(store, submitted["cid"]))) == batch.read_bytes()
    finally:
        store.close()
    shown = wallet.ok("batch", str(batch_id), "--json")
    assert shown["cid"] == submitted["cid"]
    assert shown["phase"] == "Voting"

    scores = ["--novelty", "80", "--reproducibility", "70", "--alignment", "90"]
    scores += ["--truthfulness", "60", "--objectivity", "100"]
    voted = wallet.ok("vote", str(batch_id), "--aye", *scores, "-f", "charlie", "-y", "--json")
    assert voted["scores"]["objectivity"] == 100
    (vote,) = wallet.ok("votes", str(batch_id), "--json")
    assert vote["aye"] is True
    onchain = ws.query("Informants", "Votes", [batch_id, vote["curator"]]).value
    assert onchain["scores"] == vote["scores"]
    assert onchain["weight"] == vote["weight"] > 0
    code, out = wallet("vote", str(batch_id), "--aye", "-f", "alice", "-y", "--json")
    assert (code, out["error"]) == (6, "Informants.InformantCannotVote")

    deadline = time.monotonic() + 60
    while wallet.ok("batch", str(batch_id), "--json")["phase"] in ("Voting", "Closing"):
        assert time.monotonic() < deadline, "the batch never closed"
        time.sleep(1)
    assert any(b["batch_id"] == batch_id for b in wallet.ok("batches", "--json"))
    claimed = wallet.ok("claim", str(batch_id), "-f", "charlie", "-y", "--json")
    assert "System.ExtrinsicSuccess" in claimed["events"]
    assert ws.query("Informants", "Votes", [batch_id, vote["curator"]]).value is None


def test_proxy_add_list_remove(wallet: Wallet, ws: SubstrateInterface) -> None:
    charlie = SiKeypair.create_from_uri("//Charlie").ss58_address
    added = wallet.ok(
        "proxy", "add", "charlie", "--type", "Protocol", "-f", "alice", "-y", "--json"
    )
    assert "Proxy.ProxyAdded" in added["events"]
    listed = wallet.ok("proxy", "list", "alice", "--json")
    assert listed["proxies"] == [{"delegate": charlie, "type": "Protocol", "delay": 0}]
    _, deposit = ws.query("Proxy", "Proxies", [listed["account"]]).value
    assert deposit == listed["deposit"] > 0
    assert wallet("proxy", "add", "charlie", "--type", "Anything", "-f", "alice", "-y")[0] == 7
    removed = wallet.ok(
        "proxy", "remove", "charlie", "--type", "Protocol", "-f", "alice", "-y", "--json"
    )
    assert "Proxy.ProxyRemoved" in removed["events"]
    assert wallet.ok("proxy", "list", "alice", "--json")["proxies"] == []


def test_multisig_transfer(wallet: Wallet, ws: SubstrateInterface) -> None:
    members = [
        SiKeypair.create_from_uri(f"//{n}").ss58_address for n in ("Alice", "Bob", "Charlie")
    ]
    shown = wallet.ok(
        "multisig", "address", "-s", "charlie,alice," + members[1], "-t", "2", "--json"
    )
    expected = ws.generate_multisig_account(members, 2)
    assert shown["address"] == expected.ss58_address
    wallet.ok("transfer", shown["address"], "10", "--from", "alice", "--yes", "-q")
    signers = ["-s", "alice,charlie," + members[1], "-t", "2"]
    first = wallet.ok(
        "multisig", "transfer", members[1], "2", *signers, "-f", "alice", "-y", "--json"
    )
    assert first["executed"] is False
    (open_op,) = wallet.ok("multisig", "pending", shown["address"], "--json")
    assert open_op["call_hash"] == first["call_hash"]
    before = free(ws, members[1])
    last = wallet.ok(
        "multisig", "transfer", members[1], "2", *signers, "-f", "charlie", "-y", "--json"
    )
    assert (last["executed"], last["call_result"]) == (True, "ok")
    assert free(ws, members[1]) == before + 2 * UNIT
    assert wallet.ok("multisig", "pending", shown["address"], "--json") == []


def test_trainer_and_scorer_bonds_rounds_and_versions(
    wallet: Wallet, ws: SubstrateInterface
) -> None:
    bonded = wallet.ok("trainer", "bond", "150", "--from", "charlie", "--yes", "--json")
    assert "Training.Bonded" in bonded["events"]
    status = wallet.ok("trainer", "status", "charlie", "--json")
    onchain = ws.query("Training", "TrainerBonds", [status["trainer"]]).value
    assert status["active"] == onchain["active"] == 150 * UNIT
    assert status["role"] == "Trainer"

    wallet.ok("trainer", "unbond", "20", "--from", "charlie", "--yes", "--json")
    status = wallet.ok("trainer", "status", "charlie", "--json")
    assert status["active"] == 130 * UNIT
    assert [c["amount"] for c in status["unlocking"]] == [20 * UNIT]
    # Nothing is ready yet: the pallet refuses by name, with its documentation.
    code, out = wallet("trainer", "withdraw", "--from", "charlie", "--yes", "--json")
    assert code == 6, out
    assert out["error"] == "Training.NothingToWithdraw", out
    assert out["docs"]

    # Below the minimum scorer bond: a module error by name.
    code, out = wallet("scorer", "bond", "1", "--from", "charlie", "--yes", "--json")
    assert code == 6, out
    assert out["error"] == "Training.BondTooLow", out
    assert wallet.ok("scorer", "status", "charlie", "--json")["bonded"] is False

    rounds = wallet.ok("rounds", "--json")
    expected = sorted(int(k.value) for k, _ in ws.query_map("Training", "Rounds"))
    assert [r["round_id"] for r in rounds] == expected
    versions = wallet.ok("versions", "--json")
    onchain_versions = {int(k.value): v.value for k, v in ws.query_map("Training", "ModelVersions")}
    assert [v["version_id"] for v in versions] == sorted(onchain_versions)
    for v in versions:
        assert v["layer_count"] == onchain_versions[v["version_id"]]["layer_count"]
        assert v["held_out_loss"] == onchain_versions[v["version_id"]]["held_out_loss"]
    if versions:
        one = wallet.ok("version", str(versions[0]["version_id"]), "--json")
        assert one["lineage"][0] == versions[0]["version_id"]
    code, out = wallet("round", "999999", "--json")
    assert (code, out["error"]) == (7, "InvalidInput")
    assert "no round 999999" in out["message"]
