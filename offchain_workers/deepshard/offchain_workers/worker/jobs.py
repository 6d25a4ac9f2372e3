"""ML jobs off the event loop: one child process, spawned on first use and kept for the next job.

Training and scoring hold the CPU (and, in torch's Python parts, the GIL) for seconds to hours;
run in the worker's own process they would starve the event loop that follows the chain, keeps
the WebSocket alive and submits. `JobPool.run` sends a job -- a module-level function and
picklable arguments -- to a child process (``spawn``: a fresh interpreter, so torch's threads and
deterministic settings never leak between the worker and its jobs) and awaits the result. The
child imports torch once and is reused; if it dies (out of memory, a crash), the job fails with
`JobCrashed` and the next job starts a new child. On Linux the child is killed with the worker
(``PR_SET_PDEATHSIG``), so a worker killed mid-job leaves nothing computing behind.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from deepshard.offchain_workers.ml.errors import MLError

__all__ = ["JobCrashed", "JobPool"]

_T = TypeVar("_T")


def _die_with_parent() -> None:
    """Have Linux end this child when the worker dies (even by SIGKILL), so no orphan computes."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # noqa: PLC0415 - Linux only
    import signal  # noqa: PLC0415

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_PR_SET_PDEATHSIG = 1


def _import(module: str) -> None:
    importlib.import_module(module)


class JobCrashed(MLError):
    """The job's child process died before returning (it is replaced for the next job)."""


class JobPool:
    """Runs blocking ML jobs in a reusable child process (module docs)."""

    def __init__(self, processes: int = 1) -> None:
        """Run at most `processes` jobs at once (each in its own child)."""
        self._processes = processes
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self._processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_die_with_parent,
            )
        return self._executor

    async def run(self, job: Callable[..., _T], *args: Any) -> _T:
        """Run ``job(*args)`` in the child and return its result (its exceptions re-raised).

        Raises:
            JobCrashed: the child died; whatever `job` raises, otherwise.
        """
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool(), job, *args)
        except BrokenProcessPool as exc:
            self.close()
            raise JobCrashed(f"the job process died: {exc}") from None

    def warm(self, module: str) -> None:
        """Start the child now and import `module` in it, in the background (not awaited).

        The first job then finds torch loaded instead of paying for the import in its round.
        """
        if self._executor is None:
            self._pool().submit(_import, module)

    def close(self) -> None:
        """Stop the child process (a running job is abandoned)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
