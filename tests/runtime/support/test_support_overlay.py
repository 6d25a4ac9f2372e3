"""The storage overlay: nested transactional layers against a model of dict snapshots."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepshard.runtime.support.overlay import MemoryBackend, Overlay, TransactionDepthError

KEYS = st.sampled_from([b"a", b"ab", b"b", b"ba", b"c"])
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), KEYS, st.binary(max_size=3)),
        st.tuples(st.just("delete"), KEYS, st.none()),
        st.tuples(st.just("start"), st.none(), st.none()),
        st.tuples(st.just("commit"), st.none(), st.none()),
        st.tuples(st.just("rollback"), st.none(), st.none()),
    ),
    max_size=40,
)


@given(OPS)
def test_layers_match_a_snapshot_model(ops: list[tuple[str, bytes | None, bytes | None]]) -> None:
    backend = {b"a": b"1", b"b": b"2"}
    overlay = Overlay(MemoryBackend(backend))
    model = dict(backend)
    snapshots: list[dict[bytes, bytes]] = []
    for op, key, value in ops:
        if op == "set" and key is not None and value is not None:
            overlay.set(key, value)
            model[key] = value
        elif op == "delete" and key is not None:
            overlay.delete(key)
            model.pop(key, None)
        elif op == "start":
            overlay.start_transaction()
            snapshots.append(dict(model))
        elif op == "commit" and snapshots:
            overlay.commit_transaction()
            snapshots.pop()
        elif op == "rollback" and snapshots:
            overlay.rollback_transaction()
            model = snapshots.pop()
        for probe in (b"a", b"ab", b"b", b"ba", b"c"):
            assert overlay.get(probe) == model.get(probe)
        assert list(overlay.iter_keys(b"")) == sorted(model)
        assert list(overlay.iter_keys(b"a")) == sorted(k for k in model if k.startswith(b"a"))
        assert list(overlay.iter_keys(b"", b"ab")) == sorted(k for k in model if k > b"ab")
    while snapshots:
        overlay.commit_transaction()
        snapshots.pop()
    final = overlay.changes()
    merged = dict(backend)
    for key, value in final.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    assert merged == model


def test_layer_errors() -> None:
    overlay = Overlay(MemoryBackend())
    with pytest.raises(TransactionDepthError):
        overlay.commit_transaction()
    with pytest.raises(TransactionDepthError):
        overlay.rollback_transaction()
    overlay.start_transaction()
    with pytest.raises(TransactionDepthError):
        overlay.changes()
    for _ in range(254):
        overlay.start_transaction()
    with pytest.raises(TransactionDepthError):
        overlay.start_transaction()


def test_clear_prefix_respects_the_limit() -> None:
    overlay = Overlay(MemoryBackend({b"p1": b"", b"p2": b"", b"q": b""}))
    overlay.set(b"p3", b"x")
    assert overlay.clear_prefix(b"p", limit=2) == 2
    assert list(overlay.iter_keys(b"p")) == [b"p3"]
    assert overlay.clear_prefix(b"p") == 1
    assert list(overlay.iter_keys(b"")) == [b"q"]


def test_rebase_continues_over_a_backend_holding_the_changes() -> None:
    overlay = Overlay(MemoryBackend({b"a": b"1"}))
    overlay.set(b"b", b"2")
    overlay.rebase(MemoryBackend({b"a": b"1", b"b": b"2"}))
    assert overlay.changes() == {}
    assert overlay.get(b"b") == b"2"
    overlay.start_transaction()
    with pytest.raises(TransactionDepthError):
        overlay.rebase(MemoryBackend())
