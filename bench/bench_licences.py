"""Licence benchmark: key custody throughput and cost, and tokens/s served over HTTP on CPU.

Run with ``python -m bench licences``. Figures:

* streamed XChaCha20-Poly1305 (`deepshard.offchain_workers.keeper.custody`) over a 256 MiB file
  of random bytes (a stand-in for a bundle: cipher speed does not depend on content), in 1 MiB
  chunks, disk to disk, best of `ROUNDS`: encryption and decryption in MiB/s;
* Shamir over GF(2^521 - 1): splitting a key 2-of-3 and 7-of-10, and rebuilding it from t
  shares, each timed alone; and a whole purchase's key work (split 7-of-10, seal 7 shares to a
  buyer, open them, rebuild);
* the inference node (needs the ``ml`` extra): the dev model (the bootstrapped base with one
  trained adapter merged) served by the real FastAPI app under uvicorn on 127.0.0.1; tokens/s
  of a 128-token completion (non-streamed and streamed, best of 3) and the time to the first
  streamed token, on CPU.
"""

from __future__ import annotations

import json
import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from nacl.public import PrivateKey

from bench.harness import Figure, per_second, print_figures, seconds_per_call
from deepshard.offchain_workers.keeper import custody

SIZE_MIB = 256
ROUNDS = 2
THRESHOLD, KEEPERS = 7, 10
GENERATED_TOKENS = 128


def _best(fn: Callable[[], None]) -> float:
    """The fastest of `ROUNDS` runs of `fn`, in seconds."""
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _custody_figures() -> list[Figure]:
    key = secrets.token_bytes(custody.KEY_SIZE)
    buyer = PrivateKey.generate()
    with tempfile.TemporaryDirectory() as tmp:
        plain, sealed, opened = Path(tmp, "w.bin"), Path(tmp, "w.enc"), Path(tmp, "w.out")
        with plain.open("wb") as out:
            for _ in range(SIZE_MIB):
                out.write(secrets.token_bytes(1 << 20))

        def encrypt() -> None:
            with plain.open("rb") as src, sealed.open("wb") as dst:
                custody.encrypt_stream(src, dst, key)

        def decrypt() -> None:
            with sealed.open("rb") as src, opened.open("wb") as dst:
                custody.decrypt_stream(src, dst, key)

        enc = _best(encrypt)
        dec = _best(decrypt)
        assert opened.stat().st_size == plain.stat().st_size

    def purchase() -> None:
        shares = custody.split_key(key, THRESHOLD, KEEPERS)
        boxes = [custody.seal_share(s, bytes(buyer.public_key)) for s in shares[:THRESHOLD]]
        assert custody.combine_shares([custody.open_share(b, bytes(buyer)) for b in boxes]) == key

    small = custody.split_key(key, 2, 3)
    large = custody.split_key(key, THRESHOLD, KEEPERS)
    us = 1_000_000.0
    return [
        Figure("encrypt (disk to disk)", SIZE_MIB / enc, "MiB/s", f"{SIZE_MIB} MiB, 1 MiB chunks"),
        Figure("decrypt (disk to disk)", SIZE_MIB / dec, "MiB/s", "authenticated"),
        Figure("split 2-of-3", us * seconds_per_call(lambda: custody.split_key(key, 2, 3)), "µs"),
        Figure(
            "combine 2 shares",
            us * seconds_per_call(lambda: custody.combine_shares(small[:2])),
            "µs",
        ),
        Figure(
            f"split {THRESHOLD}-of-{KEEPERS}",
            us * seconds_per_call(lambda: custody.split_key(key, THRESHOLD, KEEPERS)),
            "µs",
        ),
        Figure(
            f"combine {THRESHOLD} shares",
            us * seconds_per_call(lambda: custody.combine_shares(large[:THRESHOLD])),
            "µs",
        ),
        Figure(
            f"split {THRESHOLD}-of-{KEEPERS}, seal, open, rebuild",
            per_second(purchase),
            "purchases/s",
        ),
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serving_figures() -> list[Figure] | None:
    try:
        import torch  # noqa: PLC0415
    except ImportError:
        return None
    import httpx  # noqa: PLC0415
    import uvicorn  # noqa: PLC0415

    from deepshard.offchain_workers.inference.api import create_app  # noqa: PLC0415
    from deepshard.offchain_workers.inference.engine import (  # noqa: PLC0415
        SamplingParams,
        load_engine,
    )
    from deepshard.offchain_workers.ml.adapters import load_version  # noqa: PLC0415
    from deepshard.offchain_workers.ml.base_model import bootstrap  # noqa: PLC0415
    from deepshard.offchain_workers.ml.corpus import bootstrap_corpus  # noqa: PLC0415
    from deepshard.offchain_workers.ml.profile import RoundSpec, TrainingProfile  # noqa: PLC0415
    from deepshard.offchain_workers.ml.trainer import train_adapter  # noqa: PLC0415

    threads = torch.get_num_threads()
    base = bootstrap()
    model, codec = load_version(base, [])
    texts = [t[:400] for t in bootstrap_corpus()[:8]]
    spec = RoundSpec(bytes(32), (0, 2), TrainingProfile(steps=3, batch_size=2))
    adapter = train_adapter(model, codec, texts, spec).blob
    torch.set_num_threads(threads)  # the deterministic trainer pinned one thread; serve as usual
    engine = load_engine(base, [adapter], "deepshard-v1", "cpu")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(engine, SamplingParams), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}/v1/completions"
    body = {
        "model": "deepshard-v1",
        "prompt": "def main():",
        "max_tokens": GENERATED_TOKENS,
        "temperature": 1.0,
        "seed": 1,
    }
    try:
        with httpx.Client(timeout=120) as client:
            client.post(url, json={**body, "max_tokens": 4})  # warm-up
            whole, streamed, first = 0.0, 0.0, float("inf")
            for _ in range(3):
                start = time.perf_counter()
                answer = client.post(url, json=body).json()
                elapsed = time.perf_counter() - start
                whole = max(whole, answer["usage"]["completion_tokens"] / elapsed)
                start = time.perf_counter()
                tokens, seen_first = 0, None
                with client.stream("POST", url, json={**body, "stream": True}) as response:
                    for line in response.iter_lines():
                        if not line.startswith("data: {"):
                            continue
                        if seen_first is None:
                            seen_first = time.perf_counter() - start
                        text = json.loads(line[6:])["choices"][0]["text"]
                        tokens += len(text.encode())  # byte-level model: one token per byte
                elapsed = time.perf_counter() - start
                streamed = max(streamed, tokens / elapsed)
                first = min(first, seen_first or elapsed)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    note = f"dev model, CPU, {threads} threads, {GENERATED_TOKENS} tokens"
    return [
        Figure("served tokens/s (completion)", whole, "tokens/s", note),
        Figure("served tokens/s (stream: true)", streamed, "tokens/s", "SSE over HTTP"),
        Figure("time to first streamed token", 1000.0 * first, "ms"),
    ]


def main() -> None:
    """Print the key-custody figures and, with the ``ml`` extra, the serving figures."""
    print_figures("licences: key custody", _custody_figures())
    serving = _serving_figures()
    if serving is None:
        print("\n== licences: inference serving skipped (install the 'ml' extra)")
    else:
        print_figures("licences: inference node (OpenAI API over HTTP)", serving)


if __name__ == "__main__":
    main()
