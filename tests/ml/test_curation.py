"""The curator's judgement: format checks, near-duplicates, novelty, criteria and vote."""

from __future__ import annotations

import json
import os

import pytest

pytest.importorskip("datasketch")

from deepshard.offchain_workers.ml.corpus import bootstrap_corpus, split_held_out
from deepshard.offchain_workers.ml.curation import (
    AcceptedIndex,
    Limits,
    judge_batch,
    parse_batch,
)
from deepshard.offchain_workers.ml.errors import BatchFormatError

TEXTS, _ = split_held_out(bootstrap_corpus())


def _jsonl(texts: list[str]) -> bytes:
    return "".join(json.dumps({"text": t}) + "\n" for t in texts).encode()


@pytest.mark.parametrize(
    ("blob", "match"),
    [
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"text": "a fine record of text"}\nnot json\n', "line 2: not JSON"),
        (b'["text"]\n', "line 1: no string 'text'"),
        (b'{"text": 5}\n', "no string 'text'"),
        (b'{"text": "short"}\n', "outside the limits"),
        (b"\n\n", "no record"),
        (b"x" * 65, "exceeds"),
    ],
)
def test_bad_batches_are_typed_errors(blob: bytes, match: str) -> None:
    """Every malformed batch raises `BatchFormatError` naming what is wrong."""
    with pytest.raises(BatchFormatError, match=match):
        parse_batch(blob, Limits(max_bytes=64 if match == "exceeds" else 1 << 20))


def test_record_count_limit() -> None:
    """More records than the limit is refused."""
    with pytest.raises(BatchFormatError, match="more than 2"):
        parse_batch(
            _jsonl([f"a record of text number {i}" for i in range(3)]), Limits(max_records=2)
        )


def test_near_duplicates_removed_and_novelty() -> None:
    """Exact and lightly edited copies of accepted texts are dropped, as are repeats within
    the batch; new texts are kept with high novelty; an unrelated batch is voted aye."""
    index = AcceptedIndex()
    index.add(TEXTS[:20])
    edited = TEXTS[3].replace("the", "teh", 1)
    batch = [TEXTS[2], edited, TEXTS[40], TEXTS[40], TEXTS[41]]
    j = judge_batch(parse_batch(_jsonl(batch)), index)
    assert j.kept == [TEXTS[40], TEXTS[41]]
    assert j.reproducibility == 40
    fresh = judge_batch(TEXTS[40:50], index)
    assert fresh.aye, fresh.reasons
    assert len(fresh.kept) == 10
    assert min(fresh.criteria()) >= 0
    assert max(fresh.criteria()) <= 100
    empty = AcceptedIndex()
    assert empty.novelty(TEXTS[0]) == 1.0
    assert index.novelty(TEXTS[0]) == 0.0


def test_bad_content_voted_nay() -> None:
    """Random bytes, copy-paste spam and re-submitted data are voted nay, with reasons."""
    index = AcceptedIndex()
    index.add(TEXTS[:20])
    noise = [os.urandom(300).decode("latin-1") for _ in range(10)]
    spam = ["buy now! " * 100 + str(i) for i in range(10)]
    for batch, reason in ((noise, "alignment"), (spam, "truthfulness"), (TEXTS[:10], "novelty")):
        j = judge_batch(batch, index)
        assert not j.aye
        assert any(r.startswith(reason) for r in j.reasons), j.reasons


def test_judgement_is_stable_across_indexes() -> None:
    """Two curators with the same accepted data reach the same judgement."""
    a, b = AcceptedIndex(), AcceptedIndex()
    a.add(TEXTS[:30])
    b.add(TEXTS[:30])
    ja, jb = judge_batch(TEXTS[25:45], a), judge_batch(TEXTS[25:45], b)
    assert ja == jb
