"""Files of a diff whose blobs git cannot read (a damaged or partial clone): found, to skip them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from realitycheck.core.git import Git

NULL_SHA = "0" * 40
UNREADABLE = ("unable to read", "bad object", "missing blob", "is corrupt")


def is_unreadable(message: str) -> bool:
    """Whether git failed because an object is missing or damaged."""
    return any(hint in message for hint in UNREADABLE)


def split_readable(
    git: Git, old: str, head: str, paths: Sequence[str]
) -> tuple[list[str], dict[str, str]]:
    """(paths whose blobs git can read, {path: blob id it cannot read}) of the diff old..head.

    `git diff --raw` names every blob without reading one, and `cat-file --batch-check` says
    which of them are missing.
    """
    raw = git.run("diff", "--raw", "-z", "-M", "--no-abbrev", old, head, "--", *paths)
    fields = raw.split("\0")
    entries: list[tuple[list[str], list[str]]] = []  # (blob ids, paths)
    i = 0
    while i < len(fields) and fields[i].startswith(":"):
        meta = fields[i].split()
        status = meta[4] if len(meta) > 4 else "M"
        count = 2 if status[:1] in ("R", "C") else 1
        names = fields[i + 1 : i + 1 + count]
        entries.append(([s for s in meta[2:4] if s != NULL_SHA], names))
        i += 1 + count
    blobs = sorted({sha for shas, _ in entries for sha in shas})
    if not blobs:
        return [n for _, names in entries for n in names], {}
    answer = git.run("cat-file", "--batch-check", input=("\n".join(blobs) + "\n").encode())
    missing = {line.split()[0] for line in answer.splitlines() if line.endswith(" missing")}
    keep: list[str] = []
    skipped: dict[str, str] = {}
    for shas, names in entries:
        bad = next((s for s in shas if s in missing), None)
        if bad is None:
            keep += names
        else:
            skipped[names[-1]] = bad
    return keep, skipped
