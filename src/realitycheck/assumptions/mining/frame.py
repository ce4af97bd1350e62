"""The walker's state inside one function, and how it records sites."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from realitycheck.assumptions.jsonpath import JsonPath
from realitycheck.assumptions.mining.branches import Branch, simplify
from realitycheck.assumptions.mining.guards import Facts, text
from realitycheck.assumptions.mining.module import Function, Module
from realitycheck.assumptions.mining.values import WHY_UNCHECKED, Site, Val

MAX_DEPTH = 4
HANDLES = {
    "KeyError": {"KeyError", "LookupError"},
    "IndexError": {"IndexError", "LookupError"},
    "TypeError": {"TypeError"},
    "AttributeError": {"AttributeError"},
    "ValueError": {"ValueError"},
}
BROAD = {"*", "Exception", "BaseException"}


@dataclass
class Frame:
    """One function being walked, with what flows into it from the entry."""

    func: Function
    env: dict[str, Val]
    depth: int = 0
    roots: set[JsonPath] = field(default_factory=set)
    known: Facts = field(default_factory=Facts)
    handled: frozenset[str] = frozenset()
    loops: int = 0
    returns: list[Val] = field(default_factory=list)
    status_names: set[str] = field(default_factory=set)
    retried: bool = False
    conds: tuple[Branch, ...] = ()

    def handles(self, error: str) -> bool:
        """Whether an enclosing try catches this error (or something broader)."""
        return bool(self.handled & (HANDLES.get(error, {error}) | BROAD))

    def is_known(self, node: ast.expr, value: Val) -> bool:
        """Whether a guard already established that this value is there and not None."""
        return text(node) in self.known.texts or (
            value.path is not None and value.path in self.known.paths
        )


class Base:
    """Shared by the expression and statement walkers: the module, the sites, the entry."""

    def __init__(self, mod: Module, sites: list[Site], entry: str, kinds: set[str]) -> None:
        self.mod = mod
        self.sites = sites
        self.entry = entry
        self.kinds = kinds
        self.quiet = 0
        self.stack: list[str] = []
        self.roots: set[JsonPath] = set()
        self.memo: dict[tuple[object, ...], Val] = {}

    def site(
        self,
        fr: Frame,
        kind: str,
        node: ast.AST,
        statement: str,
        *,
        path: JsonPath | None = None,
        expect: dict[str, Any] | None = None,
        discriminator: str = "",
        lines: set[int] | None = None,
        why: str | None = None,
        probe: str | None = None,
    ) -> Site | None:
        """Record that the code at `node` relies on an assumption."""
        if self.quiet or kind not in self.kinds:
            return None
        line = getattr(node, "lineno", 0)
        end = getattr(node, "end_lineno", line) or line
        if why is None and (path is None or not expect):
            why = WHY_UNCHECKED.get(kind, "this does not read a recorded input field")
        conds = simplify(tuple(c for c in fr.conds if c.path != path)) if path is not None else ()
        if conds:
            head, sep, tail = statement.partition(" (`")
            statement = head + ", when " + " and ".join(c.describe() for c in conds) + sep + tail
        made = Site(
            kind=kind,
            file=self.mod.path,
            line=line,
            col=getattr(node, "col_offset", 0),
            end=(end, getattr(node, "end_col_offset", 0) or 0),
            function=fr.func.qualname,
            statement=statement,
            path=path,
            expect=expect if path is not None else None,
            why_unchecked=why if path is None or not expect else None,
            discriminator=discriminator,
            entry=self.entry,
            depth=fr.depth,
            lines=lines if lines is not None else set(range(line, end + 1)),
            conds=conds,
            probe=probe if path is not None else None,
        )
        self.sites.append(made)
        return made


def short(node: ast.AST, limit: int = 60) -> str:
    """Source text of a node, cut to fit a sentence."""
    out = text(node).replace("\n", " ")
    return out if len(out) <= limit else out[: limit - 1] + "…"
