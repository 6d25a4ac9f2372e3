"""Building signed extrinsics: what a wallet does before it submits a transaction.

`sign_extrinsic` assembles the standard signed extensions (era, nonce, tip; spec and
transaction versions, genesis hash and mortality block hash as implicit data), signs the
payload with the keypair and returns the full encoded extrinsic. The same function serves the
wallet, the off-chain workers and the tests; the runtime checks the result independently.
"""

from __future__ import annotations

from deepshard.primitives.codec import AccountId32
from deepshard.primitives.crypto import Keypair, KeyType
from deepshard.primitives.extrinsic import (
    Ed25519,
    Ed25519Signature,
    Era,
    ExtrinsicSignature,
    Id,
    Sr25519,
    Sr25519Signature,
    UncheckedExtrinsic,
    additional_signed,
    encode_extra,
    signing_payload,
)
from deepshard.primitives.numeric import U32, U128

__all__ = ["sign_extrinsic"]


def sign_extrinsic(
    call: bytes,
    keypair: Keypair,
    *,
    nonce: int,
    genesis_hash: bytes,
    spec_version: int,
    transaction_version: int,
    era: Era | None = None,
    block_hash: bytes | None = None,
    tip: int = 0,
) -> bytes:
    """Return the full encoding (length prefix included) of `call` signed by `keypair`.

    Args:
        call: The encoded call (pallet index, call index, arguments).
        keypair: The signer (sr25519 or ed25519).
        nonce: The signer's account nonce.
        genesis_hash: The chain's genesis hash.
        spec_version: The runtime's spec version.
        transaction_version: The runtime's transaction version.
        era: The validity window (immortal by default).
        block_hash: Hash of the era's birth block (required for a mortal era).
        tip: Tip for the block author.

    Raises:
        ValueError: a mortal era without its birth block hash.
    """
    era = era or Era()
    if era.is_immortal:
        block_hash = genesis_hash
    elif block_hash is None:
        raise ValueError("a mortal era needs the hash of its birth block")
    extra = encode_extra(era, nonce, tip)
    payload = signing_payload(
        call, extra, additional_signed(spec_version, transaction_version, genesis_hash, block_hash)
    )
    raw = keypair.sign(payload)
    signature = (
        Sr25519(Sr25519Signature(raw))
        if keypair.key_type is KeyType.SR25519
        else Ed25519(Ed25519Signature(raw))
    )
    signed = ExtrinsicSignature(
        address=Id(AccountId32(keypair.public_key)),
        signature=signature,
        era=era,
        nonce=U32(nonce),
        tip=U128(tip),
    )
    return UncheckedExtrinsic(signed, call).encode()
