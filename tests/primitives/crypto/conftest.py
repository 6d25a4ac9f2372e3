"""Shared data of the crypto tests: the polkadot.js vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

VECTORS_PATH = Path(__file__).with_name("vectors_polkadot_js.json")


@pytest.fixture(scope="session")
def polkadot_js_vectors() -> dict[str, Any]:
    """Keys and mini-secrets computed once by @polkadot/keyring (see the file's "source")."""
    data: dict[str, Any] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
    return data
