"""The commits of a range as provenance reads them: identities, trailers and times."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from realitycheck.core.diff import parse_diff
from realitycheck.core.git import Git

_FIELD, _RECORD = "\x00", "\x1e"
# Raw names and emails (%an, not the mailmapped %aN): a mailmap must not hide a bot.
_FORMAT = "%H%x00%P%x00%an%x00%ae%x00%cn%x00%ce%x00%at%x00%ct%x00%B%x1e"
_TRAILER = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_-]*)\s*:[ \t]*(\S.*?)\s*$")
_IDENTITY = re.compile(r"^(.*?)\s*<([^<>]*)>\s*$")
_NOREPLY = re.compile(r"^(?:(\d+)\+)?([^@+]+)@users\.noreply\.github\.com$", re.IGNORECASE)
_SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
CO_AUTHOR_KEYS = frozenset({"co-authored-by", "co-author"})


@dataclass(frozen=True)
class Identity:
    """A name and an email, as git or a trailer writes them."""

    name: str
    email: str

    @classmethod
    def parse(cls, text: str) -> Identity | None:
        """`Name <email>` from a trailer value, or None when it holds no email."""
        m = _IDENTITY.match(text.strip())
        return cls(m[1].strip().strip('"'), m[2].strip()) if m else None

    @cached_property
    def github_id(self) -> int | None:
        """The numeric id in a GitHub noreply email (`<id>+<login>@users.noreply...`)."""
        m = _NOREPLY.match(self.email.strip())
        return int(m[1]) if m and m[1] else None

    @cached_property
    def logins(self) -> frozenset[str]:
        """GitHub logins this identity shows: from a noreply email, or a `name[bot]` name."""
        out: set[str] = set()
        m = _NOREPLY.match(self.email.strip())
        if m:
            out.add(m[2].lower())
        name = self.name.strip().lower()
        if name.endswith("[bot]") and " " not in name:
            out.add(name)
        return frozenset(out)

    @property
    def is_bot(self) -> bool:
        """Whether the identity is a GitHub App or another `[bot]` account."""
        return any(login.endswith("[bot]") for login in self.logins)

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


@dataclass(frozen=True)
class Trailer:
    """One `Key: value` line of a commit message."""

    key: str
    value: str
    line: str


@dataclass(frozen=True)
class CommitRecord:
    """One commit of the range."""

    sha: str
    parents: tuple[str, ...]
    author: Identity
    committer: Identity
    authored_at: int
    committed_at: int
    message: str
    trailers: tuple[Trailer, ...] = field(default=())

    @property
    def subject(self) -> str:
        """The first line of the message."""
        return self.message.split("\n", 1)[0]

    @property
    def is_merge(self) -> bool:
        """Whether the commit has more than one parent."""
        return len(self.parents) > 1

    @property
    def is_root(self) -> bool:
        """Whether the commit has no parent."""
        return not self.parents

    @property
    def co_authors(self) -> list[tuple[Trailer, Identity]]:
        """The `Co-authored-by` trailers that name an identity."""
        out: list[tuple[Trailer, Identity]] = []
        for trailer in self.trailers:
            if trailer.key.lower() in CO_AUTHOR_KEYS:
                who = Identity.parse(trailer.value)
                if who is not None:
                    out.append((trailer, who))
        return out


def parse_trailers(message: str) -> tuple[Trailer, ...]:
    """Every `Key: value` line after the subject.

    Git reads trailers only from the last paragraph, but squash merges carry the trailers of
    every squashed commit in the body, so every line of the body is read.
    """
    out: list[Trailer] = []
    for line in message.split("\n")[1:]:
        m = _TRAILER.match(line)
        if m:
            out.append(Trailer(m[1], m[2], line.strip()))
    return tuple(out)


def parse_log(text: str) -> list[CommitRecord]:
    """Records of `git log --format=<_FORMAT>` output."""
    out: list[CommitRecord] = []
    for record in text.split(_RECORD):
        record = record.lstrip("\n")
        if not record:
            continue
        parts = record.split(_FIELD, 8)
        if len(parts) < 9:
            continue
        sha, parents, an, ae, cn, ce, at, ct, body = parts
        message = body.rstrip("\n")
        out.append(
            CommitRecord(
                sha=sha,
                parents=tuple(parents.split()),
                author=Identity(an, ae),
                committer=Identity(cn, ce),
                authored_at=int(at or 0),
                committed_at=int(ct or 0),
                message=message,
                trailers=parse_trailers(message),
            )
        )
    return out


def read_commits(git: Git, base: str | None, head: str) -> list[CommitRecord]:
    """The commits reachable from head and not from base, oldest first."""
    spec = [head] if base is None else [f"{base}..{head}"]
    return parse_log(git.run("log", "--reverse", "--no-mailmap", f"--format={_FORMAT}", *spec))


def read_some(git: Git, shas: list[str]) -> list[CommitRecord]:
    """Commits named by id (missing ones left out), in one `git log --no-walk` call."""
    if not shas:
        return []
    check = git.run(
        "cat-file",
        "--batch-check=%(objectname) %(objecttype)",
        input=("\n".join(shas) + "\n").encode(),
    )
    shas = [row.split()[0] for row in check.splitlines() if row.endswith(" commit")]
    if not shas:
        return []
    text = git.run(
        "log",
        "--no-walk=unsorted",
        "--stdin",
        "--no-mailmap",
        f"--format={_FORMAT}",
        input=("\n".join(shas) + "\n").encode(),
    )
    return parse_log(text)


def commit_diffs(git: Git, shas: list[str]) -> dict[str, dict[str, set[int]]]:
    """The lines each commit added or changed, per path (against its first parent)."""
    if not shas:
        return {}
    text = git.run(
        "diff-tree",
        "--stdin",
        "-p",
        "-U0",
        "-r",
        "-M",
        "--root",
        "--no-color",
        "--no-ext-diff",
        input=("\n".join(shas) + "\n").encode(),
    )
    out: dict[str, dict[str, set[int]]] = {}
    chunk: list[str] = []
    current: str | None = None

    def close() -> None:
        if current is not None:
            out[current] = {f.path: set(f.added_lines) for f in parse_diff(chunk)}

    for line in text.split("\n"):
        if _SHA.match(line):
            close()
            current, chunk = line, []
        else:
            chunk.append(line)
    close()
    return out


def patch_ids(git: Git, shas: list[str]) -> dict[str, str]:
    """`git patch-id --stable` of each commit: equal for the same change after a rebase."""
    if not shas:
        return {}
    diff = git.run(
        "diff-tree",
        "--stdin",
        "-p",
        "-r",
        "--root",
        "--no-color",
        "--no-ext-diff",
        input=("\n".join(shas) + "\n").encode(),
    )
    if not diff.strip():
        return {}
    ids = git.run("patch-id", "--stable", input=diff.encode("utf-8", "surrogateescape"))
    out: dict[str, str] = {}
    for row in ids.splitlines():
        patch, _, commit = row.partition(" ")
        if commit:
            out[commit] = patch
    return out
