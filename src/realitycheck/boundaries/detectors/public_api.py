"""Public API: `__all__`, and public functions and classes whose signature changed.

Signatures are compared between the base and head syntax trees, so a changed body is told
apart from changed parameters, defaults, return annotations, decorators, bases or fields.
"""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from realitycheck.boundaries import pyast
from realitycheck.boundaries.detectors import ChangedFile, Scope
from realitycheck.boundaries.detectors.resolve import resolve
from realitycheck.boundaries.model import Region
from realitycheck.core.ranges import Range, merge

RULE = "public_api"
PUBLIC_DUNDERS = {"__init__", "__call__", "__new__"}
_TEST_FOLDERS = {"tests", "test", "testing"}


def exported(tree: ast.Module) -> tuple[list[str], ast.stmt] | None:
    """The names in a module's `__all__` and the statement defining it, or None."""
    names: list[str] | None = None
    where: ast.stmt | None = None
    for node in tree.body:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            target, value = node.target, node.value
        if not (isinstance(target, ast.Name) and target.id == "__all__"):
            continue
        if isinstance(value, ast.List | ast.Tuple):
            items = [s for s in (pyast.string(e) for e in value.elts) if s is not None]
            names = (names or []) + items if isinstance(node, ast.AugAssign) else items
            where = node
    return (names, where) if names is not None and where is not None else None


def is_public_module(scope: Scope, path: str) -> bool:
    """Whether a Python file is a non-test module of a package, outside private modules."""
    pure = PurePosixPath(path)
    if pure.suffix != ".py" or str(pure.parent) not in scope.head.packages:
        return False
    if _TEST_FOLDERS & set(pure.parts[:-1]) or pure.name == "conftest.py":
        return False
    if pure.stem.startswith("test_") or pure.stem.endswith("_test"):
        return False
    return not any(p.startswith("_") and p != "__init__.py" for p in pure.parts)


def signature(node: pyast.DefNode) -> str:
    """What callers depend on: parameters, defaults, return annotation, decorators, fields."""
    decorators = [ast.dump(d) for d in node.decorator_list]
    if isinstance(node, ast.ClassDef):
        fields = [
            ast.dump(n.target) + ast.dump(n.annotation) + (ast.dump(n.value) if n.value else "")
            for n in node.body
            if isinstance(n, ast.AnnAssign)
        ]
        bases = [ast.dump(b) for b in (*node.bases, *node.keywords)]
        return repr(("class", decorators, bases, fields))
    returns = ast.dump(node.returns) if node.returns is not None else ""
    kind = "async" if isinstance(node, ast.AsyncFunctionDef) else "def"
    return repr((kind, decorators, ast.dump(node.args), returns))


def signature_lines(node: pyast.DefNode) -> list[Range]:
    """The lines a signature occupies: the header, and a class's annotated fields."""
    lines = [pyast.header(node)]
    if isinstance(node, ast.ClassDef):
        lines += [pyast.span(n) for n in node.body if isinstance(n, ast.AnnAssign)]
    return merge(lines)


def reexports(scope: Scope) -> dict[str, set[str]]:
    """Changed module path -> names some `__all__` elsewhere re-exports from it."""
    out: dict[str, set[str]] = {}
    for path in scope.head.grep(r"__all__", ["*.py"]):
        tree = scope.tree(path)
        found = exported(tree) if tree is not None else None
        if found is None:
            continue
        for name in found[0]:
            symbol = resolve(scope, path, name)
            if symbol is not None and symbol.path != path and scope.changed(symbol.path):
                out.setdefault(symbol.path, set()).add(symbol.node.name)
    return out


def detect(scope: Scope) -> list[Region]:
    """Regions over changed public signatures and changed `__all__` lists."""
    python = scope.python_files()
    if not python:
        return []
    again = reexports(scope)
    regions: list[Region] = []
    for changed in python:
        if changed.path in again:
            regions += _module(scope, changed, again[changed.path], private=True)
        elif is_public_module(scope, changed.path):
            regions += _module(scope, changed, set())
    return regions


def _module(
    scope: Scope, changed: ChangedFile, reexported: set[str], *, private: bool = False
) -> list[Region]:
    head = scope.tree(changed.path)
    base = scope.tree(changed.old_path or changed.path, side="base")
    if head is None or base is None:
        return []  # a new module only adds API; an unparsable one cannot be compared
    regions: list[Region] = []
    head_all, base_all = exported(head), exported(base)
    public = set(head_all[0]) if head_all else None
    if head_all and (base_all is None or base_all[0] != head_all[0]):
        added = sorted(set(head_all[0]) - set(base_all[0] if base_all else []))
        removed = sorted(set(base_all[0] if base_all else []) - set(head_all[0]))
        what = "; ".join(
            p for p in (f"adds {', '.join(added)}" if added else "",
                        f"removes {', '.join(removed)}" if removed else "") if p
        ) or "reorders it"  # fmt: skip
        regions.append(
            Region(
                path=changed.path,
                lines=[pyast.span(head_all[1])],
                rule=RULE,
                symbol="__all__",
                reason=f"__all__ lists what the module exports; this change {what}",
            )
        )
    before = {d.qualname: d for d in pyast.definitions(base)}
    for definition in pyast.definitions(head):
        top, _, member = definition.qualname.partition(".")
        if private:  # a private module: only what a package re-exports from it is public
            exported_here = False
        elif public is not None:
            exported_here = top in public
        else:
            exported_here = not top.startswith("_")
        if not (exported_here or top in reexported):
            continue
        if member and member.startswith("_") and member not in PUBLIC_DUNDERS:
            continue
        old = before.get(definition.qualname)
        if old is None or signature(old.node) == signature(definition.node):
            continue
        kind = "class" if isinstance(definition.node, ast.ClassDef) else "function"
        if member:
            kind = "method"
        what = (
            "fields, bases or decorators" if kind == "class" else "parameters, defaults or return"
        )
        regions.append(
            Region(
                path=changed.path,
                lines=signature_lines(definition.node),
                rule=RULE,
                symbol=definition.qualname,
                reason=f"the signature of public {kind} {definition.qualname} changed ({what}): "
                "code outside this change calls it",
            )
        )
    return regions
