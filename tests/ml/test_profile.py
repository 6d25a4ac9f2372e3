"""Data order and seeds derived from the round seed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepshard.offchain_workers.ml.profile import RoundSpec, data_order, torch_seed


@given(st.binary(min_size=32, max_size=32), st.integers(1, 50), st.integers(0, 200))
def test_data_order_is_epochs_of_permutations(seed: bytes, count: int, steps: int) -> None:
    """Every full epoch is a permutation of the items; the prefix property holds."""
    order = data_order(seed, count, steps)
    assert len(order) == steps
    for start in range(0, steps - count + 1, count):
        assert sorted(order[start : start + count]) == list(range(count))
    assert data_order(seed, count, steps + 7)[:steps] == order


def test_data_order_depends_on_the_seed() -> None:
    """Different round seeds give different orders; the same seed the same."""
    a = data_order(b"\x00" * 32, 64, 64)
    assert a == data_order(b"\x00" * 32, 64, 64)
    assert a != data_order(b"\x01" + b"\x00" * 31, 64, 64)
    assert torch_seed(b"\x00" * 32) != torch_seed(b"\x01" * 32)
    assert 0 <= torch_seed(b"\xff" * 32) < 2**63


def test_bad_inputs() -> None:
    """No data and empty shards are refused."""
    with pytest.raises(ValueError, match="no data"):
        data_order(b"\x00" * 32, 0, 5)
    with pytest.raises(ValueError, match="layer range"):
        RoundSpec(b"\x00" * 32, (2, 2))
