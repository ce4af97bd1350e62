"""CODEOWNERS path patterns: gitignore rules with GitHub's exceptions, compiled to regexes.

GitHub documents the differences from gitignore: no `!` negation, no `[ ]` ranges, no `\\#`
escape, and a trailing `/*` matches the files of that folder only, not deeper ones. gitignore
libraries get the last one wrong for CODEOWNERS, so the translation lives here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from realitycheck.core.config.boundaries import pattern_problem


class PatternError(ValueError):
    """A pattern CODEOWNERS cannot use."""


@dataclass(frozen=True)
class PathPattern:
    """One compiled pattern; `matches` takes a repository-relative file path."""

    text: str

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The pattern as an anchored regular expression over file paths."""
        return re.compile(translate(self.text))

    def matches(self, path: str) -> bool:
        """Whether the file at `path` is covered by the pattern."""
        return self.regex.fullmatch(path) is not None


def check(pattern: str) -> None:
    """Raise PatternError when a pattern uses syntax CODEOWNERS does not have."""
    problem = pattern_problem(pattern)
    if problem is not None:
        raise PatternError(problem)


def _segment(seg: str) -> str:
    """One path segment (no slashes) as a regex: `*` and `?` stay inside the segment."""
    out: list[str] = []
    i = 0
    while i < len(seg):
        ch = seg[i]
        if ch == "\\" and i + 1 < len(seg):
            out.append(re.escape(seg[i + 1]))
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def translate(pattern: str) -> str:
    """The regex (for `fullmatch`) of a CODEOWNERS pattern."""
    check(pattern)
    if pattern == "/":
        return r"(?!)"
    anchored = pattern.startswith("/")
    folder_only = pattern.endswith("/")
    body = pattern.strip("/")
    segments: list[str] = []
    for seg in body.split("/"):
        if not (seg == "**" and segments[-1:] == ["**"]):  # `**/**` is `**`
            segments.append(seg)
    if not anchored and len(segments) == 1 and segments[0] != "**":
        segments = ["**", *segments]  # no slash: matches at any depth
    parts: list[str] = []
    last = len(segments) - 1
    for i, seg in enumerate(segments):
        if seg == "**":
            if i == 0 and i == last:
                parts.append(".+")
            elif i == 0:
                parts.append("(?:.+/)?")
            elif i == last:
                parts.append("/.+")
            else:
                parts.append("(?:/.+)?")
            continue
        if parts and not parts[-1].endswith("/") and parts[-1] != "(?:.+/)?":
            parts.append("/")
        parts.append("[^/]+" if seg == "*" else _segment(seg))
    regex = "".join(parts)
    if segments[-1] == "**":
        return regex + ("/.+" if folder_only else "")
    if folder_only:
        return regex + "/.+"
    if segments[-1] == "*":
        return regex  # `docs/*`, `/*`: the folder's own files, not nested ones
    return regex + "(?:/.+)?"  # a file, or everything under a folder of that name
