"""Code shapes that imply an assumption: closed value sets, swallowed failures, asserts."""

from __future__ import annotations

import ast
from typing import Any

from realitycheck.assumptions.mining import rules
from realitycheck.assumptions.mining.calls import Calls
from realitycheck.assumptions.mining.frame import BROAD, Frame
from realitycheck.assumptions.mining.guards import text
from realitycheck.assumptions.mining.values import Val

LOGGING = ("log", "logger", "logging", "print", "warnings", "sentry_sdk", "capture_exception")


class Shapes(Calls):
    """Detects shapes of statements; the statement walker calls these as it goes."""

    def _value_set(self, node: ast.If, fr: Frame) -> None:
        if getattr(node, "_rc_chained", False):
            return
        subject: ast.expr | None = None
        literals: list[Any] = []
        branches = 0
        current = node
        while True:
            found = _compared(current.test)
            if found is None or (subject is not None and text(found[0]) != text(subject)):
                return
            subject = found[0]
            literals += found[1]
            branches += 1
            if len(current.orelse) == 1 and isinstance(current.orelse[0], ast.If):
                current = current.orelse[0]
                current._rc_chained = True  # type: ignore[attr-defined]
                continue
            final = current.orelse
            break
        raises = len(final) == 1 and isinstance(final[0], ast.Raise)
        if subject is None or branches < 2 or (final and not raises):
            return
        value = self.peek(subject, fr)
        if value.path is None:
            return
        how = "an if/elif chain whose else raises" if raises else "an if/elif chain with no else"
        self._closed_set(node, value, literals, how, fr)

    def _closed_set(
        self, node: ast.stmt, value: Val, literals: list[Any], how: str, fr: Frame
    ) -> None:
        unique = list(dict.fromkeys(literals))
        listing = ", ".join(repr(v) for v in unique[:8]) + (" …" if len(unique) > 8 else "")
        self.site(
            fr,
            "value-set",
            node,
            f"`{value.path}` is always one of {listing} ({how})",
            path=value.path,
            expect={"in": unique},
            discriminator="closed",
            lines={node.lineno},
        )

    def _swallowed(self, node: ast.Try, handler: ast.ExceptHandler, fr: Frame) -> None:
        if not (caught(handler.type) & BROAD) or not _trivial(handler.body):
            return
        what = "except" if handler.type is None else f"except {text(handler.type)}"
        first, last = node.body[0].lineno, node.body[-1].end_lineno or node.body[-1].lineno
        self.site(
            fr,
            "swallowed-failure",
            handler,
            f"nothing in lines {first}–{last} fails in a way that matters "
            f"(`{what}` swallows every error and carries on)",
            lines=set(range(first, last + 1)) | {handler.lineno},
        )

    def _assert_check(self, test: ast.expr, fr: Frame) -> tuple[Any, dict[str, Any] | None]:
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            left, op, right = test.left, test.ops[0], test.comparators[0]
            value = self.peek(left, fr)
            const = right.value if isinstance(right, ast.Constant) else None
            if value.path is None:
                return None, None
            if isinstance(op, ast.IsNot) and const is None:
                return value.path, {"not_null": True}
            if isinstance(op, ast.Eq) and isinstance(right, ast.Constant):
                return value.path, {"in": [const]}
            if isinstance(op, ast.In) and isinstance(right, ast.Tuple | ast.List | ast.Set):
                items = [e.value for e in right.elts if isinstance(e, ast.Constant)]
                return value.path, {"in": items} if len(items) == len(right.elts) else None
            if isinstance(const, int | float) and not isinstance(const, bool):
                bound = {ast.Gt: "min", ast.GtE: "min", ast.Lt: "max", ast.LtE: "max"}
                side = bound.get(type(op))
                if side:
                    return value.path, {"range": {side: const}}
            return None, None
        if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.args:
            value = self.peek(test.args[0], fr)
            if test.func.id == "isinstance" and value.path is not None and len(test.args) == 2:
                kinds = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
                names = [rules.PY_TYPES.get(text(k)) for k in kinds]
                if all(names):
                    return value.path, {"type": names if len(names) > 1 else names[0]}
            return None, None
        value = self.peek(test, fr)
        if value.path is not None:
            return value.path, {"sql": rules.TRUTHY_SQL}
        return None, None


def _trivial(body: list[ast.stmt]) -> bool:
    for stmt in body:
        if isinstance(stmt, ast.Pass | ast.Continue | ast.Break):
            continue
        if isinstance(stmt, ast.Return) and (
            stmt.value is None
            or isinstance(stmt.value, ast.Constant | ast.Name | ast.Dict | ast.List)
        ):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        if (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and text(stmt.value.func).split(".")[0].lower().startswith(LOGGING)
        ):
            continue
        if isinstance(stmt, ast.Assign) and isinstance(
            stmt.value, ast.Constant | ast.Dict | ast.List
        ):
            continue
        return False
    return True


def _compared(test: ast.expr) -> tuple[ast.expr, list[Any]] | None:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        parts = [_compared(v) for v in test.values]
        if all(parts) and len({text(p[0]) for p in parts if p}) == 1:
            return parts[0][0], [v for p in parts if p for v in p[1]]  # type: ignore[index]
        return None
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    left, op, right = test.left, test.ops[0], test.comparators[0]
    if isinstance(op, ast.Eq | ast.Is):
        if isinstance(right, ast.Constant) and right.value is not None:
            return left, [right.value]
        if isinstance(left, ast.Constant) and left.value is not None:
            return right, [left.value]
    if isinstance(op, ast.In) and isinstance(right, ast.Tuple | ast.List | ast.Set):
        items = [e.value for e in right.elts if isinstance(e, ast.Constant)]
        if items and len(items) == len(right.elts):
            return left, items
    return None


def literal_patterns(pattern: ast.pattern) -> list[Any] | None:
    if isinstance(pattern, ast.MatchValue) and isinstance(pattern.value, ast.Constant):
        return [pattern.value.value]
    if isinstance(pattern, ast.MatchSingleton):
        return [pattern.value]
    if isinstance(pattern, ast.MatchOr):
        out: list[Any] = []
        for sub in pattern.patterns:
            values = literal_patterns(sub)
            if values is None:
                return None
            out += values
        return out
    return None


def caught(node: ast.expr | None) -> set[str]:
    if node is None:
        return {"*"}
    if isinstance(node, ast.Tuple):
        return {n for e in node.elts for n in caught(e)}
    return {text(node).split(".")[-1]}
