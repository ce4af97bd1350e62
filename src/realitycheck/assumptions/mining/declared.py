"""Types a FastAPI/Starlette handler declares for its parameters: assumptions about requests.

`def search(limit: int, item_id: UUID)` on `/items/{item_id}` assumes every recorded request's
`$.query.limit` parses as an int (FastAPI answers 422 otherwise) and that the path segment
holding `item_id` is a UUID. Flask's and Django's route converters (`<int:id>`) are not
assumptions: a request that does not match is another route's (a 404), not this handler's.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from realitycheck.assumptions.jsonpath import JsonPath
from realitycheck.assumptions.mining import rules
from realitycheck.assumptions.mining.frame import Base, Frame
from realitycheck.assumptions.mining.module import Function
from realitycheck.assumptions.mining.values import Val

TYPES = {
    "int": "int",
    "float": "float",
    "Decimal": "decimal.Decimal",
    "UUID": "uuid.UUID",
    "datetime": "datetime.datetime.fromisoformat",
    "date": "datetime.date.fromisoformat",
}
WORD = {
    "int": "an int",
    "float": "a number",
    "decimal.Decimal": "a decimal number",
    "uuid.UUID": "a UUID",
    "datetime.datetime.fromisoformat": "an ISO 8601 date and time",
    "datetime.date.fromisoformat": "an ISO 8601 date",
}
_VALUE = re.compile(r"\bvalue\b")


@dataclass(frozen=True)
class Declared:
    """A handler parameter with a declared type, and where a request carries it."""

    param: str
    path: JsonPath
    callee: str
    required: bool
    node: ast.arg
    segment: int | None = None  # 1-based `/`-separated field of `$.path`, for path parameters


def declared_types(
    func: Function, route: str, bindings: dict[str, Val], defaults: dict[str, ast.expr]
) -> list[Declared]:
    """The typed query, header and path parameters of a FastAPI-style handler."""
    segments = route.split("/")
    in_path = {s[1:-1].split(":")[0]: i + 1 for i, s in enumerate(segments) if s[:1] == "{"}
    a = func.node.args
    out: list[Declared] = []
    for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs]:
        note = ast.unparse(arg.annotation) if arg.annotation is not None else ""
        parts = [p.strip() for p in note.split("|")]
        optional = "None" in parts or note.startswith(("Optional[", "typing.Optional["))
        inner = next((p for p in parts if p != "None"), "")
        inner = inner.removeprefix("Optional[").removeprefix("typing.Optional[").rstrip("]")
        callee = TYPES.get(inner.split(".")[-1])
        if callee is None:
            continue
        required = arg.arg not in defaults and not optional
        bound = bindings.get(arg.arg, Val())
        if arg.arg in in_path:
            path, segment = JsonPath(("path",)), in_path[arg.arg]
            out.append(Declared(arg.arg, path, callee, True, arg, segment))
        elif bound.path is not None and bound.path.segments[:1] in (("query",), ("headers",)):
            out.append(Declared(arg.arg, bound.path, callee, required, arg))
    return out


def segment_sql(sql: str, segment: int) -> str:
    """A conversion's SQL over `value` made to read one segment of the recorded path instead."""
    piece = f"to_json(split_part(value->>'$', '/', {segment}))"
    return _VALUE.sub(piece, sql)


def record_declared(walker: Base, func: Function, found: list[Declared]) -> None:
    """A conversion site per declared type, at the parameter's annotation."""
    fr = Frame(func=func, env={})
    for d in found:
        sql = rules.CONVERSION_SQL[d.callee]
        what = f"`{d.path}`"
        expect: dict[str, object] = {"sql": sql}
        if d.segment is not None:
            expect = {"sql": segment_sql(sql, d.segment)}
            what = f"the `{{{d.param}}}` segment of `$.path`"
        elif d.required:
            expect["present"] = True
        fr.depth = 0
        walker.site(
            fr,
            "conversion",
            d.node,
            f"{what} always parses as {WORD[d.callee]} (`{d.param}: "
            f"{ast.unparse(d.node.annotation) if d.node.annotation else ''}` is declared; "
            "FastAPI answers 422 otherwise)",
            path=d.path,
            expect=expect,
            discriminator=f"declared:{d.param}",
        )
