"""Run the ``async def`` tests of this directory on a fresh event loop each, with a time limit
(a hung network test fails instead of blocking the suite)."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

ASYNC_TEST_TIMEOUT = 120.0
"""Seconds an async test may run before it is failed."""


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run coroutine test functions with `asyncio.run`."""
    function = pyfuncitem.obj
    if not inspect.iscoroutinefunction(function):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    arguments: dict[str, Any] = {name: pyfuncitem.funcargs[name] for name in names}
    asyncio.run(asyncio.wait_for(function(**arguments), ASYNC_TEST_TIMEOUT))
    return True
