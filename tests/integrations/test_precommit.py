"""The pre-commit hooks, run by the real pre-commit (`try-repo`, and an installed commit-msg hook)
in temporary repositories. pre-commit installs realitycheck into its own environment once per
session (about a minute with a warm pip cache)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from realitycheck.demo.repo import RepoBuilder

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
AGENT = "Co-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>"
LEDGER = """change: Read the title of pull requests
assumptions:
  - id: A1
    kind: input-shape
    statement: Every webhook has a pull_request with a title
"""

BOUNDARY = """[[boundaries.rules]]
name = "api-models"
paths = ["src/app/api.py"]
owners = ["@example-org/api-owners"]
"""

pytestmark = pytest.mark.slow


def test_manifest_is_valid_for_pre_commit(tmp_path: Path) -> None:
    done = pre_commit(
        PROJECT, tmp_path, "validate-manifest", str(PROJECT / ".pre-commit-hooks.yaml")
    )
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "hooks.yaml"
    broken.write_text("- id: x\n  entry: y\n")  # no name, no language
    assert pre_commit(PROJECT, tmp_path, "validate-manifest", str(broken)).returncode == 1


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This project's files as they are now (committed or not), as one commit of a hook repo."""
    if not (PROJECT / ".git").exists():
        pytest.skip("the project is not a git checkout")
    repo = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(
        ["git", "-C", str(PROJECT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for rel in filter(None, listed):
        source = PROJECT / rel
        if source.is_file():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / rel)
    builder = RepoBuilder(repo)
    builder.commit("snapshot", author=("Example Maintainer", "maintainer@example.com"))
    return repo


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def pre_commit(
    cwd: Path, home: Path, *args: str, check: bool = False
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PATH": f"{BIN}:{os.environ['PATH']}"}
    env.pop("GIT_DIR", None)
    return subprocess.run(
        [str(BIN / "pre-commit"), *args], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=900, check=check,
    )  # fmt: skip


def rev_of(repo: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def project(repo: RepoBuilder, hook_repo: Path) -> RepoBuilder:
    """A service with a declared boundary around its API models, using the hooks."""
    repo.write({
        "src/app/__init__.py": "",
        "src/app/hooks.py": "def handle(p):\n    return p\n",
        "src/app/api.py": "class DocumentOut:\n    id: int\n",
        "realitycheck.toml": BOUNDARY,
        ".pre-commit-config.yaml": f"repos:\n- repo: {hook_repo}\n  rev: {rev_of(hook_repo)}\n"
        "  hooks:\n  - id: realitycheck-ledger\n  - id: realitycheck-boundaries\n",
    })  # fmt: skip
    repo.commit("base", author=("Example Maintainer", "maintainer@example.com"))
    return repo


def message(project: RepoBuilder, text: str) -> str:
    path = project.root / ".git" / "COMMIT_EDITMSG"
    path.write_text(text)
    return str(path)


def run_hook(
    project: RepoBuilder, home: Path, hook: str, text: str
) -> subprocess.CompletedProcess[str]:
    """`pre-commit run` of one hook at the commit-msg stage (its environment is reused)."""
    return pre_commit(
        project.root, home, "run", hook, "--hook-stage", "commit-msg",
        "--commit-msg-filename", message(project, text),
    )  # fmt: skip


AI = f"Read the title\n\n{AGENT}\n"


def test_try_repo_runs_the_ledger_hook(
    project: RepoBuilder, hook_repo: Path, pre_commit_home: Path
) -> None:
    project.write({"src/app/hooks.py": "def handle(p):\n    return p['pull_request']['title']\n"})
    project.git("add", "-A")
    done = pre_commit(
        project.root, pre_commit_home, "try-repo", str(hook_repo), "realitycheck-ledger",
        "--hook-stage", "commit-msg", "--commit-msg-filename", message(project, AI),
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "realitycheck-ledger" in done.stdout and "Failed" in done.stdout
    assert "the change carries no assumption ledger" in done.stdout


def test_ledger_hook(project: RepoBuilder, pre_commit_home: Path) -> None:
    project.write({"src/app/hooks.py": "def handle(p):\n    return p['pull_request']['title']\n"})
    project.git("add", "-A")
    done = run_hook(project, pre_commit_home, "realitycheck-ledger", AI)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the change carries no assumption ledger" in done.stdout
    # a person's commit of the same change needs no ledger
    done = run_hook(project, pre_commit_home, "realitycheck-ledger", "Read the title\n")
    assert done.returncode == 0, done.stdout
    # with a ledger staged, the AI commit passes
    project.write({".realitycheck/assumptions/title.yaml": LEDGER})
    project.git("add", "-A")
    done = run_hook(project, pre_commit_home, "realitycheck-ledger", AI)
    assert done.returncode == 0, done.stdout
    assert "Passed" in done.stdout
    # a malformed ledger is an error naming the file
    project.write({".realitycheck/assumptions/title.yaml": "assumptions: [{id: A1}]\n"})
    project.git("add", "-A")
    done = run_hook(project, pre_commit_home, "realitycheck-ledger", AI)
    assert done.returncode == 1 and "- exit code: 2" in done.stdout
    assert ".realitycheck/assumptions/title.yaml" in done.stdout
    # nothing was committed by any of it
    assert project.git("rev-list", "--count", "HEAD").strip() == "1"


def test_boundaries_hook(project: RepoBuilder, pre_commit_home: Path) -> None:
    project.write({"src/app/api.py": "class DocumentOut:\n    id: int\n    author: str\n"})
    project.git("add", "-A")
    ai = f"Add the author\n\n{AGENT}\n"
    done = run_hook(project, pre_commit_home, "realitycheck-boundaries", ai)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "src/app/api.py:3" in done.stdout and "@example-org/api-owners" in done.stdout
    assert "SKIP=realitycheck-boundaries" in done.stdout
    # outside the boundary, the same AI commit passes
    project.git("reset", "-q", "--hard")
    project.write({"src/app/hooks.py": "def handle(p):\n    return dict(p)\n"})
    project.git("add", "-A")
    done = run_hook(project, pre_commit_home, "realitycheck-boundaries", ai)
    assert done.returncode == 0, done.stdout


def test_installed_hook_stops_a_real_commit(project: RepoBuilder, pre_commit_home: Path) -> None:
    pre_commit(project.root, pre_commit_home, "install", "--hook-type", "commit-msg", check=True)
    project.write({"src/app/hooks.py": "def handle(p):\n    return p['pull_request']['title']\n"})
    project.git("add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home),
           "PATH": f"{BIN}:{os.environ['PATH']}"}  # fmt: skip
    commit = subprocess.run(
        ["git", "commit", "-q", "-m", "Read the title", "-m", AGENT], cwd=project.root, env=env,
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert commit.returncode == 1, commit.stdout + commit.stderr
    assert "no assumption ledger" in commit.stdout + commit.stderr
    assert project.git("rev-list", "--count", "HEAD").strip() == "1"
    # a person's commit goes through
    commit = subprocess.run(
        ["git", "commit", "-q", "-m", "Read the title"], cwd=project.root, env=env,
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert project.git("rev-list", "--count", "HEAD").strip() == "2"
