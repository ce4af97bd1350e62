"""The miner on code nobody here wrote: every module of installed web libraries."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from realitycheck.assumptions.mining.miner import mine
from realitycheck.assumptions.mining.sources import SourceFile, module_name
from realitycheck.assumptions.model import MinedAssumption
from realitycheck.core.config.assumptions import AssumptionsConfig


def mine_package(name: str) -> list[MinedAssumption]:
    package = pytest.importorskip(name)
    root = Path(str(package.__file__)).parent
    files = []
    for path in sorted(root.rglob("*.py")):
        rel = str(path.relative_to(root.parent))
        text = path.read_text(encoding="utf-8")
        files.append(
            SourceFile(rel, text, set(range(1, text.count("\n") + 2)), module_name(rel, ["."]))
        )
    outcome = mine(files, AssumptionsConfig())
    assert outcome.warnings == []
    assert outcome.files == len(files)
    return outcome.mined


def test_asgi_apps_index_the_scope() -> None:
    found = mine_package("starlette")
    scope = [m for m in found if m.path == "$.args.scope.type"]
    assert {m.kind for m in scope} >= {"key-present", "value-set"}
    assert all(m.check is not None and m.check.target for m in scope)


def test_guarded_environment_reads_are_not_assumptions() -> None:
    found = mine_package("httpx")
    assert not [m for m in found if m.kind == "env-var" and "SSL_CERT" in m.statement]


@pytest.mark.parametrize("name", ["flask", "werkzeug", "requests", "click"])
def test_every_module_mines_without_error(name: str) -> None:
    found = mine_package(name)
    assert all(m.id.startswith("M") and m.statement for m in found)
    for m in found:
        if m.check is not None:
            assert m.path and m.check.expect and m.target
        else:
            assert m.why_unchecked
    importlib.invalidate_caches()
