"""A dry run before submitting (``system_dryRun``): a call that would fail costs no fee.

The node answers the SCALE ``ApplyExtrinsicResult``,
``Result<Result<(), DispatchError>, TransactionValidityError>``. Only a dispatch error is
acted on (named from the metadata when it is a module error); validity errors are left to the
pool, which refuses the transaction with its own reason. A node that does not offer the
method (unsafe RPC methods off) is simply not asked again.
"""

from __future__ import annotations

from typing import Final

from deepshard.client.rpc.client import (
    ChainClient,
    ClientError,
    DispatchFailure,
    SignedExtrinsic,
    from_hex,
    to_hex,
)

__all__ = ["DISPATCH_ERRORS", "dry_run", "decode_apply_result"]

DISPATCH_ERRORS: Final = (
    "Other",
    "CannotLookup",
    "BadOrigin",
    "Module",
    "ConsumerRemaining",
    "NoProviders",
    "TooManyConsumers",
    "Token",
    "Arithmetic",
    "Transactional",
    "Exhausted",
    "Corruption",
    "Unavailable",
    "RootNotAllowed",
    "Trie",
)
"""``sp_runtime::DispatchError`` variants, by index."""
_MODULE: Final = 3


def decode_apply_result(chain: ChainClient, raw: bytes) -> DispatchFailure | None:
    """The dispatch failure an ``ApplyExtrinsicResult`` reports, or None.

    None means success, a validity error (left to the pool), or bytes not understood.
    """
    if len(raw) < 2 or raw[0] != 0 or raw[1] != 1 or len(raw) < 3:
        return None
    variant = raw[2]
    if variant == _MODULE and len(raw) >= 8:
        return chain.runtime.dispatch_failure(
            {"Module": {"index": raw[3], "error": bytes(raw[4:8])}}
        )
    if variant < len(DISPATCH_ERRORS):
        return DispatchFailure(DISPATCH_ERRORS[variant], raw[3:].hex() or None)
    return None


async def dry_run(chain: ChainClient, signed: SignedExtrinsic) -> DispatchFailure | None:
    """Why `signed` would fail if applied on the best block now (None: it would not, or unknown).

    Nothing is kept on the node; a node without ``system_dryRun`` answers None.
    """
    try:
        answer = await chain.rpc("system_dryRun", [to_hex(signed.encoded)])
        return decode_apply_result(chain, from_hex(answer, "ApplyExtrinsicResult"))
    except ClientError:
        return None
