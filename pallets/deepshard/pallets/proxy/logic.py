"""Pure functions of the Proxy pallet: proxy types, pure accounts and deposits."""

from __future__ import annotations

import enum
from typing import Final

from deepshard.primitives.codec import AccountId32
from deepshard.primitives.hashing import blake2_256

__all__ = ["PURE_PREFIX", "ProxyType", "is_superset", "pure_account", "deposit_for"]

PURE_PREFIX: Final = b"modlpy/proxy____"
"""The 16 bytes FRAME hashes before the spawner, the timepoint, the type and the index."""


class ProxyType(enum.IntEnum):
    """What a proxy may do for the account it acts for (this chain's ``ProxyType``).

    * ``Any``: everything;
    * ``NonTransfer``: everything but moving funds (no ``Balances`` call);
    * ``CancelProxy``: only ``Proxy.reject_announcement`` (a cold key's guardian);
    * ``Protocol``: only the Deepshard protocol's calls (Informants, Training, Licences), so a
      worker's hot key can act for a cold stash without touching its funds.

    Batches (``Utility.batch``, ``batch_all``, ``force_batch``) are allowed to every type; the
    calls inside them are checked one by one.
    """

    Any = 0
    NonTransfer = 1
    CancelProxy = 2
    Protocol = 3


def is_superset(have: ProxyType, want: ProxyType) -> bool:
    """Whether a proxy of type `have` may grant or revoke a proxy of type `want`.

    ``Any`` covers every type; ``NonTransfer`` covers every type but ``Any``; the others cover
    only themselves.
    """
    if have == want or have is ProxyType.Any:
        return True
    if want is ProxyType.Any:
        return False
    return have is ProxyType.NonTransfer


def pure_account(
    spawner: bytes, proxy_type: ProxyType, index: int, height: int, ext_index: int
) -> AccountId32:
    """Return the pure (keyless) account `spawner` creates with `create_pure`.

    FRAME's ``pure_account``: ``blake2_256(b"modlpy/proxy____" ++ spawner ++ height u32 ++
    ext_index u32 ++ proxy_type u8 ++ index u16)``, all little-endian; the hash is the account.

    Raises:
        ValueError: `spawner` is not 32 bytes or a number does not fit its type.
    """
    # Verify every input fits its encoded type.
    if len(spawner) != 32:
        raise ValueError(f"an account id has 32 bytes, not {len(spawner)}")
    if not (0 <= index <= 0xFFFF and 0 <= height < 1 << 32 and 0 <= ext_index < 1 << 32):
        raise ValueError("index is a u16; height and ext_index are u32")
    entropy = (
        PURE_PREFIX
        + bytes(spawner)
        + height.to_bytes(4, "little")
        + ext_index.to_bytes(4, "little")
        + bytes((int(proxy_type),))
        + index.to_bytes(2, "little")
    )
    return AccountId32(blake2_256(entropy))


def deposit_for(count: int, base: int, factor: int) -> int:
    """Return the deposit for `count` proxies or announcements: 0, or ``base + count * factor``."""
    return 0 if count == 0 else base + count * factor
