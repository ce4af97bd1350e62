"""Walking statements: assignments, branches and guards, loops, try blocks, asserts, matches."""

from __future__ import annotations

import ast
from typing import Any

from realitycheck.assumptions.mining import rules
from realitycheck.assumptions.mining.branches import Branch, branches
from realitycheck.assumptions.mining.frame import Frame, short
from realitycheck.assumptions.mining.guards import Facts, always_exits, facts, text
from realitycheck.assumptions.mining.module import Function, Module
from realitycheck.assumptions.mining.shapes import Shapes, caught, literal_patterns
from realitycheck.assumptions.mining.values import UNKNOWN, Val


class Walker(Shapes):
    """Walks one entry function (and the same-module functions it passes values to)."""

    def walk_entry(self, func: Function, bindings: dict[str, Val]) -> None:
        """Walk a function as an entry, its parameters bound as given."""
        self.stack = [func.qualname]
        self.roots = {v.path for v in bindings.values() if v.path is not None}
        self._walk(func, bindings, depth=0)

    def descend(
        self, callee: Function, bound: dict[str, Val], fr: Frame, mod: Module | None = None
    ) -> Val:
        if mod is not None and mod is not self.mod:  # into another changed module
            other = Walker(mod, self.sites, self.entry, self.kinds)
            other.others, other.stack, other.memo, other.roots = (
                self.others,
                self.stack,
                self.memo,
                self.roots,
            )
            return other.descend(callee, bound, fr)
        items = tuple(sorted(bound.items(), key=lambda kv: kv[0]))
        key = (self.mod.path, callee.qualname, items, fr.conds)
        if key in self.memo:
            return self.memo[key]
        self.memo[key] = UNKNOWN
        self.stack.append(callee.qualname)
        try:
            result = self._walk(callee, bound, depth=fr.depth + 1, conds=fr.conds)
        finally:
            self.stack.pop()
        self.memo[key] = result
        return result

    def _walk(
        self,
        func: Function,
        bindings: dict[str, Val],
        *,
        depth: int,
        conds: tuple[Branch, ...] = (),
    ) -> Val:
        if depth == 0:
            bindings = {**bindings, **optional_params(func, bindings)}
        fr = Frame(func=func, env=dict(bindings), depth=depth, conds=conds)
        fr.roots = self.roots  # an entry's own parameters are its contract, not an assumption
        fr.status_names = _status_names(func.node)
        fr.retried = self._retried(func)
        self.stmts(func.node.body, fr)
        return next((v for v in fr.returns if v.path is not None or v.kind), UNKNOWN)

    def _retried(self, func: Function) -> bool:
        for deco in func.node.decorator_list:
            name = text(deco).lower()
            if any(hint in name for hint in rules.RETRY_HINTS):
                return True
        source = self.mod.text
        return "Retry(" in source or "max_retries" in source or "retries=" in source

    # -- statements ------------------------------------------------------------------------

    def stmts(self, body: list[ast.stmt], fr: Frame) -> None:
        saved = fr.conds  # conditions learnt from an early exit last to the end of the block
        for stmt in body:
            self.stmt(stmt, fr)
        fr.conds = saved

    def stmt(self, node: ast.stmt, fr: Frame) -> None:
        method = getattr(self, f"_s_{type(node).__name__}", None)
        if method is not None:
            method(node, fr)
            return
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child, fr)
            elif isinstance(child, ast.stmt):
                self.stmt(child, fr)

    def _value(self, node: ast.expr | None, fr: Frame, assigned: str | None = None) -> Val:
        inner = node.value if isinstance(node, ast.Await) else node
        if isinstance(inner, ast.Call):
            return self._e_Call(inner, fr, assigned)
        return self.expr(node, fr)

    def _s_Expr(self, node: ast.Expr, fr: Frame) -> None:
        self._value(node.value, fr)

    def _s_Assign(self, node: ast.Assign, fr: Frame) -> None:
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        value = self._value(node.value, fr, names[0] if names else None)
        for target in node.targets:
            self.bind(target, value, fr)

    def _s_AnnAssign(self, node: ast.AnnAssign, fr: Frame) -> None:
        if node.value is not None:
            name = node.target.id if isinstance(node.target, ast.Name) else None
            self.bind(node.target, self._value(node.value, fr, name), fr)

    def _s_AugAssign(self, node: ast.AugAssign, fr: Frame) -> None:
        self.expr(node.value, fr)

    def _s_Return(self, node: ast.Return, fr: Frame) -> None:
        fr.returns.append(self._value(node.value, fr))

    def _s_If(self, node: ast.If, fr: Frame) -> None:
        self._value_set(node, fr)
        self.expr(node.test, fr)
        true, false = facts(node.test, self.path_of(fr))
        taken = branches(node.test, self.path_of(fr)) or []
        other = [taken[0].inverted()] if len(taken) == 1 else []
        saved, outer = fr.known, fr.conds
        fr.known, fr.conds = saved | true, outer + tuple(taken)
        self.stmts(node.body, fr)
        fr.known, fr.conds = saved | false, outer + tuple(other)
        self.stmts(node.orelse, fr)
        fr.known, fr.conds = saved, outer
        if always_exits(node.body):
            fr.known = fr.known | false
            fr.conds = fr.conds + tuple(other)
        if node.orelse and always_exits(node.orelse):
            fr.known = fr.known | true
            fr.conds = fr.conds + tuple(taken)

    def _s_While(self, node: ast.While, fr: Frame) -> None:
        self.expr(node.test, fr)
        saved = fr.known
        fr.known = saved | facts(node.test, self.path_of(fr))[0]
        fr.loops += 1
        self.stmts(node.body, fr)
        fr.loops -= 1
        fr.known = saved
        self.stmts(node.orelse, fr)

    def _s_For(self, node: ast.For | ast.AsyncFor, fr: Frame) -> None:
        iterable = self.expr(node.iter, fr)
        self.container_use(iterable, node.iter, fr, node.iter, "is iterated over")
        self.bind(node.target, self.element(iterable), fr)
        fr.loops += 1
        self.stmts(node.body, fr)
        fr.loops -= 1
        self.stmts(node.orelse, fr)

    _s_AsyncFor = _s_For

    def _s_With(self, node: ast.With | ast.AsyncWith, fr: Frame) -> None:
        for item in node.items:
            value = self._value(item.context_expr, fr)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, value, fr)
        self.stmts(node.body, fr)

    _s_AsyncWith = _s_With

    def _s_Try(self, node: ast.Try, fr: Frame) -> None:
        handled: set[str] = set()
        for handler in node.handlers:
            handled |= caught(handler.type)
        saved = fr.handled
        fr.handled = saved | frozenset(handled)
        self.stmts(node.body, fr)
        fr.handled = saved
        for handler in node.handlers:
            self._swallowed(node, handler, fr)
            self.stmts(handler.body, fr)
        self.stmts(node.orelse, fr)
        self.stmts(node.finalbody, fr)

    _s_TryStar = _s_Try

    def _s_Assert(self, node: ast.Assert, fr: Frame) -> None:
        self.expr(node.test, fr)
        path, expect = self._assert_check(node.test, fr)
        self.site(
            fr,
            "assert",
            node,
            f"`{short(node.test)}` always holds (an assert: it raises AssertionError when it "
            "does not, and `python -O` removes it)",
            path=path,
            expect=expect,
            why=None if expect else "the asserted condition is not about a recorded field",
        )
        fr.known = fr.known | facts(node.test, self.path_of(fr))[0]

    def _s_Match(self, node: ast.Match, fr: Frame) -> None:
        subject = self.expr(node.subject, fr)
        literals: list[Any] = []
        closed = True
        for case in node.cases:
            values = literal_patterns(case.pattern)
            if values is None:
                closed = False
            else:
                literals += values
            self.stmts(case.body, fr)
        if closed and literals and subject.path is not None:
            self._closed_set(node, subject, literals, "a match with no wildcard case", fr)


def _status_names(node: ast.AST) -> set[str]:
    names: set[str] = set()
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Attribute)
            and sub.attr in rules.STATUS_ATTRS
            and isinstance(sub.value, ast.Name)
        ):
            names.add(sub.value.id)
    return names


__all__ = ["Facts", "Walker"]


def optional_params(func: Function, bindings: dict[str, Val]) -> dict[str, Val]:
    """Parameters annotated `X | None` or `Optional[X]` may be None where they are used."""
    out: dict[str, Val] = {}
    a = func.node.args
    for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs]:
        note = ast.unparse(arg.annotation) if arg.annotation is not None else ""
        if "None" in note.replace(" ", "").split("|") or note.startswith(
            ("Optional[", "typing.Optional[")
        ):
            bound = bindings.get(arg.arg, UNKNOWN)
            out[arg.arg] = Val(
                bound.path, f"parameter `{arg.arg}` ({note})", bound.kind, bound.info
            )
    return out
