"""`assumptions init` then `assumptions check` without a commit in between reads the new ledger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_cli import project, run  # noqa: F401  (the fixture is shared)


def test_check_reads_the_uncommitted_ledger_when_head_is_the_checkout(
    project: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(capsys, "assumptions", "init", "--repo", str(project), "--base", "main")[0] == 0
    _, out, err = run(
        capsys, "assumptions", "check", "--repo", str(project), "--base", "main", "-f", "json"
    )
    section = json.loads(out)["assumptions"]
    assert section["ledger_source"] == (
        ".realitycheck/assumptions/agent-fix.yaml (working tree, not committed)"
    )
    assert section["counts"]["undeclared"] == 0
    doc = json.loads(out)
    warnings = " ".join(doc["assumptions"].get("warnings", [])) + json.dumps(doc.get("warnings"))
    assert "read from the working tree" in warnings and "commit it" in warnings
    _, out, err = run(capsys, "assumptions", "check", "--repo", str(project), "--base", "main")
    assert "read from the working tree" in out + err and "commit it" in out + err


def test_an_explicit_head_reads_only_the_commit_and_says_commit_it(
    project: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(capsys, "assumptions", "init", "--repo", str(project), "--base", "main")[0] == 0
    code, out, _ = run(
        capsys,
        "assumptions",
        "check",
        "--repo",
        str(project),
        "--base",
        "main",
        "--head",
        "agent-fix",
        "-f",
        "json",
    )
    doc = json.loads(out)
    assert code == 1 and doc["assumptions"]["ledger_source"] is None
    messages = " ".join(r["message"] for r in doc["reasons"] if r["check"] == "assumptions")
    assert "is in the working tree but not in agent-fix: commit it" in messages


def test_check_shows_provenance_as_one_line_not_its_whole_panel(
    project: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "assumptions", "check", "--repo", str(project), "--base", "main")
    assert "Changed lines of head" not in out and "Commits" not in out
    assert "realitycheck provenance" in out  # where the whole story is
    assert "a model wrote" in out  # the one line the assumption gate depends on
