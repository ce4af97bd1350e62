"""Lines of unknown origin are called that, the strict default is visible, and relaxed per path."""

from __future__ import annotations

import json

import pytest

from realitycheck.cli.main import main
from realitycheck.demo.repo import RepoBuilder

WORKFLOW = "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"


@pytest.fixture
def project(repo: RepoBuilder) -> RepoBuilder:
    """A maintainer's plain commit (no AI marker, no configured human author) edits CI."""
    repo.write(
        {
            "realitycheck.toml": 'default_branch = "main"\n',
            ".github/workflows/ci.yml": WORKFLOW,
            "app.py": "print('hi')\n",
        }
    )
    repo.commit("service", author=("Example Maintainer", "maintainer@example.com"))
    repo.git("checkout", "-q", "-b", "ci-tweak")
    repo.write({".github/workflows/ci.yml": WORKFLOW + "    timeout-minutes: 10\n"})
    repo.commit("CI: time out after ten minutes", author=("Dana Dev", "dana@example.com"))
    return repo


def check(project: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    args = ["boundaries", "check", "--repo", str(project.root), "--base", "main"]
    code = main([*args, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    main(args)
    return code, doc, capsys.readouterr().out


def test_unknown_lines_are_not_called_ai_written_and_the_default_says_how_to_relax(
    project: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc, text = check(project, capsys)
    [finding] = doc["boundaries"]["findings"]
    assert finding["origin"] == "unknown" and code == 1
    [stage] = doc["stages"]
    assert "AI-written" not in stage["summary"]
    assert "1 change of unknown origin inside boundaries" in stage["summary"]
    flat = " ".join(text.replace("│", " ").split())
    assert "AI-written change" not in flat
    assert 'boundaries.unknown_lines = "strict" (the default)' in flat
    assert "[boundaries.unknown_lines_paths]" in flat


def test_unknown_lines_are_relaxed_for_some_paths_only(
    project: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    project.git("checkout", "-q", "main")  # the setting is the base's, not the change's
    project.write(
        {
            "realitycheck.toml": 'default_branch = "main"\n\n'
            '[boundaries.unknown_lines_paths]\n".github/**" = "warn"\n'
        }
    )
    project.commit("relax CI paths", author=("Example Maintainer", "maintainer@example.com"))
    project.git("checkout", "-q", "ci-tweak")
    project.git("rebase", "-q", "main")
    code, doc, _ = check(project, capsys)
    [finding] = doc["boundaries"]["findings"]
    assert code == 0 and not finding["blocking"]
    assert finding["approval"]["state"] == "not-needed"
    assert "unknown_lines_paths" in finding["approval"]["detail"]


def test_a_bad_setting_for_a_path_is_one_line(
    project: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write(
        {"realitycheck.toml": '[boundaries.unknown_lines_paths]\n".github/**" = "lenient"\n'}
    )
    assert main(["boundaries", "check", "--repo", str(project.root), "--base", "main"]) == 2
    assert "unknown_lines_paths" in capsys.readouterr().err
