"""A devnet's saved state and its chain spec, checked with substrate-interface's own keys.

The fresh keys round-trip through ``devnet.json`` (mode 0600); the raw chain spec's genesis
storage holds, under keys and encodings computed here with substrate-interface and scalecodec
(not Deepshard's code), the validators' sr25519 Aura keys, their ed25519 finality keys, an
account for every role, the sudo key, the genesis model and round rules that draw every trainer.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from scalecodec.base import RuntimeConfiguration, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset
from substrateinterface import Keypair, KeypairType
from substrateinterface.utils.hasher import blake2_128_concat, xxh128

from deepshard.client.devnet.genesis import devnet_chain_spec, peer_multiaddr
from deepshard.client.devnet.state import (
    DevnetError,
    DevnetLayout,
    DevnetState,
    Ports,
    Role,
    Topology,
    pick_port,
)
from deepshard.runtime.runtime import deepshard_runtime

TOPOLOGY = Topology(validators=3, curators=2, trainers=3, poisoners=1, scorers=2, keepers=1)
PORTS = Ports((9944, 9945, 9946), (30333, 30334, 30335), 5001, 8080)
MODEL = {
    "baseModelCid": "0x1220" + "ab" * 32,
    "layerCount": 4,
    "shards": [[0, 2], [2, 4]],
    "heldOutLoss": 2_766_391,
    "probeSetCid": "0x1220" + "cd" * 32,
    "baseModel": {"cid": "Qm...", "path": "/x", "sha256": "00"},
    "probeSet": {"cid": "Qm...", "texts": 7},
}


def _key(pallet: str, item: str) -> str:
    return "0x" + bytes(xxh128(pallet.encode())).hex() + bytes(xxh128(item.encode())).hex()


def _decode(type_string: str, hex_value: str) -> object:
    config = RuntimeConfiguration()
    config.update_type_registry(load_type_registry_preset("legacy"))
    obj = config.create_scale_object(type_string, ScaleBytes(hex_value))
    return obj.decode()


def test_state_round_trips_and_is_private(tmp_path: Path) -> None:
    state = DevnetState.create(TOPOLOGY, PORTS)
    layout = DevnetLayout(tmp_path / "d")
    layout.save(state)
    assert stat.S_IMODE(layout.state.stat().st_mode) == 0o600
    loaded = layout.load()
    assert loaded is not None
    assert loaded.to_json() == state.to_json()
    names = [a.name for a in loaded.accounts]
    assert names[:3] == ["validator-1", "validator-2", "validator-3"]
    assert len({a.seed for a in loaded.accounts}) == len(loaded.accounts)
    assert [a.name for a in loaded.of(Role.POISONER)] == ["poisoner-1"]
    assert loaded.one(Role.SUDO).name == "sudo"


@pytest.mark.parametrize(
    "document",
    [
        {"version": 99},
        {"version": 1, "topology": {}},
        {"version": 1, "topology": {"validators": "x"}, "accounts": []},
    ],
)
def test_malformed_state_is_a_typed_error(tmp_path: Path, document: object) -> None:
    layout = DevnetLayout(tmp_path)
    layout.state.write_text(json.dumps(document))
    with pytest.raises(DevnetError):
        layout.load()
    layout.state.write_text("{not json")
    with pytest.raises(DevnetError):
        layout.load()


@pytest.mark.parametrize(
    ("field", "value"),
    [("validators", 0), ("curators", 0), ("trainers", 0), ("scorers", 0), ("keepers", 33)],
)
def test_topologies_that_cannot_run_a_round_are_refused(field: str, value: int) -> None:
    with pytest.raises(DevnetError, match=field):
        Topology(**{field: value}).check()


def test_pick_port_avoids_ports_taken_in_this_run() -> None:
    taken: set[int] = set()
    first = pick_port(0, taken)
    second = pick_port(first, taken)
    assert first != second
    assert {first, second} <= taken


def test_chain_spec_genesis_holds_the_fresh_keys_and_rules() -> None:
    state = DevnetState.create(TOPOLOGY, PORTS)
    spec = devnet_chain_spec(state, MODEL, deepshard_runtime(), (5, 2, 7, 1), 3)
    top = spec["genesis"]["raw"]["top"]
    assert spec["chainType"] == "Local"
    assert spec["bootNodes"] == [peer_multiaddr(state.node_keys[0], 30333)]
    validators = state.of(Role.VALIDATOR)
    aura = [
        Keypair.create_from_seed(v.seed, crypto_type=KeypairType.SR25519).public_key
        for v in validators
    ]
    assert _decode("Vec<[u8; 32]>", top[_key("Aura", "Authorities")]) == [
        "0x" + k.hex() for k in aura
    ]
    finality = [
        Keypair.create_from_seed(v.seed, crypto_type=KeypairType.ED25519).public_key
        for v in validators
    ]
    voters = _decode("Vec<([u8; 32], u64)>", top[_key("Grandpa", "Authorities")])
    assert voters == [("0x" + k.hex(), 1) for k in finality]
    sudo = Keypair.create_from_seed(state.one(Role.SUDO).seed).public_key
    assert top[_key("Sudo", "Key")] == "0x" + sudo.hex()
    for account in state.accounts:
        public = Keypair.create_from_seed(account.seed).public_key
        assert _key("System", "Account") + blake2_128_concat(public).hex() in top, account.name
    assert _decode("(u32, u32, u32, u32)", top[_key("Training", "RoundPeriods")]) == (5, 2, 7, 1)
    assert _decode("(u32, u32)", top[_key("Training", "RoundSize")]) == (4, 2)
    assert _decode("u32", top[_key("Informants", "VotingPeriod")]) == 3


def test_a_bad_genesis_model_is_a_devnet_error() -> None:
    state = DevnetState.create(TOPOLOGY, PORTS)
    with pytest.raises(DevnetError, match="genesis model"):
        devnet_chain_spec(state, {**MODEL, "heldOutLoss": "x"}, deepshard_runtime())
    with pytest.raises(DevnetError, match="heldOutLoss"):
        devnet_chain_spec(
            state, {k: v for k, v in MODEL.items() if k != "heldOutLoss"}, deepshard_runtime()
        )
