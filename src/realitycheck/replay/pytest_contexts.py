"""A pytest plugin that gives each test its own coverage context (its node id).

Reality coverage copies this file beside the project's tests under the name
`_realitycheck_contexts` and loads it with `-p`, so it needs only pytest and coverage.py.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import coverage
import pytest


def _switch(name: str) -> None:
    cov = coverage.Coverage.current()
    if cov is not None:
        cov.switch_context(name)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: Any) -> Generator[None, None, None]:
    """Measure the test's setup under its node id."""
    _switch(item.nodeid)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: Any) -> Generator[None, None, None]:
    """Measure the test's body under its node id."""
    _switch(item.nodeid)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: Any) -> Generator[None, None, None]:
    """Measure the test's teardown under its node id, then go back to no context."""
    _switch(item.nodeid)
    yield
    _switch("")
