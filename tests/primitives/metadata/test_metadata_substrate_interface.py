"""py-substrate-interface, unmodified, running on our metadata through a stand-in transport.

No node: ``rpc_request`` answers the handful of JSON-RPC calls ``init_runtime`` makes, serving
our ``state_getMetadata`` bytes. Then substrate-interface composes a call, signs an extrinsic
(reading the signed extensions from our metadata) and queries ``System.Account``; our codec
decodes what it built and our storage key matches the one it asks for.
"""

from __future__ import annotations

from typing import Any

import pytest
import sr25519
from substrateinterface import Keypair, SubstrateInterface

from deepshard.primitives.codec import AccountId32
from deepshard.primitives.extrinsic import (
    Era,
    Id,
    Sr25519,
    UncheckedExtrinsic,
    additional_signed,
    encode_extra,
    signing_payload,
)
from deepshard.primitives.hashing import StorageHasher, twox_128
from deepshard.primitives.numeric import U32, U128

SPEC_VERSION = 100
TX_VERSION = 1
GENESIS = bytes.fromhex("11" * 32)
HEAD = bytes.fromhex("22" * 32)
BLOCK_1 = bytes.fromhex("33" * 32)


class StandIn:
    """Answers substrate-interface's JSON-RPC requests from fixed data."""

    def __init__(self, metadata_hex: str, storage: dict[str, str]) -> None:
        self.metadata_hex = metadata_hex
        self.storage = storage
        self.requests: list[tuple[str, Any]] = []

    def __call__(self, method: str, params: Any, result_handler: Any = None) -> dict[str, Any]:
        self.requests.append((method, params))
        return {"jsonrpc": "2.0", "id": len(self.requests), "result": self._result(method, params)}

    def _result(self, method: str, params: Any) -> Any:
        if method == "rpc_methods":
            return {
                "methods": [
                    "chain_getHead",
                    "chain_getBlockHash",
                    "chain_getHeader",
                    "state_getRuntimeVersion",
                    "state_getMetadata",
                    "state_getStorageAt",
                ]
            }
        if method == "chain_getHead":
            return "0x" + HEAD.hex()
        if method == "chain_getBlockHash":
            number = params[0] if params else None
            return "0x" + {0: GENESIS, 1: BLOCK_1}.get(number, HEAD).hex()
        if method == "chain_getHeader":
            return {
                "parentHash": "0x" + GENESIS.hex(),
                "number": "0x2",
                "stateRoot": "0x" + "00" * 32,
                "extrinsicsRoot": "0x" + "00" * 32,
                "digest": {"logs": []},
            }
        if method == "state_getRuntimeVersion":
            return {
                "specName": "deepshard",
                "implName": "deepshard",
                "authoringVersion": 1,
                "specVersion": SPEC_VERSION,
                "implVersion": 1,
                "apis": [],
                "transactionVersion": TX_VERSION,
                "stateVersion": 1,
            }
        if method == "state_getMetadata":
            return self.metadata_hex
        if method in ("state_getStorageAt", "state_getStorage"):
            return self.storage.get(params[0])
        raise AssertionError(f"unexpected RPC {method}")


ALICE_URI = "//Alice"


@pytest.fixture
def substrate(synthetic: Any) -> tuple[SubstrateInterface, StandIn]:
    stand_in = StandIn(synthetic.built.to_hex(), {})
    interface = SubstrateInterface(url="http://127.0.0.1:1", auto_discover=False)
    interface.rpc_request = stand_in  # type: ignore[method-assign]
    interface.init_runtime()
    return interface, stand_in


def _expected_call(synthetic: Any, account: bytes, value: int) -> bytes:
    t = synthetic.types
    call = t["OuterCall"].Balances(
        t["transfer_keep_alive"](dest=Id(AccountId32(account)), value=U128(value))
    )
    encoded: bytes = call.encode()
    return encoded


def test_init_runtime_reads_our_metadata(substrate: tuple[SubstrateInterface, StandIn]) -> None:
    interface, stand_in = substrate
    assert ("state_getMetadata", ["0x" + GENESIS.hex()]) in stand_in.requests
    assert interface.ss58_format == 42
    assert interface.config["is_weight_v2"] is True
    function = interface.get_metadata_call_function("Balances", "transfer_keep_alive")
    assert [arg.name for arg in function.args] == ["dest", "value"]
    error = interface.metadata.get_module_error(module_index=5, error_index=2)
    assert error.name == "InsufficientBalance"


def test_compose_call_gives_our_call_bytes(
    synthetic: Any, substrate: tuple[SubstrateInterface, StandIn]
) -> None:
    interface, _ = substrate
    alice = Keypair.create_from_uri(ALICE_URI)
    call = interface.compose_call(
        "Balances", "transfer_keep_alive", {"dest": alice.ss58_address, "value": 10**12}
    )
    expected = _expected_call(synthetic, alice.public_key, 10**12)
    assert call.data.data == expected
    assert expected.hex().startswith("0503" + "00" + alice.public_key.hex())
    decoded = synthetic.types["RuntimeCall"].decode(call.data.data)
    assert decoded.call.value == 10**12


@pytest.mark.parametrize("era", [None, {"period": 64, "current": 1}])
def test_signed_extrinsic_decodes_and_verifies(
    synthetic: Any, substrate: tuple[SubstrateInterface, StandIn], era: dict[str, int] | None
) -> None:
    interface, _ = substrate
    alice = Keypair.create_from_uri(ALICE_URI)
    call = interface.compose_call(
        "Balances", "transfer_keep_alive", {"dest": alice.ss58_address, "value": 12345}
    )
    extrinsic = interface.create_signed_extrinsic(call=call, keypair=alice, era=era, nonce=5)
    raw = extrinsic.data.data

    xt = UncheckedExtrinsic.decode(raw, synthetic.types["RuntimeCall"])
    assert xt.signature is not None
    assert xt.signature.address == Id(AccountId32(alice.public_key))
    assert isinstance(xt.signature.signature, Sr25519)
    assert xt.signature.nonce == 5
    assert xt.signature.tip == 0
    expected_era = Era() if era is None else Era.mortal(64, 1)
    assert xt.signature.era == expected_era
    call_bytes = _expected_call(synthetic, alice.public_key, 12345)
    assert raw.endswith(call_bytes)

    block = GENESIS if era is None else BLOCK_1
    payload = signing_payload(
        call_bytes,
        encode_extra(xt.signature.era, U32(5), U128(0)),
        additional_signed(SPEC_VERSION, TX_VERSION, GENESIS, block),
    )
    assert sr25519.verify(bytes(xt.signature.signature.signature), payload, alice.public_key)


def test_query_uses_our_storage_key_and_value(synthetic: Any) -> None:
    t = synthetic.types
    alice = Keypair.create_from_uri(ALICE_URI)
    key = (
        twox_128(b"System")
        + twox_128(b"Account")
        + StorageHasher.BLAKE2_128_CONCAT.hash(alice.public_key)
    )
    info = t["AccountInfo"](
        nonce=U32(3),
        consumers=U32(0),
        providers=U32(1),
        sufficients=U32(0),
        data=t["AccountData"](
            free=U128(77), reserved=U128(0), frozen=U128(0), flags=t["ExtraFlags"](U128(0))
        ),
    )
    stand_in = StandIn(synthetic.built.to_hex(), {"0x" + key.hex(): "0x" + info.encode().hex()})
    interface = SubstrateInterface(url="http://127.0.0.1:1", auto_discover=False)
    interface.rpc_request = stand_in  # type: ignore[method-assign]
    result = interface.query("System", "Account", [alice.ss58_address])
    assert result.value["nonce"] == 3
    assert result.value["data"]["free"] == 77
