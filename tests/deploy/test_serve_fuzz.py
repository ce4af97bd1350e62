"""Schemathesis against the service's own OpenAPI: no input makes it answer with a server error.

The judge here always answers `inconclusive`, so no 5xx is a contract answer (Flagger's rollout
hook answers 500 for fail by design); any 5xx seen is a bug in validation or handling.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from realitycheck.serve import Settings, create_app

from .live import running
from .scripted import Scripted


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    state = Path(tmp_path_factory.mktemp("fuzz")) / "state.sqlite"
    with contextlib.ExitStack() as stack:
        yield stack.enter_context(
            running(create_app(Settings(state_path=state), Scripted(["inconclusive"])))
        )


def test_no_server_errors(base_url: str) -> None:
    api = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate()

        check()
