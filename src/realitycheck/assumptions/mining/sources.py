"""Which Python files a change touches, their module names, and their changed lines."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from realitycheck.core.diff import FileStatus
from realitycheck.core.git import Git


@dataclass
class SourceFile:
    """One changed Python file at head: its text, module name and changed lines."""

    path: str
    text: str
    changed: set[int] = field(default_factory=set)
    module: str | None = None


def module_name(path: str, roots: Sequence[str]) -> str | None:
    """`src/pkg/mod.py` → `pkg.mod` (first source root that holds it); `pkg/__init__.py` → `pkg`."""
    posix = PurePosixPath(path)
    if posix.suffix != ".py":
        return None
    for root in roots:
        base = PurePosixPath(root.strip("/") or ".")
        if str(base) == ".":
            rel = posix
        elif posix.is_relative_to(base):
            rel = posix.relative_to(base)
        else:
            continue
        parts = list(rel.with_suffix("").parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        if parts and all(p.isidentifier() for p in parts):
            return ".".join(parts)
    return None


def excluded(path: str, patterns: Sequence[str]) -> bool:
    """Whether a repository path matches one of the exclude globs (`**` spans folders)."""
    for pattern in patterns:
        if fnmatch.fnmatch(path, pattern):
            return True
        if pattern.startswith("**/") and fnmatch.fnmatch(path, pattern[3:]):
            return True
    return False


def changed_sources(
    git: Git, base: str | None, head: str, *, roots: Sequence[str], exclude: Sequence[str]
) -> list[SourceFile]:
    """The Python files the change adds or modifies, read at head."""
    wanted = []
    for diff in git.diff(base, head):
        if diff.status is FileStatus.DELETED or diff.binary or not diff.path.endswith(".py"):
            continue
        if excluded(diff.path, exclude) or not diff.added_lines:
            continue
        wanted.append(diff)
    if not wanted:
        return []
    texts = git.cat_blobs([f"{head}:{d.path}" for d in wanted])
    return [
        SourceFile(d.path, text, set(d.added_lines), module_name(d.path, roots))
        for d, text in zip(wanted, texts, strict=True)
    ]


def route_files(git: Git, head: str) -> dict[str, str]:
    """Django URL configurations at head (`urls.py` files), by path."""
    paths = [p for p in git.ls_files(head) if p == "urls.py" or p.endswith("/urls.py")]
    return dict(zip(paths, git.cat_blobs([f"{head}:{p}" for p in paths]), strict=True))
