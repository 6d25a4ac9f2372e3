"""``payment_*`` methods (pallet-transaction-payment-rpc): fee information for an extrinsic.

``payment_queryInfo`` answers ``{"weight": {"ref_time", "proof_size"}, "class": "normal",
"partialFee": "<decimal>"}`` -- the weight in serde's snake_case (``sp_weights::Weight`` has no
rename), the fee as a string; ``payment_queryFeeDetails`` answers ``{"inclusionFee":
{"baseFee", "lenFee", "adjustedWeightFee"} | null}`` with ``NumberOrHex`` amounts (a number up
to ``u64::MAX``, else hex). Both go through the runtime's ``TransactionPaymentApi``; an
undecodable extrinsic answers 2, a runtime failure 1 (``Unable to query dispatch info.``).
"""

from __future__ import annotations

from typing import Any, Final

from deepshard.client.node.interfaces import NodeView
from deepshard.client.rpc.errors import PAYMENT_DECODE_ERROR, PAYMENT_RUNTIME_ERROR, RpcError
from deepshard.client.rpc.module import RpcModule
from deepshard.client.rpc.params import Param, h256, hex_bytes
from deepshard.primitives.codec import H256, DecodeError, decode_compact
from deepshard.primitives.weights import FeeDetails, RuntimeDispatchInfo
from deepshard.runtime.apis import ApiError

__all__ = ["register_payment", "number_or_hex_json"]

_U64_MAX: Final = 2**64 - 1


def number_or_hex_json(value: int) -> int | str:
    """Serialize like ``NumberOrHex``: a JSON number up to ``u64::MAX``, else hex."""
    return value if value <= _U64_MAX else hex(value)


def register_payment(module: RpcModule, node: NodeView) -> None:
    """Register the ``payment_*`` methods of `node`."""

    def runtime_call(method: str, extrinsic: bytes, at: H256 | None, what: str) -> bytes:
        try:
            length, offset = decode_compact(extrinsic, 0)
        except (DecodeError, IndexError, ValueError) as error:
            raise RpcError(PAYMENT_DECODE_ERROR, f"Unable to {what}.", str(error)) from None
        if offset + length != len(extrinsic):
            detail = f"length prefix {length}, {len(extrinsic) - offset} bytes follow"
            raise RpcError(PAYMENT_DECODE_ERROR, f"Unable to {what}.", detail)
        arguments = extrinsic + len(extrinsic).to_bytes(4, "little")
        block_hash = at if at is not None else node.chain.best_hash
        try:
            return node.call_runtime(method, arguments, block_hash)
        except ApiError as error:
            raise RpcError(PAYMENT_RUNTIME_ERROR, f"Unable to {what}.", str(error)) from None

    def query_info(extrinsic: bytes, at: H256 | None) -> dict[str, Any]:
        raw = runtime_call("TransactionPaymentApi_query_info", extrinsic, at, "query dispatch info")
        try:
            return RuntimeDispatchInfo.decode(raw).to_json()
        except DecodeError as error:
            raise RpcError(
                PAYMENT_RUNTIME_ERROR, "Unable to query dispatch info.", str(error)
            ) from None

    def query_fee_details(extrinsic: bytes, at: H256 | None) -> dict[str, Any]:
        raw = runtime_call(
            "TransactionPaymentApi_query_fee_details", extrinsic, at, "query fee details"
        )
        try:
            details = FeeDetails.decode(raw)
        except DecodeError as error:
            raise RpcError(
                PAYMENT_RUNTIME_ERROR, "Unable to query fee details.", str(error)
            ) from None
        fee = details.inclusion_fee
        return {
            "inclusionFee": None
            if fee is None
            else {
                "baseFee": number_or_hex_json(int(fee.base_fee)),
                "lenFee": number_or_hex_json(int(fee.len_fee)),
                "adjustedWeightFee": number_or_hex_json(int(fee.adjusted_weight_fee)),
            }
        }

    params = (Param("encoded_xt", hex_bytes), Param("at", h256, optional=True))
    module.register("payment_queryInfo", query_info, params=params, blocking=True)
    module.register("payment_queryFeeDetails", query_fee_details, params=params, blocking=True)
