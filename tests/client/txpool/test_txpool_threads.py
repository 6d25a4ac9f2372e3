"""Smoke test: submissions from many threads while another thread imports blocks."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

from deepshard.client.node.interfaces import TransactionStatus
from deepshard.client.txpool import PoolError, TransactionPool, tx_hash_of
from deepshard.primitives.codec import H256
from deepshard.primitives.numeric import U64
from deepshard.primitives.transaction_validity import (
    Stale,
    TransactionInvalid,
    TransactionRejected,
    TransactionSource,
    ValidTransaction,
)

EXT = TransactionSource.External
ACCOUNTS = 6
NONCES = 40


class NonceChain:
    """A validator over per-block account nonces, like FRAME's ``CheckNonce``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.nonces: dict[H256, dict[int, int]] = {H256(): {}}

    @staticmethod
    def encode(account: int, nonce: int, tip: int) -> bytes:
        return f"{account}:{nonce}:{tip}".encode()

    def __call__(self, extrinsic: bytes, source: TransactionSource, at: H256) -> ValidTransaction:
        account, nonce, tip = map(int, extrinsic.decode().split(":"))
        with self.lock:
            current = self.nonces[at].get(account, 0)
        if nonce < current:
            raise TransactionInvalid(Stale())
        requires = (f"{account}-{nonce - 1}".encode(),) if nonce > current else ()
        return ValidTransaction(
            priority=U64(tip), requires=requires, provides=(f"{account}-{nonce}".encode(),)
        )

    def import_block(self, parent: H256, number: int, extrinsics: list[bytes]) -> H256:
        with self.lock:
            nonces = dict(self.nonces[parent])
        for extrinsic in extrinsics:
            account, nonce, _ = map(int, extrinsic.decode().split(":"))
            assert nonces.get(account, 0) == nonce, "the pool offered a transaction out of order"
            nonces[account] = nonce + 1
        block_hash = H256(number.to_bytes(32, "big"))
        with self.lock:
            self.nonces[block_hash] = nonces
        return block_hash


def test_concurrent_submit_and_block_import(clock: Any) -> None:
    chain = NonceChain()
    pool = TransactionPool(chain, clock=clock)
    xts = {
        (account, nonce): chain.encode(
            account, nonce, random.Random(account * 1000 + nonce).randrange(100)
        )
        for account in range(ACCOUNTS)
        for nonce in range(NONCES)
    }
    statuses: dict[H256, list[str]] = {}
    errors: list[BaseException] = []
    stop = threading.Event()

    def submitter(account: int) -> None:
        order = list(range(NONCES))
        random.Random(account).shuffle(order)
        try:
            for nonce in order:
                kinds: list[str] = []
                xt = xts[account, nonce]
                statuses[tx_hash_of(xt)] = kinds

                def watch(status: TransactionStatus, kinds: list[str] = kinds) -> None:
                    kinds.append(status.kind)

                try:
                    pool.submit_and_watch(xt, EXT, watch)
                except (PoolError, TransactionRejected):
                    kinds.append("rejected")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    def author() -> None:
        parent = H256()
        deadline = time.monotonic() + 20
        number = 0
        try:
            while not (stop.is_set() and not len(pool)) and time.monotonic() < deadline:
                number += 1
                included = [tx.extrinsic for _, tx in zip(range(15), pool.ready(), strict=False)]
                parent = chain.import_block(parent, number, included)
                pool.on_block_imported(parent, included, number=number)
                pool.on_finalized(parent)
                time.sleep(0.001)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=submitter, args=(a,)) for a in range(ACCOUNTS)]
    block_thread = threading.Thread(target=author)
    block_thread.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    stop.set()
    block_thread.join(30)
    assert not errors
    assert len(pool) == 0
    assert pool.status().is_empty
    sequences = {tuple(kinds) for kinds in statuses.values()}
    assert sequences <= {
        ("future", "ready", "inBlock", "finalized"),
        ("ready", "inBlock", "finalized"),
    }
    # Every transaction got on chain, in nonce order.
    assert chain.nonces[parent_of(chain)] == dict.fromkeys(range(ACCOUNTS), NONCES)


def parent_of(chain: NonceChain) -> H256:
    return max(chain.nonces, key=lambda h: int.from_bytes(h, "big"))


def test_best_iterator_respects_dependencies_under_concurrency(fake: Any, clock: Any) -> None:
    pool = TransactionPool(fake, clock=clock)
    chain = [
        fake.add(f"c{n}", priority=n, requires=() if n == 0 else (f"c{n - 1}",)) for n in range(60)
    ]
    threads = [
        threading.Thread(target=lambda part=part: [pool.submit(xt, EXT) for xt in part])
        for part in (chain[0::3], chain[1::3], chain[2::3])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [tx.extrinsic for tx in pool.ready()] == chain
