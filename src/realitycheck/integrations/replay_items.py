"""The tests `pytest --realitycheck-replay TARGET` adds: one per recorded sample of TARGET."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from realitycheck.core.errors import RealityCheckError
from realitycheck.corpus.model import Sample
from realitycheck.integrations import pytest_plugin
from realitycheck.integrations.recorded import Project, check_sample, full_target, import_target

EXCERPT = 400


class ReplayFailure(Exception):
    """The current code's output differs from the recorded one."""


class ReplayItem(pytest.Item):
    """The current code run on one recorded sample, its output compared with the recorded one."""

    def __init__(self, *, target: str, sample: Sample | pytest_plugin.NoSamples, **kw: Any) -> None:
        super().__init__(**kw)
        self.target = target
        self.sample = sample
        self.add_marker(pytest_plugin.REPLAY_MARKER)

    def runtest(self) -> None:
        if isinstance(self.sample, pytest_plugin.NoSamples):
            pytest.fail(self.sample.reason, pytrace=False)
        project = pytest_plugin._project(self.config)
        if isinstance(project, str):
            pytest.fail(f"realitycheck: {project}", pytrace=False)
        fn = _function(self.config, project, self.target)
        outcome = check_sample(project, fn, self.sample, project.corpus())
        if outcome is None:
            pytest.skip(f"{self.sample.id} has no recorded output to compare with")
        if outcome.divergences:
            raise ReplayFailure(_describe(self.sample, outcome.divergences, outcome))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ReplayFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[str, int | None, str]:
        return f"realitycheck replay {self.target}", None, self.name


_FUNCTIONS = pytest.StashKey[dict[str, "Callable[..., Any] | str"]]()


def _function(config: pytest.Config, project: Project, target: str) -> Callable[..., Any]:
    """The target imported from the current code, once per session (or fail saying why)."""
    cache = config.stash.setdefault(_FUNCTIONS, {})
    if target not in cache:
        try:
            cache[target] = import_target(target, project.source_roots())
        except RealityCheckError as exc:
            cache[target] = str(exc)
    found = cache[target]
    if isinstance(found, str):
        pytest.fail(f"realitycheck: {found}", pytrace=False)
    return found


def _describe(sample: Sample, divergences: list[Any], outcome: Any) -> str:
    lines = [f"{sample.target}: the current code's output of {sample.id} differs from the recorded"]
    for d in divergences:
        detail = f" ({d.detail})" if d.detail else ""
        lines.append(f"  {d.path}: {d.category}{detail}")
    lines.append(f"  recorded: {_excerpt(outcome.recorded)}")
    lines.append(f"  now:      {_excerpt(outcome.current)}")
    lines.append(f"  see the sample: realitycheck corpus show {sample.id}")
    return "\n".join(lines)


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[:EXCERPT] + " …"


class ReplayTarget(pytest.Collector):
    """The replay checks of one target; its items are `realitycheck-replay[TARGET]::SAMPLE_ID`."""

    def __init__(self, *, target: str, limit: int | None, **kw: Any) -> None:
        super().__init__(**kw)
        self.target = target
        self.limit = limit

    def collect(self) -> list[pytest.Item]:
        items: list[pytest.Item] = []
        for sample in pytest_plugin.replay_samples(self.config, self.target, self.limit):
            sid = sample.id if isinstance(sample, Sample) else "no-recorded-samples"
            items.append(ReplayItem.from_parent(self, name=sid, target=self.target, sample=sample))
        return items


def replay_items(session: pytest.Session, target: str, limit: int | None) -> list[pytest.Item]:
    """One item per recorded sample of the target (one failing item when it has none)."""
    name = full_target(target)
    parent = ReplayTarget.from_parent(
        session, name=f"realitycheck-replay[{name}]", nodeid=f"realitycheck-replay[{name}]",
        target=name, limit=limit,
    )  # fmt: skip
    return parent.collect()
