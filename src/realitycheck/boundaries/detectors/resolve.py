"""Find where a name used in one module is defined, following imports inside the repository."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from realitycheck.boundaries import pyast
from realitycheck.boundaries.detectors import Scope

MAX_HOPS = 4  # re-exports followed before giving up


@dataclass(frozen=True)
class Symbol:
    """A function or class found in a head file."""

    path: str
    node: pyast.DefNode


def top_level(tree: ast.Module, name: str) -> pyast.DefNode | None:
    """The last top-level def or class with that name (later definitions win, as at run time)."""
    found: pyast.DefNode | None = None
    for node in tree.body:
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.name == name
        ):
            found = node
    return found


def resolve(scope: Scope, importer: str, dotted: str, hops: int = 0) -> Symbol | None:
    """The definition `dotted` names when used in the module at `importer`, if in the repo."""
    tree = scope.tree(importer)
    if tree is None or hops > MAX_HOPS:
        return None
    first, *rest = dotted.split(".")
    if not rest:
        node = top_level(tree, first)
        if node is not None:
            return Symbol(importer, node)
    table = scope.imports(importer)
    if first not in table:
        return None
    module, name, level = table[first]
    if name is None:  # `import a.b as m` / `import a`: rest names a module path and a symbol
        if not rest:
            return None
        target = scope.head.resolve_module(
            ".".join([module, *rest[:-1]]), importer=importer, level=0
        )
        return _in_module(scope, target, rest[-1], hops)
    submodule = ".".join(p for p in (module, name) if p)
    target = scope.head.resolve_module(submodule, importer=importer, level=level)
    if target is not None and rest:  # `from pkg import views` then `views.fn`
        return _in_module(scope, target, ".".join(rest), hops)
    if rest:
        return None
    target = scope.head.resolve_module(module, importer=importer, level=level)
    return _in_module(scope, target, name, hops)


def _in_module(scope: Scope, path: str | None, dotted: str, hops: int) -> Symbol | None:
    if path is None or "." in dotted:
        return None
    return resolve(scope, path, dotted, hops + 1)
