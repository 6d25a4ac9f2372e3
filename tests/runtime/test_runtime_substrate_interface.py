"""substrate-interface composes, signs and decodes against our runtime (System-only runtime)."""

from __future__ import annotations

from typing import Any

import pytest
from substrateinterface import Keypair, KeypairType, SubstrateInterface

from deepshard.primitives.extrinsic import UncheckedExtrinsic
from deepshard.primitives.metadata import SignedExtensionDescription
from deepshard.runtime.extensions import SIGNED_EXTENSIONS
from deepshard.runtime.support.metadata import runtime_metadata


@pytest.fixture
def node(chain: Any, request: pytest.FixtureRequest) -> Any:
    node_class = request.getfixturevalue("offline_node_class")
    extensions = [
        SignedExtensionDescription(e.identifier, e.extra_type, e.additional_type)
        for e in SIGNED_EXTENSIONS
    ]
    built = runtime_metadata(
        chain.runtime, UncheckedExtrinsic[chain.runtime.runtime_call], extensions
    )
    return node_class(chain.runtime, chain.executive, chain.genesis, built.encoded)


@pytest.fixture
def substrate(node: Any) -> SubstrateInterface:
    interface = SubstrateInterface(url="http://127.0.0.1:1", auto_discover=False)
    interface.rpc_request = node  # type: ignore[method-assign]
    interface.init_runtime()
    return interface


@pytest.mark.parametrize("scheme", [KeypairType.SR25519, KeypairType.ED25519])
@pytest.mark.parametrize("era", [None, {"period": 64}])
def test_signed_by_substrate_interface_applies(
    chain: Any,
    node: Any,
    substrate: SubstrateInterface,
    scheme: int,
    era: dict[str, int] | None,
) -> None:
    # The test genesis funds //Alice (sr25519) and the ed25519 dev key //Bob, which
    # substrate-interface cannot derive from a URI, so it gets the seed.
    keypair = (
        Keypair.create_from_uri("//Alice")
        if scheme == KeypairType.SR25519
        else Keypair.create_from_seed("0x" + chain.bob.seed.hex(), crypto_type=KeypairType.ED25519)
    )
    node.produce([])  # a first block, so a mortal era has a known birth block
    call = substrate.compose_call("System", "remark_with_event", {"remark": "0x1234"})
    xt = substrate.create_signed_extrinsic(call=call, keypair=keypair, era=era)
    block_hash = node.produce([bytes(xt.data.data)])
    events = substrate.get_events(block_hash)
    names = [(e.value["module_id"], e.value["event_id"]) for e in events]
    assert names == [("System", "Remarked"), ("System", "ExtrinsicSuccess")]
    assert events[0].value["attributes"]["sender"] == keypair.ss58_address
