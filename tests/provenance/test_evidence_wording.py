"""Evidence from an author's name reads as strong as the marker's confidence."""

from __future__ import annotations

import json

import pytest

from realitycheck.cli.main import main
from realitycheck.demo.repo import RepoBuilder


def evidence_of(
    repo: RepoBuilder, author: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> tuple[float, list[str]]:
    repo.write({"a.py": "a = 1\n"})
    repo.commit("base", author=("Example Maintainer", "maintainer@example.com"))
    repo.git("checkout", "-q", "-b", "topic")
    repo.write({"a.py": "a = 1\nb = 2\n"})
    repo.commit("change", author=author, committer=("Example Maintainer", "m@example.com"))
    assert main(["provenance", "--repo", str(repo.root), "--base", "main", "-f", "json"]) == 0
    [commit] = json.loads(capsys.readouterr().out)["provenance"]["commits"]
    details = [e["detail"] for e in commit["evidence"] if e["source"] == "identity"]
    return commit["confidence"], details


def test_a_strong_name_marker_is_not_called_a_hint(
    repo: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    confidence, details = evidence_of(repo, ("Dana Dev (aider)", "dana@example.com"), capsys)
    assert confidence == pytest.approx(0.9)
    [detail] = details
    assert "only a hint" not in detail
    assert "aider appends ' (aider)' to the author name" in detail


def test_a_weak_name_marker_still_says_it_is_a_hint(
    repo: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    confidence, details = evidence_of(repo, ("Claude", "claude@example.com"), capsys)
    assert confidence < 0.5
    [detail] = details
    assert "only a hint" in detail
