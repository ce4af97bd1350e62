"""Reality coverage runs the project's tests with the project's own interpreter (.venv)."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest

from realitycheck.core.report import StageStatus
from realitycheck.pipeline import VerifyOptions, verify
from realitycheck.replay.interpreter import project_python

from .conftest import Change, write_samples

PRICE = 'def price(order):\n    return round(order["amount"] * 1.2, 2)\n'
TEST = (
    "import projdep  # installed only in the project's own virtualenv\n"
    "from shop.price import price\n\n\n"
    "def test_price():\n    assert price({'amount': 10}) == projdep.TWELVE\n"
)
CONFIG = '[replay]\nsource_roots = ["src"]\n\n[[replay.functions]]\ntarget = "shop.price:price"\n'


def make_venv(where: Path, *, with_tools: bool) -> Path:
    """A real virtualenv (no pip); `with_tools` makes pytest and coverage importable in it."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    extra = where / "projdeps"
    extra.mkdir()
    (extra / "projdep.py").write_text("TWELVE = 12.0\n")
    lines = [str(extra)]
    if with_tools:
        lines.append(sysconfig.get_paths()["purelib"])  # realitycheck's pytest and coverage
        import realitycheck  # its pytest plugin is registered there: make it importable too

        lines.append(str(Path(realitycheck.__file__).resolve().parents[1]))
    Path(site, "project.pth").write_text("\n".join(lines) + "\n")
    return python


@pytest.fixture
def shop(change_factory: Any) -> Change:
    base = {"src/shop/__init__.py": "", "src/shop/price.py": PRICE}
    head = {"src/shop/price.py": PRICE.replace("1.2", "1.20"), "tests/test_price.py": TEST}
    change = change_factory(base, head, config=CONFIG)
    (change.root / ".git" / "info" / "exclude").write_text(".realitycheck/corpus/\n.venv/\n")
    write_samples(
        change.corpus_dir, "fn:shop.price:price", ({"args": {"order": {"amount": n}}} for n in [1])
    )
    return change


def suite_of(change: Change) -> dict[str, Any]:
    stage = verify(VerifyOptions(repo=change.root, base="main", head="HEAD")).stage("replay")
    assert stage is not None and stage.status is StageStatus.RAN, stage and stage.reason
    tests: dict[str, Any] = stage.data["reality_coverage"]["tests"]
    return tests


def test_the_default_command_runs_in_the_projects_virtualenv(shop: Change) -> None:
    python = make_venv(shop.root / ".venv", with_tools=True)
    assert project_python(shop.root) == str(python)
    tests = suite_of(shop)
    assert tests["ran"] is True and tests["tests"] == 1, tests
    assert tests["command"][0] == str(python)


def test_a_virtualenv_without_pytest_says_exactly_what_to_set(shop: Change) -> None:
    python = make_venv(shop.root / ".venv", with_tools=False)
    tests = suite_of(shop)
    assert tests["ran"] is False
    # coverage.py starts pytest, so the first module missing is coverage
    assert f"No module named coverage in {python}" in tests["note"]
    assert "install pytest and coverage there, or set [replay] test_command" in tests["note"]


def test_without_a_virtualenv_the_note_names_the_interpreter_used(shop: Change) -> None:
    assert project_python(shop.root) is None
    tests = suite_of(shop)  # realitycheck's interpreter has no projdep: the tests cannot import
    assert tests["ran"] is False
    assert sys.executable in tests["note"] and "test_command" in tests["note"]
