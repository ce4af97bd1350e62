"""What the walker knows about a value, and the sites where code relies on an assumption."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from realitycheck.assumptions.jsonpath import JsonPath


@dataclass(frozen=True)
class Val:
    """An abstract value: where in a recorded input it comes from, and whether it may be None."""

    path: JsonPath | None = None
    maybe_none: str | None = None  # why it may be None, in the code's words
    kind: str | None = None  # request | response | session | client | process | regex | table
    info: Any = None  # per kind: the regex (pattern, mode), a table's keys, a call's text

    def with_path(self, path: JsonPath | None) -> Val:
        """The same value read from another place."""
        return Val(path, self.maybe_none, self.kind, self.info)


UNKNOWN = Val()


@dataclass(eq=False)
class Instance:
    """An object of a class of the module, built from recorded values (`Handler(payload)`)."""

    cls: str
    attrs: dict[str, Val] = field(default_factory=dict)  # what `self.x = …` stored


@dataclass
class Site:
    """A place in the code that relies on an assumption."""

    kind: str
    file: str
    line: int
    col: int
    end: tuple[int, int]
    function: str | None
    statement: str
    path: JsonPath | None = None
    expect: dict[str, Any] | None = None
    why_unchecked: str | None = None
    discriminator: str = ""
    entry: str | None = None
    depth: int = 0
    lines: set[int] = field(default_factory=set)
    conds: tuple[Any, ...] = ()
    probe: str | None = None  # a built-in probe that checks it (the value converts as code does)

    @property
    def identity(self) -> tuple[str, int, int, tuple[int, int], str, str]:
        """The same code place relying on the same thing, whichever entry reached it."""
        return (self.kind, self.line, self.col, self.end, self.discriminator, self.file)


NO_CORPUS_FIELD = "this does not depend on a recorded input field"
WHY_UNCHECKED = {
    "swallowed-failure": "a swallowed failure leaves no trace in recorded inputs",
    "upstream-call": "recorded inputs do not show how the upstream behaves",
    "env-var": "recorded inputs do not show the environment",
    "fixed-path": "recorded inputs do not show the file system",
}
