"""Git plumbing on real repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from realitycheck.core.errors import NotARepositoryError, RevisionError
from realitycheck.core.git import Git
from realitycheck.demo.repo import RepoBuilder


def test_commits_in_range_oldest_first_with_trailers(repo: RepoBuilder) -> None:
    repo.write({"a": "1\n"})
    base = repo.commit("first")
    repo.write({"a": "2\n"})
    second = repo.commit("second", trailers={"Co-Authored-By": "Bot <bot@example.com>"})
    repo.write({"a": "3\n"})
    third = repo.commit("third", author=("Other", "other@example.com"))
    commits = Git(repo.root).commits(base, third)
    assert [c.sha for c in commits] == [second, third]
    assert "Co-Authored-By: Bot <bot@example.com>" in commits[0].message
    assert commits[1].author_email == "other@example.com"
    assert commits[0].parents == (base,)


def test_merge_base_and_default_branch(repo: RepoBuilder) -> None:
    repo.write({"a": "1\n"})
    root = repo.commit("root")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write({"b": "1\n"})
    feature = repo.commit("feature work")
    repo.git("checkout", "-q", "main")
    repo.write({"c": "1\n"})
    repo.commit("main moves on")
    git = Git(repo.root)
    assert git.default_branch() == "main"
    assert git.merge_base("main", feature) == root
    assert git.is_ancestor(root, feature)


def test_merge_commit_is_flagged(repo: RepoBuilder) -> None:
    repo.write({"a": "1\n"})
    base = repo.commit("root")
    repo.git("checkout", "-q", "-b", "side")
    repo.write({"b": "1\n"})
    repo.commit("side")
    repo.git("checkout", "-q", "main")
    repo.write({"c": "1\n"})
    repo.commit("main")
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
    commits = Git(repo.root).commits(base, "HEAD")
    assert [c.is_merge for c in commits].count(True) == 1


def test_missing_revision_names_it(repo: RepoBuilder) -> None:
    repo.write({"a": "1\n"})
    repo.commit("root")
    with pytest.raises(RevisionError, match="'nope' does not exist"):
        Git(repo.root).resolve("nope")
    with pytest.raises(RevisionError):
        Git(repo.root).resolve("--output=/tmp/x")


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(NotARepositoryError, match="not a git repository"):
        Git(tmp_path)
    with pytest.raises(NotARepositoryError, match="no such directory"):
        Git(tmp_path / "missing")


def test_notes_and_blame_restricted_to_range(repo: RepoBuilder) -> None:
    repo.write({"f.py": "a\nb\nc\n"})
    base = repo.commit("base")
    repo.write({"f.py": "a\nB\nc\nd\n"})
    head = repo.commit("head")
    repo.note(head, "hello note")
    git = Git(repo.root)
    assert git.notes("ai", [base, head]) == {head: "hello note\n"}
    blame = {b.line: b for b in git.blame(head, "f.py", since=base)}
    assert blame[2].sha == head and not blame[2].boundary
    assert blame[1].boundary and blame[1].sha == base
    only = git.blame(head, "f.py", since=base, lines=[(4, 4)])
    assert [(b.line, b.sha) for b in only] == [(4, head)]


def test_empty_tree_and_show(repo: RepoBuilder) -> None:
    repo.write({"a.txt": "x\n"})
    head = repo.commit("root")
    git = Git(repo.root)
    assert git.empty_tree == "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    assert git.show(head, "a.txt") == b"x\n"
    assert git.show(head, "missing.txt") is None
    assert git.ls_files(head) == ["a.txt"]
