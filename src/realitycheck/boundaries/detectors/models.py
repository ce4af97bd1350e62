"""Request and response models of route handlers: the classes their signatures name, and the
classes those models are built from (field types and base classes)."""

from __future__ import annotations

import ast

from realitycheck.boundaries import pyast
from realitycheck.boundaries.detectors import Scope
from realitycheck.boundaries.detectors.resolve import Symbol, resolve
from realitycheck.boundaries.model import Region

RULE = "routes"
MAX_DEPTH = 3  # how far field types and base classes are followed from a handler's signature
_BASES = {
    "BaseModel": "pydantic model",
    "RootModel": "pydantic model",
    "SQLModel": "SQLModel model",
    "TypedDict": "TypedDict",
    "NamedTuple": "NamedTuple",
    "Struct": "msgspec Struct",
    "Schema": "marshmallow schema",
}


def model_kind(scope: Scope, path: str, cls: ast.ClassDef, depth: int = 0) -> str:
    """What kind of model a class is: pydantic model, dataclass, TypedDict, ... or class."""
    for deco in cls.decorator_list:
        name = pyast.dotted(deco.func if isinstance(deco, ast.Call) else deco) or ""
        if name.endswith("dataclass"):
            return "dataclass"
        if name in ("attr.s", "attrs.define", "attr.define", "define", "frozen"):
            return "attrs class"
    for base in cls.bases:
        name = pyast.dotted(base.value if isinstance(base, ast.Subscript) else base) or ""
        last = name.rsplit(".", 1)[-1]
        if last in _BASES:
            return _BASES[last]
        if depth < MAX_DEPTH:
            found = resolve(scope, path, name) if name else None
            if found is not None and isinstance(found.node, ast.ClassDef):
                kind = model_kind(scope, found.path, found.node, depth + 1)
                if kind != "class":
                    return kind
    return "class"


def _parts(cls: ast.ClassDef) -> list[tuple[str, ast.expr]]:
    """The field annotations and base classes a model is built from."""
    out: list[tuple[str, ast.expr]] = [
        ("a field type", n.annotation) for n in cls.body if (isinstance(n, ast.AnnAssign))
    ]
    out += [("a base class", b) for b in cls.bases]
    return out


def model_regions(
    scope: Scope, items: list[tuple[str, str, ast.expr]], label: str, where: str
) -> list[Region]:
    """Regions over the changed classes a handler's signature reaches."""
    regions: list[Region] = []
    seen: set[tuple[str, str]] = set()
    queue: list[tuple[str, str, ast.expr, str | None, int]] = [
        (file, role, expr, None, 0) for file, role, expr in items
    ]
    while queue:
        file, role, expr, via, depth = queue.pop(0)
        for name in pyast.names_in(expr):
            symbol = resolve(scope, file, name)
            if symbol is None or not isinstance(symbol.node, ast.ClassDef):
                continue
            key = (symbol.path, symbol.node.name)
            if key in seen:
                continue
            seen.add(key)
            regions += _region(scope, symbol, role, via, label, where)
            if depth < MAX_DEPTH:
                node = symbol.node
                queue += [
                    (symbol.path, part, sub, f"{node.name}", depth + 1)
                    for part, sub in _parts(node)
                ]
    return regions


def _region(
    scope: Scope, symbol: Symbol, role: str, via: str | None, label: str, where: str
) -> list[Region]:
    if not scope.changed(symbol.path) or not isinstance(symbol.node, ast.ClassDef):
        return []
    kind = model_kind(scope, symbol.path, symbol.node)
    name = symbol.node.name
    if via is None:
        reason = f"{name} ({kind}) is the {role} of {label} ({where}): the route's data shape"
    else:
        reason = f"{name} ({kind}) is {role} of {via}, part of the data shape of {label} ({where})"
    return [
        Region(
            path=symbol.path,
            lines=[pyast.span(symbol.node)],
            rule=RULE,
            symbol=name,
            reason=reason,
        )
    ]
