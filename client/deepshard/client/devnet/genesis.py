"""The devnet's chain spec: fresh authorities, funded role accounts, the real model version 0.

`devnet_chain_spec` starts from the shape of the ``local`` preset and replaces everything that
names dev accounts: the Aura authorities are the validators' fresh sr25519 keys, the finality
voters their ed25519 keys (derived from the same seeds), sudo is a fresh key, every account of
the devnet is endowed, the boot node is validator 1, and the Training genesis records the base
model and probe set the devnet pinned (the genesis-model document of ``deepshard ml bootstrap
--json``), round rules that draw every trainer and scorer of the devnet, and its voting
period. The result is the raw spec every node of the devnet starts from.
"""

from __future__ import annotations

from typing import Any

from deepshard.chain_spec.builder import GenesisError, plain_chain_spec, raw_chain_spec
from deepshard.chain_spec.genesis_model import model_from_document
from deepshard.chain_spec.presets import (
    DEV_ROUNDS,
    DEV_VOTING_PERIOD,
    ENDOWMENT,
    ChainPreset,
    RoundRules,
)
from deepshard.client.devnet.state import DevnetError, DevnetState, Role, Topology
from deepshard.client.network.identity import NodeKey
from deepshard.primitives.crypto import KeyType, ss58_encode
from deepshard.runtime.runtime import DeepshardRuntime

__all__ = ["CHAIN_ID", "devnet_chain_spec", "devnet_round_rules", "peer_multiaddr"]

CHAIN_ID = "deepshard_devnet"
"""The devnet chain's id (its database directory under each node's base path)."""


def peer_multiaddr(node_key_hex: str, port: int) -> str:
    """The loopback multiaddr of a node with `node_key_hex` listening on `port`."""
    peer = NodeKey.from_hex(node_key_hex).peer_id
    return f"/ip4/127.0.0.1/tcp/{port}/p2p/{peer}"


def devnet_round_rules(
    topology: Topology, periods: tuple[int, int, int, int] = DEV_ROUNDS.periods
) -> RoundRules:
    """The devnet's round rules: every trainer (so every poisoner) and every scorer drawn.

    The profile is the development one; `periods` are commit, reveal, score, dispute blocks.
    """
    return RoundRules(
        periods=periods,
        profile=DEV_ROUNDS.profile,
        trainers=topology.drawn_trainers,
        scorers=topology.scorers,
    )


def devnet_chain_spec(
    state: DevnetState,
    genesis_model: Any,
    runtime: DeepshardRuntime,
    periods: tuple[int, int, int, int] = DEV_ROUNDS.periods,
    voting_period: int = DEV_VOTING_PERIOD,
) -> dict[str, Any]:
    """Return the devnet's raw chain spec (module docs).

    `genesis_model` is the genesis-model document ``deepshard ml bootstrap --json`` printed.

    Raises:
        DevnetError: the genesis is invalid (the builder's message says where).
    """
    validators = state.of(Role.VALIDATOR)
    try:
        model = model_from_document(genesis_model)
    except GenesisError as exc:
        raise DevnetError(f"the genesis model is invalid: {exc}") from exc
    preset = ChainPreset(
        name="Deepshard Devnet",
        id=CHAIN_ID,
        chain_type="Local",
        authorities=tuple(v.address for v in validators),
        sudo=state.one(Role.SUDO).address,
        endowed=tuple(a.address for a in state.accounts),
        endowment=ENDOWMENT,
        model=model,
        rounds=devnet_round_rules(state.topology, periods),
        voting_period=voting_period,
    )
    try:
        plain = plain_chain_spec(preset, runtime)
        patch = plain["genesis"]["runtimeGenesis"]["patch"]
        patch["grandpa"] = {
            "authorities": [
                [ss58_encode(v.keypair(KeyType.ED25519).public_key, 42), 1] for v in validators
            ]
        }
        plain["bootNodes"] = [peer_multiaddr(state.node_keys[0], state.ports.p2p[0])]
        return raw_chain_spec(plain, runtime)
    except GenesisError as exc:
        raise DevnetError(f"the devnet's genesis is invalid: {exc}") from exc
