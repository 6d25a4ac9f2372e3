"""The devnet's process supervisor with real child processes: logs, failures, clean stops.

Children are small Python programs. A child that ignores SIGINT is killed after the grace
period; a child that dies is reported with its log; a supervisor killed with SIGKILL leaves no
child behind (the kernel's parent-death signal), checked by scanning /proc.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from deepshard.client.devnet.children import ChildExited, Supervisor
from deepshard.client.devnet.state import DevnetError

SLEEPER = [sys.executable, "-c", "import time\nprint('u' + 'p', flush=True)\ntime.sleep(600)"]
STUBBORN = [
    sys.executable,
    "-c",
    "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "print('stub' + 'born', flush=True)\ntime.sleep(600)",
]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


def test_stop_all_interrupts_then_kills_and_logs_each_child(tmp_path: Path) -> None:
    async def scenario() -> list[int]:
        supervisor = Supervisor(tmp_path / "logs", grace=1.0)
        calm = await supervisor.start("calm", SLEEPER)
        stubborn = await supervisor.start("stubborn", STUBBORN)
        await supervisor.wait_ready(stubborn, _log_says(stubborn.log_path, "stubborn"), timeout=30)
        await supervisor.wait_ready(calm, _log_says(calm.log_path, "up"), timeout=30)
        pids = supervisor.pids()
        await supervisor.stop_all()
        assert calm.process.returncode in (-signal.SIGINT, 1)  # KeyboardInterrupt: status 1
        assert stubborn.process.returncode == -signal.SIGKILL
        return pids

    pids = asyncio.run(scenario())
    assert len(pids) == 2
    assert not any(_alive(pid) for pid in pids)
    assert "==> " in (tmp_path / "logs" / "calm.log").read_text()


def _log_says(path: Path, text: str) -> Callable[[], Awaitable[bool]]:
    async def probe() -> bool:
        # the first line echoes the command; the marker is printed by the program itself
        return text in path.read_text().splitlines()[2:]

    return probe


def test_watch_reports_a_child_that_died_with_its_log(tmp_path: Path) -> None:
    async def scenario() -> None:
        supervisor = Supervisor(tmp_path, grace=1.0)
        await supervisor.start(
            "fragile", [sys.executable, "-c", "print('about to fail'); raise SystemExit(3)"]
        )
        with pytest.raises(ChildExited) as caught:
            await asyncio.wait_for(supervisor.watch(), 30)
        assert caught.value.returncode == 3
        assert "about to fail" in str(caught.value)
        await supervisor.stop_all()

    asyncio.run(scenario())


def test_run_returns_output_and_raises_on_failure_or_timeout(tmp_path: Path) -> None:
    async def scenario() -> None:
        supervisor = Supervisor(tmp_path, grace=1.0)
        out = await supervisor.run(
            "ok",
            [sys.executable, "-c", "import os; print(os.environ['X'])"],
            timeout=30,
            env={"X": "secret-from-env"},
        )
        assert "secret-from-env" in out
        with pytest.raises(DevnetError, match="status 2"):
            await supervisor.run("bad", [sys.executable, "-c", "raise SystemExit(2)"], timeout=30)
        with pytest.raises(DevnetError, match="longer than"):
            await supervisor.run("slow", SLEEPER, timeout=1)
        assert supervisor.pids() == []

    asyncio.run(scenario())


def test_a_killed_supervisor_leaves_no_orphan(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    program = textwrap.dedent(
        f"""
        import asyncio, sys
        from pathlib import Path
        from deepshard.client.devnet.children import Supervisor

        async def main():
            supervisor = Supervisor(Path({str(tmp_path)!r}) / "logs")
            for name in ("a", "b", "c"):
                await supervisor.start(name, {SLEEPER!r})
            Path({str(pid_file)!r}).write_text(" ".join(map(str, supervisor.pids())))
            await asyncio.sleep(600)

        asyncio.run(main())
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", program])
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline, "the supervisor did not start its children"
            time.sleep(0.2)
        pids = [int(p) for p in pid_file.read_text().split()]
        assert all(_alive(p) for p in pids)
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 20
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(p) for p in pids), "children outlived a SIGKILLed devnet"
    finally:
        if parent.poll() is None:
            parent.kill()
