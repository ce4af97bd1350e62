"""Walking expressions: follow values read from recorded inputs and note what the code assumes."""

from __future__ import annotations

import ast
from typing import Any

from realitycheck.assumptions.jsonpath import JsonPath
from realitycheck.assumptions.mining.frame import Base, Frame, short
from realitycheck.assumptions.mining.guards import Facts, facts, text
from realitycheck.assumptions.mining.targets import segment_of
from realitycheck.assumptions.mining.values import UNKNOWN, Val

REQUEST_ATTRS = {
    "json": ("body",),
    "form": ("body",),
    "POST": ("body",),
    "args": ("query",),
    "GET": ("query",),
    "query_params": ("query",),
    "headers": ("headers",),
    "cookies": ("headers", "cookie"),
}
ALWAYS_OBJECTS = frozenset({JsonPath(("query",)), JsonPath(("headers",))})
FLASK_REQUEST = ("flask.request", "quart.request", "werkzeug.request")


def constant_key(node: ast.expr) -> str | int | None:
    """The literal key of a subscript or .get(), if it is one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int):
        return None if isinstance(node.value, bool) else node.value
    return None


class Expressions(Base):
    """Evaluates expressions to abstract values, recording key accesses and None-unsafe uses."""

    def expr(self, node: ast.expr | None, fr: Frame) -> Val:
        """The abstract value of an expression (sites inside it are recorded)."""
        if node is None:
            return UNKNOWN
        method = getattr(self, f"_e_{type(node).__name__}", None)
        if method is not None:
            value: Val = method(node, fr)
            return value
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child, fr)
        return UNKNOWN

    def peek(self, node: ast.expr, fr: Frame) -> Val:
        """The abstract value of an expression, recording nothing."""
        self.quiet += 1
        try:
            return self.expr(node, fr)
        finally:
            self.quiet -= 1

    def path_of(self, fr: Frame) -> Any:
        return lambda node: self.peek(node, fr).path

    # -- names and attributes --------------------------------------------------------------

    def _e_Name(self, node: ast.Name, fr: Frame) -> Val:
        if node.id in fr.env:
            return fr.env[node.id]
        dotted = self.mod.imports.get(node.id, "")
        if dotted in FLASK_REQUEST:
            return Val(kind="request")
        if dotted == "os.environ":
            return Val(kind="environ")
        if node.id in self.mod.tables:
            return Val(kind="table", info=self.mod.tables[node.id])
        return UNKNOWN

    def _e_Attribute(self, node: ast.Attribute, fr: Frame) -> Val:
        if self.mod.dotted(node) == "os.environ":
            return Val(kind="environ")
        base = self.expr(node.value, fr)
        if base.kind == "instance":
            stored: Val = base.info.attrs.get(node.attr, UNKNOWN)
            return stored
        if base.kind == "request" and node.attr in REQUEST_ATTRS:
            return Val(path=JsonPath(REQUEST_ATTRS[node.attr]))
        if base.kind == "request" and node.attr in ("path_params", "view_args") and base.info:
            return Val(kind="path-params", info=base.info)
        if base.kind == "request" and node.attr in ("body", "data"):
            return Val(kind="request-body")
        self.none_unsafe(base, node.value, fr, f"reads .{node.attr}", "AttributeError")
        return UNKNOWN

    def _e_Subscript(self, node: ast.Subscript, fr: Frame) -> Val:
        base = self.expr(node.value, fr)
        key = constant_key(node.slice)
        index = self.expr(node.slice, fr) if key is None else UNKNOWN
        if not isinstance(node.ctx, ast.Load):
            return UNKNOWN
        if base.kind == "environ" and isinstance(key, str):
            guards = {text(node), f"{text(node.value)}.get({key!r})", f"os.getenv({key!r})"}
            if guards & fr.known.texts or fr.handles("KeyError"):
                return UNKNOWN
            self.site(
                fr,
                "env-var",
                node,
                f"environment variable {key} is set wherever this runs "
                f"(`{short(node)}` raises KeyError otherwise)",
                discriminator=key,
            )
            return UNKNOWN
        if base.kind == "path-params" and isinstance(key, str):
            return Val(kind="segment", info=(segment_of(str(base.info), key), key))
        if base.kind == "table" and index.path is not None and not fr.handles("KeyError"):
            keys = list(base.info)
            listing = ", ".join(repr(k) for k in keys[:8]) + (" …" if len(keys) > 8 else "")
            self.site(
                fr,
                "value-set",
                node,
                f"`{index.path}` is always a key of {text(node.value)} ({listing})",
                path=index.path,
                expect={"in": keys},
                discriminator="table",
            )
            return UNKNOWN
        self.none_unsafe(base, node.value, fr, "is indexed", "TypeError")
        if base.path is None or key is None:
            return UNKNOWN
        self.container_use(base, node.value, fr, node)
        if base.path == JsonPath(("headers",)) and isinstance(key, str):
            key = key.lower()
        child = base.path.child(key)
        if child not in fr.known.paths and not fr.handles("KeyError"):
            self.site(
                fr,
                "key-present",
                node,
                f"`{child}` is always present (`{short(node)}` reads it with [])",
                path=child,
                expect={"present": True},
            )
        return Val(path=child)

    def container_use(
        self,
        base: Val,
        node: ast.expr,
        fr: Frame,
        user: ast.AST | None = None,
        how: str = "indexes into it",
    ) -> None:
        """`node` is indexed or iterated (by `user`): a value read with [] must not be null."""
        if base.path is None or base.maybe_none or base.path in fr.roots:
            return
        if base.path in ALWAYS_OBJECTS:
            return  # an HTTP sample's query and headers are always objects: not an assumption
        if fr.is_known(node, base) or fr.handles("TypeError"):
            return
        self.site(
            fr,
            "not-null",
            node,
            f"`{base.path}` is always present and not null "
            + (
                f"(`{short(user)}` {how})"
                if user is not None
                else f"(`{short(node)}` is used as a container)"
            ),
            path=base.path,
            expect={"not_null": True},
            discriminator="container",
        )

    def none_unsafe(self, base: Val, node: ast.expr, fr: Frame, how: str, error: str) -> None:
        """A value that may be None is used as if it never is."""
        if not base.maybe_none or fr.is_known(node, base) or fr.handles(error):
            return
        expect: dict[str, Any] | None = None
        path = base.path
        if path is not None:
            expect = {"not_null": True}
        elif base.kind == "regex" and base.info and base.info[2] is not None:
            from realitycheck.assumptions.mining.rules import regex_for_duckdb

            pattern, mode, subject = base.info
            path, expect = subject, {"matches": regex_for_duckdb(pattern, mode)}
        self.site(
            fr,
            "maybe-none",
            node,
            f"`{short(node)}` is never None here (it {how} without a None check; "
            f"{base.maybe_none} can be None)",
            path=path,
            expect=expect,
        )

    # -- control flow inside expressions ---------------------------------------------------

    def _e_BoolOp(self, node: ast.BoolOp, fr: Frame) -> Val:
        saved = fr.known
        last = UNKNOWN
        first = UNKNOWN
        for i, value in enumerate(node.values):
            last = self.expr(value, fr)
            if i == 0:
                first = last
            true, false = facts(value, self.path_of(fr))
            fr.known = fr.known | (true if isinstance(node.op, ast.And) else false)
        fr.known = saved
        if isinstance(node.op, ast.Or) and isinstance(node.values[-1], ast.Dict | ast.List):
            return Val(path=first.path)
        return last if isinstance(node.op, ast.And) else UNKNOWN

    def _e_IfExp(self, node: ast.IfExp, fr: Frame) -> Val:
        self.expr(node.test, fr)
        true, false = facts(node.test, self.path_of(fr))
        saved = fr.known
        fr.known = saved | true
        self.expr(node.body, fr)
        fr.known = saved | false
        self.expr(node.orelse, fr)
        fr.known = saved
        return UNKNOWN

    def _e_NamedExpr(self, node: ast.NamedExpr, fr: Frame) -> Val:
        value = self.expr(node.value, fr)
        fr.env[node.target.id] = value
        return value

    def _e_Await(self, node: ast.Await, fr: Frame) -> Val:
        return self.expr(node.value, fr)

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp, fr: Frame
    ) -> Val:
        saved_env, saved_known = dict(fr.env), fr.known
        for gen in node.generators:
            iterable = self.expr(gen.iter, fr)
            self.container_use(iterable, gen.iter, fr, gen.iter, "is iterated over")
            self.bind(gen.target, self.element(iterable), fr)
            for cond in gen.ifs:
                self.expr(cond, fr)
                fr.known = fr.known | facts(cond, self.path_of(fr))[0]
        if isinstance(node, ast.DictComp):
            self.expr(node.key, fr)
            self.expr(node.value, fr)
        else:
            self.expr(node.elt, fr)
        fr.env, fr.known = saved_env, saved_known
        return UNKNOWN

    _e_ListComp = _e_SetComp = _e_GeneratorExp = _e_DictComp = _comprehension

    def _e_Lambda(self, node: ast.Lambda, fr: Frame) -> Val:
        return UNKNOWN

    @staticmethod
    def element(iterable: Val) -> Val:
        """The value of each item when iterating over a value."""
        return Val(path=iterable.path.child(None)) if iterable.path is not None else UNKNOWN

    def bind(self, target: ast.expr, value: Val, fr: Frame) -> None:
        """Assign a value to a name (tuples and attributes forget what they held)."""
        if isinstance(target, ast.Name):
            fr.env[target.id] = value
            fr.known = Facts({t for t in fr.known.texts if t != target.id}, fr.known.paths)
        elif isinstance(target, ast.Tuple | ast.List):
            for item in target.elts:
                self.bind(item, UNKNOWN, fr)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, UNKNOWN, fr)
        elif (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and fr.env.get(target.value.id, UNKNOWN).kind == "instance"
        ):
            fr.env[target.value.id].info.attrs[target.attr] = value  # `self.payload = payload`
        else:
            self.expr(target, fr)
