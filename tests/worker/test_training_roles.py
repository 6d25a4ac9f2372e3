"""The trainer and scorer roles' pure parts: the commitment, the persisted progress, poison, layout.

The commitment is checked against an independent blake2b-256 of the four parts (hashlib), the
progress record round-trips for any bytes (hypothesis), and poisoned text keeps each record's
length while changing its content.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepshard.offchain_workers.worker.scorer import layout_of
from deepshard.offchain_workers.worker.trainer import POISONS, Prepared, commitment_of, poison_texts
from deepshard.pallets.training.logic import compute_commitment
from deepshard.pallets.training.pallet import DEFAULT_STATISTICS


@given(st.binary(max_size=64), st.binary(min_size=32, max_size=32), st.binary(max_size=64))
def test_prepared_round_trips(cid: bytes, sha: bytes, salt: bytes) -> None:
    p = Prepared(cid, sha, salt)
    assert Prepared.decode(p.encode()) == p


@given(st.binary(min_size=36, max_size=36), st.binary(min_size=32, max_size=32))
def test_commitment_matches_the_pallet(cid: bytes, sha: bytes) -> None:
    salt, account = b"s" * 32, b"a" * 32
    mine = commitment_of(cid, sha, salt, account)
    assert mine == compute_commitment(cid, sha, salt, account)
    assert mine == hashlib.blake2b(cid + sha + salt + account, digest_size=32).digest()


@pytest.mark.parametrize("kind", POISONS)
def test_poison_changes_text_keeps_length(kind: str) -> None:
    texts = ["def add(a, b):\n    return a + b", "The quick brown fox."]
    out = poison_texts(texts, kind, b"seed")
    assert [len(t) for t in out] == [len(t) for t in texts]
    assert out != texts
    assert poison_texts(texts, kind, b"seed") == out  # reproducible


def test_unknown_poison_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown poison"):
        poison_texts(["x"], "nonsense", b"")


def test_layout_reads_the_metadata_constant_forms() -> None:
    as_str = [{"name": "curvature", "higher_is_better": True, "floor": 1}]
    as_hex = [{"name": "0x" + b"heldout_loss".hex(), "higher_is_better": False, "floor": 1}]
    assert layout_of(as_str) == [("curvature", True)]
    assert layout_of(as_hex) == [("heldout_loss", False)]
    names = [
        name
        for name, _ in layout_of(
            [
                {"name": bytes(s.name), "higher_is_better": s.higher_is_better}
                for s in DEFAULT_STATISTICS
            ]
        )
    ]
    from deepshard.offchain_workers.ml.scorer import STATISTICS  # noqa: PLC0415

    assert tuple(names) == STATISTICS
