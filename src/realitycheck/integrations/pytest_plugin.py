"""The pytest plugin (entry point `pytest11`): recorded reality becomes test cases.

- `@pytest.mark.realitycheck_corpus("fn:app.hooks:handle", limit=50, where="...")` runs a test
  once per recorded sample, handed to it as the `sample` fixture (the corpus's `Sample`: `.id`,
  `.input`, `.output`); test ids are sample ids, so a failure names the sample for
  `realitycheck corpus show ID`.
- `pytest --realitycheck-replay fn:app.hooks:handle` adds one test per recorded sample that
  checks the current code's output against the recorded one with replay's comparators.

The plugin is loaded into every pytest run of an environment where realitycheck is installed, so
it imports nothing of realitycheck at start-up and does nothing unless a test carries the marker
or the option is given. A target with no samples is a failing test, never an empty pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from realitycheck.corpus.model import Sample
    from realitycheck.integrations.recorded import Project

MARKER = "realitycheck_corpus"
REPLAY_MARKER = "realitycheck_replay"
ENV_CORPUS = "REALITYCHECK_CORPUS"
_PROJECT = pytest.StashKey["Project | str"]()


class NoSamples:
    """Stands in for the samples of a target that has none, so the test fails and says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("realitycheck", "realitycheck: recorded reality as test cases")
    group.addoption(
        "--realitycheck-replay",
        action="append",
        default=[],
        metavar="TARGET",
        help="Check the current code against the outputs recorded for TARGET "
        "(fn:module:qualname), one test per sample. Repeat for several targets.",
    )
    group.addoption(
        "--realitycheck-corpus",
        default=None,
        metavar="DIR",
        help=f"The corpus folder (default: ${ENV_CORPUS}, the configuration's corpus.dir, "
        "then .realitycheck/corpus at the repository root).",
    )
    group.addoption(
        "--realitycheck-limit",
        type=int,
        default=None,
        metavar="N",
        help="Check at most N samples per target with --realitycheck-replay.",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(target, limit=None, where=None): run the test once per recorded sample of "
        "target, given as the `sample` fixture (realitycheck)",
    )
    config.addinivalue_line(
        "markers", f"{REPLAY_MARKER}: a check of recorded outputs added by --realitycheck-replay"
    )


def _project(config: pytest.Config) -> Project | str:
    """The project and its corpus, found once per session (or why it could not be)."""
    if _PROJECT not in config.stash:
        from realitycheck.core.errors import RealityCheckError
        from realitycheck.integrations.recorded import Project

        flag = config.getoption("--realitycheck-corpus") or os.environ.get(ENV_CORPUS) or None
        corpus = Path(config.invocation_params.dir) / flag if flag else None  # as typed: cwd
        try:
            found: Project | str = Project.find(Path(str(config.rootpath)), corpus)
        except RealityCheckError as exc:
            found = str(exc)
        config.stash[_PROJECT] = found
    return config.stash[_PROJECT]


def _samples(config: pytest.Config, target: str, limit: int | None, where: str | None) -> Any:
    """The samples of a target, or a NoSamples that says why there are none."""
    from realitycheck.core.errors import RealityCheckError

    project = _project(config)
    if isinstance(project, str):
        return NoSamples(f"realitycheck: {project}")
    try:
        samples = project.samples(target, limit, where)
    except RealityCheckError as exc:
        return NoSamples(f"realitycheck: {exc}")
    if not samples:
        narrowed = f" matching {where!r}" if where else ""
        return NoSamples(
            f"realitycheck: no recorded samples of {target}{narrowed} in {project.corpus_dir}; "
            "a test that ran on no real input did not pass"
        )
    return samples


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker(MARKER)
    if marker is None:
        return
    if not marker.args or not isinstance(marker.args[0], str):
        raise pytest.Collector.CollectError(
            f"{metafunc.definition.nodeid}: @pytest.mark.{MARKER} needs a target, "
            f'e.g. @pytest.mark.{MARKER}("fn:app.hooks:handle")'
        )
    unknown = set(marker.kwargs) - {"limit", "where"}
    if unknown:
        raise pytest.Collector.CollectError(
            f"{metafunc.definition.nodeid}: @pytest.mark.{MARKER} takes limit= and where=, "
            f"not {', '.join(sorted(unknown))}"
        )
    if "sample" not in metafunc.fixturenames:
        raise pytest.Collector.CollectError(
            f"{metafunc.definition.nodeid}: @pytest.mark.{MARKER} hands each recorded sample "
            "to the test as its `sample` argument; add that argument"
        )
    found = _samples(
        metafunc.config, marker.args[0], marker.kwargs.get("limit"), marker.kwargs.get("where")
    )
    if isinstance(found, NoSamples):
        metafunc.parametrize("sample", [found], ids=["no-recorded-samples"], indirect=True)
        return
    metafunc.parametrize("sample", found, ids=[s.id for s in found], indirect=True)


@pytest.fixture
def sample(request: pytest.FixtureRequest) -> Sample:
    """One recorded sample of the target named by `@pytest.mark.realitycheck_corpus`."""
    param = getattr(request, "param", None)
    if param is None:
        pytest.fail(
            f"the `sample` fixture comes from @pytest.mark.{MARKER}(TARGET) on the test",
            pytrace=False,
        )
    if isinstance(param, NoSamples):
        pytest.fail(param.reason, pytrace=False)
    chosen: Sample = param
    return chosen


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    targets: list[str] = config.getoption("--realitycheck-replay")
    if not targets:
        return
    from realitycheck.integrations.replay_items import replay_items

    for target in targets:
        items.extend(replay_items(session, target, config.getoption("--realitycheck-limit")))


def replay_samples(config: pytest.Config, target: str, limit: int | None) -> Iterator[Any]:
    """The samples `--realitycheck-replay` checks, or one NoSamples."""
    found = _samples(config, target, limit, None)
    if isinstance(found, NoSamples):
        yield found
        return
    yield from found
