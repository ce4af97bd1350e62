"""Build real git repositories: files, commits with identities and trailers, notes."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from realitycheck.core.errors import GitError


class RepoBuilder:
    """A git repository being written commit by commit (for the demo, tests and benchmarks)."""

    def __init__(self, root: Path, *, branch: str = "main") -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", branch)
        self.git("config", "user.name", "Example Maintainer")
        self.git("config", "user.email", "maintainer@example.com")
        self.git("config", "commit.gpgsign", "false")
        self._tick = 1_700_000_000

    def git(
        self, *args: str, env: Mapping[str, str] | None = None, input: str | None = None
    ) -> str:
        """Run git in the repository."""
        proc = subprocess.run(
            ["git", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            input=input,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})},
            check=False,
        )
        if proc.returncode != 0:
            raise GitError(f"git {' '.join(args)} failed: {proc.stderr.strip()}")
        return proc.stdout

    def write(self, files: Mapping[str, str | bytes]) -> None:
        """Write files (relative paths), creating folders."""
        for rel, content in files.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")

    def copy_tree(self, source: Path) -> None:
        """Copy a folder's files over the work tree."""
        for path in sorted(source.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                target = self.root / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)

    def remove(self, *paths: str) -> None:
        """Delete files from the work tree."""
        for rel in paths:
            (self.root / rel).unlink()

    def commit(
        self,
        message: str,
        *,
        author: tuple[str, str] | None = None,
        committer: tuple[str, str] | None = None,
        trailers: Mapping[str, str] | None = None,
        extra_trailers: list[tuple[str, str]] | None = None,
        allow_empty: bool = False,
    ) -> str:
        """Stage everything and commit; returns the new commit id."""
        self.git("add", "-A")
        body = message.rstrip("\n")
        lines = [f"{k}: {v}" for k, v in (trailers or {}).items()]
        lines += [f"{k}: {v}" for k, v in (extra_trailers or [])]
        if lines:
            body += "\n\n" + "\n".join(lines)
        self._tick += 60
        env = {
            "GIT_AUTHOR_DATE": f"{self._tick} +0000",
            "GIT_COMMITTER_DATE": f"{self._tick} +0000",
        }
        if author:
            env |= {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1]}
        if committer:
            env |= {"GIT_COMMITTER_NAME": committer[0], "GIT_COMMITTER_EMAIL": committer[1]}
        args = ["commit", "-q", "--no-verify", "-F", "-"]
        if allow_empty:
            args.append("--allow-empty")
        self.git(*args, env=env, input=body + "\n")
        return self.git("rev-parse", "HEAD").strip()

    def note(self, sha: str, text: str, *, ref: str = "ai") -> None:
        """Attach a git note under refs/notes/<ref>."""
        self.git("notes", f"--ref={ref}", "add", "-f", "-F", "-", sha, input=text)

    def head(self) -> str:
        """The id of HEAD."""
        return self.git("rev-parse", "HEAD").strip()
