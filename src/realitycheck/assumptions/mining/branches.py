"""Branch conditions on recorded values: which samples reach a line (`if e["type"] == "x":`)."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from realitycheck.assumptions.jsonpath import JsonPath
from realitycheck.assumptions.mining.rules import PY_TYPES, TRUTHY_SQL

PathOf = Callable[[ast.expr], JsonPath | None]


@dataclass(frozen=True)
class Branch:
    """A condition on one recorded value, as the code tests it."""

    path: JsonPath
    expect_json: str
    negate: bool
    words: str
    op: str = ""  # "in", "prefix" or "suffix" when `values` lists what it compares with
    values: tuple[Any, ...] = ()

    @property
    def expect(self) -> dict[str, Any]:
        """The condition as an expect table."""
        value: dict[str, Any] = json.loads(self.expect_json)
        return value

    def inverted(self) -> Branch:
        """The opposite condition (the else branch)."""
        return Branch(
            self.path, self.expect_json, not self.negate, _invert(self.words), self.op, self.values
        )

    def excludes(self, other: Branch) -> bool:
        """Whether meeting this (positive) condition means `other` (positive) cannot hold."""
        if self.path != other.path or self.negate or self.op != other.op or not self.op:
            return False
        if self.op == "in":
            return not set(self.values) & set(other.values)
        if self.op == "prefix":
            return all(
                not a.startswith(b) and not b.startswith(a)
                for a in self.values
                for b in other.values
            )
        return all(
            not a.endswith(b) and not b.endswith(a) for a in self.values for b in other.values
        )

    def describe(self) -> str:
        """`$.args.event.type starts with 'charge.'`."""
        return f"{self.path} {self.words}"


def _invert(words: str) -> str:
    for a, b in (
        ("is one of", "is not one of"),
        ("starts with", "does not start with"),
        ("ends with", "does not end with"),
        ("is present", "is absent"),
        ("is not null", "is null or absent"),
        ("is truthy", "is falsy"),
        ("is a", "is not a"),
    ):
        if words.startswith(b):
            return a + words[len(b) :]
        if words.startswith(a):
            return b + words[len(a) :]
    return f"not ({words})"


def _branch(
    path: JsonPath,
    expect: dict[str, Any],
    words: str,
    negate: bool = False,
    op: str = "",
    values: list[Any] | None = None,
) -> Branch:
    return Branch(path, json.dumps(expect, sort_keys=True), negate, words, op, tuple(values or ()))


def simplify(conds: tuple[Branch, ...]) -> tuple[Branch, ...]:
    """Drop `x is not A` when the conditions also say `x is B` and B excludes A (elif chains)."""
    positive = [c for c in conds if not c.negate]
    kept = []
    for cond in conds:
        if cond.negate and any(p.excludes(cond.inverted()) for p in positive):
            continue
        if cond not in kept:
            kept.append(cond)
    return tuple(kept)


def _literals(node: ast.expr) -> list[Any] | None:
    if isinstance(node, ast.Constant) and node.value is not None:
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        items = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        return items if len(items) == len(node.elts) and None not in items else None
    return None


def _listing(values: list[Any]) -> str:
    return ", ".join(repr(v) for v in values[:6]) + (" …" if len(values) > 6 else "")


def branches(test: ast.expr, path_of: PathOf) -> list[Branch] | None:
    """The conditions that hold inside `if test:` (None when the test says nothing usable)."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        found = [b for v in test.values for b in (branches(v, path_of) or [])]
        return found or None
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = branches(test.operand, path_of)
        return [inner[0].inverted()] if inner and len(inner) == 1 else None
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        return _compare(test.left, test.ops[0], test.comparators[0], path_of)
    if isinstance(test, ast.Call):
        return _call(test, path_of)
    path = path_of(test)
    return [_branch(path, {"sql": TRUTHY_SQL}, "is truthy")] if path is not None else None


def _compare(
    left: ast.expr, op: ast.cmpop, right: ast.expr, path_of: PathOf
) -> list[Branch] | None:
    none = isinstance(right, ast.Constant) and right.value is None
    if none and isinstance(op, ast.Is | ast.Eq | ast.IsNot | ast.NotEq):
        path = path_of(left)
        if path is None:
            return None
        b = _branch(path, {"not_null": True}, "is not null")
        return [b.inverted() if isinstance(op, ast.Is | ast.Eq) else b]
    if isinstance(op, ast.In | ast.NotIn) and isinstance(left, ast.Constant):
        holder = path_of(right)
        if holder is None or not isinstance(left.value, str | int):
            return None
        b = _branch(holder.child(left.value), {"present": True}, "is present")
        return [b if isinstance(op, ast.In) else b.inverted()]
    path = path_of(left)
    values = _literals(right)
    if path is None or values is None:
        return None
    b = _branch(path, {"in": values}, f"is one of {_listing(values)}", op="in", values=values)
    if isinstance(op, ast.Eq | ast.Is | ast.In):
        return [b]
    if isinstance(op, ast.NotEq | ast.IsNot | ast.NotIn):
        return [b.inverted()]
    return None


def _call(test: ast.Call, path_of: PathOf) -> list[Branch] | None:
    func = test.func
    if isinstance(func, ast.Attribute) and func.attr in ("startswith", "endswith") and test.args:
        path = path_of(func.value)
        values = _literals(test.args[0])
        if path is None or not values or not all(isinstance(v, str) for v in values):
            return None
        alternatives = "|".join(re.escape(v) for v in values)
        if func.attr == "startswith":
            expect = {"matches": f"^(?:{alternatives})"}
            words = f"starts with {_listing(values)}"
            return [_branch(path, expect, words, op="prefix", values=values)]
        expect = {"matches": f"(?:{alternatives})$"}
        words = f"ends with {_listing(values)}"
        return [_branch(path, expect, words, op="suffix", values=values)]
    if isinstance(func, ast.Name) and func.id == "isinstance" and len(test.args) == 2:
        path = path_of(test.args[0])
        kinds = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
        names = [PY_TYPES.get(ast.unparse(k)) for k in kinds]
        if path is None or not all(names):
            return None
        return [
            _branch(
                path,
                {"type": names if len(names) > 1 else names[0]},
                f"is a {'/'.join(n for n in names if n)}",
            )
        ]
    path = path_of(test)
    return [_branch(path, {"sql": TRUTHY_SQL}, "is truthy")] if path is not None else None
