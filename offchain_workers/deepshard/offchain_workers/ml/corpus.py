"""The bootstrap corpus present on every machine: CPython's ``pydoc_data`` help topics.

`pydoc_data.topics` ships with every CPython of a given version, so every node of a devnet
pretrains version 0 on the same text without downloading anything. Its sha256 is part of the
base model's recipe, so a different CPython (different topics) names a different recipe.
"""

from __future__ import annotations

import hashlib

__all__ = ["bootstrap_corpus", "corpus_digest", "split_held_out"]


def bootstrap_corpus() -> list[str]:
    """Return the help topics, ordered by topic name, each with its name as a title line."""
    from pydoc_data.topics import topics  # noqa: PLC0415 - stdlib data, loaded only when needed

    return [f"{name}\n{topics[name].strip()}\n" for name in sorted(topics)]


def corpus_digest(texts: list[str]) -> str:
    """Return the hex sha256 of the texts, each length-prefixed (an unambiguous encoding)."""
    h = hashlib.sha256()
    for t in texts:
        b = t.encode()
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def split_held_out(texts: list[str], every: int = 10) -> tuple[list[str], list[str]]:
    """Split `texts` into (training, held-out): every `every`-th text is held out."""
    train = [t for i, t in enumerate(texts) if i % every != every - 1]
    held = [t for i, t in enumerate(texts) if i % every == every - 1]
    return train, held
