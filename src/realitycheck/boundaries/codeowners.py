"""CODEOWNERS as GitHub reads it: found in .github/, the root or docs/; the last match wins.

A line that cannot be read becomes a warning naming `file:line`, and the other lines still
apply (GitHub itself ignores the whole file then, which the warning says). A pattern with no
owners unsets ownership of what it matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from realitycheck.boundaries.patterns import PathPattern, PatternError, check

# GitHub's search order: "GitHub will search for them in that order and use the first one it finds".
LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
MAX_BYTES = 3 * 1024 * 1024  # GitHub does not load a larger CODEOWNERS file

_USER = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_TEAM = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9][A-Za-z0-9_.-]*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s/]+\.[^@\s/]+")


def owner_kind(owner: str) -> str | None:
    """`user`, `team` or `email` for a well-formed owner, else None."""
    if _TEAM.fullmatch(owner):
        return "team"
    if _USER.fullmatch(owner):
        return "user"
    if _EMAIL.fullmatch(owner):
        return "email"
    return None


@dataclass(frozen=True)
class Entry:
    """One rule of the file: a pattern and its owners (none: ownership unset)."""

    line: int
    pattern: PathPattern
    owners: tuple[str, ...]


@dataclass
class Codeowners:
    """A parsed CODEOWNERS file."""

    path: str
    entries: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def match(self, path: str) -> Entry | None:
        """The entry that decides a file's owners: the last one whose pattern matches."""
        for entry in reversed(self.entries):
            if entry.pattern.matches(path):
                return entry
        return None

    def owners_of(self, path: str) -> tuple[str, ...]:
        """The owners of a file (empty when nobody owns it)."""
        entry = self.match(path)
        return entry.owners if entry is not None else ()


def _tokens(line: str) -> list[str]:
    """Split on unescaped whitespace; `\\ ` keeps a space inside a pattern."""
    tokens: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            current.append(line[i : i + 2])
            i += 2
            continue
        if ch.isspace():
            if current:
                tokens.append("".join(current))
                current = []
        elif ch == "#" and not current:
            break  # a comment, at the start of a line or after whitespace
        else:
            current.append(ch)
        i += 1
    if current:
        tokens.append("".join(current))
    return tokens


def parse(text: str, path: str = "CODEOWNERS") -> Codeowners:
    """Parse CODEOWNERS text; unreadable lines become warnings and are left out."""
    result = Codeowners(path=path)
    note = "GitHub ignores the whole file while a line is invalid"
    for number, raw in enumerate(text.splitlines(), start=1):
        tokens = _tokens(raw.strip())
        if not tokens:
            continue
        pattern, owners = tokens[0], tokens[1:]
        if pattern.startswith("[") and pattern.endswith("]") and not owners:
            result.warnings.append(
                f"{path}:{number}: section header {pattern} is GitLab syntax, not GitHub's; "
                f"line ignored ({note})"
            )
            continue
        try:
            check(pattern)
        except PatternError as exc:
            result.warnings.append(f"{path}:{number}: {exc}; line ignored ({note})")
            continue
        good = [o for o in owners if owner_kind(o) is not None]
        bad = [o for o in owners if owner_kind(o) is None]
        if bad:
            what = ", ".join(repr(o) for o in bad)
            if not good:
                result.warnings.append(
                    f"{path}:{number}: {what} is not @user, @org/team or an e-mail address; "
                    f"line ignored ({note})"
                )
                continue
            result.warnings.append(
                f"{path}:{number}: {what} is not @user, @org/team or an e-mail address; "
                f"ignored, the line's other owners still apply ({note})"
            )
        result.entries.append(Entry(number, PathPattern(pattern), tuple(good)))
    return result


def too_large(size: int) -> bool:
    """Whether GitHub would refuse to load a CODEOWNERS file of this many bytes."""
    return size >= MAX_BYTES
