"""``system_dryRun``, ``system_localListenAddresses`` and the child-storage methods.

The dry run's answers are compared with the bytes Substrate gives for the same outcomes
(``Result<Result<(), DispatchError>, TransactionValidityError>``: ``00 00`` applied and
succeeded, ``01 00 04`` invalid with a bad proof ...); @polkadot/api decodes them against a live
node in ``tests/e2e/js/dry_run.mjs``. The node's state is checked unchanged.
"""

from __future__ import annotations

from typing import Any

from deepshard.client.rpc import RpcPolicy, RpcServer
from deepshard.primitives.codec import H256, AccountId32, Err, Ok, decode
from deepshard.primitives.crypto import KeyType, dev_keypair
from deepshard.primitives.dispatch import ApplyExtrinsicResult, Arithmetic, ArithmeticError
from deepshard.primitives.extrinsic import Id
from deepshard.primitives.signing import sign_extrinsic
from deepshard.primitives.transaction_validity import BadProof, Future, Invalid

from .conftest import FakeNode
from .test_rpc_methods import ALICE, error, result

CHILD = b":child_storage:default:" + b"contract-1"


def _apply_result(hex_value: str) -> Any:
    return decode(ApplyExtrinsicResult, bytes.fromhex(hex_value[2:]))


def _signed(
    node: FakeNode,
    nonce: int,
    pallet: str,
    call: str,
    genesis: H256 | None = None,
    **arguments: Any,
) -> bytes:
    """Sign as the runtime checks it on the fake chain: its blocks never ran through the
    runtime, so ``BlockHash(0)`` still holds FRAME's genesis marker (``0x45`` * 32)."""
    runtime = node.runtime
    entry = next(e.pallet for e in runtime.runtime.pallets if pallet == e.pallet.NAME)
    return sign_extrinsic(
        runtime.runtime.make_call(entry, call, **arguments).encode(),
        ALICE,
        nonce=nonce,
        spec_version=int(runtime.version.spec_version),
        transaction_version=int(runtime.version.transaction_version),
        genesis_hash=H256(bytes([69]) * 32) if genesis is None else genesis,
    )


def _signed_remark(node: FakeNode, nonce: int) -> bytes:
    return _signed(node, nonce, "System", "remark", remark=b"hi")


def _transfer_too_much(node: FakeNode, nonce: int) -> bytes:
    bob = AccountId32(dev_keypair("Bob", KeyType.SR25519).public_key)
    return _signed(node, nonce, "Balances", "transfer_allow_death", dest=Id(bob), value=10**30)


def test_dry_run_answers_the_scale_apply_extrinsic_result(
    server: RpcServer, node: FakeNode
) -> None:
    before = dict(node.chain.states[node.chain.best])
    ok = result(server, "system_dryRun", ["0x" + _signed_remark(node, 0).hex()])
    assert ok == "0x0000"  # Ok(Ok(()))
    # Nothing was kept: nonce 0 is still the next one.
    assert result(server, "system_dryRunAt", ["0x" + _signed_remark(node, 0).hex(), None]) == ok
    future = result(server, "system_dryRun", ["0x" + _signed_remark(node, 7).hex()])
    assert future == "0x010002"  # Err(Invalid(Future))
    assert _apply_result(future) == Err(Invalid(Future()))
    bad = bytearray(_signed_remark(node, 0))
    bad[40] ^= 0xFF  # inside the signature
    proof = result(server, "system_dryRun", ["0x" + bad.hex()])
    assert proof == "0x010004"  # Err(Invalid(BadProof))
    assert _apply_result(proof) == Err(Invalid(BadProof()))
    too_much = result(server, "system_dryRun", ["0x" + _transfer_too_much(node, 0).hex()])
    # Applied (the fee is paid) and failed. More than the total issuance: FRAME's
    # `can_withdraw` reports the issuance underflow first, Ok(Err(Arithmetic(Underflow))).
    assert _apply_result(too_much) == Ok(Err(Arithmetic(ArithmeticError.Underflow)))
    assert too_much == "0x00010800"
    assert node.chain.states[node.chain.best] == before
    # At genesis the dry run opens block 1, which records the real genesis hash.
    at = node.genesis_hash.to_hex()
    remark = _signed(node, 0, "System", "remark", genesis=node.genesis_hash, remark=b"hi")
    assert result(server, "system_dryRun", ["0x" + remark.hex(), at]) == "0x0000"
    assert result(server, "system_dryRun", ["0x" + _signed_remark(node, 0).hex(), at]) == proof


def test_dry_run_errors(server: RpcServer, make_server: Any, node: FakeNode) -> None:
    xt = _signed_remark(node, 0)
    err = error(server, "system_dryRun", ["0x" + xt[:-3].hex()])
    assert err["code"] == 2
    assert err["message"] == "Unable to dry run extrinsic"
    assert error(server, "system_dryRun", ["0x" + xt.hex(), "0x" + "ab" * 32])["code"] == 1
    assert error(server, "system_dryRun", ["zz"])["code"] == -32602
    external = make_server(policy=RpcPolicy.from_flags("auto", "0.0.0.0"))
    assert error(external, "system_dryRun", ["0x" + xt.hex()]) == {
        "code": -32601,
        "message": "RPC call is unsafe to be called externally",
    }


def test_local_listen_addresses(server: RpcServer) -> None:
    assert result(server, "system_localListenAddresses") == [
        "/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWTest"
    ]


def test_child_storage_answers_for_a_chain_without_child_tries(
    server: RpcServer, node: FakeNode
) -> None:
    child = "0x" + CHILD.hex()
    key = "0x" + b"balance".hex()
    assert result(server, "childstate_getStorage", [child, key]) is None
    assert result(server, "childstate_getStorageHash", [child, key, None]) is None
    assert result(server, "childstate_getStorageSize", [child, key]) is None
    assert result(server, "childstate_getStorageEntries", [child, [key, key]]) == [None, None]
    assert result(server, "childstate_getKeys", [child, "0x"]) == []
    assert result(server, "childstate_getKeysPaged", [child, "0x", 10, None]) == []
    assert result(server, "childstate_getKeysPagedAt", [child, None, 0, None, None]) == []
    proof = result(server, "state_getChildReadProof", [child, [key]])
    assert proof["at"] == node.chain.best.to_hex()
    assert proof["proof"] == ["0x" + (b"node:" + CHILD).hex()]  # the fake state's proof


def test_child_storage_errors(server: RpcServer) -> None:
    key = "0x" + b"balance".hex()
    for bad in ("0x" + b":child_storage:other:x".hex(), "0x" + b"plain".hex()):
        err = error(server, "childstate_getStorage", [bad, key])
        assert err == {"code": 4003, "message": "Client error: Invalid child storage key"}
    prefix_only = "0x" + b":child_storage:default:".hex()
    assert error(server, "childstate_getKeys", [prefix_only, "0x"])["code"] == 4003
    child = "0x" + CHILD.hex()
    err = error(server, "childstate_getKeysPaged", [child, "0x", 1001, None])
    assert err["code"] == 4002
    err = error(server, "childstate_getStorage", [child, key, "0x" + "cd" * 32])
    assert err["code"] == 4003
    assert "UnknownBlock" in err["message"]
