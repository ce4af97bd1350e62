"""One `expect` table as SQL: which samples a check judges, and when a value passes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

NUMERIC = "('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT')"
TYPE_SQL = {
    "object": "{t} = 'OBJECT'",
    "array": "{t} = 'ARRAY'",
    "string": "{t} = 'VARCHAR'",
    "number": f"{{t}} IN {NUMERIC}",
    "integer": "({t} IN ('BIGINT', 'UBIGINT', 'HUGEINT') OR "
    "({t} = 'DOUBLE' AND TRY_CAST({s} AS DOUBLE) = floor(TRY_CAST({s} AS DOUBLE))))",
    "boolean": "{t} = 'BOOLEAN'",
    "null": "{t} = 'NULL'",
}
VALUE_KEYS = ("type", "in", "range", "matches", "max_length")


class Value(Protocol):
    """SQL for one JSON value: its type (SQL NULL when absent), its text, and the JSON itself."""

    @property
    def t(self) -> str:
        """`json_type` of the value: 'VARCHAR', 'BIGINT', …, 'NULL', or NULL when absent."""
        ...

    @property
    def s(self) -> str:
        """The value as text: a string itself, anything else as JSON text."""
        ...

    @property
    def j(self) -> str:
        """The value as JSON."""
        ...


@dataclass(frozen=True)
class JsonValue:
    """A Value computed from an SQL expression of type JSON."""

    j: str

    @property
    def t(self) -> str:
        return f"json_type({self.j})"

    @property
    def s(self) -> str:
        return f"json_extract_string({self.j}, '$')"


def literal(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def number(value: float | int) -> str:
    """A SQL number literal (as DOUBLE)."""
    return repr(float(value))


@dataclass(frozen=True)
class Compiled:
    """SQL over a value: which samples are judged (given its parent exists), which pass."""

    scope: Callable[[Value, str | None], str]
    ok: Callable[[Value], str]


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
        conds.append(lambda v: f"{v.t} IS NOT NULL")
    if "not_null" in expect:
        conds.append(lambda v: f"({v.t} IS NOT NULL AND {v.t} <> 'NULL')")
    for key in VALUE_KEYS:
        if key not in expect:
            continue
        cond = _value_cond(key, expect[key])
        if presence or "sql" in expect:
            conds.append(lambda v, c=cond: f"({v.t} IS NULL OR {v.t} = 'NULL' OR {c(v)})")  # type: ignore[misc]
        else:
            conds.append(cond)
    if sql_call is not None:
        call = sql_call
        conds.append(lambda v: call(v.j))

    def ok(v: Value) -> str:
        return "(" + " AND ".join(f"coalesce({c(v)}, false)" for c in conds) + ")"

    def scope(v: Value, parent_ok: str | None) -> str:
        if presence:
            return parent_ok or "true"
        if "sql" in expect:
            return f"{v.t} IS NOT NULL" if has_path else "true"
        return f"({v.t} IS NOT NULL AND {v.t} <> 'NULL')"

    return Compiled(scope, ok)


def _value_cond(key: str, spec: Any) -> Callable[[Value], str]:
    if key == "type":
        names = [spec] if isinstance(spec, str) else list(spec)
        return lambda v: "(" + " OR ".join(TYPE_SQL[n].format(t=v.t, s=v.s) for n in names) + ")"
    if key == "in":
        return lambda v: in_sql(v, list(spec))
    if key == "range":
        lo, hi = (spec.get("min"), spec.get("max")) if isinstance(spec, dict) else tuple(spec)

        def within(v: Value) -> str:
            parts = [f"{v.t} IN {NUMERIC}"]
            if lo is not None:
                parts.append(f"TRY_CAST({v.s} AS DOUBLE) >= {number(lo)}")
            if hi is not None:
                parts.append(f"TRY_CAST({v.s} AS DOUBLE) <= {number(hi)}")
            return "(" + " AND ".join(parts) + ")"

        return within
    if key == "matches":
        return lambda v: f"({v.t} = 'VARCHAR' AND regexp_matches({v.s}, {literal(str(spec))}))"
    if key == "max_length":
        limit = int(spec)
        return lambda v: (
            f"(CASE {v.t} WHEN 'VARCHAR' THEN length({v.s}) <= {limit} "
            f"WHEN 'ARRAY' THEN json_array_length({v.s}) <= {limit} "
            f"WHEN 'OBJECT' THEN len(json_keys({v.s})) <= {limit} ELSE false END)"
        )
    raise ValueError(f"unknown expectation {key!r}")


def in_sql(v: Value, members: list[Any]) -> str:
    """SQL: the JSON value equals one of the members (strings, numbers, booleans)."""
    strings = [m for m in members if isinstance(m, str)]
    bools = [m for m in members if isinstance(m, bool)]
    numbers = [m for m in members if isinstance(m, int | float) and not isinstance(m, bool)]
    parts: list[str] = []
    if strings:
        listing = ", ".join(literal(s) for s in strings)
        parts.append(f"({v.t} = 'VARCHAR' AND {v.s} IN ({listing}))")
    if numbers:
        listing = ", ".join(number(n) for n in numbers)
        parts.append(f"({v.t} IN {NUMERIC} AND TRY_CAST({v.s} AS DOUBLE) IN ({listing}))")
    if bools:
        listing = ", ".join("true" if b else "false" for b in bools)
        parts.append(f"({v.t} = 'BOOLEAN' AND TRY_CAST({v.s} AS BOOLEAN) IN ({listing}))")
    return "(" + " OR ".join(parts or ["false"]) + ")"
