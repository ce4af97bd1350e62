"""The diff parser, checked against what real `git diff` writes and against generated edits."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realitycheck.core.diff import FileStatus, parse_diff, unquote_path
from realitycheck.core.git import Git
from realitycheck.demo.repo import RepoBuilder


def test_added_modified_deleted_renamed_binary(repo: RepoBuilder) -> None:
    body = "".join(f"line {i}\n" for i in range(1, 41))
    repo.write(
        {
            "keep.py": "a\nb\nc\n",
            "gone.txt": "bye\n",
            "move_me.py": body,
            "img.png": b"\x89PNG\r\n\x1a\n\x00\x01\x02",
        }
    )
    base = repo.commit("base")
    repo.write(
        {
            "keep.py": "a\nB\nc\nd\n",
            "new.py": "x = 1\ny = 2\n",
            "img.png": b"\x89PNG\r\n\x1a\n\x00\x09\x09",
        }
    )
    repo.remove("gone.txt")
    repo.git("mv", "move_me.py", "moved.py")
    repo.write({"moved.py": body.replace("line 20\n", "line twenty\n")})
    head = repo.commit("head")
    files = {f.path: f for f in Git(repo.root).diff(base, head)}

    assert files["keep.py"].status is FileStatus.MODIFIED
    assert files["keep.py"].changed_ranges == [(2, 2), (4, 4)]
    assert files["new.py"].status is FileStatus.ADDED
    assert files["new.py"].changed_ranges == [(1, 2)]
    assert files["gone.txt"].status is FileStatus.DELETED
    assert files["gone.txt"].changed_ranges == []
    assert files["moved.py"].status is FileStatus.RENAMED
    assert files["moved.py"].old_path == "move_me.py"
    assert files["moved.py"].changed_ranges == [(20, 20)]
    assert files["img.png"].binary


def test_root_commit_against_empty_tree(repo: RepoBuilder) -> None:
    repo.write({"a.py": "1\n2\n3\n"})
    head = repo.commit("root")
    files = Git(repo.root).diff(None, head)
    assert [(f.path, f.status, f.changed_ranges) for f in files] == [
        ("a.py", FileStatus.ADDED, [(1, 3)])
    ]


def test_unusual_paths_round_trip(repo: RepoBuilder) -> None:
    names = ["spaced name.py", "ünïcode.py", "tab\there.py", 'quote"d.py', "b/ a.py"]
    repo.write({"seed": "0\n"})
    base = repo.commit("base")
    repo.write(dict.fromkeys(names, "x\n"))
    head = repo.commit("head")
    assert sorted(f.path for f in Git(repo.root).diff(base, head)) == sorted(names)


def test_unquote_octal_escapes() -> None:
    assert unquote_path('"sp\\303\\251cial"') == "spécial"
    assert unquote_path('"a\\tb\\"c"') == 'a\tb"c'
    assert unquote_path("plain") == "plain"


def test_mode_change_and_empty_new_file(repo: RepoBuilder) -> None:
    repo.write({"run.sh": "echo hi\n"})
    base = repo.commit("base")
    (repo.root / "run.sh").chmod(0o755)
    repo.write({"empty.txt": ""})
    head = repo.commit("head")
    files = {f.path: f for f in Git(repo.root).diff(base, head)}
    assert files["run.sh"].new_mode == "100755"
    assert files["run.sh"].changed_ranges == []
    assert files["empty.txt"].status is FileStatus.ADDED


lines = st.lists(
    st.sampled_from(["alpha", "beta", "gamma", "", "delta", "x = 1", "}"]), max_size=40
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(old=lines, new=lines, context=st.integers(min_value=0, max_value=3))
def test_added_lines_match_difflib(
    tmp_path: Path, old: list[str], new: list[str], context: int
) -> None:
    """For any edit, the unmarked lines of both sides are the same lines, in the same order."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("".join(f"{x}\n" for x in old))
    b.write_text("".join(f"{x}\n" for x in new))
    out = subprocess.run(
        ["git", "diff", "--no-index", "--no-color", f"-U{context}", str(a), str(b)],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    parsed = list(parse_diff(out.splitlines(keepends=True)))
    added = set(parsed[0].added_lines) if parsed else set()
    removed = {n for f in parsed for h in f.hunks for n in h.removed}
    # Independent oracle: any valid diff must keep the unmarked lines equal, in order.
    kept_new = [x for i, x in enumerate(new, 1) if i not in added]
    kept_old = [x for i, x in enumerate(old, 1) if i not in removed]
    assert kept_new == kept_old
    assert len(added) - len(removed) == len(new) - len(old)
    if old == new:
        assert not added and not removed
