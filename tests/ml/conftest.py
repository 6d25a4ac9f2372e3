"""Fixtures of the ML tests: the bootstrapped base model, built once per session in a temp cache.

Tests that need torch skip (``pytest.importorskip``) where the ``ml`` extra is not installed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

CORPUS_TEXTS = 24


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model cache directory shared by the session (and by the subprocesses it starts)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def base_dir(model_cache: Path) -> Path:
    """Version 0, bootstrapped with the default recipe into `model_cache`."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from deepshard.offchain_workers.ml.base_model import bootstrap  # noqa: PLC0415

    return bootstrap(cache=model_cache)


@pytest.fixture(scope="session")
def honest_texts() -> list[str]:
    """Training texts from the corpus (what honest trainers see)."""
    from deepshard.offchain_workers.ml.corpus import bootstrap_corpus, split_held_out  # noqa: PLC0415

    train, _ = split_held_out(bootstrap_corpus())
    return [t[:2000] for t in train[:CORPUS_TEXTS]]


@pytest.fixture(scope="session")
def held_out_texts() -> list[str]:
    """Held-out texts from the corpus."""
    from deepshard.offchain_workers.ml.corpus import bootstrap_corpus, split_held_out  # noqa: PLC0415

    _, held = split_held_out(bootstrap_corpus())
    return [t[:1500] for t in held[:4]]


def _write_jsonl(path: Path, texts: list[str]) -> Path:
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    return path


@pytest.fixture
def write_jsonl() -> Callable[[Path, list[str]], Path]:
    """A function writing texts as a batch file (JSONL with ``text``) and returning its path."""
    return _write_jsonl
