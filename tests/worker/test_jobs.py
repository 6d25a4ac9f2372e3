"""Jobs run in a child process and report back; a slow role does not hold up the follower."""

from __future__ import annotations

import asyncio
import operator
import os

import pytest

from deepshard.offchain_workers.worker.jobs import JobCrashed, JobPool
from deepshard.offchain_workers.worker.runner import LatestHead


def test_jobs_run_in_a_reused_child_and_survive_a_crash() -> None:
    async def scenario() -> None:
        pool = JobPool()
        try:
            pool.warm("json")  # the child starts in the background; the job below reuses it
            first = await pool.run(os.getpid)
            assert first != os.getpid()
            assert await pool.run(os.getpid) == first  # reused, torch imported once
            assert await pool.run(operator.add, 2, 3) == 5
            with pytest.raises(ZeroDivisionError):
                await pool.run(operator.truediv, 1, 0)
            with pytest.raises(JobCrashed):
                await pool.run(os._exit, 3)
            second = await pool.run(os.getpid)
            assert second not in (first, os.getpid())
        finally:
            pool.close()

    asyncio.run(scenario())


def test_the_event_loop_runs_while_a_job_computes() -> None:
    async def scenario() -> int:
        pool = JobPool()
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        try:
            await pool.run(os.getpid)  # start the child
            ticker = asyncio.create_task(tick())
            await pool.run(pow, 3, 2_000_000)  # about a second of one core in the child
            ticker.cancel()
        finally:
            pool.close()
        return ticks

    assert asyncio.run(scenario()) > 0


class _Head:
    def __init__(self, number: int) -> None:
        self.number = number


def test_latest_head_keeps_only_the_newest() -> None:
    async def scenario() -> list[int]:
        latest = LatestHead()
        taken = []
        for n in range(1, 6):  # the actor is busy while five heads arrive
            latest.put(_Head(n))  # type: ignore[arg-type]
        taken.append((await latest.take()).number)
        waiter = asyncio.create_task(latest.take())
        await asyncio.sleep(0.01)
        assert not waiter.done()  # nothing new: the actor waits
        latest.put(_Head(6))  # type: ignore[arg-type]
        taken.append((await waiter).number)
        return taken

    assert asyncio.run(scenario()) == [5, 6]
