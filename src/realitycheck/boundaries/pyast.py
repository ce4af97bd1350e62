"""Small helpers over Python's `ast` that the detectors share."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from realitycheck.core.ranges import Range

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
DefNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def parse(text: str | None) -> ast.Module | None:
    """The module's syntax tree, or None when the text is not valid Python."""
    if text is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences in analysed code
            return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def start(node: ast.stmt) -> int:
    """The first line of a statement, counting its decorators."""
    decorators: list[ast.expr] = getattr(node, "decorator_list", None) or []
    return min([node.lineno, *(d.lineno for d in decorators)])


def span(node: ast.stmt) -> Range:
    """The lines of a whole statement, decorators included."""
    return (start(node), node.end_lineno or node.lineno)


def header(node: DefNode) -> Range:
    """The lines of a def's or class's header: decorators through the line before its body."""
    first_body = node.body[0].lineno if node.body else node.lineno
    end = max(node.lineno, first_body - 1)
    return (start(node), end)


def dotted(expr: ast.expr) -> str | None:
    """`a.b.c` for a Name or an Attribute chain (calls in the chain as `x()`), else None."""
    parts: list[str] = []
    node: ast.expr = expr
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return ".".join(reversed(parts))
        elif isinstance(node, ast.Call):
            inner = dotted(node.func)
            if inner is None:
                return None
            parts.append(inner + "()")
            return ".".join(reversed(parts))
        else:
            return None


def string(expr: ast.expr | None) -> str | None:
    """The value of a string constant, else None."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return None


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """The value of a keyword argument of a call."""
    return next((k.value for k in call.keywords if k.arg == name), None)


@dataclass(frozen=True)
class Definition:
    """A function or class with its qualified name within the module."""

    qualname: str
    node: DefNode
    parent: ast.ClassDef | None


def definitions(tree: ast.Module, *, methods: bool = True) -> Iterator[Definition]:
    """Top-level functions and classes, and (when asked) the methods of top-level classes."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield Definition(node.name, node, None)
            if methods and isinstance(node, ast.ClassDef):
                for child in node.body:
                    if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                        yield Definition(f"{node.name}.{child.name}", child, node)


def imports(tree: ast.Module) -> dict[str, tuple[str, str | None, int]]:
    """Local name -> (module, imported name or None for a module, relative level)."""
    out: dict[str, tuple[str, str | None, int]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    local = alias.asname or alias.name
                    out[local] = (node.module or "", alias.name, node.level)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    out[alias.asname] = (alias.name, None, 0)
                else:
                    top = alias.name.split(".")[0]
                    out.setdefault(top, (top, None, 0))
    return out


def names_in(expr: ast.expr | None) -> Iterator[str]:
    """Dotted names mentioned in an annotation-like expression (`list[Out] | None` -> Out)."""
    if expr is None:
        return
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        inner = parse(expr.value)  # a string annotation
        if inner is not None and inner.body and isinstance(inner.body[0], ast.Expr):
            yield from names_in(inner.body[0].value)
        return
    name = dotted(expr)
    if name is not None and "()" not in name:
        yield name
        return
    for child in ast.iter_child_nodes(expr):
        if isinstance(child, ast.expr):
            yield from names_in(child)
