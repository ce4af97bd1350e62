"""A blob missing from .git/objects skips that file with a warning; the run goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from realitycheck.cli.main import main
from realitycheck.demo.repo import RepoBuilder

CLAUDE = [("Co-Authored-By", "Claude Opus 4.6 <noreply@anthropic.com>")]


def drop_object(repo: RepoBuilder, sha: str) -> None:
    """Delete a loose object, as a damaged clone or an interrupted fetch leaves it."""
    path = repo.root / ".git" / "objects" / sha[:2] / sha[2:]
    assert path.is_file()
    path.chmod(0o644)
    path.unlink()


@pytest.fixture
def damaged(repo: RepoBuilder) -> RepoBuilder:
    repo.write({"a.py": "a = 1\n", "b.py": "b = 1\n"})
    repo.commit("base", author=("Example Maintainer", "maintainer@example.com"))
    repo.git("checkout", "-q", "-b", "agent")
    repo.write({"a.py": "a = 1\na2 = 2\n", "b.py": "b = 1\nb2 = 2\n"})
    repo.commit("change both", extra_trailers=CLAUDE)
    drop_object(repo, repo.git("rev-parse", "HEAD:b.py").strip())
    return repo


def test_the_file_with_the_missing_blob_is_skipped_with_a_warning(
    damaged: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["provenance", "--repo", str(damaged.root), "--base", "main", "--format", "json"]
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 0, err
    doc = json.loads(out)
    assert [f["path"] for f in doc["provenance"]["files"]] == ["a.py"]
    text = json.dumps(doc) + err
    assert "b.py: skipped, git cannot read its blob" in text


def test_verify_goes_on_past_the_missing_blob(
    damaged: RepoBuilder, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["verify", "--repo", str(damaged.root), "--base", "main", "-f", "json"])
    doc = json.loads(capsys.readouterr().out)
    statuses = {s["name"]: s["status"] for s in doc["stages"]}
    assert statuses["provenance"] == "ran", doc["stages"]
    assert code in (0, 1)
