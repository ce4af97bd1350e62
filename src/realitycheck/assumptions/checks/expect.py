"""One `expect` table as SQL: which samples a check judges, and when a value passes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

# A JSON type as json_type() names it.
JSON_TYPES = {
    "object": "= 'OBJECT'",
    "array": "= 'ARRAY'",
    "string": "= 'VARCHAR'",
    "number": "IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT')",
    "boolean": "= 'BOOLEAN'",
    "null": "= 'NULL'",
}
VALUE_KEYS = ("type", "in", "range", "matches", "max_length")


class Value(Protocol):
    """SQL for one JSON value of a sample: whether it is there, its type, its text, its JSON."""

    @property
    def absent(self) -> str:
        """SQL: the path is absent (a JSON null is present)."""
        ...

    @property
    def held(self) -> str:
        """SQL: the value is present and not null (false or NULL otherwise)."""
        ...

    def kind(self, name: str) -> str:
        """SQL: the value's JSON type is `name` (object, array, string, number, boolean, null)."""
        ...

    @property
    def text(self) -> str:
        """A string value's characters (meaningful where kind('string') holds)."""
        ...

    @property
    def num(self) -> str:
        """A number value as DOUBLE (meaningful where kind('number') holds)."""
        ...

    @property
    def j(self) -> str:
        """The value as JSON (SQL NULL when absent)."""
        ...

    def strings(self, members: list[str]) -> str:
        """SQL: the value is a string equal to one of `members`."""
        ...


class TypedValue:
    """A Value read through `json_type` (t) and `json_extract_string` (s) of its JSON (j)."""

    @property
    def t(self) -> str:
        raise NotImplementedError

    @property
    def s(self) -> str:
        raise NotImplementedError

    @property
    def j(self) -> str:
        raise NotImplementedError

    @property
    def absent(self) -> str:
        return f"{self.t} IS NULL"

    @property
    def held(self) -> str:
        return f"({self.t} IS NOT NULL AND {self.t} <> 'NULL')"

    def kind(self, name: str) -> str:
        return f"{self.t} {JSON_TYPES[name]}"

    @property
    def text(self) -> str:
        return self.s

    @property
    def num(self) -> str:
        return f"TRY_CAST({self.s} AS DOUBLE)"

    def strings(self, members: list[str]) -> str:
        listing = ", ".join(literal(m) for m in members)
        return f"({self.kind('string')} AND {self.text} IN ({listing}))"


@dataclass(frozen=True)
class JsonValue(TypedValue):
    """A Value computed from an SQL expression of type JSON."""

    json: str

    @property
    def j(self) -> str:
        return self.json

    @property
    def t(self) -> str:
        return f"json_type({self.json})"

    @property
    def s(self) -> str:
        return f"json_extract_string({self.json}, '$')"


def literal(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def number(value: float | int) -> str:
    """A SQL number literal (as DOUBLE)."""
    return repr(float(value))


@dataclass(frozen=True)
class Compiled:
    """SQL over a value: which samples are judged (given its parent exists), which pass.

    Both are SQL booleans that may be NULL where a sample does not have the value: read them
    as "is true" (CASE WHEN, WHERE) or wrap them in coalesce(…, false).
    """

    scope: Callable[[Value, str | None], str]
    ok: Callable[[Value], str]
    presence: bool = False


def compile_expect(
    expect: dict[str, Any], *, has_path: bool, sql_call: Callable[[str], str] | None
) -> Compiled:
    """Compile an expect table.

    Semantics: `present` and `not_null` judge every sample whose enclosing object exists (absent
    and null are told apart); the value checks (type, in, range, matches, max_length) judge only
    present, non-null values, as Great Expectations does; `sql` judges every present value
    (null included) and sees `value`, `input`, `output`, `id`, `target`, `duration_ms`, `tags`.
    """
    presence = "present" in expect or "not_null" in expect
    conds: list[Callable[[Value], str]] = []
    if "present" in expect:
        conds.append(lambda v: f"NOT {v.absent}")
    if "not_null" in expect:
        conds.append(lambda v: v.held)
    for key in VALUE_KEYS:
        if key not in expect:
            continue
        cond = _value_cond(key, expect[key])
        if presence or "sql" in expect:
            conds.append(lambda v, c=cond: f"({v.absent} OR {v.kind('null')} OR {c(v)})")  # type: ignore[misc]
        else:
            conds.append(cond)
    if sql_call is not None:
        call = sql_call
        conds.append(lambda v: call(v.j))

    def ok(v: Value) -> str:
        # true only where every condition is true: NULL (unknown) counts as failing, as in
        # CASE WHEN; callers that need false rather than NULL wrap it in coalesce
        return "(" + " AND ".join(c(v) for c in conds) + ")"

    def scope(v: Value, parent_ok: str | None) -> str:
        if presence:
            return parent_ok or "true"
        if "sql" in expect:
            return f"NOT {v.absent}" if has_path else "true"
        return v.held

    return Compiled(scope, ok, presence)


def _type_cond(name: str) -> Callable[[Value], str]:
    if name == "integer":  # every integer's text reads as a whole DOUBLE: 3 and 3.0 alike
        return lambda v: f"({v.kind('number')} AND isfinite({v.num}) AND {v.num} = floor({v.num}))"
    if name not in JSON_TYPES:
        raise ValueError(f"unknown type {name!r}")
    return lambda v: v.kind(name)


def _value_cond(key: str, spec: Any) -> Callable[[Value], str]:
    if key == "type":
        conds = [_type_cond(n) for n in ([spec] if isinstance(spec, str) else list(spec))]
        return lambda v: "(" + " OR ".join(c(v) for c in conds) + ")"
    if key == "in":
        return lambda v: in_sql(v, list(spec))
    if key == "range":
        lo, hi = (spec.get("min"), spec.get("max")) if isinstance(spec, dict) else tuple(spec)

        def within(v: Value) -> str:
            parts = [v.kind("number"), f"NOT isnan({v.num})"]  # DuckDB sorts NaN above all
            if lo is not None:
                parts.append(f"{v.num} >= {number(lo)}")
            if hi is not None:
                parts.append(f"{v.num} <= {number(hi)}")
            return "(" + " AND ".join(parts) + ")"

        return within
    if key == "matches":
        return lambda v: f"({v.kind('string')} AND regexp_matches({v.text}, {literal(str(spec))}))"
    if key == "max_length":
        limit = int(spec)
        return lambda v: (
            f"(CASE WHEN {v.kind('string')} THEN length({v.text}) <= {limit} "
            f"WHEN {v.kind('array')} THEN json_array_length({v.j}) <= {limit} "
            f"WHEN {v.kind('object')} THEN len(json_keys({v.j})) <= {limit} ELSE false END)"
        )
    raise ValueError(f"unknown expectation {key!r}")


def in_sql(v: Value, members: list[Any]) -> str:
    """SQL: the JSON value equals one of the members (strings, numbers, booleans)."""
    strings = [m for m in members if isinstance(m, str)]
    bools = [m for m in members if isinstance(m, bool)]
    numbers = [m for m in members if isinstance(m, int | float) and not isinstance(m, bool)]
    parts: list[str] = []
    if strings:
        parts.append(v.strings(strings))
    if numbers:
        listing = ", ".join(number(n) for n in numbers)
        parts.append(f"({v.kind('number')} AND {v.num} IN ({listing}))")
    if bools:
        listing = ", ".join("true" if b else "false" for b in bools)
        parts.append(
            f"({v.kind('boolean')} AND TRY_CAST({v.j}::VARCHAR AS BOOLEAN) IN ({listing}))"
        )
    return "(" + " OR ".join(parts or ["false"]) + ")"
