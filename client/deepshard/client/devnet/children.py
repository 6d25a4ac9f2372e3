"""Child processes of a devnet: start each with its own log file, watch them, stop them all.

Every child runs in its own process group (so a terminal's Ctrl-C reaches the devnet alone and
the devnet decides the order of shutdown) and, on Linux, is told by the kernel to stop when the
devnet dies (``PR_SET_PDEATHSIG``), so even a killed devnet leaves no orphan behind. `Supervisor`
stops children in the reverse order of their start: SIGINT (each Deepshard process shuts down
cleanly on it), then, after a grace period, SIGKILL to the whole group.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from deepshard.client.devnet.state import DevnetError

__all__ = ["Child", "ChildExited", "Supervisor", "deepshard_argv", "tail"]

log = logging.getLogger("deepshard.devnet")

STOP_GRACE: Final = 20.0
"""Seconds a child has to exit after SIGINT before its group is killed."""
_PR_SET_PDEATHSIG: Final = 1


def deepshard_argv() -> list[str]:
    """The command that runs this ``deepshard`` (the console script beside this Python)."""
    script = Path(sys.executable).with_name("deepshard")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "deepshard.client.cli"]


def tail(path: Path, lines: int = 20) -> str:
    """The last `lines` lines of a log file ("" when it cannot be read)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _die_with_parent() -> None:  # pragma: no cover - runs in the forked child
    """In the child, before exec: ask Linux for SIGTERM when the devnet dies."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class ChildExited(DevnetError):
    """A long-running child stopped while the devnet needed it."""

    def __init__(self, name: str, returncode: int | None, log_path: Path) -> None:
        self.name = name
        self.returncode = returncode
        self.log_path = log_path
        super().__init__(
            f"{name} exited with status {returncode}; its log {log_path} ends with:\n"
            f"{tail(log_path)}"
        )


@dataclass(slots=True)
class Child:
    """A started child process."""

    name: str
    """Its name in the devnet (``validator-1``, ``trainer-2``...)."""
    argv: tuple[str, ...]
    """Its command line."""
    log_path: Path
    """Where its stdout and stderr go."""
    process: asyncio.subprocess.Process
    """The process."""
    long_running: bool = True
    """Whether its exit is a failure of the devnet (False for one-shot commands)."""

    @property
    def pid(self) -> int:
        """Its process id (also its process group id)."""
        return self.process.pid

    @property
    def running(self) -> bool:
        """Whether it has not exited yet."""
        return self.process.returncode is None


@dataclass
class Supervisor:
    """Starts, watches and stops a devnet's children (module docs)."""

    logs: Path
    """Directory of the log files."""
    env: Mapping[str, str] = field(default_factory=dict)
    """Extra environment for every child."""
    grace: float = STOP_GRACE
    """Seconds between SIGINT and SIGKILL at shutdown."""
    children: list[Child] = field(default_factory=list)
    """Every child started, in start order."""
    stopping: bool = False
    """Set once `stop_all` began: exits are expected from then on."""

    async def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        long_running: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> Child:
        """Start `argv` as child `name`, appending its output to ``<logs>/<name>.log``.

        `env` adds to the environment (for secrets that must not show on a command line).

        Raises:
            DevnetError: the program cannot be started.
        """
        self.logs.mkdir(parents=True, exist_ok=True)
        log_path = self.logs / f"{name}.log"
        environment = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "NO_COLOR": "1",
            **self.env,
            **(env or {}),
        }
        with log_path.open("ab") as out:
            out.write(f"\n==> {' '.join(argv)}\n".encode())
            out.flush()
            try:
                process = await asyncio.create_subprocess_exec(
                    *argv,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=out,
                    stderr=asyncio.subprocess.STDOUT,
                    env=environment,
                    start_new_session=True,
                    preexec_fn=_die_with_parent,
                )
            except OSError as exc:
                raise DevnetError(f"cannot start {name} ({argv[0]}): {exc}") from exc
        child = Child(name, tuple(argv), log_path, process, long_running)
        self.children.append(child)
        log.debug("started %s (pid %d)", name, process.pid)
        return child

    async def run(
        self,
        name: str,
        argv: Sequence[str],
        *,
        timeout: float,
        env: Mapping[str, str] | None = None,
    ) -> str:
        """Run a one-shot command to completion; return its output (also kept in its log).

        Raises:
            DevnetError: it failed (non-zero status) or ran past `timeout` seconds.
        """
        child = await self.start(name, argv, long_running=False, env=env)
        start = child.log_path.stat().st_size
        try:
            await asyncio.wait_for(child.process.wait(), timeout)
        except TimeoutError:
            await self._stop(child)
            raise DevnetError(
                f"{name} took longer than {timeout:.0f} s; see {child.log_path}"
            ) from None
        finally:
            if not child.running:
                self.children.remove(child)
        with child.log_path.open("rb") as log_file:
            log_file.seek(start)
            output = log_file.read().decode("utf-8", errors="replace")
        if child.process.returncode != 0:
            raise DevnetError(
                f"{name} failed with status {child.process.returncode}:\n{output[-2000:]}"
            )
        return output

    async def wait_ready(
        self,
        child: Child,
        probe: Callable[[], Awaitable[bool]],
        *,
        timeout: float,
        interval: float = 0.5,
    ) -> None:
        """Poll `probe` until it answers True.

        Raises:
            ChildExited: the child exited first.
            DevnetError: it was not ready within `timeout` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if not child.running:
                raise ChildExited(child.name, child.process.returncode, child.log_path)
            with contextlib.suppress(Exception):
                if await probe():
                    return
            if loop.time() > deadline:
                raise DevnetError(
                    f"{child.name} was not ready within {timeout:.0f} s; its log "
                    f"{child.log_path} ends with:\n{tail(child.log_path)}"
                )
            await asyncio.sleep(interval)

    async def watch(self) -> None:
        """Return never; raise `ChildExited` as soon as a long-running child exits."""
        while True:
            for child in list(self.children):
                if child.long_running and not child.running and not self.stopping:
                    raise ChildExited(child.name, child.process.returncode, child.log_path)
            await asyncio.sleep(0.5)

    def pids(self) -> list[int]:
        """The process ids of the children still running."""
        return [c.pid for c in self.children if c.running]

    async def stop_all(self) -> None:
        """Stop every child, newest first: SIGINT, then SIGKILL after the grace period.

        Runs to the end even if the calling task is cancelled meanwhile.
        """
        self.stopping = True
        await asyncio.shield(self._stop_all())

    async def _stop_all(self) -> None:
        for child in reversed(self.children):
            if child.running:
                _signal_group(child, signal.SIGINT)
        pending = [c for c in self.children if c.running]
        if pending:
            waits = [asyncio.create_task(c.process.wait()) for c in pending]
            _, late = await asyncio.wait(waits, timeout=self.grace)
            for task in late:
                task.cancel()
        for child in self.children:
            # the group too: a child's own children (if any) go with it
            _signal_group(child, signal.SIGKILL)
            if child.running:
                with contextlib.suppress(ProcessLookupError):
                    await child.process.wait()

    async def _stop(self, child: Child) -> None:
        _signal_group(child, signal.SIGINT)
        try:
            await asyncio.wait_for(child.process.wait(), self.grace)
        except TimeoutError:
            _signal_group(child, signal.SIGKILL)
            await child.process.wait()

    def kill_all(self) -> None:
        """SIGKILL every child's group at once (a second Ctrl-C)."""
        for child in self.children:
            _signal_group(child, signal.SIGKILL)


def _signal_group(child: Child, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signum)
