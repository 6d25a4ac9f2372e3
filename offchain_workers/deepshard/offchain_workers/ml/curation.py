"""The curator job's judgement of a batch: format, near-duplicates, novelty, five criteria.

A batch is UTF-8 JSONL, one object per line with a string ``text`` field, within `Limits`.
Near-duplicates (of accepted data and within the batch) are found with MinHash LSH
(``datasketch``, word 3-gram shingles, Jaccard threshold `Limits.duplicate_threshold`); novelty
is one minus the share of a record's word 3-grams already seen in accepted data. The five
`Percent` criteria of the Informants pallet are automated proxies, each documented on
`Judgement`; the vote is aye when the batch is well-formed and every criterion reaches its
minimum. No torch is needed.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from datasketch import MinHash, MinHashLSH

from deepshard.offchain_workers.ml.errors import BatchFormatError

__all__ = ["Limits", "Judgement", "AcceptedIndex", "parse_batch", "judge_batch"]

_WORD = re.compile(r"\w+", re.UNICODE)
_OPINION = re.compile(
    r"\b(i think|i believe|in my opinion|i feel|obviously|everyone knows)\b", re.I
)


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on a batch and the thresholds of the vote."""

    max_bytes: int = 16 * 1024 * 1024
    """Largest batch file."""
    max_records: int = 100_000
    """Most records."""
    max_text: int = 64 * 1024
    """Longest ``text`` (UTF-8 bytes)."""
    min_text: int = 16
    """Shortest ``text`` (UTF-8 bytes)."""
    duplicate_threshold: float = 0.8
    """Estimated Jaccard similarity at or above which two texts are near-duplicates."""
    num_perm: int = 128
    """MinHash permutations."""
    minimum: tuple[int, int, int, int, int] = (20, 50, 60, 60, 50)
    """The least percent on each criterion for an aye vote."""


@dataclass(frozen=True, slots=True)
class Judgement:
    """A curator's judgement of one batch."""

    records: int
    """Well-formed records read."""
    kept: list[str]
    """Texts left after removing near-duplicates (of accepted data and within the batch)."""
    novelty: int
    """Percent: mean share of each kept record's word 3-grams not seen in accepted data."""
    reproducibility: int
    """Percent: share of records that are unique (not near-duplicates), i.e. add information."""
    alignment: int
    """Percent: share of records that are readable text (letters, digits, spaces, punctuation
    over 90 % of their characters), not binary noise or control-character payloads."""
    truthfulness: int
    """Percent: share of records whose zlib ratio lies in the band of natural text (0.15-0.85):
    random bytes do not compress, copy-paste spam compresses too well."""
    objectivity: int
    """Percent: share of records free of first-person opinion markers."""
    aye: bool
    """The vote: every criterion at or above its minimum and some record kept."""
    reasons: list[str] = field(default_factory=list)
    """Why the vote is nay (empty for aye)."""

    def criteria(self) -> tuple[int, int, int, int, int]:
        """Return the five percents in the pallet's order."""
        return (
            self.novelty,
            self.reproducibility,
            self.alignment,
            self.truthfulness,
            self.objectivity,
        )


def _shingles(text: str) -> set[str]:
    words = _WORD.findall(text.lower())
    if len(words) < 3:
        return {" ".join(words)} if words else {text}
    return {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}


class AcceptedIndex:
    """The accepted data a curator compares new batches with (MinHash LSH and 3-gram set)."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._lsh = MinHashLSH(
            threshold=self.limits.duplicate_threshold, num_perm=self.limits.num_perm
        )
        self._grams: set[str] = set()
        self._count = 0

    def minhash(self, text: str) -> MinHash:
        """Return the MinHash of `text`'s shingles (seeded: stable across processes)."""
        m = MinHash(num_perm=self.limits.num_perm, seed=1)
        for s in sorted(_shingles(text)):
            m.update(s.encode())
        return m

    def is_duplicate(self, m: MinHash) -> bool:
        """Whether an accepted text is a near-duplicate of the one `m` sketches."""
        return bool(self._lsh.query(m))

    def add(self, texts: Iterable[str]) -> None:
        """Record accepted `texts`."""
        for text in texts:
            self._lsh.insert(f"t{self._count}", self.minhash(text))
            self._grams |= _shingles(text)
            self._count += 1

    def novelty(self, text: str) -> float:
        """Return the share of `text`'s 3-grams not in accepted data (1.0 when nothing is)."""
        grams = _shingles(text)
        return sum(g not in self._grams for g in grams) / len(grams)


def parse_batch(blob: bytes, limits: Limits | None = None) -> list[str]:
    """Return the texts of a batch file.

    Raises:
        BatchFormatError: too large, not UTF-8, a line that is not a JSON object with a string
            ``text`` within the limits (the error names the line), or no record at all.
    """
    lim = limits or Limits()
    if len(blob) > lim.max_bytes:
        raise BatchFormatError(f"batch of {len(blob)} bytes exceeds {lim.max_bytes}")
    try:
        content = blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BatchFormatError(f"batch is not UTF-8 (byte {exc.start})") from None
    texts = []
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise BatchFormatError(f"line {number}: not JSON") from None
        text = record.get("text") if isinstance(record, dict) else None
        if not isinstance(text, str):
            raise BatchFormatError(f"line {number}: no string 'text' field")
        size = len(text.encode())
        if not lim.min_text <= size <= lim.max_text:
            raise BatchFormatError(f"line {number}: text of {size} bytes outside the limits")
        texts.append(text)
        if len(texts) > lim.max_records:
            raise BatchFormatError(f"more than {lim.max_records} records")
    if not texts:
        raise BatchFormatError("batch has no record")
    return texts


def _percent(part: float) -> int:
    return max(0, min(100, round(100 * part)))


def _readable(text: str) -> bool:
    good = sum(
        c.isalnum() or c.isspace() or c in ".,;:!?'\"()-[]{}/_*#=+<>@%&$`|\\^~" for c in text
    )
    return good >= 0.9 * len(text)


def _natural(text: str) -> bool:
    raw = text.encode()
    ratio = len(zlib.compress(raw, 9)) / len(raw)
    return 0.15 <= ratio <= 0.85 or len(raw) < 64


def judge_batch(texts: list[str], index: AcceptedIndex) -> Judgement:
    """Judge parsed `texts` against `index` (which this does not change)."""
    lim = index.limits
    batch_lsh = MinHashLSH(threshold=lim.duplicate_threshold, num_perm=lim.num_perm)
    kept = []
    for i, text in enumerate(texts):
        m = index.minhash(text)
        if index.is_duplicate(m) or batch_lsh.query(m):
            continue
        batch_lsh.insert(f"b{i}", m)
        kept.append(text)
    n = len(texts)
    novelty = _percent(sum(index.novelty(t) for t in kept) / len(kept)) if kept else 0
    crit = (
        novelty,
        _percent(len(kept) / n),
        _percent(sum(map(_readable, texts)) / n),
        _percent(sum(map(_natural, texts)) / n),
        _percent(sum(not _OPINION.search(t) for t in texts) / n),
    )
    names = ("novelty", "reproducibility", "alignment", "truthfulness", "objectivity")
    reasons = [
        f"{k} {v}% < {m}%" for k, v, m in zip(names, crit, lim.minimum, strict=True) if v < m
    ]
    return Judgement(n, kept, *crit, aye=not reasons and bool(kept), reasons=reasons)
