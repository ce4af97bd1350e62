"""Who last wrote each changed line: one `git blame --porcelain` per file, restricted to the range.

Only the changed lines are blamed (`-L` ranges, with short gaps bridged so a file needs few of
them), and the files are blamed a few at a time in threads: each blame is its own `git`
process, so they run side by side.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from realitycheck.core.errors import GitError
from realitycheck.core.git import Git
from realitycheck.core.ranges import Range

BRIDGE = 8  # unchanged lines between two changed ranges that are blamed rather than split
WORKERS: int | None = None  # blames at once; None: one more than the CPUs, at most 4


@dataclass(frozen=True)
class LineOrigin:
    """A line of head, the commit that last wrote it, and where it sat in that commit."""

    line: int
    sha: str
    orig_path: str
    orig_line: int
    boundary: bool


def bridge(ranges: Sequence[Range], gap: int = BRIDGE) -> list[Range]:
    """Merge ranges separated by at most `gap` lines, so blame gets fewer `-L` options."""
    out: list[Range] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + gap + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def parse_porcelain(rows: Iterable[str], path: str) -> list[LineOrigin]:
    """Lines of `git blame --porcelain` output as LineOrigins."""
    out: list[LineOrigin] = []
    names: dict[str, str] = {}
    boundaries: set[str] = set()
    sha = ""
    orig = final = 0
    for row in rows:
        if row.startswith("\t"):
            out.append(LineOrigin(final, sha, names.get(sha, path), orig, sha in boundaries))
            continue
        row = row.rstrip("\n")
        if row.startswith("filename "):
            names[sha] = row[9:]
        elif row == "boundary":
            boundaries.add(sha)
        else:
            parts = row.split(" ", 3)
            if len(parts) >= 3 and len(parts[0]) >= 40 and parts[1].isdigit():
                sha, orig, final = parts[0], int(parts[1]), int(parts[2])
    return out


def blame_file(
    git: Git, head: str, since: str | None, path: str, ranges: Sequence[Range]
) -> list[LineOrigin]:
    """Blame the given lines of `path` at head; lines older than `since` are boundary."""
    args = ["blame", "--porcelain"]
    for a, b in bridge(ranges):
        args += ["-L", f"{a},{b}"]
    args += [f"{since}..{head}" if since else head, "--", path]
    return parse_porcelain(git.run(*args).split("\n"), path)


def blame_files(
    git: Git,
    head: str,
    since: str | None,
    requests: Sequence[tuple[str, Sequence[Range]]],
    *,
    workers: int | None = None,
    on_done: Callable[[], None] | None = None,
) -> tuple[dict[str, list[LineOrigin]], dict[str, str]]:
    """Blame several files side by side; returns the lines per path and the failures per path."""
    workers = workers or WORKERS or min(4, (os.cpu_count() or 1) + 1)

    def one(item: tuple[str, Sequence[Range]]) -> tuple[str, list[LineOrigin] | str]:
        path, ranges = item
        try:
            return path, blame_file(git, head, since, path, ranges)
        except GitError as exc:
            return path, str(exc)
        finally:
            if on_done is not None:
                on_done()

    found: dict[str, list[LineOrigin]] = {}
    failed: dict[str, str] = {}
    if len(requests) <= 1 or workers <= 1:
        results = [one(item) for item in requests]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(one, requests))
    for path, outcome in results:
        if isinstance(outcome, str):
            failed[path] = outcome
        else:
            found[path] = outcome
    return found, failed
