"""`verify`: the one signature check of the transaction-validation hot path.

It never raises. Any malformed input (unknown scheme, wrong lengths, a non-bytes argument, a
public key that is not a curve point, an unmarked sr25519 signature) is an invalid signature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from deepshard.primitives.crypto import ed25519, sr25519
from deepshard.primitives.crypto.key_type import KeyType

__all__ = ["verify"]

_VERIFIERS: Final[dict[int, Callable[[bytes, bytes, bytes], bool]]] = {
    KeyType.ED25519: ed25519.verify,
    KeyType.SR25519: sr25519.verify,
}


def verify(
    scheme: KeyType | int,
    signature: bytes | bytearray | memoryview,
    message: bytes | bytearray | memoryview,
    public_key: bytes | bytearray | memoryview,
) -> bool:
    """Whether `signature` is a valid `scheme` signature of `message` by `public_key`.

    Args:
        scheme: `KeyType.SR25519` or `KeyType.ED25519` (or their `MultiSignature` indices 1, 0).
        signature: The 64-byte signature.
        message: The signed bytes.
        public_key: The signer's 32-byte public key.

    `bytes` is the fast path; other byte buffers are copied first. Arguments of any other type
    make the signature invalid.

    Returns:
        True only for a valid signature; False for anything else, never an exception.
    """
    try:
        check = _VERIFIERS.get(scheme)
        if check is None:
            return False
        if type(signature) is bytes and type(message) is bytes and type(public_key) is bytes:
            return check(signature, message, public_key)
        return check(_as_bytes(signature), _as_bytes(message), _as_bytes(public_key))
    except (TypeError, ValueError):
        return False


def _as_bytes(value: object) -> bytes:
    """`value` as exact `bytes` if it is a byte buffer; raise TypeError otherwise."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise TypeError("not a byte buffer")
