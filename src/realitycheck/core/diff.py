"""Unified diffs, as `git diff` writes them, parsed into files, hunks and changed line ranges."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum

from realitycheck.core.ranges import Range, to_ranges

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    '"': '"',
    "\\": "\\",
}


class FileStatus(str, Enum):
    """What a diff did to a file."""

    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"
    COPIED = "copied"


@dataclass(frozen=True)
class Hunk:
    """One `@@` block: where it sits on each side, and the new-side lines it adds."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    added: tuple[int, ...]
    removed: tuple[int, ...]


@dataclass
class FileDiff:
    """One file's change between two trees."""

    path: str
    old_path: str | None = None
    status: FileStatus = FileStatus.MODIFIED
    binary: bool = False
    submodule: bool = False
    similarity: int | None = None
    old_mode: str | None = None
    new_mode: str | None = None
    hunks: list[Hunk] = field(default_factory=list)

    @property
    def added_lines(self) -> list[int]:
        """New-side line numbers that were added or modified."""
        return [n for h in self.hunks for n in h.added]

    @property
    def changed_ranges(self) -> list[Range]:
        """The added or modified lines of the new side, as inclusive ranges."""
        return to_ranges(self.added_lines)

    @property
    def removed_count(self) -> int:
        """How many old-side lines the change removed."""
        return sum(len(h.removed) for h in self.hunks)


def unquote_path(text: str) -> str:
    """Undo git's C-style quoting of a path (`"a/sp\\303\\251cial"`)."""
    if not (len(text) >= 2 and text[0] == '"' and text[-1] == '"'):
        return text
    body = text[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "01234567" and i + 3 < len(body) + 1:
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out.extend(_ESCAPES.get(nxt, nxt).encode())
            i += 2
            continue
        out.extend(ch.encode("utf-8", "surrogateescape"))
        i += 1
    return out.decode("utf-8", "surrogateescape")


def _strip_prefix(path: str) -> str | None:
    path = unquote_path(path.rstrip("\t"))
    if path == "/dev/null":
        return None
    return path[2:] if path[:2] in ("a/", "b/") else path


def _paths_from_header(rest: str) -> tuple[str, str]:
    """Split `a/X b/Y` from a `diff --git` line; exact when quoted or when X == Y."""
    if rest.startswith('"'):
        end = rest.index('"', 1)
        while rest[end - 1] == "\\":
            end = rest.index('"', end + 1)
        left, right = rest[: end + 1], rest[end + 2 :]
        return _strip_prefix(left) or "", _strip_prefix(right) or ""
    if rest.endswith('"'):
        start = rest.index(' "')
        return _strip_prefix(rest[:start]) or "", _strip_prefix(rest[start + 1 :]) or ""
    half = (len(rest) - 5) // 2
    if len(rest) == 2 * half + 5 and rest[2 : 2 + half] == rest[half + 5 :]:
        same = rest[2 : 2 + half]
        return same, same
    left, _, right = rest.partition(" b/")
    return left[2:], right


def parse_diff(lines: Iterable[str]) -> Iterator[FileDiff]:
    """Parse `git diff` output (any context size, `-M` renames, binary markers) lazily."""
    current: FileDiff | None = None
    old_no = new_no = 0
    added: list[int] = []
    removed: list[int] = []
    hunk_head: tuple[int, int, int, int] | None = None
    in_header = False

    def close_hunk() -> None:
        nonlocal hunk_head, added, removed
        if current is not None and hunk_head is not None:
            current.hunks.append(Hunk(*hunk_head, tuple(added), tuple(removed)))
        hunk_head, added, removed = None, [], []

    for raw in lines:
        line = raw.rstrip("\n")
        if line.startswith("diff --git "):
            close_hunk()
            if current is not None:
                yield current
            old, new = _paths_from_header(line[len("diff --git ") :])
            current = FileDiff(path=new, old_path=old if old != new else None)
            in_header = True
            continue
        if current is None:
            continue
        if in_header:
            if line.startswith("@@"):
                in_header = False
            elif line.startswith("new file mode"):
                current.status = FileStatus.ADDED
                current.new_mode = line.rsplit(" ", 1)[-1]
                continue
            elif line.startswith("deleted file mode"):
                current.status = FileStatus.DELETED
                current.old_mode = line.rsplit(" ", 1)[-1]
                continue
            elif line.startswith("old mode "):
                current.old_mode = line[9:]
                continue
            elif line.startswith("new mode "):
                current.new_mode = line[9:]
                continue
            elif line.startswith(("similarity index ", "dissimilarity index ")):
                current.similarity = int(line.rsplit(" ", 1)[-1].rstrip("%"))
                continue
            elif line.startswith("rename from "):
                current.old_path = unquote_path(line[12:])
                current.status = FileStatus.RENAMED
                continue
            elif line.startswith("rename to "):
                current.path = unquote_path(line[10:])
                continue
            elif line.startswith("copy from "):
                current.old_path = unquote_path(line[10:])
                current.status = FileStatus.COPIED
                continue
            elif line.startswith("copy to "):
                current.path = unquote_path(line[8:])
                continue
            elif line.startswith("index "):
                if line.endswith(" 160000") or " 160000" in line:
                    current.submodule = True
                continue
            elif line.startswith(("Binary files ", "GIT binary patch")):
                current.binary = True
                continue
            elif line.startswith("--- "):
                old_path = _strip_prefix(line[4:])
                if old_path is not None and current.status is FileStatus.MODIFIED:
                    current.old_path = old_path if old_path != current.path else None
                continue
            elif line.startswith("+++ "):
                new_path = _strip_prefix(line[4:])
                if new_path is not None:
                    current.path = new_path
                continue
            else:
                continue
        if line.startswith("@@"):
            close_hunk()
            m = _HUNK.match(line)
            if m is None:
                continue
            o_start, o_count = int(m[1]), int(m[2]) if m[2] is not None else 1
            n_start, n_count = int(m[3]), int(m[4]) if m[4] is not None else 1
            hunk_head = (o_start, o_count, n_start, n_count)
            old_no, new_no = o_start, n_start
        elif hunk_head is None:
            continue
        elif line.startswith("+"):
            added.append(new_no)
            new_no += 1
        elif line.startswith("-"):
            removed.append(old_no)
            old_no += 1
        elif line.startswith(" ") or line == "":
            old_no += 1
            new_no += 1
        # "\ No newline at end of file" and anything else: no line numbers move.
    close_hunk()
    if current is not None:
        yield current
