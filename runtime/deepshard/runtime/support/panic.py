"""`RuntimePanic`: a block-level invariant is broken, so the block itself is invalid.

FRAME pallets ``assert!`` or ``panic!`` where a *block* (not a transaction) is wrong: no
timestamp inherent, a second one, a slot that does not increase. A Wasm panic aborts block
execution and the node rejects the block. Deepshard raises a `RuntimePanic` instead.

It is deliberately *not* a `DispatchError`: ``Runtime.dispatch`` does not convert it, a
surrounding call (``Sudo.sudo``) does not record it as a failed result, and no
``ExtrinsicFailed`` event is written. The storage layers it unwinds are rolled back. The
executive treats it as "the block is invalid" (block import fails, block production stops).
"""

from __future__ import annotations

__all__ = ["RuntimePanic"]


class RuntimePanic(Exception):
    """The block being built or imported is invalid (FRAME would panic here)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or type(self).__name__).strip().splitlines()[0])
