"""Detected boundaries: each detector finds regions of head files by what the code means."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from realitycheck.boundaries import pyast
from realitycheck.boundaries.model import Region
from realitycheck.boundaries.snapshot import Snapshot
from realitycheck.core.events import Events
from realitycheck.core.ranges import Range


@dataclass(frozen=True)
class ChangedFile:
    """A file the change adds or modifies, with the new-side lines it changed."""

    path: str
    old_path: str | None
    changed: tuple[Range, ...]


@dataclass
class Scope:
    """What a detector looks at: the changed files, and the base and head trees."""

    head: Snapshot
    base: Snapshot
    files: list[ChangedFile]
    events: Events = field(default_factory=Events)
    _trees: dict[tuple[str, str], ast.Module | None] = field(default_factory=dict)
    _index: dict[str, ChangedFile] = field(init=False, default_factory=dict)
    _imports: dict[str, dict[str, tuple[str, str | None, int]]] = field(
        init=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._index = {f.path: f for f in self.files}

    def changed(self, path: str) -> ChangedFile | None:
        """The changed file at `path`, if the change touches it."""
        return self._index.get(path)

    def tree(self, path: str, *, side: str = "head") -> ast.Module | None:
        """The parsed Python module at head (or base), cached; None when it does not parse."""
        key = (side, path)
        if key not in self._trees:
            snap = self.head if side == "head" else self.base
            self._trees[key] = pyast.parse(snap.text(path))
        return self._trees[key]

    def imports(self, path: str) -> dict[str, tuple[str, str | None, int]]:
        """The import table of a head module (see `pyast.imports`), cached."""
        if path not in self._imports:
            tree = self.tree(path)
            self._imports[path] = pyast.imports(tree) if tree is not None else {}
        return self._imports[path]

    def python_files(self) -> list[ChangedFile]:
        """The changed Python files."""
        return [f for f in self.files if f.path.endswith(".py")]

    def line_count(self, path: str) -> int:
        """How many lines a head file has."""
        text = self.head.text(path) or ""
        return text.count("\n") + (0 if text.endswith("\n") or not text else 1)


Detector = Callable[[Scope], list[Region]]


def whole_file(
    scope: Scope, path: str, rule: str, reason: str, symbol: str | None = None
) -> Region:
    """A region covering every line of a head file."""
    return Region(
        path=path,
        lines=[(1, max(1, scope.line_count(path)))],
        rule=rule,
        symbol=symbol,
        reason=reason,
    )


def registry() -> dict[str, Detector]:
    """Every detector by its configuration name."""
    from realitycheck.boundaries.detectors import (
        contracts,
        infra,
        io_errors,
        migrations,
        public_api,
        routes,
    )

    return {
        "contracts": contracts.detect,
        "migrations": migrations.detect,
        "routes": routes.detect,
        "public_api": public_api.detect,
        "io_errors": io_errors.detect,
        "ci_config": infra.detect,
    }
