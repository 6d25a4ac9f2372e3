"""The chain client's errors: one root, `ClientError`, and a class per way things go wrong."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from deepshard.client.rpc.client.types import Receipt

__all__ = [
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


class ClientError(Exception):
    """Root of every error the chain client raises."""


class ConnectionFailed(ClientError, ConnectionError):
    """The node could not be reached (neither over WebSocket nor over HTTP)."""


class ConnectionClosed(ClientError, ConnectionError):
    """The connection closed while a request or a subscription was waiting on it."""


class RequestTimeout(ClientError, TimeoutError):
    """The node did not answer a request in time."""


class RpcCallError(ClientError):
    """The node answered a request with a JSON-RPC error object."""

    def __init__(self, method: str, code: int, message: str, data: Any = None) -> None:
        """Record the method and the error object's fields."""
        detail = f": {data}" if data is not None else ""
        super().__init__(f"{method} failed ({code}): {message}{detail}")
        self.method = method
        self.code = code
        self.message = message
        self.data = data


class SubscriptionsUnavailable(ClientError):
    """A subscription was asked for over a transport that has none (plain HTTP)."""


class MetadataError(ClientError):
    """The node's metadata could not be fetched or is not usable V14 metadata."""


class UnknownItem(ClientError, LookupError):
    """A pallet, call, storage item, constant or event that the runtime's metadata lacks."""


class InvalidArguments(ClientError, ValueError):
    """Arguments or storage keys that do not fit the types the metadata declares."""


class DecodeFailed(ClientError, ValueError):
    """Bytes from the node that do not decode as the metadata says they should."""


class UnsupportedExtension(ClientError):
    """The runtime declares a signed extension the client cannot fill in."""


class TransactionRejected(ClientError):
    """The node refused a transaction before it entered the pool (bad signature, nonce, fee).

    ``code`` and ``data`` are the JSON-RPC error's (1010 "Invalid Transaction" and its reason).
    """

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        """Record the node's answer."""
        detail = f": {data}" if data is not None else ""
        super().__init__(f"transaction rejected ({code}): {message}{detail}")
        self.code = code
        self.reason = message
        self.data = data


class TransactionDropped(ClientError):
    """The pool dropped, invalidated or usurped a transaction after accepting it."""

    def __init__(self, extrinsic_hash: bytes, status: str) -> None:
        """Record the transaction and the status that ended it."""
        super().__init__(f"transaction 0x{extrinsic_hash.hex()} ended as {status!r}")
        self.extrinsic_hash = extrinsic_hash
        self.status = status


class ExtrinsicFailed(ClientError):
    """An included extrinsic whose dispatch failed; ``receipt.error`` says why."""

    def __init__(self, receipt: Receipt) -> None:
        """Record the receipt."""
        super().__init__(f"extrinsic 0x{receipt.extrinsic_hash.hex()} failed: {receipt.error}")
        self.receipt = receipt


class BlockNotFound(ClientError, LookupError):
    """The node does not know the block asked for (or has pruned it)."""
