"""JSON-RPC errors: the codes and messages a Substrate node (jsonrpsee + sc-rpc) answers with.

Introduction
------------
Every failure a method reports is an `RpcError` carrying ``code``, ``message`` and optional
``data``; the server turns it into the response's ``error`` object. The codes are the ones
clients already know:

========== ============================================ ======================================
code       meaning                                      source
========== ============================================ ======================================
-32700     parse error (not JSON)                       JSON-RPC 2.0
-32600     invalid request (not a request object)       JSON-RPC 2.0
-32601     method not found; unsafe method refused      JSON-RPC 2.0, ``sc_rpc_api::policy``
-32602     invalid params (``data`` says which)         JSON-RPC 2.0
-32603     internal error                               JSON-RPC 2.0
-32006     too many subscriptions on the connection     jsonrpsee
-32007     request too big                              jsonrpsee
-32008     response too big                             jsonrpsee
-32010     batch request too large                      jsonrpsee
-32011     batch response too large                     jsonrpsee
1001..1040 author (bad format, pool errors)             ``sc_rpc_api::author::error``
2000+      system                                       ``sc_rpc_api::system::error``
3001/3002  chain (other / client error)                 ``sc_rpc_api::chain::error``
4001..4003 state (block range, count, client error)     ``sc_rpc_api::state::error``
1, 2       payment_queryInfo runtime / decode error     ``pallet_transaction_payment_rpc``
========== ============================================ ======================================

Transaction rejections keep the primitives' mapping (`rpc_error` of a
`TransactionValidityError`: 1010 / 1011 with Substrate's message in ``data``); pool errors
map through `pool_error` (anything with an ``rpc_error()`` method, or a known error name).
"""

from __future__ import annotations

from typing import Any, Final, Protocol, runtime_checkable

from deepshard.primitives.transaction_validity import TransactionRejected, rpc_error

__all__ = [
    "PARSE_ERROR",
    "INVALID_REQUEST",
    "METHOD_NOT_FOUND",
    "INVALID_PARAMS",
    "INTERNAL_ERROR",
    "TOO_MANY_SUBSCRIPTIONS",
    "OVERSIZED_REQUEST",
    "OVERSIZED_RESPONSE",
    "SERVER_IS_BUSY",
    "TOO_BIG_BATCH_REQUEST",
    "TOO_BIG_BATCH_RESPONSE",
    "AUTHOR_BAD_FORMAT",
    "AUTHOR_VERIFICATION",
    "POOL_TEMPORARILY_BANNED",
    "POOL_ALREADY_IMPORTED",
    "POOL_TOO_LOW_PRIORITY",
    "POOL_CYCLE_DETECTED",
    "POOL_IMMEDIATELY_DROPPED",
    "POOL_UNACTIONABLE",
    "POOL_NO_TAGS",
    "POOL_INVALID_BLOCK_ID",
    "POOL_FUTURE_TX",
    "AUTHOR_OTHER",
    "CHAIN_OTHER",
    "CHAIN_CLIENT",
    "STATE_INVALID_BLOCK_RANGE",
    "STATE_INVALID_COUNT",
    "STATE_CLIENT",
    "PAYMENT_RUNTIME_ERROR",
    "PAYMENT_DECODE_ERROR",
    "RpcError",
    "parse_error",
    "invalid_request",
    "method_not_found",
    "invalid_params",
    "internal_error",
    "unsafe_rpc_called",
    "too_many_subscriptions",
    "too_big_request",
    "too_big_response",
    "too_big_batch_request",
    "too_big_batch_response",
    "subscriptions_unsupported",
    "RpcCoded",
    "transaction_rejected",
    "pool_error",
]

# --- JSON-RPC 2.0 and jsonrpsee ------------------------------------------------------------

PARSE_ERROR: Final = -32700
"""The body is not JSON."""
INVALID_REQUEST: Final = -32600
"""The JSON is not a valid request object."""
METHOD_NOT_FOUND: Final = -32601
"""No such method (also: an unsafe method called where unsafe methods are denied)."""
INVALID_PARAMS: Final = -32602
"""The params do not fit the method."""
INTERNAL_ERROR: Final = -32603
"""The server failed (a bug, or a subscription called over HTTP)."""
TOO_MANY_SUBSCRIPTIONS: Final = -32006
"""The connection already holds the most subscriptions allowed."""
OVERSIZED_REQUEST: Final = -32007
"""The request is larger than the request size limit."""
OVERSIZED_RESPONSE: Final = -32008
"""The response would be larger than the response size limit."""
SERVER_IS_BUSY: Final = -32009
"""The server cannot take the call now."""
TOO_BIG_BATCH_REQUEST: Final = -32010
"""The batch has more entries than allowed."""
TOO_BIG_BATCH_RESPONSE: Final = -32011
"""The batch's responses together exceed the response size limit."""

# --- sc-rpc-api ------------------------------------------------------------------------------

AUTHOR_BAD_FORMAT: Final = 1001
"""``author``: the extrinsic bytes are not an extrinsic."""
AUTHOR_VERIFICATION: Final = 1002
"""``author``: verification failed outside the runtime's validity answer."""
POOL_TEMPORARILY_BANNED: Final = 1012
"""The transaction is temporarily banned."""
POOL_ALREADY_IMPORTED: Final = 1013
"""The transaction is already in the pool."""
POOL_TOO_LOW_PRIORITY: Final = 1014
"""Too low priority to replace a transaction already in the pool."""
POOL_CYCLE_DETECTED: Final = 1015
"""Including it would create a dependency cycle."""
POOL_IMMEDIATELY_DROPPED: Final = 1016
"""The pool is full."""
POOL_UNACTIONABLE: Final = 1018
"""Not propagable and this node does not author."""
POOL_NO_TAGS: Final = 1019
"""The transaction provides no tags."""
POOL_INVALID_BLOCK_ID: Final = 1020
"""The block to validate at is unknown."""
POOL_FUTURE_TX: Final = 1021
"""The pool does not take future transactions."""
AUTHOR_OTHER: Final = 1040
"""Any other author error (``Client error: ...``)."""
CHAIN_OTHER: Final = 3001
"""``chain``: e.g. a block number above ``u32::MAX``."""
CHAIN_CLIENT: Final = 3002
"""``chain``: the database failed."""
STATE_INVALID_BLOCK_RANGE: Final = 4001
"""``state``: a block range could not be resolved."""
STATE_INVALID_COUNT: Final = 4002
"""``state``: a page count above the maximum (``state_getKeysPaged``: 1000)."""
STATE_CLIENT: Final = 4003
"""``state``: unknown block, pruned state, or a failed runtime call (``Client error: ...``)."""
PAYMENT_RUNTIME_ERROR: Final = 1
"""``payment_queryInfo``: the runtime call failed."""
PAYMENT_DECODE_ERROR: Final = 2
"""``payment_queryInfo``: the extrinsic does not decode."""


class RpcError(Exception):
    """A JSON-RPC error answer: ``code``, ``message`` and optional ``data``."""

    code: int
    """The JSON-RPC error code."""
    message: str
    """The short message."""
    data: Any
    """Extra detail (any JSON value), or None to leave ``data`` out."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{code}: {message}" + ("" if data is None else f" ({data})"))
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict[str, Any]:
        """Return the ``error`` object of a response."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


def parse_error() -> RpcError:
    """-32700 ``Parse error``."""
    return RpcError(PARSE_ERROR, "Parse error")


def invalid_request(detail: str | None = None) -> RpcError:
    """-32600 ``Invalid request``."""
    return RpcError(INVALID_REQUEST, "Invalid request", detail)


def method_not_found() -> RpcError:
    """-32601 ``Method not found``."""
    return RpcError(METHOD_NOT_FOUND, "Method not found")


def invalid_params(detail: str) -> RpcError:
    """-32602 ``Invalid params``, with `detail` (which parameter and why) as ``data``."""
    return RpcError(INVALID_PARAMS, "Invalid params", detail)


def internal_error(detail: str | None = None) -> RpcError:
    """-32603 ``Internal error``."""
    return RpcError(INTERNAL_ERROR, "Internal error", detail)


def unsafe_rpc_called() -> RpcError:
    """The refusal of an unsafe method (``sc_rpc_api::policy::UnsafeRpcError``)."""
    return RpcError(METHOD_NOT_FOUND, "RPC call is unsafe to be called externally")


def too_many_subscriptions(limit: int) -> RpcError:
    """-32006: the connection holds `limit` subscriptions already."""
    return RpcError(
        TOO_MANY_SUBSCRIPTIONS,
        "Too many subscriptions on the connection",
        f"Exceeded max limit of {limit}",
    )


def too_big_request(limit: int) -> RpcError:
    """-32007: the request exceeds `limit` bytes."""
    return RpcError(OVERSIZED_REQUEST, "Request is too big", f"Exceeded max limit of {limit}")


def too_big_response(limit: int) -> RpcError:
    """-32008: the response would exceed `limit` bytes."""
    return RpcError(OVERSIZED_RESPONSE, "Response is too big", f"Exceeded max limit of {limit}")


def too_big_batch_request(limit: int) -> RpcError:
    """-32010: the batch has more than `limit` entries."""
    return RpcError(
        TOO_BIG_BATCH_REQUEST, "The batch request was too large", f"Exceeded max limit of {limit}"
    )


def too_big_batch_response(limit: int) -> RpcError:
    """-32011: the batch's responses exceed `limit` bytes."""
    return RpcError(
        TOO_BIG_BATCH_RESPONSE,
        "The batch response was too large",
        f"Exceeded max limit of {limit}",
    )


def subscriptions_unsupported() -> RpcError:
    """A subscription method called over HTTP (jsonrpsee answers -32603)."""
    return internal_error("subscriptions need a WebSocket connection")


# --- Transaction and pool errors ---------------------------------------------------------------


@runtime_checkable
class RpcCoded(Protocol):
    """An exception that knows its own JSON-RPC form (the pool's errors implement this)."""

    def rpc_error(self) -> tuple[int, str, Any]:
        """Return ``(code, message, data)``; data None leaves it out."""
        ...


def transaction_rejected(rejected: TransactionRejected) -> RpcError:
    """Map a runtime rejection to 1010 ``Invalid Transaction`` / 1011 (data: the reason)."""
    code, message, data = rpc_error(rejected.error)
    return RpcError(code, message, data)


_POOL_ERRORS_BY_NAME: Final[dict[str, tuple[int, str, str | None]]] = {
    "TemporarilyBanned": (POOL_TEMPORARILY_BANNED, "Transaction is temporarily banned", None),
    "AlreadyImported": (POOL_ALREADY_IMPORTED, "Transaction Already Imported", None),
    "TooLowPriority": (
        POOL_TOO_LOW_PRIORITY,
        "Priority is too low",
        "The transaction has too low priority to replace another transaction already in the pool.",
    ),
    "CycleDetected": (POOL_CYCLE_DETECTED, "Cycle Detected", None),
    "ImmediatelyDropped": (
        POOL_IMMEDIATELY_DROPPED,
        "Immediately Dropped",
        "The transaction couldn't enter the pool because of the limit",
    ),
    "PoolFull": (
        POOL_IMMEDIATELY_DROPPED,
        "Immediately Dropped",
        "The transaction couldn't enter the pool because of the limit",
    ),
    "Unactionable": (
        POOL_UNACTIONABLE,
        "Unactionable",
        "The transaction is unactionable since it is not propagable and the local node does "
        "not author blocks",
    ),
    "NoTagsProvided": (
        POOL_NO_TAGS,
        "No tags provided",
        "Transaction does not provide any tags, so the pool can't identify it",
    ),
    "InvalidBlockId": (POOL_INVALID_BLOCK_ID, "The provided block ID is not valid", None),
    "RejectedFutureTransaction": (
        POOL_FUTURE_TX,
        "The pool is not accepting future transactions",
        None,
    ),
}


def pool_error(error: BaseException) -> RpcError:
    """Map an error raised by `PoolView.submit` to its JSON-RPC form.

    A `TransactionRejected` gives 1010/1011; an `RpcCoded` error its own triple; otherwise
    the class name (or the name of a class it derives from) is looked up among
    Substrate's pool errors (``AlreadyImported`` -> 1013, ...); anything else is
    1040 ``Client error: ...``.
    """
    if isinstance(error, TransactionRejected):
        return transaction_rejected(error)
    if isinstance(error, RpcCoded):
        code, message, data = error.rpc_error()
        return RpcError(code, message, data)
    for cls in type(error).__mro__:
        known = _POOL_ERRORS_BY_NAME.get(cls.__name__)
        if known is not None:
            code, message, data = known
            return RpcError(code, message, data if data is not None else (str(error) or None))
    return RpcError(AUTHOR_OTHER, f"Transaction pool error: {error}")
