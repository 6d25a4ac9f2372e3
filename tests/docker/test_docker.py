"""docker/: the image's recipe and the compose file, checked without a Docker engine.

This machine has no Docker engine, so no image is built here. What can be checked is: the
compose file validates with ``docker compose config`` (skipped when the compose plugin is
missing), its structure (every Deepshard service from the one image, with a health check and
volumes, Kubo only under a profile), the Dockerfile's stages, non-root user, CPU torch pin (the
Makefile's) and CUDA build arguments, and the image's entry commands themselves, run here by
the entrypoint script as the container would: every service's command line is parsed by
``deepshard`` (with ``--help``, which rejects unknown options), the one-shot ``genesis`` job
writes a chain spec that ``deepshard chain-spec inspect`` reads, and the node and IPFS daemon
start from it and pass their container health checks.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "docker"
COMPOSE = DOCKER / "compose.yaml"
ENTRYPOINT = DOCKER / "entrypoint.sh"
HEALTHCHECK = DOCKER / "healthcheck.py"


def _compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


def _env() -> dict[str, str]:
    """The environment the entrypoint sees: this checkout's ``deepshard`` first on PATH."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _compose_command() -> list[str] | None:
    """``docker compose`` (the plugin), else Debian's ``docker-compose``; None if neither works."""
    docker = shutil.which("docker")
    if docker is not None:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone is not None else None


def test_docker_compose_config_validates() -> None:
    compose = _compose_command()
    if compose is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed here")
    for profile in ([], ["--profile", "kubo"]):
        done = subprocess.run(
            [*compose, "-f", str(COMPOSE), *profile, "config", "--quiet"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr


def test_compose_runs_every_role_from_one_image_with_health_checks_and_volumes() -> None:
    compose = _compose()
    services = compose["services"]
    ours = {name: s for name, s in services.items() if name != "kubo"}
    roles = {
        "validators": {"alice", "bob", "charlie", "dave"},
        "full node": {"full-node"},
        "content": {"ipfs"},
        "explorer": {"explorer-index", "explorer"},
        "workers": {"curator-1", "trainer-1", "scorer-1"},
    }
    for what, names in roles.items():
        assert names <= set(services), what
    images = {s["image"] for s in ours.values()}
    assert images == {"${DEEPSHARD_IMAGE:-deepshard:latest}"}
    for name, service in ours.items():
        assert service["build"]["dockerfile"] == "docker/Dockerfile", name
        assert service["volumes"], name
        if service.get("restart") != "no" and name != "explorer-index":
            assert "healthcheck" in service, name
        for volume in service["volumes"]:
            assert volume.split(":")[0] in compose["volumes"], (name, volume)
    assert services["kubo"]["profiles"] == ["kubo"]
    assert services["kubo-seed"]["profiles"] == ["kubo"]
    assert all("profiles" not in s for n, s in services.items() if not n.startswith("kubo"))
    validators = [services[n]["command"] for n in ("alice", "bob", "charlie", "dave")]
    assert [c[c.index("--chain") + 1] for c in validators] == ["/shared/chain-spec.json"] * 4
    assert all("--validator" not in c for c in validators)  # --alice ... imply it
    bootnode = validators[1][validators[1].index("--bootnodes") + 1]
    from deepshard.client.network.identity import NodeKey  # noqa: PLC0415

    alice = validators[0]
    peer = NodeKey.from_hex(alice[alice.index("--node-key") + 1]).peer_id
    assert bootnode == f"/dns4/alice/tcp/30333/p2p/{peer}"


def _stages(dockerfile: str) -> list[tuple[str, str]]:
    return re.findall(r"^FROM\s+(\S+)\s+AS\s+(\S+)", dockerfile, re.MULTILINE)


def test_dockerfile_is_multi_stage_non_root_cpu_torch_by_default_cuda_by_argument() -> None:
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert [stage for _, stage in _stages(dockerfile)] == ["build", "runtime"]
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.\d+-slim", dockerfile, re.MULTILINE)
    makefile = (REPO / "Makefile").read_text()
    pinned = re.search(r"pip install --quiet (torch==\S+)", makefile)
    assert pinned is not None
    assert f'ARG TORCH_SPEC="{pinned.group(1)}"' in dockerfile
    assert 'ARG TORCH_INDEX_URL=""' in dockerfile
    runtime = dockerfile.split("AS runtime", 1)[1]
    users = re.findall(r"^USER\s+(\S+)", runtime, re.MULTILINE)
    assert users == ["deepshard"]
    assert "--uid 10001" in runtime
    assert 'ENTRYPOINT ["/usr/local/bin/deepshard-entrypoint"]' in runtime
    assert "COPY docker/entrypoint.sh /usr/local/bin/deepshard-entrypoint" in runtime
    assert "COPY docker/healthcheck.py /usr/local/bin/deepshard-healthcheck" in runtime
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".git", ".venv", "tests"} <= set(ignored)
    for copied in re.findall(r"^COPY (\w+) \1$", dockerfile, re.MULTILINE):
        assert (REPO / copied).is_dir()


@pytest.mark.e2e
def test_every_service_command_parses_through_the_entrypoint() -> None:
    services = _compose()["services"]
    seen: set[tuple[str, ...]] = set()
    for name, service in services.items():
        if name == "kubo" or service["command"][0] in ("genesis", "seed-api"):
            continue
        # one run per command shape: the workers of a role differ only in their values
        shape = tuple(a for a in service["command"] if a.startswith("--") or a.isalpha())
        if shape in seen:
            continue
        seen.add(shape)
        argv = [
            a.replace("${IPFS_API:-http://ipfs:5001}", "http://ipfs:5001")
            for a in service["command"]
        ]
        done = subprocess.run(
            ["sh", str(ENTRYPOINT), *argv, "--help"],
            capture_output=True,
            text=True,
            env=_env(),
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"{name}: {done.stderr[-2000:]}"
        assert "Usage: deepshard" in done.stdout, name


@pytest.fixture
def genesis(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The compose file's one-shot genesis job, run by the entrypoint with local paths."""
    shared = tmp_path / "shared"
    env = {**_env(), "DEEPSHARD_IPFS_PATH": str(tmp_path / "ipfs")}
    command = _compose()["services"]["genesis"]["command"]
    argv = [a.replace("/shared", str(shared)) for a in command]
    done = subprocess.run(
        ["sh", str(ENTRYPOINT), *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return shared, env


@pytest.mark.e2e
def test_genesis_job_then_node_and_ipfs_start_and_pass_their_health_checks(
    genesis: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    shared, env = genesis
    spec = shared / "chain-spec.json"
    inspect = subprocess.run(
        [*_deepshard(), "chain-spec", "inspect", str(spec), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert inspect.returncode == 0, inspect.stderr
    again = subprocess.run(
        ["sh", str(ENTRYPOINT), "genesis", "local", str(shared)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert "keeping it" in again.stdout
    services = _compose()["services"]
    rpc, p2p, ipfs_port = _free_port(), _free_port(), _free_port()
    node_argv = [
        a.replace("/shared", str(shared))
        .replace("/data", str(tmp_path / "alice"))
        .replace("0.0.0.0/tcp/30333", f"127.0.0.1/tcp/{p2p}")
        for a in services["alice"]["command"]
        if a != "--rpc-external"
    ] + ["--rpc-port", str(rpc)]
    ipfs_argv = [
        a.replace("/data/ipfs", env["DEEPSHARD_IPFS_PATH"]).replace("0.0.0.0", "127.0.0.1")
        for a in services["ipfs"]["command"]
    ]
    ipfs_argv[ipfs_argv.index("--port") + 1] = str(ipfs_port)
    started = [
        subprocess.Popen(
            ["sh", str(ENTRYPOINT), *argv],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for argv in (node_argv, ipfs_argv)
    ]
    try:
        checks = [
            ("rpc", f"http://127.0.0.1:{rpc}"),
            ("post", f"http://127.0.0.1:{ipfs_port}/api/v0/version"),
        ]
        for kind, url in checks:
            deadline = time.monotonic() + 120
            while subprocess.run(
                [sys.executable, str(HEALTHCHECK), kind, url], check=False
            ).returncode:
                assert all(p.poll() is None for p in started), "a service exited"
                assert time.monotonic() < deadline, f"{kind} {url} never healthy"
                time.sleep(1)
        assert (
            subprocess.run(
                [sys.executable, str(HEALTHCHECK), "get", f"http://127.0.0.1:{_free_port()}"],
                check=False,
            ).returncode
            == 1
        )
    finally:
        for process in started:
            process.send_signal(signal.SIGINT)
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _deepshard() -> list[str]:
    return [str(Path(sys.executable).with_name("deepshard"))]
