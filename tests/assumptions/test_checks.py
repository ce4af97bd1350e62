"""Checks against the corpus: compiled SQL compared with plain Python over the same samples."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
import scipy.stats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realitycheck.assumptions.checks.plan import Check, Cond, plan_samples
from realitycheck.assumptions.checks.run import CheckRunner, judge
from realitycheck.assumptions.jsonpath import JsonPath
from realitycheck.core.errors import InputError

from .conftest import sample, write_corpus

T = "fn:hooks:handle"
ABSENT = object()

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
    st.text(alphabet="ab01 ", max_size=6),
)
values = st.one_of(
    st.just(ABSENT),
    scalars,
    st.lists(scalars, max_size=4),
    st.dictionaries(st.sampled_from(["x", "y"]), scalars, max_size=2),
)
parents = st.one_of(
    st.just(ABSENT), st.none(), st.text(max_size=2), st.builds(lambda v: {"v": v}, values)
)

EXPECTS: list[dict[str, Any]] = [
    {"present": True},
    {"not_null": True},
    {"type": "string"},
    {"type": ["integer", "boolean"]},
    {"type": "number"},
    {"type": "object"},
    {"in": ["a", "b0", 1, True]},
    {"range": {"min": -5, "max": 1000}},
    {"range": [None, 0]},
    {"matches": "^a|1$"},
    {"max_length": 2},
    {"present": True, "in": ["a", "ab"]},
    {"not_null": True, "type": "string"},
]


def _doc(parent: Any) -> dict[str, Any]:
    return {"args": {"payload": {}}} if parent is ABSENT else {"args": {"payload": {"p": parent}}}


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not ABSENT}
    return value


def _json_type(value: Any) -> set[str]:
    if value is None:
        return {"null"}
    if isinstance(value, bool):
        return {"boolean"}
    if isinstance(value, int):
        return {"integer", "number"}
    if isinstance(value, float):
        return {"integer", "number"} if value.is_integer() else {"number"}
    if isinstance(value, str):
        return {"string"}
    return {"array"} if isinstance(value, list) else {"object"}


def _passes(key: str, spec: Any, value: Any) -> bool:
    if key == "type":
        names = {spec} if isinstance(spec, str) else set(spec)
        return bool(_json_type(value) & names)
    if key == "in":
        for member in spec:
            if isinstance(member, bool) or isinstance(value, bool):
                if isinstance(member, bool) and isinstance(value, bool) and member == value:
                    return True
            elif isinstance(member, str) or isinstance(value, str):
                if member == value:
                    return True
            elif isinstance(value, int | float) and float(member) == float(value):
                return True
        return False
    if key == "range":
        lo, hi = (spec.get("min"), spec.get("max")) if isinstance(spec, dict) else spec
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return (lo is None or value >= lo) and (hi is None or value <= hi)
    if key == "matches":
        return isinstance(value, str) and re.search(spec, value) is not None
    if key == "max_length":
        return isinstance(value, str | list | dict) and len(value) <= spec
    raise AssertionError(key)


def expectation_met(expect: dict[str, Any], there: bool, value: Any) -> bool:
    """Whether a value (`there` says if its path exists) meets every key of `expect`."""
    ok = True
    if "present" in expect:
        ok = ok and there
    if "not_null" in expect:
        ok = ok and there and value is not None
    for key, spec in expect.items():
        if key in ("present", "not_null") or not there or value is None:
            continue
        ok = ok and _passes(key, spec, value)
    return ok


def reference(parents_: list[Any], expect: dict[str, Any]) -> tuple[int, int]:
    """(n, violations) of `$.args.payload.p.v`, counted the plain way."""
    n = bad = 0
    presence = "present" in expect or "not_null" in expect
    for parent in parents_:
        holder = _clean(parent) if isinstance(parent, dict) else parent
        there = isinstance(holder, dict) and "v" in holder
        value = holder["v"] if there else None
        if presence:
            if not isinstance(holder, dict):
                continue
        elif not there or value is None:
            continue
        n += 1
        bad += not expectation_met(expect, there, value)
    return n, bad


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(parents, min_size=1, max_size=25))
def test_compiled_checks_count_what_plain_python_counts(
    tmp_path_factory: pytest.TempPathFactory, batch: list[Any]
) -> None:
    folder = tmp_path_factory.mktemp("corpus")
    corpus = write_corpus(folder, [sample(T, _clean(_doc(p)), i) for i, p in enumerate(batch)])
    path = JsonPath.parse("$.args.payload.p.v")
    checks = [Check(f"c{i}", T, e, path) for i, e in enumerate(EXPECTS)]
    results = CheckRunner(corpus).run(checks)
    for i, expect in enumerate(EXPECTS):
        n, bad = reference(batch, expect)
        got = results[f"c{i}"]
        assert (got.n, got.violations) == (n, bad), expect
        if n == 0:
            assert got.status == "unchecked"
        else:
            assert got.status == ("violated" if bad else "holds")
            assert len(got.examples) == min(5, bad)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.one_of(st.just(ABSENT), st.none(), st.lists(parents, max_size=4)), max_size=20))
def test_wildcard_paths_judge_every_element(
    tmp_path_factory: pytest.TempPathFactory, batch: list[Any]
) -> None:
    docs = [
        {"args": {}} if b is ABSENT else {"args": {"items": _clean({"l": b})["l"]}} for b in batch
    ]
    docs = [
        {"args": {"items": [_clean(e) if isinstance(e, dict) else e for e in d["args"]["items"]]}}
        if isinstance(d["args"].get("items"), list)
        else d
        for d in docs
    ]
    corpus = write_corpus(
        tmp_path_factory.mktemp("c"), [sample(T, d, i) for i, d in enumerate(docs)]
    )
    check = Check("w", T, {"not_null": True}, JsonPath.parse("$.args.items[*].v"))
    got = CheckRunner(corpus).run([check])["w"]
    n = bad = 0
    for d in docs:
        items = d["args"].get("items")
        judged = [e for e in items if isinstance(e, dict)] if isinstance(items, list) else []
        if not judged:
            continue
        n += 1
        bad += any(e.get("v") is None for e in judged)
    assert (got.n, got.violations) == (n, bad)


def test_absent_and_null_are_told_apart(tmp_path: Path) -> None:
    docs = [{"pr": {"head": {"repo": {"id": 1}}}}] * 6 + [{"pr": {"head": {"repo": None}}}] * 3
    docs += [{"pr": {"head": {}}}] * 1 + [{"pr": {}}] * 2
    corpus = write_corpus(tmp_path, [sample(T, {"args": d}, i) for i, d in enumerate(docs)])
    path = JsonPath.parse("$.args.pr.head.repo")
    got = CheckRunner(corpus).run(
        [Check("present", T, {"present": True}, path), Check("nn", T, {"not_null": True}, path)]
    )
    assert (got["present"].n, got["present"].violations) == (10, 1)
    assert got["present"].counts == {"absent": 1}
    assert (got["nn"].n, got["nn"].violations) == (10, 4)
    assert got["nn"].counts == {"absent": 1, "null": 3}


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 40), (57, 2000), (40, 40)])
def test_intervals_are_the_wilson_intervals_scipy_computes(k: int, n: int) -> None:
    got = judge(n, k, [], mostly=1.0, min_samples=1, empty_why="")
    ci = scipy.stats.binomtest(k, n).proportion_ci(method="wilson")
    assert got.ci[0] == pytest.approx(ci.low, abs=1e-12)
    assert got.ci[1] == pytest.approx(ci.high, abs=1e-12)
    assert got.rate == k / n


def test_mostly_is_the_tolerance_and_no_samples_is_never_holds() -> None:
    assert judge(100, 3, [], mostly=0.97, min_samples=1, empty_why="").status == "holds"
    assert judge(100, 4, [], mostly=0.97, min_samples=1, empty_why="").status == "violated"
    assert judge(100, 1, [], mostly=1.0, min_samples=1, empty_why="").status == "violated"
    empty = judge(0, 0, [], mostly=1.0, min_samples=1, empty_why="nothing matched")
    assert (empty.status, empty.why) == ("unchecked", "nothing matched")
    few = judge(4, 0, [], mostly=1.0, min_samples=30, empty_why="")
    assert few.status == "unchecked" and "min_samples is 30" in str(few.why)


def test_every_check_is_one_pass_over_the_samples(tmp_path: Path) -> None:
    checks = [
        Check(f"c{i}", f"fn:m:f{i % 3}", {"not_null": True}, JsonPath.parse(f"$.args.p.a{i}.b"))
        for i in range(20)
    ]
    plan = plan_samples(checks)
    assert plan.sql.count("FROM samples") == 1
    # one parse of each sample's input extracts every path the checks read
    assert plan.sql.count("json_extract(input, [") == 1
    assert all(f"'$.args.p.a{i}.b'" in plan.sql for i in range(20))
    # the objects holding the fields are told by their fields: only the samples that have none
    # of those fields parse the input again, inside a CASE
    assert plan.sql.count("json_type(input, [") == 1
    assert "WHEN NOT" in plan.sql.split("json_type(input, [")[0].rsplit("CASE", 1)[1]
    assert "'$.args.p.a0'" not in plan.sql.split("json_type(input, [")[0]


def test_sql_expectations_see_the_value_and_the_sample(tmp_path: Path) -> None:
    docs = [{"args": {"n": i, "s": "x" * i}} for i in range(10)]
    corpus = write_corpus(
        tmp_path, [sample(T, d, i, {"return": i * 2}) for i, d in enumerate(docs)]
    )
    got = CheckRunner(corpus).run(
        [
            Check("even", T, {"sql": "value::INTEGER % 2 = 0"}, JsonPath.parse("$.args.n")),
            Check(
                "ret",
                T,
                {"sql": "(output::JSON->>'$.return')::INT = 2 * value::INT"},
                JsonPath.parse("$.args.n"),
            ),
            Check("out", T, {"range": {"max": 10}}, JsonPath.parse("$.return")),
            Check("nopath", T, {"sql": "duration_ms IS NULL"}),
        ]
    )
    assert (got["even"].n, got["even"].violations) == (10, 5)
    assert got["ret"].violations == 0 and got["ret"].n == 10
    assert (got["out"].n, got["out"].violations) == (10, 4)
    assert got["nopath"].status == "holds"


@pytest.mark.parametrize(
    ("expr", "words"),
    [
        ("value = (SELECT 1)", "subqueries are not allowed"),
        ("getenv('HOME') IS NOT NULL", "getenv() is not allowed"),
        ("true; DROP TABLE samples", "not a valid DuckDB expression"),
        ("no_such_function(value)", "no_such_function"),
        ("1 FROM samples", "without FROM"),
    ],
)
def test_a_bad_sql_expectation_names_the_ledger_line(tmp_path: Path, expr: str, words: str) -> None:
    corpus = write_corpus(tmp_path, [sample(T, {"args": {"n": 1}}, 0)])
    check = Check("A4", T, {"sql": expr}, JsonPath.parse("$.args.n"), origin=("l.yaml", 12))
    with pytest.raises(InputError) as info:
        CheckRunner(corpus).run([check])
    assert (info.value.path, info.value.line) == ("l.yaml", 12)
    assert words in str(info.value)


def test_a_bad_mined_check_is_unchecked_not_fatal(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, [sample(T, {"args": {"d": "2024-01-02"}}, 0)])
    checks = [
        Check("M1", T, {"matches": "(?=a)"}, JsonPath.parse("$.args.d")),
        Check("M2", T, {"present": True}, JsonPath.parse("$.args.d")),
    ]
    got = CheckRunner(corpus).run(checks)
    assert got["M1"].status == "unchecked" and "perl" in str(got["M1"].why).lower()
    assert got["M2"].status == "holds"


def test_unchecked_says_why(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, [sample(T, {"args": {"x": {}}}, 0)])
    got = CheckRunner(corpus).run(
        [
            Check("other", "fn:m:other", {"present": True}, JsonPath.parse("$.args.x")),
            Check("deep", T, {"present": True}, JsonPath.parse("$.args.y.z")),
            Check("value", T, {"in": [1]}, JsonPath.parse("$.args.x.q")),
        ]
    )
    assert "no samples of fn:m:other (it has: fn:hooks:handle)" in str(got["other"].why)
    assert "has $.args.y" in str(got["deep"].why)
    assert "value at $.args.x.q" in str(got["value"].why)
    none = CheckRunner(None, missing_why="no corpus at x").run([Check("a", T, {"present": True})])
    assert none["a"].status == "unchecked" and none["a"].why == "no corpus at x"
    assert not math.isnan(none["a"].rate)


def test_when_conditions_limit_the_judged_samples(tmp_path: Path) -> None:
    docs = [
        {"kind": "charge", "obj": {"source": {"last4": "4242"}}},
        {"kind": "charge", "obj": {}},
        {"kind": "charge.dispute", "obj": {}},
        {"kind": "invoice", "obj": {}},
        {"kind": "invoice", "obj": {"lines": []}},
    ]
    corpus = write_corpus(tmp_path, [sample(T, {"args": d}, i) for i, d in enumerate(docs)])
    path = JsonPath.parse("$.args.obj.source")
    kind = JsonPath.parse("$.args.kind")
    got = CheckRunner(corpus).run(
        [
            Check("all", T, {"present": True}, path),
            Check("charges", T, {"present": True}, path, when=[Cond(kind, {"in": ["charge"]})]),
            Check("prefix", T, {"present": True}, path, when=[Cond(kind, {"matches": "^charge"})]),
            Check(
                "not_invoices",
                T,
                {"present": True},
                path,
                when=[Cond(kind, {"in": ["invoice"]}, negate=True)],
            ),
            Check(
                "sql",
                T,
                {"present": True},
                path,
                when=[Cond(kind, {"sql": "json_extract_string(value, '$') LIKE 'charge%'"})],
            ),
        ]
    )
    assert (got["all"].n, got["all"].violations) == (5, 4)
    assert (got["charges"].n, got["charges"].violations) == (2, 1)
    assert (got["prefix"].n, got["prefix"].violations) == (3, 2)
    assert (got["not_invoices"].n, got["not_invoices"].violations) == (3, 2)
    assert (got["sql"].n, got["sql"].violations) == (3, 2)
