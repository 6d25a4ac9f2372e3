"""Fixtures of the inference tests: the bootstrapped base model with a trained adapter merged,
served by uvicorn on a free port in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Version 0, bootstrapped with the default recipe into a session cache."""
    pytest.importorskip("torch")
    from deepshard.offchain_workers.ml.base_model import bootstrap  # noqa: PLC0415

    return bootstrap(cache=tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def adapter_blob(base_dir: Path) -> bytes:
    """A real LoRA adapter trained for a few steps on shard 0:2 (what a round accepts)."""
    from deepshard.offchain_workers.ml.adapters import load_version  # noqa: PLC0415
    from deepshard.offchain_workers.ml.corpus import bootstrap_corpus  # noqa: PLC0415
    from deepshard.offchain_workers.ml.profile import RoundSpec, TrainingProfile  # noqa: PLC0415
    from deepshard.offchain_workers.ml.trainer import train_adapter  # noqa: PLC0415

    model, codec = load_version(base_dir, [])
    texts = [t[:400] for t in bootstrap_corpus()[:8]]
    spec = RoundSpec(bytes(32), (0, 2), TrainingProfile(steps=3, batch_size=2))
    return train_adapter(model, codec, texts, spec).blob


@pytest.fixture(scope="session")
def engine(base_dir: Path, adapter_blob: bytes) -> Any:
    from deepshard.offchain_workers.inference.engine import load_engine  # noqa: PLC0415

    return load_engine(base_dir, [adapter_blob], "deepshard-v1", "cpu")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def server_url(engine: Any) -> Iterator[str]:
    """The API served by uvicorn (a real HTTP server) on 127.0.0.1."""
    import uvicorn  # noqa: PLC0415

    from deepshard.offchain_workers.inference.api import create_app  # noqa: PLC0415
    from deepshard.offchain_workers.inference.engine import SamplingParams  # noqa: PLC0415

    port = _free_port()
    config = uvicorn.Config(
        create_app(engine, SamplingParams), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
