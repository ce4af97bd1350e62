"""Git plumbing: one `Git` object per repository, running the `git` binary with fixed options."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from realitycheck.core.diff import FileDiff, parse_diff
from realitycheck.core.errors import GitError, NotARepositoryError, RevisionError
from realitycheck.core.unreadable import is_unreadable, split_readable

_FIELD, _RECORD = "\x00", "\x1e"
_LOG_FORMAT = "%H%x00%P%x00%an%x00%ae%x00%cn%x00%ce%x00%at%x00%B%x1e"
_ENV = {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_PAGER": "cat", "GIT_OPTIONAL_LOCKS": "0"}


@dataclass(frozen=True)
class Commit:
    """A commit as provenance and reports need it."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    committer_name: str
    committer_email: str
    authored_at: int
    message: str

    @property
    def is_merge(self) -> bool:
        """Whether the commit has more than one parent."""
        return len(self.parents) > 1

    @property
    def is_root(self) -> bool:
        """Whether the commit has no parent."""
        return not self.parents

    @property
    def subject(self) -> str:
        """The first line of the message."""
        return self.message.split("\n", 1)[0]


@dataclass(frozen=True)
class BlameLine:
    """Who last wrote one line of a file, as `git blame --porcelain` says."""

    line: int
    sha: str
    boundary: bool


class Git:
    """A git repository reached through the `git` command line."""

    def __init__(self, path: str | Path = ".") -> None:
        start = Path(path)
        if not start.exists():
            raise NotARepositoryError("no such directory", path=start)
        try:
            out = self._raw(["rev-parse", "--show-toplevel"], cwd=start)
        except GitError:
            raise NotARepositoryError(
                "not a git repository", path=start, hint="pass --repo PATH"
            ) from None
        self.root = Path(out.strip())
        self.skipped: dict[str, str] = {}  # files a diff left out: {path: unreadable blob id}

    # -- running git -----------------------------------------------------------------------

    @staticmethod
    def _raw(args: Sequence[str], *, cwd: Path, input: bytes | None = None) -> str:
        cmd = ["git", "-c", "core.quotePath=false", *args]
        try:
            proc = subprocess.run(
                cmd,
                cwd=cwd,
                input=input,
                capture_output=True,
                env={**os.environ, **_ENV},
                check=False,
            )
        except FileNotFoundError:
            raise GitError("the git command was not found on PATH") from None
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"git {args[0]} failed: {err[-1] if err else proc.returncode}")
        return proc.stdout.decode("utf-8", "surrogateescape")

    def run(self, *args: str, input: bytes | None = None) -> str:
        """Run a git command in the repository and return its standard output."""
        return self._raw(args, cwd=self.root, input=input)

    def run_bytes(self, *args: str) -> bytes:
        """Run a git command and return its raw standard output."""
        proc = subprocess.run(
            ["git", *args],
            cwd=self.root,
            capture_output=True,
            env={**os.environ, **_ENV},
            check=False,
        )
        if proc.returncode != 0:
            raise GitError(
                f"git {args[0]} failed: {proc.stderr.decode('utf-8', 'replace').strip()}"
            )
        return proc.stdout

    def stream(self, *args: str) -> Iterator[str]:
        """Run a git command and yield its output line by line, without holding all of it."""
        cmd = ["git", "-c", "core.quotePath=false", *args]
        with subprocess.Popen(
            cmd,
            cwd=self.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **_ENV},
        ) as proc:
            assert proc.stdout is not None
            for raw in proc.stdout:
                yield raw.decode("utf-8", "surrogateescape")
            err = proc.stderr.read().decode("utf-8", "replace").strip() if proc.stderr else ""
            if proc.wait() != 0:
                raise GitError(f"git {args[0]} failed: {err.splitlines()[-1] if err else ''}")

    # -- revisions -------------------------------------------------------------------------

    def resolve(self, rev: str) -> str:
        """The full commit id of a revision, or RevisionError naming it."""
        if rev.startswith("-"):
            raise RevisionError(f"revision {rev!r} is not a revision name", path=self.root)
        try:
            return self.run(
                "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"
            ).strip()
        except GitError:
            raise RevisionError(
                f"revision {rev!r} does not exist",
                path=self.root,
                hint="fetch it first, or pass an existing --base/--head",
            ) from None

    def try_resolve(self, rev: str) -> str | None:
        """The full commit id of a revision, or None."""
        try:
            return self.resolve(rev)
        except RevisionError:
            return None

    @cached_property
    def empty_tree(self) -> str:
        """The id of the empty tree in this repository's hash algorithm."""
        return self.run("hash-object", "-t", "tree", "--stdin", input=b"").strip()

    def default_branch(self) -> str | None:
        """The default branch: origin's HEAD, then `init.defaultBranch`, then main or master."""
        try:
            ref = self.run("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD").strip()
            return ref.removeprefix("refs/remotes/")
        except GitError:
            pass
        candidates: list[str] = []
        with contextlib.suppress(GitError):
            candidates.append(self.run("config", "init.defaultBranch").strip())
        candidates += ["main", "master", "origin/main", "origin/master"]
        for name in candidates:
            if name and self.try_resolve(name):
                return name
        return None

    def current_branch(self) -> str | None:
        """The checked-out branch name, or None when HEAD is detached."""
        try:
            return self.run("symbolic-ref", "--quiet", "--short", "HEAD").strip() or None
        except GitError:
            return None

    def merge_base(self, a: str, b: str) -> str | None:
        """The best common ancestor of two commits, or None for unrelated histories."""
        try:
            return self.run("merge-base", a, b).strip() or None
        except GitError:
            return None

    def is_ancestor(self, a: str, b: str) -> bool:
        """Whether commit a is an ancestor of (or equal to) commit b."""
        try:
            self.run("merge-base", "--is-ancestor", a, b)
        except GitError:
            return False
        return True

    # -- history ---------------------------------------------------------------------------

    def commits(self, base: str | None, head: str) -> list[Commit]:
        """The commits reachable from head but not from base, oldest first."""
        spec = [head] if base is None else [f"{base}..{head}"]
        out = self.run("log", "--reverse", f"--format={_LOG_FORMAT}", *spec, "--")
        return [c for c in (_parse_commit(r) for r in out.split(_RECORD)) if c is not None]

    def notes(self, ref: str, shas: Sequence[str]) -> dict[str, str]:
        """The notes under `ref` attached to the given commits (missing ones left out)."""
        try:
            listing = self.run("notes", f"--ref={ref}", "list")
        except GitError:
            return {}
        by_commit: dict[str, str] = {}
        for row in listing.splitlines():
            blob, _, commit = row.partition(" ")
            by_commit[commit] = blob
        wanted = [(sha, by_commit[sha]) for sha in shas if sha in by_commit]
        if not wanted:
            return {}
        return dict(
            zip([s for s, _ in wanted], self.cat_blobs([b for _, b in wanted]), strict=True)
        )

    def cat_blobs(self, ids: Sequence[str]) -> list[str]:
        """The contents of several blobs, read in one `git cat-file --batch` call."""
        if not ids:
            return []
        raw = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=self.root,
            input="\n".join(ids).encode() + b"\n",
            capture_output=True,
            env={**os.environ, **_ENV},
            check=False,
        ).stdout
        out: list[str] = []
        pos = 0
        for _ in ids:
            eol = raw.index(b"\n", pos)
            header = raw[pos:eol].split()
            if len(header) < 3 or header[1] == b"missing":
                out.append("")
                pos = eol + 1
                continue
            size = int(header[2])
            out.append(raw[eol + 1 : eol + 1 + size].decode("utf-8", "replace"))
            pos = eol + 1 + size + 1
        return out

    # -- trees and diffs -------------------------------------------------------------------

    def diff(
        self, base: str | None, head: str, *, context: int = 0, paths: Sequence[str] = ()
    ) -> list[FileDiff]:
        """The files changed from base (the empty tree when None) to head."""
        old = base if base is not None else self.empty_tree
        args = [
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            f"-U{context}",
            "-M",
            old,
            head,
            "--",
            *paths,
        ]
        try:
            return list(parse_diff(self.stream(*args)))
        except GitError as exc:
            if not is_unreadable(str(exc)):
                raise
        # A blob is missing (a damaged or partial clone): diff the files git can read.
        keep, skipped = split_readable(self, old, head, paths)
        self.skipped.update(skipped)
        if not keep:
            return []
        at = args.index("--")
        args = [*args[: at + 1], *(f":(literal){p}" for p in keep)]
        return list(parse_diff(self.stream(*args)))

    def show(self, rev: str, path: str) -> bytes | None:
        """A file's bytes at a revision, or None when it does not exist there."""
        try:
            return self.run_bytes("show", f"{rev}:{path}")
        except GitError:
            return None

    def ls_files(self, rev: str) -> list[str]:
        """Every file path in a revision's tree."""
        out = self.run("ls-tree", "-r", "-z", "--name-only", rev)
        return [p for p in out.split("\x00") if p]

    def blame(
        self, head: str, path: str, *, since: str | None, lines: Sequence[tuple[int, int]] = ()
    ) -> list[BlameLine]:
        """Who last wrote each line of `path` at head; lines older than `since` are boundary."""
        args = ["blame", "--porcelain", "-M", "-C"]
        for a, b in lines:
            args += ["-L", f"{a},{b}"]
        args += [f"{since}..{head}" if since else head, "--", path]
        out: list[BlameLine] = []
        sha = ""
        final = 0
        boundary_shas: set[str] = set()
        for row in self.stream(*args):
            if row.startswith("\t"):
                out.append(BlameLine(final, sha, sha in boundary_shas))
                continue
            parts = row.split(" ")
            if len(parts) >= 3 and len(parts[0]) >= 40 and parts[1].isdigit():
                sha, final = parts[0], int(parts[2])
            elif row.startswith("boundary"):
                boundary_shas.add(sha)
        return out


def _parse_commit(record: str) -> Commit | None:
    record = record.lstrip("\n")
    if not record:
        return None
    parts = record.split(_FIELD, 7)
    if len(parts) < 8:
        return None
    sha, parents, an, ae, cn, ce, at, body = parts
    return Commit(sha, tuple(parents.split()), an, ae, cn, ce, int(at or 0), body.rstrip("\n"))
