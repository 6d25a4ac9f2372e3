"""The devnet's chain spec: fresh authorities, funded role accounts, the real model version 0.

`devnet_chain_spec` starts from the shape of the ``local`` preset and replaces everything that
names dev accounts: the Aura authorities are the validators' fresh sr25519 keys, the finality
voters their ed25519 keys (derived from the same seeds), sudo is a fresh key, every account of
the devnet is endowed, the boot node is validator 1, and the Training genesis records the base
model and probe set the devnet pinned (`GenesisModel`). The result is the raw spec every node of
the devnet starts from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deepshard.chain_spec.builder import GenesisError, plain_chain_spec, raw_chain_spec
from deepshard.chain_spec.presets import ENDOWMENT, ChainPreset, ModelPreset
from deepshard.client.devnet.state import DevnetError, DevnetState, Role
from deepshard.client.network.identity import NodeKey
from deepshard.primitives.crypto import KeyType, ss58_encode
from deepshard.runtime.runtime import DeepshardRuntime

__all__ = ["GenesisModel", "devnet_chain_spec", "peer_multiaddr"]

CHAIN_ID = "deepshard_devnet"
"""The devnet chain's id (its database directory under each node's base path)."""


@dataclass(frozen=True, slots=True)
class GenesisModel:
    """Model version 0 as the Training genesis records it (``patch.training``)."""

    fields: Mapping[str, Any]
    """The ``patch.training`` object: ``baseModelCid``, ``heldOutLoss``, ``layerCount``,
    ``shards``, ``probeSetCid`` and any round rules the builder accepts."""

    @staticmethod
    def parse(document: Any) -> GenesisModel:
        """Check and keep a genesis-model document.

        Raises:
            DevnetError: a field the Training genesis needs is missing.
        """
        if not isinstance(document, dict):
            raise DevnetError("the genesis model is not a JSON object")
        training = document.get("training", document)
        needed = ("baseModelCid", "heldOutLoss", "layerCount", "shards", "probeSetCid")
        missing = [name for name in needed if name not in training]
        if missing:
            raise DevnetError(f"the genesis model lacks {', '.join(missing)}")
        return GenesisModel(dict(training))

    def preset(self) -> ModelPreset:
        """The chain-spec preset form."""
        f = self.fields
        return ModelPreset(
            base_model_cid=str(f["baseModelCid"]),
            held_out_loss=int(f["heldOutLoss"]),
            layer_count=int(f["layerCount"]),
            shards=tuple((int(a), int(b)) for a, b in f["shards"]),
            probe_set_cid=str(f["probeSetCid"]),
        )


def peer_multiaddr(node_key_hex: str, port: int) -> str:
    """The loopback multiaddr of a node with `node_key_hex` listening on `port`."""
    peer = NodeKey.from_hex(node_key_hex).peer_id
    return f"/ip4/127.0.0.1/tcp/{port}/p2p/{peer}"


def devnet_chain_spec(
    state: DevnetState, model: GenesisModel, runtime: DeepshardRuntime
) -> dict[str, Any]:
    """Return the devnet's raw chain spec (module docs).

    Raises:
        DevnetError: the genesis is invalid (the builder's message says where).
    """
    validators = state.of(Role.VALIDATOR)
    preset = ChainPreset(
        name="Deepshard Devnet",
        id=CHAIN_ID,
        chain_type="Local",
        authorities=tuple(v.address for v in validators),
        sudo=state.one(Role.SUDO).address,
        endowed=tuple(a.address for a in state.accounts),
        endowment=ENDOWMENT,
        model=model.preset(),
    )
    try:
        plain = plain_chain_spec(preset, runtime)
        patch = plain["genesis"]["runtimeGenesis"]["patch"]
        patch["grandpa"] = {
            "authorities": [
                [ss58_encode(v.keypair(KeyType.ED25519).public_key, 42), 1] for v in validators
            ]
        }
        patch["training"] = {**patch["training"], **model.fields}
        plain["bootNodes"] = [peer_multiaddr(state.node_keys[0], state.ports.p2p[0])]
        return raw_chain_spec(plain, runtime)
    except GenesisError as exc:
        raise DevnetError(f"the devnet's genesis is invalid: {exc}") from exc
