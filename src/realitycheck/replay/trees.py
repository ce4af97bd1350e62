"""Each revision as a folder of its own (`git archive`), so base and head code never mix."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from types import TracebackType

from realitycheck.core.errors import GitError
from realitycheck.core.git import Git


class Trees:
    """Revisions materialised under one temporary folder, removed on exit."""

    def __init__(self, git: Git, parent: Path | None = None) -> None:
        self.git = git
        self.root = Path(tempfile.mkdtemp(prefix="realitycheck-replay-", dir=parent))
        self._trees: dict[str, Path] = {}

    def get(self, rev: str) -> Path:
        """The folder holding `rev`'s tracked files (extracted once per revision)."""
        sha = self.git.resolve(rev)
        if sha not in self._trees:
            target = self.root / sha[:12]
            extract(self.git, sha, target)
            self._trees[sha] = target
        return self._trees[sha]

    def scratch(self, name: str) -> Path:
        """A scratch folder beside the trees."""
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def close(self) -> None:
        """Remove every materialised tree."""
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Trees:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def extract(git: Git, sha: str, target: Path) -> None:
    """Write the files of commit `sha` into `target`, streaming `git archive`."""
    target.mkdir(parents=True, exist_ok=True)
    with subprocess.Popen(
        ["git", "archive", "--format=tar", sha],
        cwd=git.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None
        try:
            with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
                if hasattr(tarfile, "data_filter"):
                    archive.extractall(target, filter="data")
                else:  # pragma: no cover - Python before 3.10.12
                    archive.extractall(target)
        except tarfile.TarError as exc:
            err = proc.stderr.read().decode("utf-8", "replace").strip() if proc.stderr else ""
            raise GitError(f"git archive {sha[:12]} failed: {err or exc}") from None
        err = proc.stderr.read().decode("utf-8", "replace").strip() if proc.stderr else ""
        if proc.wait() != 0:
            raise GitError(f"git archive {sha[:12]} failed: {err}")


def source_roots(tree: Path, configured: list[str]) -> tuple[str, ...]:
    """The configured source roots that exist in a tree (the tree itself when none do)."""
    found = [r for r in configured if (tree / r).is_dir()]
    return tuple(found) or (".",)
