"""``grandpa_*`` methods and the session-key methods of ``author_*``.

* ``grandpa_roundState`` -> ``{setId, best: {round, totalWeight, thresholdWeight, prevotes,
  precommits}, background}`` (each stage ``{currentWeight, missing: [ss58]}``), as Substrate's
  sc-consensus-grandpa-rpc; error 1 ``GRANDPA is not running`` on a node without the gadget;
* ``grandpa_subscribeJustifications`` -> ``grandpa_justifications`` notifications, each the
  hex SCALE justification of a newly finalized block;
* ``author_rotateKeys`` (unsafe) generates fresh Aura (sr25519) and finality (ed25519) keys in
  the keystore and returns their public keys concatenated (the ``SessionKeys`` encoding);
  ``author_insertKey(keyType, suri, publicKey)`` (unsafe) stores a key, refusing a key type it
  does not know (1005) or a public key that the secret does not derive (-32602);
  ``author_hasKey(publicKey, keyType)`` says whether the keystore holds it.
"""

from __future__ import annotations

from typing import Any, Final

from deepshard.client.node.interfaces import NodeView, Unsubscribe
from deepshard.client.rpc.errors import RpcError
from deepshard.client.rpc.json import to_hex
from deepshard.client.rpc.module import RpcModule, SubscriptionSink
from deepshard.client.rpc.params import Param, hex_bytes, text

__all__ = ["register_grandpa", "GRANDPA_NOT_RUNNING", "UNSUPPORTED_KEY_TYPE"]

GRANDPA_NOT_RUNNING: Final = 1
"""sc-consensus-grandpa-rpc's code when the node runs no finality gadget."""

UNSUPPORTED_KEY_TYPE: Final = 1005
"""sc-rpc-api author's ``UnsupportedKeyType`` code."""

INVALID_PARAMS: Final = -32602


def register_grandpa(module: RpcModule, node: NodeView) -> None:
    """Register the ``grandpa_*`` and session-key ``author_*`` methods of `node`."""

    def round_state() -> dict[str, Any]:
        state = node.finality_round_state()
        if state is None:
            raise RpcError(GRANDPA_NOT_RUNNING, "GRANDPA is not running")
        return state

    def justifications(sink: SubscriptionSink) -> Unsubscribe:
        return node.on_justification(lambda encoded: sink.send(to_hex(encoded)))

    def rotate_keys() -> str:
        return to_hex(node.rotate_keys())

    def insert_key(key_type: str, suri: str, public_key: bytes) -> None:
        try:
            node.insert_key(key_type, suri, public_key)
        except LookupError as error:
            raise RpcError(UNSUPPORTED_KEY_TYPE, "Unknown key type crypto", str(error)) from None
        except ValueError as error:
            raise RpcError(INVALID_PARAMS, "Invalid params", str(error)) from None

    def has_key(public_key: bytes, key_type: str) -> bool:
        return node.has_key(public_key, key_type)

    module.register("grandpa_roundState", round_state)
    module.register_subscription(
        "grandpa_subscribeJustifications",
        "grandpa_unsubscribeJustifications",
        "grandpa_justifications",
        justifications,
    )
    module.register("author_rotateKeys", rotate_keys, unsafe=True, blocking=True)
    module.register(
        "author_insertKey",
        insert_key,
        params=(Param("keyType", text), Param("suri", text), Param("publicKey", hex_bytes)),
        unsafe=True,
        blocking=True,
    )
    module.register(
        "author_hasKey",
        has_key,
        params=(Param("publicKey", hex_bytes), Param("keyType", text)),
        unsafe=True,
        blocking=True,
    )
