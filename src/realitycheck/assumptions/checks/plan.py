"""Compile many checks into one DuckDB query: each sample column parsed once, one pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from realitycheck.assumptions.checks.expect import (
    Compiled,
    JsonValue,
    TypedValue,
    Value,
    compile_expect,
    literal,
)
from realitycheck.assumptions.checks.extract import Fragments
from realitycheck.assumptions.checks.sqlexpr import macro_call
from realitycheck.assumptions.jsonpath import JsonPath, locate

SAMPLE_COLUMNS = {
    "input": "input",
    "output": "output",
    "id": "id",
    "target": "target",
    "duration_ms": "duration_ms",
    "tags": "tags",
}


@dataclass
class Cond:
    """A condition on a sample: the check judges only samples that meet it."""

    path: JsonPath
    expect: dict[str, Any]
    negate: bool = False
    macro: str | None = None


@dataclass
class Check:
    """One check to run: a declared or mined assumption's target, path, expectation."""

    key: str
    target: str
    expect: dict[str, Any]
    path: JsonPath | None = None
    mostly: float = 1.0
    probe: str | None = None
    origin: tuple[str, int] | None = None
    macro: str | None = None
    when: list[Cond] = field(default_factory=list)


@dataclass
class Columns:
    """Names of one check's result columns in the compiled query."""

    n: str
    violations: str
    examples: str
    absent: str | None = None
    null: str | None = None
    empty: str | None = None


@dataclass
class Plan:
    """A compiled query and where each check's numbers are in its result row."""

    sql: str
    columns: dict[str, Columns] = field(default_factory=dict)


ValueOf = Callable[[str, JsonPath], Value]


@dataclass(frozen=True)
class _Direct(TypedValue):
    """A Value read from a sample column on its own (outside the one-pass query)."""

    column: str
    path: JsonPath

    @property
    def t(self) -> str:
        return f"json_type({self.column}, {literal(self.path.duckdb())})"

    @property
    def s(self) -> str:
        return f"json_extract_string({self.column}, {literal(self.path.duckdb())})"

    @property
    def j(self) -> str:
        return f"json_extract({self.column}, {literal(self.path.duckdb())})"


def direct_value(column: str, path: JsonPath) -> Value:
    """The value at a path, extracted on its own."""
    return _Direct(column, path) if path.segments else JsonValue(f"{column}::JSON")


def _sql_call(macro: str | None, columns: dict[str, str]) -> Callable[[str], str] | None:
    if macro is None:
        return None
    template = macro_call(macro, columns)
    return lambda v: template.replace("{v}", v)


def condition_sql(cond: Cond, value_of: ValueOf) -> str:
    """SQL that is true for samples meeting the condition."""
    column, path = locate(cond.path)
    call = _sql_call(cond.macro, SAMPLE_COLUMNS)
    ok = compile_expect(cond.expect, has_path=True, sql_call=call).ok(value_of(column, path))
    return f"(NOT coalesce({ok}, false))" if cond.negate else ok


def _parent_ok(parent: Value, last: object) -> str:
    return parent.kind("array" if isinstance(last, int) else "object")


def _row_exprs(check: Check, paths: Fragments) -> tuple[str, str, str, str]:
    """(scope, ok, absent, null) for one check, per sample row."""
    compiled = compile_expect(
        check.expect,
        has_path=check.path is not None,
        sql_call=_sql_call(check.macro, SAMPLE_COLUMNS),
    )
    if check.path is None:
        return "true", compiled.ok(JsonValue("NULL::JSON")), "false", "false"
    column, path = locate(check.path)
    if path.wildcards == 0:
        value = paths.value(column, path)
        parent = path.parent
        parent_ok = None
        if compiled.presence and parent is not None and parent.segments:
            parent_ok = _parent_ok(paths.value(column, parent), path.last)
        scope = compiled.scope(value, parent_ok)
        return scope, compiled.ok(value), value.absent, value.kind("null")
    prefix, rest = path.split_last_wildcard()
    return _each(compiled, paths.elements(column, prefix), rest)


def _each(compiled: Compiled, elems: str, rest: JsonPath) -> tuple[str, str, str, str]:
    value: Value = _Direct("x", rest) if rest.segments else JsonValue("x")
    parent_ok = None
    if len(rest.segments) == 1:
        parent_ok = _parent_ok(JsonValue("x"), rest.last)
    elif rest.segments:
        parent = rest.parent
        assert parent is not None
        parent_ok = _parent_ok(_Direct("x", parent), rest.last)
    scope = compiled.scope(value, parent_ok)
    judged = f"for x in {elems} if {scope}"
    return (
        f"coalesce(list_bool_or([{scope} for x in {elems}]), false)",
        f"coalesce(list_bool_and([coalesce({compiled.ok(value)}, false) {judged}]), true)",
        f"coalesce(list_bool_or([{value.absent} {judged}]), false)",
        f"coalesce(list_bool_or([{value.kind('null')} {judged}]), false)",
    )


# A sample's outcome for one check, one small number per check in the grouped query.
OUT, PASS, ABSENT, NULL, FAIL, NOTHING = range(6)


def _code(index: int, where: str, row: tuple[str, str, str, str], told: bool) -> str:
    """The outcome of one check on one sample (CASE WHEN reads a NULL condition as false)."""
    scope, ok, absent, null = row
    inner = f"WHEN {ok} THEN {PASS} "
    if told:  # absent and null samples are judged and counted apart
        inner += f"WHEN {absent} THEN {ABSENT} WHEN {null} THEN {NULL} "
    code = f"CASE WHEN {scope} THEN CASE {inner}ELSE {FAIL} END ELSE {NOTHING} END"
    if where != "true":
        code = f"CASE WHEN {where} THEN {code} ELSE {OUT} END"
    return f"({code}) AS c{index}"


def _told(check: Check) -> bool:
    """Whether the check counts absent and null values apart from other violations."""
    return "present" in check.expect or "not_null" in check.expect


def _columns(index: int, check: Check) -> Columns:
    cols = Columns(n=f"n{index}", violations=f"v{index}", examples=f"e{index}")
    if _told(check):
        cols.absent = f"a{index}"
    if "not_null" in check.expect:
        cols.null = f"z{index}"
    return cols


def fold(rows: list[tuple[Any, ...]], checks: int) -> dict[str, Any]:
    """Per-check numbers from the grouped rows (outcome codes…, count, example ids)."""
    tally = [[0] * 6 for _ in range(checks)]
    examples: list[set[str]] = [set() for _ in range(checks)]
    for row in rows:
        codes, count, ids = row[:checks], int(row[checks]), row[checks + 1] or []
        for i, code in enumerate(codes):
            tally[i][code] += count
            if code in (ABSENT, NULL, FAIL):
                examples[i].update(ids)
    out: dict[str, Any] = {}
    for i, t in enumerate(tally):
        out[f"n{i}"] = t[PASS] + t[ABSENT] + t[NULL] + t[FAIL]
        out[f"v{i}"] = t[ABSENT] + t[NULL] + t[FAIL]
        out[f"a{i}"], out[f"z{i}"], out[f"m{i}"] = t[ABSENT], t[NULL], t[NOTHING]
        out[f"e{i}"] = sorted(examples[i])[:5]
    return out


def _grouped(codes: list[str], relation: str) -> str:
    names = ", ".join(f"c{i}" for i in range(len(codes)))
    return (
        f"SELECT {names}, count(*) AS k, min(id, 5) AS ex "
        f"FROM (SELECT id, {', '.join(codes)} FROM {relation}) GROUP BY ALL"
    )


def plan_samples(checks: list[Check], relation: str = "samples") -> Plan:
    """One query over the corpus view for every check that reads JSON fields."""
    paths = Fragments()
    codes: list[str] = []
    plan = Plan(sql="")
    targets = sorted({c.target for c in checks})
    for i, check in enumerate(checks):
        scope, ok, absent, null = _row_exprs(check, paths)
        if check.when:
            conds = " AND ".join(condition_sql(c, paths.value) for c in check.when)
            scope = f"({scope}) AND {conds}"
        where = "true" if len(targets) == 1 else f"target = {literal(check.target)}"
        codes.append(_code(i, where, (scope, ok, absent, null), _told(check)))
        plan.columns[check.key] = _columns(i, check)
    carry = ["id"] if len(targets) == 1 else ["id", "target"]
    if any(c.macro or any(w.macro for w in c.when) for c in checks):
        carry = ["id", "target", "input", "output", "duration_ms", "tags"]
    listing = ", ".join(literal(t) for t in targets)
    ctes, last = paths.layers(carry, f"{relation} WHERE target IN ({listing})")
    plan.sql = "WITH " + ",\n".join(ctes) + "\n" + _grouped(codes, last)
    return plan


def plan_probes(checks: list[Check], relation: str = "_probe") -> Plan:
    """One query over the probe results (key, id, value) for every check that names a probe."""
    codes: list[str] = []
    plan = Plan(sql="")
    elems = (
        "(CASE WHEN json_type(value) = 'ARRAY' THEN json_extract(value, '$[*]') ELSE [value] END)"
    )
    for i, check in enumerate(checks):
        compiled = compile_expect(
            check.expect, has_path=True, sql_call=_sql_call(check.macro, {"id": "id"})
        )
        scope, ok, absent, null = _each(compiled, elems, JsonPath())
        where = f"key = {literal(check.key)}"
        codes.append(_code(i, where, (scope, ok, absent, null), _told(check)))
        plan.columns[check.key] = _columns(i, check)
        plan.columns[check.key].empty = f"m{i}"
    plan.sql = _grouped(codes, relation)
    return plan
