"""The keeper's and the inference node's chain-side logic, on real crypto and a real content store.

The registrar election is checked against a brute-force model (hypothesis); `encrypt_version`
runs on a real embedded store holding real adapter bytes named by a recorded ``ModelVersion``
value: every keeper opens its own sealed share, any t of them rebuild a key under which the
pinned ciphertext decrypts to the canonical bundle, t - 1 do not. `unlock_version` then reads
recorded ``Licences`` storage (the decoded values a node returns, with shares delivered by
`seal_share` to the buyer's box key) and unlocks the version — and refuses, with its typed error,
when there is no licence, the box key is another, too few shares open, or the ciphertext is
not the registered one. A bad share among good ones is skipped, not trusted.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nacl.public import PrivateKey

from deepshard.offchain_workers.content.cids import cid_from_bytes
from deepshard.offchain_workers.content.embedded import EmbeddedStore
from deepshard.offchain_workers.inference.errors import (
    CiphertextMismatch,
    NoLicence,
    SharesUnusable,
    VersionUnavailable,
)
from deepshard.offchain_workers.inference.licence import unlock_version
from deepshard.offchain_workers.keeper.bundle import parse_bundle
from deepshard.offchain_workers.keeper.custody import (
    CustodyError,
    combine_shares,
    decrypt_stream,
    open_share,
    seal_share,
)
from deepshard.offchain_workers.worker.keeper import (
    EligibleKeeper,
    election_rank,
    eligible_keepers,
    encrypt_version,
    registrar_due,
)

BUYER = bytes(range(1, 33))
ADAPTERS = [b"first adapter " * 300, b"second adapter " * 200]


@given(
    st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=8, unique=True),
    st.integers(min_value=0, max_value=50),
    st.integers(min_value=1, max_value=10),
)
def test_election_follows_account_order_one_rank_per_grace(
    accounts: list[bytes], elapsed: int, grace: int
) -> None:
    box = bytes(32)
    entries = [(a, {"bond": 10, "box_key": box, "unlock_at": None}) for a in accounts]
    keepers = eligible_keepers(entries, 10)
    assert [k.account for k in keepers] == sorted(accounts)
    due = [
        k.account
        for k in keepers
        if registrar_due(100, 100 + elapsed, election_rank(keepers, k.account) or 0, grace)
    ]
    # Brute force: rank r is due once r * grace blocks have passed.
    assert due == sorted(accounts)[: elapsed // grace + 1]
    assert election_rank(keepers, b"\xff" * 33) is None


def test_unbonding_or_underbonded_keepers_are_not_eligible() -> None:
    entries = [
        (b"\x03" * 32, {"bond": 10, "box_key": "0x" + "11" * 32, "unlock_at": None}),
        (b"\x01" * 32, {"bond": 10, "box_key": b"\x22" * 32, "unlock_at": 7}),
        (b"\x02" * 32, {"bond": 9, "box_key": b"\x33" * 32, "unlock_at": None}),
    ]
    assert eligible_keepers(entries, 10) == [EligibleKeeper(b"\x03" * 32, b"\x11" * 32)]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    s = EmbeddedStore(tmp_path / "ipfs")
    yield s
    s.close()


def _record(cids: list[bytes]) -> dict[str, Any]:
    """A decoded ``Training.ModelVersions`` value for `ADAPTERS` pinned at `cids`."""
    return {
        "parent": 0,
        "base_cid": bytes.fromhex("01551220") + bytes(range(0x40, 0x60)),
        "layer_count": 4,
        "shards": [(0, 2), (2, 4)],
        "adapters": [
            {"shard": i, "cid": cid, "sha256": "0x" + hashlib.sha256(a).hexdigest()}
            for i, (cid, a) in enumerate(zip(cids, ADAPTERS, strict=True))
        ],
        "held_out_loss": 1,
        "round_id": 0,
    }


async def _pinned(store: EmbeddedStore) -> list[bytes]:
    return [bytes((await store.add_bytes(a)).cid) for a in ADAPTERS]


def _keys(n: int) -> list[PrivateKey]:
    return [PrivateKey(hashlib.sha256(bytes([i])).digest()) for i in range(n)]


def test_a_version_is_encrypted_once_and_any_t_shares_rebuild_its_key(
    store: EmbeddedStore,
) -> None:
    async def scenario() -> None:
        record = _record(await _pinned(store))
        boxes = _keys(3)
        holders = [
            EligibleKeeper(bytes([i]) * 32, bytes(b.public_key)) for i, b in enumerate(boxes)
        ]
        encrypted = await encrypt_version(store, 1, record, holders, 2)
        assert [a for a, _ in encrypted.shares] == [h.account for h in holders]
        assert encrypted.threshold == 2
        ciphertext = b"".join([p async for p in store.cat(cid_from_bytes(encrypted.cid))])
        assert hashlib.sha256(ciphertext).digest() == encrypted.sha256
        shares = [
            open_share(sealed, bytes(box))
            for (_, sealed), box in zip(encrypted.shares, boxes, strict=True)
        ]
        with pytest.raises(CustodyError):
            open_share(encrypted.shares[0][1], bytes(boxes[1]))  # sealed to keeper 0 only
        for pair in ([0, 1], [0, 2], [1, 2]):
            key = combine_shares([shares[i] for i in pair])
            plain = io.BytesIO()
            decrypt_stream(io.BytesIO(ciphertext), plain, key)
            bundle = parse_bundle(plain.getvalue())
            assert list(bundle.adapters) == ADAPTERS
            assert bundle.manifest.version == 1
            assert [a.layers for a in bundle.manifest.adapters] == [(0, 2), (2, 4)]
        for single in shares:  # t - 1 shares do not decrypt
            assert not _decrypts([single], ciphertext)

    asyncio.run(scenario())


def _decrypts(shares: list[Any], ciphertext: bytes) -> bool:
    try:
        decrypt_stream(io.BytesIO(ciphertext), io.BytesIO(), combine_shares(shares))
    except CustodyError:
        return False
    return True


class RecordedStorage:
    """Decoded storage values, as a node returned them, answering `ChainClient.query`."""

    def __init__(self, values: dict[tuple[Any, ...], Any]) -> None:
        self.values = values

    async def query(self, pallet: str, item: str, *keys: Any, at: bytes | None = None) -> Any:
        return self.values.get((pallet, item, *keys))


def _licensed_chain(
    store: EmbeddedStore, *, deliver: list[int] | None = None, bad: int | None = None
) -> tuple[RecordedStorage, PrivateKey]:
    async def setup() -> tuple[RecordedStorage, PrivateKey]:
        record = _record(await _pinned(store))
        boxes = _keys(3)
        holders = [
            EligibleKeeper(bytes([i]) * 32, bytes(b.public_key)) for i, b in enumerate(boxes)
        ]
        encrypted = await encrypt_version(store, 1, record, holders, 2)
        buyer = PrivateKey(hashlib.sha256(b"buyer").digest())
        deliveries = []
        for i in deliver if deliver is not None else [0, 1]:
            share = open_share(encrypted.shares[i][1], bytes(boxes[i]))
            if i == bad:
                share = type(share)(share.x, (share.y + 1))
            deliveries.append((holders[i].account, seal_share(share, bytes(buyer.public_key))))
        values = {
            ("Licences", "LicencesOf", BUYER, 1): 4,
            ("Licences", "Purchases", 4): {
                "buyer": BUYER,
                "version": 1,
                "buyer_box_key": "0x" + bytes(buyer.public_key).hex(),
                "price": 10,
                "deadline": 100,
                "phase": "Served",
                "deliveries": deliveries,
            },
            ("Licences", "Ciphertexts", 1): {
                "cid": "0x" + encrypted.cid.hex(),
                "sha256": encrypted.sha256,
                "threshold": 2,
                "keepers": [h.account for h in holders],
                "registrar": holders[0].account,
            },
            ("Training", "ModelVersions", 1): record,
        }
        return RecordedStorage(values), buyer

    return asyncio.run(setup())


def _unlock(
    chain: RecordedStorage, store: EmbeddedStore, buyer: PrivateKey, who: bytes = BUYER
) -> Any:
    return asyncio.run(
        unlock_version(
            chain,
            store,
            who,
            1,
            box_secret=bytes(buyer),
            box_public=bytes(buyer.public_key),
        )
    )


def test_the_buyer_unlocks_the_version(store: EmbeddedStore) -> None:
    chain, buyer = _licensed_chain(store)
    unlocked = _unlock(chain, store, buyer)
    assert unlocked.purchase_id == 4
    assert list(unlocked.adapters) == ADAPTERS
    assert unlocked.manifest.version == 1


def test_a_bad_share_among_good_ones_is_skipped(store: EmbeddedStore) -> None:
    chain, buyer = _licensed_chain(store, deliver=[0, 1, 2], bad=0)
    assert list(_unlock(chain, store, buyer).adapters) == ADAPTERS


def test_no_licence_is_refused(store: EmbeddedStore) -> None:
    chain, buyer = _licensed_chain(store)
    with pytest.raises(NoLicence, match="no licence for model version 1"):
        _unlock(chain, store, buyer, who=b"\x09" * 32)


def test_another_box_key_is_refused(store: EmbeddedStore) -> None:
    chain, _ = _licensed_chain(store)
    with pytest.raises(VersionUnavailable, match="another box key"):
        _unlock(chain, store, PrivateKey(bytes(32)))


def test_fewer_than_t_good_shares_do_not_unlock(store: EmbeddedStore) -> None:
    chain, buyer = _licensed_chain(store, deliver=[2])
    with pytest.raises(SharesUnusable, match="needs 2"):
        _unlock(chain, store, buyer)
    chain, buyer = _licensed_chain(store, deliver=[0, 1], bad=1)
    with pytest.raises(SharesUnusable, match="rebuild"):
        _unlock(chain, store, buyer)


def test_a_ciphertext_that_is_not_the_registered_one_is_refused(store: EmbeddedStore) -> None:
    chain, buyer = _licensed_chain(store)
    chain.values[("Licences", "Ciphertexts", 1)]["sha256"] = bytes(32)
    with pytest.raises(CiphertextMismatch, match="registered"):
        _unlock(chain, store, buyer)


def test_a_bundle_of_another_version_is_refused(store: EmbeddedStore) -> None:
    chain, buyer = _licensed_chain(store)
    record = chain.values[("Training", "ModelVersions", 1)]
    record["shards"] = [(0, 1), (1, 4)]
    with pytest.raises(VersionUnavailable, match="not version 1"):
        _unlock(chain, store, buyer)
