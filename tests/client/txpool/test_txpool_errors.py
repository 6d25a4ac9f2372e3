"""Every refusal of the pool, with the JSON-RPC code, message and data Substrate answers."""

from __future__ import annotations

from typing import Any

import pytest

from deepshard.client.txpool import (
    AlreadyImported,
    CycleDetected,
    ImmediatelyDropped,
    InvalidBlockId,
    NoTagsProvided,
    PoolError,
    QueueLimit,
    RejectedFutureTransaction,
    TemporarilyBanned,
    TooLowPriority,
    Unactionable,
    rpc_error_of,
    tx_hash_of,
)
from deepshard.primitives.numeric import U8
from deepshard.primitives.transaction_validity import (
    BadProof,
    CannotLookup,
    InvalidCustom,
    Payment,
    TransactionInvalid,
    TransactionRejected,
    TransactionSource,
    TransactionUnknown,
)

EXT = TransactionSource.External


def code_of(call: Any) -> tuple[int, str, str | None]:
    with pytest.raises((PoolError, TransactionRejected)) as raised:
        call()
    assert isinstance(raised.value, PoolError | TransactionRejected)
    return rpc_error_of(raised.value)


def test_1010_invalid_is_the_validators_error_and_bans(fake: Any, pool: Any) -> None:
    bad = b"bad signature"
    fake.reject(bad, TransactionInvalid(BadProof()))
    assert code_of(lambda: pool.submit(bad, EXT)) == (
        1010,
        "Invalid Transaction",
        "Transaction has a bad signature",
    )
    # Invalid transactions are banned: the next attempt does not reach the runtime.
    calls = len(fake.calls)
    assert code_of(lambda: pool.submit(bad, EXT))[0] == 1012
    assert len(fake.calls) == calls
    custom = b"custom"
    fake.reject(custom, TransactionInvalid(InvalidCustom(U8(7))))
    assert code_of(lambda: pool.submit(custom, EXT)) == (
        1010,
        "Invalid Transaction",
        "Custom error: 7",
    )
    poor = b"poor"
    fake.reject(poor, TransactionInvalid(Payment()))
    assert code_of(lambda: pool.submit(poor, EXT))[2] == (
        "Inability to pay some fees (e.g. account balance too low)"
    )
    assert pool.metrics().validations_invalid == 3


def test_1011_unknown_validity_is_not_banned(fake: Any, pool: Any) -> None:
    unknown = b"unknown"
    fake.reject(unknown, TransactionUnknown(CannotLookup()))
    assert code_of(lambda: pool.submit(unknown, EXT)) == (
        1011,
        "Unknown Transaction Validity",
        "CannotLookup",
    )
    assert not pool.is_banned(tx_hash_of(unknown))
    assert code_of(lambda: pool.submit(unknown, EXT))[0] == 1011


def test_1012_temporarily_banned(fake: Any, pool: Any) -> None:
    xt = fake.add("a")
    pool.submit(xt, EXT)
    pool.remove([tx_hash_of(xt)])
    assert code_of(lambda: pool.submit(xt, EXT)) == (
        1012,
        "Transaction is temporarily banned",
        None,
    )


def test_1013_already_imported(fake: Any, pool: Any) -> None:
    xt = fake.add("a")
    pool.submit(xt, EXT)
    with pytest.raises(AlreadyImported) as raised:
        pool.submit(xt, EXT)
    assert raised.value.hash == tx_hash_of(xt)
    # Substrate's data is the Debug form of a `Box<dyn Any>`.
    assert raised.value.rpc_error() == (1013, "Transaction Already Imported", "Any { .. }")
    assert len(pool) == 1


def test_1014_priority_too_low(fake: Any, pool: Any) -> None:
    pool.submit(fake.add("a", priority=3, provides=("t",)), EXT)
    assert code_of(lambda: pool.submit(fake.add("b", priority=2, provides=("t",)), EXT)) == (
        1014,
        "Priority is too low: (3 vs 2)",
        "The transaction has too low priority to replace another transaction already in the pool.",
    )


def test_1015_cycle_detected(fake: Any, pool: Any) -> None:
    pool.submit(fake.add("1", provides=("t1",), requires=("t0",)), EXT)
    pool.submit(fake.add("3", provides=("t2",), requires=("t1",)), EXT)
    pool.submit(fake.add("2", priority=5, provides=("t0",), requires=("t2",)), EXT)
    assert code_of(lambda: pool.submit(fake.add("4", priority=1, provides=("t0",)), EXT)) == (
        1015,
        "Cycle Detected",
        None,
    )
    assert len(pool) == 0


def test_1016_immediately_dropped(fake: Any, make_pool: Any) -> None:
    pool = make_pool(ready=QueueLimit(1, 10**6))
    pool.submit(fake.add("rich", priority=10), EXT)
    assert code_of(lambda: pool.submit(fake.add("poor", priority=1), EXT)) == (
        1016,
        "Immediately Dropped",
        "The transaction couldn't enter the pool because of the limit",
    )


def test_1018_unactionable(fake: Any, make_pool: Any) -> None:
    pool = make_pool(is_validator=False)
    private = fake.add("private", propagate=False)
    assert code_of(lambda: pool.submit(private, EXT)) == (
        1018,
        "Unactionable",
        "The transaction is unactionable since it is not propagable and the local node does not "
        "author blocks",
    )
    assert pool.metrics().rejected == 1
    authoring = make_pool(is_validator=True)
    authoring.submit(private, EXT)
    assert len(authoring) == 1


def test_1019_no_tags_provided_and_banned(fake: Any, pool: Any) -> None:
    anonymous = fake.add("anonymous", provides=())
    assert code_of(lambda: pool.submit(anonymous, EXT)) == (
        1019,
        "No tags provided",
        "Transaction does not provide any tags, so the pool can't identify it",
    )
    assert pool.is_banned(tx_hash_of(anonymous))


def test_1021_future_rejected_when_configured(fake: Any, make_pool: Any) -> None:
    pool = make_pool(reject_future=True)
    assert code_of(lambda: pool.submit(fake.add("late", requires=("x",)), EXT)) == (
        1021,
        "The pool is not accepting future transactions",
        None,
    )


def test_every_code_is_distinct_and_substrates() -> None:
    codes = {
        cls.CODE: cls
        for cls in (
            TemporarilyBanned,
            AlreadyImported,
            TooLowPriority,
            CycleDetected,
            ImmediatelyDropped,
            Unactionable,
            NoTagsProvided,
            InvalidBlockId,
            RejectedFutureTransaction,
        )
    }
    assert sorted(codes) == [1012, 1013, 1014, 1015, 1016, 1018, 1019, 1020, 1021]
    assert InvalidBlockId().rpc_error() == (1020, "The provided block ID is not valid", None)
    assert str(ImmediatelyDropped()) == (
        "Immediately Dropped: The transaction couldn't enter the pool because of the limit"
    )
