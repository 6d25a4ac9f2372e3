"""The per-block storage caches never change what a read returns.

Decoded values are shared between reads only for immutable value types, and only while the
overlay holds the same encoding; hashed map keys are remembered per key type.
"""

from __future__ import annotations

from typing import Any

from deepshard.pallets.system import AccountData, AccountInfo, System
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.numeric import U32, U128
from deepshard.runtime.support.storage import decodes_immutable
from deepshard.runtime.support.testing import TestExternalities

WHO = AccountId32(b"\x01" * 32)


def info(nonce: int, free: int) -> AccountInfo:
    data = AccountData(free=U128(free), reserved=U128(0), frozen=U128(0))
    return AccountInfo(
        nonce=U32(nonce), consumers=U32(0), providers=U32(1), sufficients=U32(0), data=data
    )


def test_reads_follow_writes_and_rollbacks(chain: Any) -> None:
    ext = TestExternalities(chain.runtime)
    system = ext.pallet(System)
    overlay = ext.ctx.overlay
    system.account.insert(WHO, info(1, 100))
    first = system.account.get(WHO)
    assert first == info(1, 100)
    assert system.account.get(WHO) is first  # decoded once
    overlay.start_transaction()
    system.account.insert(WHO, info(2, 50))
    assert system.account.get(WHO) == info(2, 50)
    overlay.rollback_transaction()
    assert system.account.get(WHO) == info(1, 100)
    system.account.remove(WHO)
    assert system.account.get(WHO).providers == 0


def test_map_keys_are_hashed_per_key_and_type(chain: Any) -> None:
    ext = TestExternalities(chain.runtime)
    system = ext.pallet(System)
    unbound = System.account
    assert system.account.key(WHO) == unbound.key(WHO)
    assert system.account.key(WHO) is system.account.key(WHO)
    other = AccountId32(b"\x02" * 32)
    assert system.account.key(other) == unbound.key(other) != unbound.key(WHO)
    assert system.block_hash.key(U32(7)) == System.block_hash.key(U32(7))


def test_only_immutable_value_types_are_shared() -> None:
    assert decodes_immutable(U32)
    assert decodes_immutable(AccountInfo)
    assert decodes_immutable(tuple[AccountId32, ...])
    assert decodes_immutable(AccountId32 | None)
    assert not decodes_immutable(list[U32])
    assert not decodes_immutable(tuple[list[U32], ...])
    assert not decodes_immutable(dict[U32, U32])
    assert not decodes_immutable(bytearray)
