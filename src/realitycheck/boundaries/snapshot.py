"""File contents at a revision, read in batches and kept, plus `git grep` over a whole tree."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from functools import cached_property
from pathlib import PurePosixPath

from realitycheck.core.errors import GitError
from realitycheck.core.git import Git

_ENV = {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_PAGER": "cat", "GIT_OPTIONAL_LOCKS": "0"}


class Snapshot:
    """One revision's tree: file texts on demand (batched), the file list, and search."""

    def __init__(self, git: Git, rev: str | None) -> None:
        self.git = git
        self.rev = rev
        self._texts: dict[str, str | None] = {}

    def load(self, paths: Iterable[str]) -> None:
        """Read many files in one `git cat-file --batch` call."""
        if self.rev is None:
            for p in paths:
                self._texts.setdefault(p, None)
            return
        wanted = [p for p in dict.fromkeys(paths) if p not in self._texts]
        present = [p for p in wanted if p in self.files]
        for p in set(wanted) - set(present):
            self._texts[p] = None
        for path, text in zip(
            present, self.git.cat_blobs([f"{self.rev}:{p}" for p in present]), strict=True
        ):
            self._texts[path] = text

    def text(self, path: str) -> str | None:
        """A file's text at this revision, or None when it does not exist there."""
        if path not in self._texts:
            self.load([path])
        return self._texts[path]

    @cached_property
    def files(self) -> frozenset[str]:
        """Every file path in the tree."""
        if self.rev is None:
            return frozenset()
        return frozenset(self.git.ls_files(self.rev))

    @cached_property
    def packages(self) -> frozenset[str]:
        """Folders holding an `__init__.py` (Python packages)."""
        return frozenset(
            str(PurePosixPath(p).parent) for p in self.files if p.endswith("/__init__.py")
        )

    def grep(self, regex: str, globs: Iterable[str] = ()) -> list[str]:
        """Files of the tree with a line matching an extended regex (`git grep -E`)."""
        if self.rev is None:
            return []
        cmd = ["git", "grep", "-l", "-z", "-I", "-E", "-e", regex, self.rev, "--", *globs]
        proc = subprocess.run(
            cmd, cwd=self.git.root, capture_output=True, env={**os.environ, **_ENV}, check=False
        )
        if proc.returncode == 1 and not proc.stderr:
            return []
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip()
            raise GitError(f"git grep failed: {err.splitlines()[-1] if err else proc.returncode}")
        prefix = f"{self.rev}:"
        out = proc.stdout.decode("utf-8", "surrogateescape").split("\x00")
        return [p.removeprefix(prefix) for p in out if p]

    def module_name(self, path: str) -> str | None:
        """The dotted module of a Python file, found by walking up through packages."""
        if not path.endswith(".py"):
            return None
        pure = PurePosixPath(path)
        parts = [] if pure.name == "__init__.py" else [pure.stem]
        folder = pure.parent
        while str(folder) in self.packages:
            parts.insert(0, folder.name)
            folder = folder.parent
        return ".".join(parts) or None

    @cached_property
    def modules(self) -> dict[str, str]:
        """Dotted module name to file path, for every Python file of the tree."""
        out: dict[str, str] = {}
        for path in sorted(self.files):
            name = self.module_name(path)
            if name is not None:
                out.setdefault(name, path)
        return out

    def resolve_module(self, name: str, *, importer: str, level: int = 0) -> str | None:
        """The file of `name` imported from `importer` (relative imports by `level` dots)."""
        if level:
            folder = PurePosixPath(importer).parent
            for _ in range(level - 1):
                folder = folder.parent
            base = PurePosixPath(folder, *name.split(".")) if name else folder
            for candidate in (f"{base}.py", f"{base}/__init__.py"):
                candidate = candidate.removeprefix("./")
                if candidate in self.files:
                    return candidate
            return None
        return self.modules.get(name)
