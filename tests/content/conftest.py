"""Shared helpers of the content-store tests: deterministic file bytes and the npm oracle runner."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from deepshard.offchain_workers.content.daemon import build_app
from deepshard.offchain_workers.content.embedded import EmbeddedStore

JS_DIR = Path(__file__).parent / "js"


def content_blocks(size: int, seed: int) -> Iterator[bytes]:
    """The bytes the oracle script generates: 4 KiB blocks of a repeated sha256 of ``seed:k``."""
    for k in range((size + 4095) // 4096):
        block = hashlib.sha256(f"{seed}:{k}".encode()).digest() * 128
        yield block[: min(4096, size - k * 4096)]


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


class ServerThread:
    """An aiohttp application served from its own thread and event loop (for in-process tests)."""

    def __init__(self, make_app: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self.url = ""

        async def start() -> web.AppRunner:
            runner = web.AppRunner(make_app(), access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
            return runner

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._runner = self._loop.run_until_complete(start())
            self._started.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        self._started.wait(30)

    def call(self, coro: Any) -> Any:
        """Run a coroutine on the server's loop (to seed its store) and return the result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(120)

    def stop(self) -> None:
        """Shut the server down and join its thread."""
        self.call(self._runner.cleanup())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)


@pytest.fixture
def daemon(tmp_path: Path) -> Any:
    """Our daemon over a fresh embedded store, in a thread: ``(url, store, server)``."""
    store = EmbeddedStore(tmp_path / "daemon-repo")
    server = ServerThread(lambda: build_app(store))
    yield server.url, store, server
    server.stop()
    store.close()
