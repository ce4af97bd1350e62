"""The exceptions realitycheck raises, all under one root.

    RealityCheckError            anything the user can act on; the CLI prints one line, exit 2
    ├── ConfigError              a configuration file or key is wrong
    ├── InputError               an input file (ledger, note, trace, cassette, ...) is malformed
    ├── GitError                 git could not do what was asked
    │   ├── NotARepositoryError  the path is not inside a git work tree
    │   └── RevisionError        a revision does not exist
    ├── CorpusError              the corpus cannot be opened or written
    └── StageError               a stage could not run; the report records it as `error`

Every error carries an optional `where` (a file, and a line or entry when known) so the one line
the CLI prints says what went wrong and where.
"""

from __future__ import annotations

from pathlib import Path


class RealityCheckError(Exception):
    """Something the user can fix went wrong."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        place: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.place = place
        self.hint = hint

    @property
    def where(self) -> str | None:
        """`file:line` or `file (place)`, or None when the error has no location."""
        if self.path is None:
            return self.place
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        if self.place:
            where += f" ({self.place})"
        return where

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class ConfigError(RealityCheckError):
    """A configuration file or key is wrong."""


class InputError(RealityCheckError):
    """An input file is malformed."""


class GitError(RealityCheckError):
    """Git could not do what was asked."""


class NotARepositoryError(GitError):
    """The path is not inside a git work tree."""


class RevisionError(GitError):
    """A revision does not exist."""


class CorpusError(RealityCheckError):
    """The corpus cannot be opened or written."""


class StageError(RealityCheckError):
    """A stage could not run."""
