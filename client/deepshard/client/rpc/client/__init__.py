"""Deepshard's typed chain client: async, metadata-driven, on Deepshard's own codec.

The wallet, the explorer and the off-chain workers talk to a node through this package only
(it imports `deepshard.primitives` and nothing of the runtime or the pallets: the node's
metadata tells it everything)::

    async with ChainClient.connect("ws://127.0.0.1:9944") as chain:
        free = (await chain.query("System", "Account", alice.public_key))["data"]["free"]
        call = chain.compose("Balances", "transfer_keep_alive", dest=bob, value=10**12)
        receipt = await chain.sign_and_submit(call, alice, wait="finalized")
        receipt.ensure_success()

* `ChainClient` (`client`): connect, query / iterate storage, constants, compose, sign, submit,
  receipts, blocks with decoded extrinsics and events, following finalized heads (`follow`);
* `RuntimeView`, `StorageItem` (`runtime`): one runtime's metadata and codecs;
* `Call`, `Event`, `Extrinsic`, `Block`, `Receipt`, `ModuleError`, ... (`types`);
* `ClientError` and its subclasses (`errors`): every failure has one root;
* `connect_transport` (`transport`): WebSocket with HTTP fallback;
* `header_from_json`, `from_hex`, `to_hex` (`wire`): the RPC's JSON shapes.
"""

from __future__ import annotations

from deepshard.client.rpc.client.client import EVENTS_KEY, ChainClient, WaitFor
from deepshard.client.rpc.client.errors import (
    BlockNotFound,
    ClientError,
    ConnectionClosed,
    ConnectionFailed,
    DecodeFailed,
    ExtrinsicFailed,
    InvalidArguments,
    MetadataError,
    RequestTimeout,
    RpcCallError,
    SubscriptionsUnavailable,
    TransactionDropped,
    TransactionRejected,
    UnknownItem,
    UnsupportedExtension,
)
from deepshard.client.rpc.client.runtime import ExtensionValues, RuntimeView, StorageItem
from deepshard.client.rpc.client.transport import (
    HttpTransport,
    Subscription,
    Transport,
    WsTransport,
    connect_transport,
)
from deepshard.client.rpc.client.types import (
    Block,
    Call,
    DispatchFailure,
    Event,
    Extrinsic,
    FinalizedHead,
    ModuleError,
    Phase,
    Receipt,
    SignedExtrinsic,
)
from deepshard.client.rpc.client.wire import from_hex, header_from_json, to_hex

__all__ = [
    "ChainClient",
    "WaitFor",
    "EVENTS_KEY",
    "header_from_json",
    "from_hex",
    "to_hex",
    "RuntimeView",
    "StorageItem",
    "ExtensionValues",
    "Transport",
    "WsTransport",
    "HttpTransport",
    "Subscription",
    "connect_transport",
    "Call",
    "Event",
    "Phase",
    "Extrinsic",
    "Block",
    "FinalizedHead",
    "SignedExtrinsic",
    "Receipt",
    "ModuleError",
    "DispatchFailure",
    "ClientError",
    "ConnectionFailed",
    "ConnectionClosed",
    "RequestTimeout",
    "RpcCallError",
    "SubscriptionsUnavailable",
    "MetadataError",
    "UnknownItem",
    "InvalidArguments",
    "DecodeFailed",
    "UnsupportedExtension",
    "TransactionRejected",
    "TransactionDropped",
    "ExtrinsicFailed",
    "BlockNotFound",
]
