"""Shared helpers of the content-store tests: deterministic file bytes and the npm oracle runner."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

JS_DIR = Path(__file__).parent / "js"


def content_blocks(size: int, seed: int) -> list[bytes]:
    """The bytes the oracle script generates: 4 KiB blocks of a repeated sha256 of ``seed:k``."""
    blocks = []
    for k in range((size + 4095) // 4096):
        block = hashlib.sha256(f"{seed}:{k}".encode()).digest() * 128
        blocks.append(block[: min(4096, size - k * 4096)])
    return blocks


def content(size: int, seed: int) -> bytes:
    """All of `content_blocks` at once."""
    return b"".join(content_blocks(size, seed))


def run_node_script(script: str, *args: str, timeout: float = 600) -> Any:
    """Run ``tests/content/js/SCRIPT`` with Node.js and parse its last stdout line as JSON."""
    node = shutil.which("node")
    if node is None or not (JS_DIR / "node_modules" / "ipfs-unixfs-importer").exists():
        pytest.fail("Node.js and the npm oracles are needed: run `make ipfs-js-deps`")
    result = subprocess.run(
        [node, str(JS_DIR / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:] + result.stdout[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
