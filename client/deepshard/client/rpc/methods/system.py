"""``system_*`` methods: chain and node facts, health, peers, and the next account nonce.

``system_health`` is ``{"peers", "isSyncing", "shouldHavePeers"}`` (a development chain
should not need peers); ``system_chainType`` is ``"Development"``, ``"Local"``, ``"Live"`` or
``{"Custom": name}``; ``system_properties`` is always an object. ``system_accountNextIndex``
(alias ``account_nextIndex``) is the runtime's nonce at the best block, advanced past the
account's transactions already in the pool, as frame-rpc-system computes it.

``system_dryRun`` (alias ``system_dryRunAt``; unsafe, as frame-rpc-system marks it) applies a
signed extrinsic on top of a block's state (the best block by default) and answers the SCALE
``ApplyExtrinsicResult`` as hex; nothing is kept. An extrinsic that does not decode answers 2
``Unable to dry run extrinsic``, a runtime failure 1. ``system_localListenAddresses`` lists the
node's listeners as multiaddresses.
"""

from __future__ import annotations

from typing import Any, Final

from deepshard.client.node.interfaces import NodeView
from deepshard.client.rpc.errors import RpcError
from deepshard.client.rpc.json import to_hex
from deepshard.client.rpc.module import RpcModule
from deepshard.client.rpc.params import Param, ParamError, h256, hex_bytes
from deepshard.primitives.codec import H256, AccountId32, DecodeError
from deepshard.primitives.crypto.ss58 import ss58_decode
from deepshard.primitives.extrinsic import Id, UncheckedExtrinsic
from deepshard.runtime.apis import ApiError

__all__ = ["register_system", "account_id", "NONCE_RUNTIME_ERROR", "DRY_RUN_DECODE_ERROR"]

_CHAIN_TYPES: Final = ("Development", "Local", "Live")
NONCE_RUNTIME_ERROR: Final = 1
"""frame-rpc-system's code when the runtime call fails (nonce query, dry run)."""
DRY_RUN_DECODE_ERROR: Final = 2
"""frame-rpc-system's code when the extrinsic to dry-run does not decode."""


def account_id(value: Any) -> AccountId32:
    """An account id as an SS58 address (or 32-byte hex)."""
    if not isinstance(value, str):
        raise ParamError(f"expected an SS58 address, got {value!r}")
    if value[:2] in ("0x", "0X"):
        try:
            raw = bytes.fromhex(value[2:])
        except ValueError:
            raise ParamError("not a hex account id") from None
    else:
        try:
            raw = ss58_decode(value).payload
        except ValueError as error:
            raise ParamError(f"not an SS58 address: {error}") from None
    if len(raw) != 32:
        raise ParamError(f"an account id has 32 bytes, not {len(raw)}")
    return AccountId32(raw)


def _chain_type(name: str) -> Any:
    return name if name in _CHAIN_TYPES else {"Custom": name}


def register_system(module: RpcModule, node: NodeView) -> None:
    """Register the ``system_*`` methods of `node`."""
    module.register("system_name", lambda: node.info.node_name)
    module.register("system_version", lambda: node.info.node_version)
    module.register("system_chain", lambda: node.info.chain_name)
    module.register("system_chainType", lambda: _chain_type(node.info.chain_type))
    module.register("system_properties", lambda: dict(node.info.properties or {}))
    module.register("system_localPeerId", lambda: node.info.local_peer_id)
    module.register("system_localListenAddresses", lambda: list(node.listen_addresses()))
    module.register("system_nodeRoles", lambda: [node.info.node_role])
    module.register("system_syncState", lambda: dict(node.sync_state()))
    module.register("system_peers", lambda: list(node.peers()))

    def health() -> dict[str, Any]:
        return {
            "peers": len(node.peers()),
            "isSyncing": bool(node.is_syncing()),
            "shouldHavePeers": node.info.chain_type != "Development",
        }

    module.register("system_health", health)

    def next_index(account: AccountId32) -> int:
        best = node.chain.best_hash
        try:
            raw = node.call_runtime("AccountNonceApi_account_nonce", bytes(account), best)
        except ApiError as error:
            raise RpcError(NONCE_RUNTIME_ERROR, "Unable to query nonce.", str(error)) from None
        nonce = int.from_bytes(raw, "little")
        pending = _pending_nonces(node.pool.pending(), account)
        while nonce in pending:
            nonce += 1
        return nonce

    module.register(
        "system_accountNextIndex",
        next_index,
        params=(Param("account", account_id),),
        aliases=("account_nextIndex",),
        blocking=True,
    )

    def dry_run(extrinsic: bytes, at: H256 | None) -> str:
        try:
            UncheckedExtrinsic.decode(extrinsic)
        except (DecodeError, ValueError) as error:
            raise RpcError(
                DRY_RUN_DECODE_ERROR, "Unable to dry run extrinsic", str(error)
            ) from None
        block_hash = at if at is not None else node.chain.best_hash
        if node.chain.header(block_hash) is None:
            detail = f"unknown block {block_hash.to_hex()}"
            raise RpcError(NONCE_RUNTIME_ERROR, "Unable to dry run extrinsic.", detail)
        try:
            return to_hex(node.call_runtime("BlockBuilder_apply_extrinsic", extrinsic, block_hash))
        except ApiError as error:
            raise RpcError(
                NONCE_RUNTIME_ERROR, "Unable to dry run extrinsic.", str(error)
            ) from None

    module.register(
        "system_dryRun",
        dry_run,
        params=(Param("extrinsic", hex_bytes), Param("at", h256, optional=True)),
        aliases=("system_dryRunAt",),
        blocking=True,
    )


def _pending_nonces(extrinsics: list[bytes], account: AccountId32) -> set[int]:
    nonces = set()
    for encoded in extrinsics:
        try:
            xt = UncheckedExtrinsic.decode(encoded)
        except DecodeError:
            continue
        signature = xt.signature
        if signature is None or not isinstance(signature.address, Id):
            continue
        if signature.address.account == account:
            nonces.add(int(signature.nonce))
    return nonces
