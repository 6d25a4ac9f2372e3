"""Key custody for licensed weights: chunked encryption, Shamir t-of-n shares, sealed delivery."""

from deepshard.offchain_workers.keeper.custody import (
    KEY_SIZE,
    CustodyError,
    Share,
    combine_shares,
    decrypt_stream,
    encrypt_stream,
    open_share,
    seal_share,
    split_key,
)

__all__ = [
    "KEY_SIZE",
    "CustodyError",
    "Share",
    "combine_shares",
    "decrypt_stream",
    "encrypt_stream",
    "open_share",
    "seal_share",
    "split_key",
]
