"""The well-known development accounts: ``//Alice`` .. ``//Ferdie`` and their ``//stash`` keys.

They are derived from `DEV_PHRASE` exactly as Substrate's dev chains derive them
(`sp_keyring`), in either scheme: sr25519 ``//Alice`` is
``5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY``, ed25519 ``//Alice`` (a GRANDPA key on
dev chains) is ``5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu``. Anyone can sign for them:
use them only on development and test chains.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from deepshard.primitives.crypto.errors import UnknownDevAccount
from deepshard.primitives.crypto.key_type import KeyType
from deepshard.primitives.crypto.keypair import Keypair, as_key_type

__all__ = ["DEV_ACCOUNT_NAMES", "dev_keypair", "dev_keypairs"]

DEV_ACCOUNT_NAMES: Final = ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")
"""The development accounts, in sp-keyring order."""

_BY_LOWER_NAME: Final = {name.lower(): name for name in DEV_ACCOUNT_NAMES}
_STASH_SUFFIX: Final = "//stash"


def dev_keypair(
    name: str, key_type: KeyType | int = KeyType.SR25519, *, stash: bool = False
) -> Keypair:
    """The key pair of development account `name` (``//Name`` or ``//Name//stash``).

    Args:
        name: ``"Alice"`` .. ``"Ferdie"`` (any case); ``"Alice//stash"`` is also accepted.
        key_type: The signature scheme (sr25519 by default).
        stash: Return the ``//Name//stash`` account instead.

    Raises:
        UnknownDevAccount: `name` is not a development account.
        UnsupportedKeyType: `key_type` is not sr25519 or ed25519.
    """
    if name.lower().endswith(_STASH_SUFFIX):
        name, stash = name[: -len(_STASH_SUFFIX)], True
    canonical = _BY_LOWER_NAME.get(name.lower())
    if canonical is None:
        raise UnknownDevAccount(
            f"{name!r} is not a development account (one of {', '.join(DEV_ACCOUNT_NAMES)})"
        )
    return _dev_keypair(canonical, as_key_type(key_type), stash)


def dev_keypairs(
    key_type: KeyType | int = KeyType.SR25519, *, stash: bool = False
) -> tuple[Keypair, ...]:
    """All six development key pairs (or their stashes), in `DEV_ACCOUNT_NAMES` order."""
    kind = as_key_type(key_type)
    return tuple(_dev_keypair(name, kind, stash) for name in DEV_ACCOUNT_NAMES)


@cache
def _dev_keypair(name: str, key_type: KeyType, stash: bool) -> Keypair:
    uri = f"//{name}{_STASH_SUFFIX if stash else ''}"
    return Keypair.from_uri(uri, key_type)
