"""The Substrate methods against the fake node, over HTTP: names, aliases, shapes, error codes."""

from __future__ import annotations

from typing import Any

import pytest

from deepshard.client.rpc import RpcPolicy, RpcServer, header_json
from deepshard.primitives.codec import H256, AccountId32, decode_compact, encode_compact
from deepshard.primitives.crypto import KeyType, dev_keypair
from deepshard.primitives.crypto.ss58 import ss58_encode
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.header import Header
from deepshard.primitives.signing import sign_extrinsic
from deepshard.primitives.transaction_validity import (
    BadProof,
    Payment,
    TransactionInvalid,
    TransactionUnknown,
    UnknownCustom,
)

from .conftest import EXTRA_KEY, FakeNode, rpc

ALICE = dev_keypair("Alice", KeyType.SR25519)
SYSTEM_ACCOUNT = bytes.fromhex("26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9")


def result(server: RpcServer, method: str, params: Any = None) -> Any:
    response = rpc(server.url_http, method, params)
    assert "error" not in response, response
    return response["result"]


def error(server: RpcServer, method: str, params: Any = None) -> dict[str, Any]:
    response = rpc(server.url_http, method, params)
    assert "result" not in response, response
    assert response["jsonrpc"] == "2.0"
    err: dict[str, Any] = response["error"]
    return err


# --- system ------------------------------------------------------------------------------------


def test_system_facts(server: RpcServer, node: FakeNode) -> None:
    assert result(server, "system_chain") == "Development"
    assert result(server, "system_name") == "Deepshard Node"
    assert result(server, "system_version") == "0.1.0-test"
    assert result(server, "system_chainType") == "Development"
    assert result(server, "system_properties") == {
        "ss58Format": 42,
        "tokenDecimals": 12,
        "tokenSymbol": "DSH",
    }
    assert result(server, "system_nodeRoles") == ["Authority"]
    assert result(server, "system_localPeerId") == "12D3KooWTest"
    assert result(server, "system_localListenAddresses") == [
        "/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWTest"
    ]
    assert result(server, "system_syncState") == {
        "startingBlock": 0,
        "currentBlock": 1,
        "highestBlock": 1,
    }
    assert result(server, "system_health") == {
        "peers": 0,
        "isSyncing": False,
        "shouldHavePeers": False,
    }


def test_properties_are_never_null(server: RpcServer, node: FakeNode) -> None:
    object.__setattr__(node.info, "properties", {})
    assert result(server, "system_properties") == {}


def test_account_next_index_counts_pool_transactions(server: RpcServer, node: FakeNode) -> None:
    alice = ss58_encode(ALICE.public_key)
    assert result(server, "system_accountNextIndex", [alice]) == 0
    assert result(server, "account_nextIndex", [alice]) == 0
    # Two of Alice's transactions (nonces 0 and 1) wait in the pool.
    for nonce in (0, 1):
        node.pool.submitted.append(_signed_remark(node, nonce))
    assert result(server, "system_accountNextIndex", [alice]) == 2
    err = error(server, "system_accountNextIndex", ["not-an-address"])
    assert err["code"] == -32602


def _signed_remark(node: FakeNode, nonce: int) -> bytes:
    runtime = node.runtime
    call = runtime.runtime.make_call(runtime.runtime.pallets[0].pallet, "remark", remark=b"hi")
    return sign_extrinsic(
        call.encode(),
        ALICE,
        nonce=nonce,
        spec_version=int(runtime.version.spec_version),
        transaction_version=int(runtime.version.transaction_version),
        genesis_hash=node.genesis_hash,
    )


def test_system_peers_is_unsafe_on_an_external_listener(make_server: Any, node: FakeNode) -> None:
    node.peer_list.append(
        {"peerId": "12D3KooWPeer", "roles": "FULL", "bestHash": "0x00", "bestNumber": 1}
    )
    local = make_server()
    assert result(local, "system_peers")[0]["peerId"] == "12D3KooWPeer"
    external = make_server(policy=RpcPolicy.from_flags("auto", "0.0.0.0"))
    err = error(external, "system_peers")
    assert err == {"code": -32601, "message": "RPC call is unsafe to be called externally"}
    # ... but listed, as Substrate lists it.
    assert "system_peers" in result(external, "rpc_methods")["methods"]
    unsafe = make_server(policy=RpcPolicy.from_flags("unsafe", "0.0.0.0"))
    assert len(result(unsafe, "system_peers")) == 1


# --- rpc_methods -------------------------------------------------------------------------------

EXPECTED_NAMES = {
    "rpc_methods",
    "system_chain",
    "system_name",
    "system_version",
    "system_properties",
    "system_health",
    "system_chainType",
    "system_nodeRoles",
    "system_localPeerId",
    "system_localListenAddresses",
    "system_peers",
    "system_syncState",
    "system_accountNextIndex",
    "account_nextIndex",
    "chain_getBlockHash",
    "chain_getHead",
    "chain_getHeader",
    "chain_getBlock",
    "chain_getFinalizedHead",
    "chain_getFinalisedHead",
    "chain_subscribeNewHeads",
    "chain_subscribeNewHead",
    "subscribe_newHead",
    "chain_unsubscribeNewHeads",
    "chain_unsubscribeNewHead",
    "unsubscribe_newHead",
    "chain_subscribeFinalizedHeads",
    "chain_subscribeFinalisedHeads",
    "chain_unsubscribeFinalizedHeads",
    "chain_unsubscribeFinalisedHeads",
    "chain_subscribeAllHeads",
    "chain_unsubscribeAllHeads",
    "state_getRuntimeVersion",
    "chain_getRuntimeVersion",
    "state_getMetadata",
    "state_getStorage",
    "state_getStorageAt",
    "state_getStorageHash",
    "state_getStorageSize",
    "state_getKeys",
    "state_getKeysPaged",
    "state_getKeysPagedAt",
    "state_getPairs",
    "state_queryStorageAt",
    "state_getReadProof",
    "state_call",
    "state_callAt",
    "state_subscribeStorage",
    "state_unsubscribeStorage",
    "state_subscribeRuntimeVersion",
    "state_unsubscribeRuntimeVersion",
    "author_submitExtrinsic",
    "author_submitAndWatchExtrinsic",
    "author_unwatchExtrinsic",
    "author_pendingExtrinsics",
    "author_removeExtrinsic",
    "payment_queryInfo",
    "payment_queryFeeDetails",
    "system_dryRun",
    "system_dryRunAt",
    "childstate_getKeys",
    "childstate_getKeysPaged",
    "childstate_getKeysPagedAt",
    "childstate_getStorage",
    "childstate_getStorageEntries",
    "childstate_getStorageHash",
    "childstate_getStorageSize",
    "state_getChildReadProof",
}


def test_rpc_methods_lists_names_and_aliases(server: RpcServer) -> None:
    methods = result(server, "rpc_methods")["methods"]
    assert methods == sorted(methods)
    assert set(methods) >= EXPECTED_NAMES


# --- chain -------------------------------------------------------------------------------------


def test_block_hash_forms(server: RpcServer, node: FakeNode) -> None:
    genesis, one = node.genesis_hash.to_hex(), node.block1_hash.to_hex()
    assert result(server, "chain_getBlockHash") == one
    assert result(server, "chain_getBlockHash", [None]) == one
    assert result(server, "chain_getHead", []) == one
    assert result(server, "chain_getBlockHash", [0]) == genesis
    assert result(server, "chain_getBlockHash", ["0x1"]) == one
    assert result(server, "chain_getBlockHash", [[0, "0x1", 7]]) == [genesis, one, None]
    assert result(server, "chain_getBlockHash", [99]) is None
    assert error(server, "chain_getBlockHash", [2**32])["code"] == 3001
    assert error(server, "chain_getBlockHash", [-1])["code"] == -32602
    assert error(server, "chain_getBlockHash", ["12"])["code"] == -32602
    assert result(server, "chain_getFinalizedHead") == genesis
    assert result(server, "chain_getFinalisedHead") == genesis


def test_header_json_is_substrate_shaped(server: RpcServer, node: FakeNode) -> None:
    header = node.chain.headers[node.block1_hash]
    got = result(server, "chain_getHeader", [node.block1_hash.to_hex()])
    assert got == {
        "parentHash": node.genesis_hash.to_hex(),
        "number": "0x1",
        "stateRoot": header.state_root.to_hex(),
        "extrinsicsRoot": header.extrinsics_root.to_hex(),
        "digest": {"logs": ["0x" + item.encode().hex() for item in header.digest.logs]},
    }
    assert got["digest"]["logs"][0].startswith("0x0661757261")  # PreRuntime, "aura"
    assert got["digest"]["logs"][1].startswith("0x0561757261")  # Seal
    assert result(server, "chain_getHeader") == got  # no hash: best
    assert result(server, "chain_getHeader", [node.genesis_hash.to_hex()])["number"] == "0x0"
    assert result(server, "chain_getHeader", ["0x" + "11" * 32]) is None
    assert error(server, "chain_getHeader", ["0x1234"])["code"] == -32602
    # The header JSON round-trips to the block hash.
    decoded = Header(
        parent_hash=H256.from_hex(got["parentHash"]),
        number=int(got["number"], 16),
        state_root=H256.from_hex(got["stateRoot"]),
        extrinsics_root=H256.from_hex(got["extrinsicsRoot"]),
        digest=header.digest,
    )
    assert decoded.hash() == node.block1_hash


def test_number_is_minimal_hex() -> None:
    header = Header(parent_hash=H256(), number=0x1A2, state_root=H256(), extrinsics_root=H256())
    assert header_json(header)["number"] == "0x1a2"


def test_block_json(server: RpcServer, node: FakeNode) -> None:
    got = result(server, "chain_getBlock", [node.block1_hash.to_hex()])
    body = node.chain.bodies[node.block1_hash]
    assert got["block"]["header"] == result(server, "chain_getHeader", [node.block1_hash.to_hex()])
    assert got["block"]["extrinsics"] == ["0x" + xt.hex() for xt in body]
    length, _ = decode_compact(body[0])
    assert length + len(encode_compact(length)) == len(body[0])  # length prefix included
    assert got["justifications"] is None
    node.chain.justs[node.block1_hash] = [(b"FRNK", b"\x01\x02")]
    got = result(server, "chain_getBlock", [node.block1_hash.to_hex()])
    assert got["justifications"] == [[[70, 82, 78, 75], [1, 2]]]
    assert result(server, "chain_getBlock", ["0x" + "22" * 32]) is None


# --- state -------------------------------------------------------------------------------------


def test_storage_reads(server: RpcServer, node: FakeNode) -> None:
    key = "0x" + EXTRA_KEY.hex()
    assert result(server, "state_getStorage", [key]) == "0x" + b"one".hex()
    assert result(server, "state_getStorageAt", [key, node.genesis_hash.to_hex()]) is None
    assert result(server, "state_getStorage", [EXTRA_KEY.hex()]) == "0x" + b"one".hex()
    assert result(server, "state_getStorageHash", [key]) == "0x" + blake2_256(b"one").hex()
    assert result(server, "state_getStorageSize", [key]) == 3
    assert result(server, "state_getStorageSize", ["0x" + "ab" * 40]) is None
    prefix_size = result(server, "state_getStorageSize", ["0x" + SYSTEM_ACCOUNT.hex()])
    assert prefix_size > 80
    err = error(server, "state_getStorage", [key, "0x" + "33" * 32])
    assert err["code"] == 4003
    assert err["message"].startswith("Client error: UnknownBlock")
    assert error(server, "state_getStorage", ["0xzz"])["code"] == -32602
    assert error(server, "state_getStorage", [])["code"] == -32602
    assert error(server, "state_getStorage", [12])["code"] == -32602
    assert error(server, "state_getStorage", "0x00")["code"] == -32602


def test_keys_paged_and_query_storage_at(server: RpcServer, node: FakeNode) -> None:
    prefix = "0x" + SYSTEM_ACCOUNT.hex()
    accounts = result(server, "state_getKeysPaged", [prefix, 1000, None])
    assert len(accounts) >= 2
    assert accounts == sorted(accounts)
    assert all(k.startswith(prefix) for k in accounts)
    page = result(server, "state_getKeysPagedAt", [prefix, 1, accounts[0]])
    assert page == [accounts[1]]
    assert result(server, "state_getKeysPaged", [prefix, 0, None]) == []
    assert result(server, "state_getKeysPaged", {"prefix": prefix, "count": 1}) == accounts[:1]
    err = error(server, "state_getKeysPaged", [prefix, 1001, None])
    assert err == {"code": 4002, "message": "count exceeds maximum value. value: 1001, max: 1000"}
    assert result(server, "state_getKeys", [prefix]) == accounts
    pairs = result(server, "state_getPairs", [prefix])
    assert [k for k, _ in pairs] == accounts
    at = node.block1_hash.to_hex()
    missing = "0x" + "ab" * 8
    assert result(server, "state_queryStorageAt", [[accounts[0], missing], at]) == [
        {"block": at, "changes": [[accounts[0], pairs[0][1]], [missing, None]]}
    ]
    proof = result(server, "state_getReadProof", [[accounts[0]], at])
    assert proof == {"at": at, "proof": ["0x" + (b"node:" + bytes.fromhex(accounts[0][2:])).hex()]}


def test_runtime_version_metadata_and_call(server: RpcServer, node: FakeNode) -> None:
    version = result(server, "state_getRuntimeVersion")
    assert version == node.runtime.version.to_json()
    assert result(server, "chain_getRuntimeVersion", [node.genesis_hash.to_hex()]) == version
    metadata = result(server, "state_getMetadata", None)
    assert metadata == "0x" + node.runtime.metadata.encoded.hex()
    assert metadata.startswith("0x6d6574610e")
    assert result(server, "state_getMetadata", [node.genesis_hash.to_hex()]) == metadata
    nonce = result(
        server, "state_call", ["AccountNonceApi_account_nonce", "0x" + ALICE.public_key.hex()]
    )
    assert nonce == "0x00000000"
    assert (
        result(server, "state_callAt", ["Metadata_metadata_versions", "0x", None])
        == "0x0c0e0000000f00000010000000"  # [14, 15, 16]
    )
    err = error(server, "state_call", ["Nope_nothing", "0x"])
    assert err["code"] == 4003
    assert "Execution failed" in err["message"]
    err = error(server, "state_call", ["AccountNonceApi_account_nonce", "0x01"])
    assert err["code"] == 4003


# --- author ------------------------------------------------------------------------------------


def test_submit_extrinsic(server: RpcServer, node: FakeNode) -> None:
    xt = _signed_remark(node, 0)
    assert (
        result(server, "author_submitExtrinsic", ["0x" + xt.hex()]) == "0x" + blake2_256(xt).hex()
    )
    assert node.pool.submitted == [xt]
    assert result(server, "author_pendingExtrinsics") == ["0x" + xt.hex()]
    err = error(server, "author_submitExtrinsic", ["0x" + xt[:-1].hex()])
    assert err["code"] == 1001
    assert err["message"].startswith("Extrinsic has invalid format")
    assert error(server, "author_submitExtrinsic", ["nothex"])["code"] == -32602
    assert error(server, "author_submitExtrinsic", [])["code"] == -32602


@pytest.mark.parametrize(
    ("exception", "expected"),
    [
        (
            TransactionInvalid(BadProof()),
            {
                "code": 1010,
                "message": "Invalid Transaction",
                "data": "Transaction has a bad signature",
            },
        ),
        (
            TransactionInvalid(Payment()),
            {
                "code": 1010,
                "message": "Invalid Transaction",
                "data": "Inability to pay some fees (e.g. account balance too low)",
            },
        ),
        (
            TransactionUnknown(UnknownCustom(7)),
            {"code": 1011, "message": "Unknown Transaction Validity", "data": "Custom(7)"},
        ),
    ],
)
def test_rejections_answer_substrate_codes(
    server: RpcServer, node: FakeNode, exception: Exception, expected: dict[str, Any]
) -> None:
    xt = _signed_remark(node, 5)
    node.pool.rejections[xt] = exception
    assert error(server, "author_submitExtrinsic", ["0x" + xt.hex()]) == expected


def test_pool_errors_map_by_name_or_rpc_error(server: RpcServer, node: FakeNode) -> None:
    class AlreadyImported(Exception):
        pass

    class Custom(Exception):
        def rpc_error(self) -> tuple[int, str, Any]:
            return 1014, "Priority is too low: (5 vs 5)", "replace"

    xt1, xt2 = _signed_remark(node, 1), _signed_remark(node, 2)
    node.pool.rejections[xt1] = AlreadyImported("0xabc")
    node.pool.rejections[xt2] = Custom()
    err = error(server, "author_submitExtrinsic", ["0x" + xt1.hex()])
    assert err["code"] == 1013
    assert err["message"] == "Transaction Already Imported"
    err = error(server, "author_submitExtrinsic", ["0x" + xt2.hex()])
    assert err == {"code": 1014, "message": "Priority is too low: (5 vs 5)", "data": "replace"}


def test_remove_extrinsic_is_unsafe_and_removes(make_server: Any, node: FakeNode) -> None:
    xt = _signed_remark(node, 0)
    node.pool.submitted.append(xt)
    tx_hash = "0x" + blake2_256(xt).hex()
    external = make_server(policy=RpcPolicy.from_flags("safe", "127.0.0.1"))
    assert error(external, "author_removeExtrinsic", [[{"hash": tx_hash}]])["code"] == -32601
    local = make_server()
    assert result(local, "author_removeExtrinsic", [[{"extrinsic": "0x" + xt.hex()}]]) == [tx_hash]
    assert node.pool.submitted == []
    assert error(local, "author_removeExtrinsic", [[{"nope": tx_hash}]])["code"] == -32602


# --- payment -----------------------------------------------------------------------------------


def test_payment_query_info(server: RpcServer, node: FakeNode) -> None:
    xt = _signed_remark(node, 0)
    info = result(server, "payment_queryInfo", ["0x" + xt.hex()])
    assert set(info) == {"weight", "class", "partialFee"}
    assert set(info["weight"]) == {"ref_time", "proof_size"}
    assert info["class"] == "normal"
    assert isinstance(info["partialFee"], str)
    assert int(info["partialFee"]) > 0
    details = result(server, "payment_queryFeeDetails", ["0x" + xt.hex(), None])
    fee = details["inclusionFee"]
    assert fee["baseFee"] + fee["lenFee"] + fee["adjustedWeightFee"] == int(info["partialFee"])
    err = error(server, "payment_queryInfo", ["0x" + xt[:-2].hex()])
    assert err["code"] == 2
    assert err["message"] == "Unable to query dispatch info."
    assert error(server, "payment_queryInfo", ["0x0c040000"])["code"] == 1


def test_account_id_param_accepts_hex(server: RpcServer) -> None:
    assert (
        result(
            server, "system_accountNextIndex", ["0x" + bytes(AccountId32(ALICE.public_key)).hex()]
        )
        == 0
    )
