"""A parsed module as mining sees it: imports, functions, constant tables and enums."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class Function:
    """A function or method, by qualified name."""

    qualname: str
    node: FunctionNode
    cls: str | None = None

    @property
    def params(self) -> list[str]:
        """Parameter names in call order (positional, then keyword-only, then *args/**kwargs)."""
        a = self.node.args
        names = [p.arg for p in (*a.posonlyargs, *a.args)]
        if a.vararg:
            names.append(a.vararg.arg)
        names += [p.arg for p in a.kwonlyargs]
        if a.kwarg:
            names.append(a.kwarg.arg)
        return names

    def contains(self, line: int) -> bool:
        """Whether the line is inside the function (decorators included)."""
        start = min([d.lineno for d in self.node.decorator_list] + [self.node.lineno])
        return start <= line <= (self.node.end_lineno or self.node.lineno)


@dataclass
class Module:
    """What mining needs to know about one module."""

    tree: ast.Module
    path: str
    name: str | None
    imports: dict[str, str] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    tables: dict[str, list[Any]] = field(default_factory=dict)
    enums: dict[str, list[Any]] = field(default_factory=dict)
    routers: dict[str, str] = field(default_factory=dict)
    text: str = ""
    classes: set[str] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)  # functions holding changed lines

    def dotted(self, node: ast.expr) -> str | None:
        """The dotted name a call refers to, through import aliases (`r.get` → `requests.get`)."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.imports.get(node.id, node.id)
        return ".".join([head, *reversed(parts)])


def load_module(tree: ast.Module, path: str, name: str | None, text: str = "") -> Module:
    """Index a parsed module's imports, functions, dict-literal tables, enums and routers."""
    mod = Module(tree=tree, path=path, name=name, text=text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                mod.imports[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom) and (node.level == 0 or name):
            source = _absolute(node, name, path) if node.level else node.module
            for alias in node.names if source is not None else []:
                mod.imports[alias.asname or alias.name] = f"{source}.{alias.name}".lstrip(".")
    for stmt in tree.body:
        _index(mod, stmt, prefix="", cls=None)
    return mod


def _absolute(node: ast.ImportFrom, name: str | None, path: str) -> str | None:
    """The module a relative import names (`from .parse import x` in pkg.app: `pkg.parse`)."""
    if name is None:
        return None
    package = name.split(".") if path.endswith("__init__.py") else name.split(".")[:-1]
    if node.level - 1 > len(package):
        return None
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _index(mod: Module, stmt: ast.stmt, *, prefix: str, cls: str | None) -> None:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        qual = prefix + stmt.name
        mod.functions[qual] = Function(qual, stmt, cls)
    elif isinstance(stmt, ast.ClassDef):
        if prefix == "":
            mod.classes.add(stmt.name)
        if prefix == "" and _is_enum(mod, stmt):
            mod.enums[stmt.name] = _enum_values(stmt)
        for inner in stmt.body:
            _index(mod, inner, prefix=f"{prefix}{stmt.name}.", cls=prefix + stmt.name)
    elif prefix == "" and isinstance(stmt, ast.Assign | ast.AnnAssign):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        value = stmt.value
        for target in targets:
            if not isinstance(target, ast.Name) or value is None:
                continue
            if isinstance(value, ast.Dict) and value.keys:
                keys = [k.value for k in value.keys if isinstance(k, ast.Constant)]
                if len(keys) == len(value.keys) and all(isinstance(k, str | int) for k in keys):
                    mod.tables[target.id] = keys
            elif isinstance(value, ast.Call):
                callee = mod.dotted(value.func) or ""
                if callee.endswith(("APIRouter", "Blueprint")):
                    prefix_kw = next(
                        (k.value for k in value.keywords if k.arg in ("prefix", "url_prefix")), None
                    )
                    if isinstance(prefix_kw, ast.Constant) and isinstance(prefix_kw.value, str):
                        mod.routers[target.id] = prefix_kw.value


def _is_enum(mod: Module, node: ast.ClassDef) -> bool:
    for base in node.bases:
        name = mod.dotted(base) or ""
        if name.split(".")[-1] in ("Enum", "StrEnum", "IntEnum", "Flag", "IntFlag"):
            return True
    return False


def _enum_values(node: ast.ClassDef) -> list[Any]:
    values: list[Any] = []
    for stmt in node.body:
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str | int)
            and not isinstance(stmt.value.value, bool)
        ):
            values.append(stmt.value.value)
    return values
