"""What a condition proves when it is true or false: names that are not None, keys present."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from realitycheck.assumptions.jsonpath import JsonPath


@dataclass
class Facts:
    """Expressions (by source text) known not to be None, and JSON paths known to be present."""

    texts: set[str] = field(default_factory=set)
    paths: set[JsonPath] = field(default_factory=set)

    def __or__(self, other: Facts) -> Facts:
        return Facts(self.texts | other.texts, self.paths | other.paths)


PathOf = Callable[[ast.expr], JsonPath | None]
NONE = ast.Constant(value=None)


def text(node: ast.AST) -> str:
    """Source text of an expression, normalised."""
    return ast.unparse(node)


def _about(node: ast.expr, path_of: PathOf) -> Facts:
    facts = Facts({text(node)})
    path = path_of(node)
    if path is not None:
        facts.paths.add(path)
    return facts


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def facts(test: ast.expr, path_of: PathOf) -> tuple[Facts, Facts]:
    """(what holds when `test` is true, what holds when it is false)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        true, false = facts(test.operand, path_of)
        return false, true
    if isinstance(test, ast.BoolOp):
        parts = [facts(v, path_of) for v in test.values]
        if isinstance(test.op, ast.And):
            out = Facts()
            for true, _ in parts:
                out = out | true
            return out, Facts()
        out = Facts()
        for _, false in parts:
            out = out | false
        return Facts(), out
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, op, right = test.left, test.ops[0], test.comparators[0]
        if isinstance(op, ast.IsNot | ast.NotEq) and _is_none(right):
            return _about(left, path_of), Facts()
        if isinstance(op, ast.Is | ast.Eq) and _is_none(right):
            return Facts(), _about(left, path_of)
        if isinstance(op, ast.In | ast.NotIn) and isinstance(left, ast.Constant):
            container = path_of(right)
            if not isinstance(left.value, str | int):
                return Facts(), Facts()
            if container is not None:
                known = Facts(paths={container.child(left.value)})
            else:  # `"KEY" in os.environ` makes `os.environ["KEY"]` safe
                known = Facts({f"{text(right)}[{left.value!r}]"})
            return (known, Facts()) if isinstance(op, ast.In) else (Facts(), known)
        return Facts(), Facts()
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Name):
        if test.func.id in ("isinstance", "hasattr", "callable", "len", "bool") and test.args:
            return _about(test.args[0], path_of), Facts()
        return Facts(), Facts()
    if isinstance(test, ast.Name | ast.Attribute | ast.Subscript | ast.Call | ast.NamedExpr):
        target = test.target if isinstance(test, ast.NamedExpr) else test
        return _about(target, path_of), Facts()
    return Facts(), Facts()


def always_exits(body: list[ast.stmt]) -> bool:
    """Whether a block always leaves (return, raise, continue, break) at its end."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, ast.Return | ast.Raise | ast.Continue | ast.Break):
        return True
    if isinstance(last, ast.If):
        return always_exits(last.body) and always_exits(last.orelse)
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        name = text(last.value.func)
        return name in ("sys.exit", "exit", "abort", "flask.abort", "os._exit")
    return False
