"""Many checks compiled into one query, on awkward paths, against counts made in plain Python.

The compiled query parses each sample once and tells a container apart from its descendants;
these properties throw random documents (keys with dots, quotes, backslashes and accents,
arrays, deep nesting, escaped and non-ASCII strings) and random batches of checks at it, and
recount every number by walking the decoded documents.
"""

from __future__ import annotations

from pathlib import Path
from random import Random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realitycheck.assumptions.checks.plan import Check, Cond
from realitycheck.assumptions.checks.run import CheckRunner
from realitycheck.assumptions.jsonpath import JsonPath

from .conftest import sample, write_corpus
from .test_checks import _passes, expectation_met

T = "fn:hooks:handle"
KEYS = ["a", "we.ird", 'q"k', "b\\s", "ünï"]
STRINGS = ["a", "é", 'say "hi"', "b\\s", "line\nbreak", "true", "5", "ab", ""]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    st.sampled_from(STRINGS),
    st.text(alphabet='ab1é"\\ \t', max_size=4),
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS), inner, min_size=1, max_size=3)
    ),
    max_leaves=10,
)
bodies_ = st.dictionaries(st.sampled_from(KEYS), documents, min_size=1, max_size=4)
EXPECTS: list[dict[str, Any]] = [
    {"present": True},
    {"not_null": True},
    {"type": "string"},
    {"type": ["integer", "boolean"]},
    {"type": "number"},
    {"type": ["object", "array"]},
    {"in": ["a", "é", 'say "hi"', "b\\s", "true", 5, True]},
    {"range": {"min": -5, "max": 1000}},
    {"range": {"min": 0}},
    {"matches": "^[ab]|é"},
    {"max_length": 1},
    {"present": True, "in": ["a", "line\nbreak"]},
    {"not_null": True, "type": "string"},
]


def resolve(doc: Any, path: JsonPath) -> tuple[bool, bool, Any]:
    """(the enclosing value is the right container, the value is there, the value)."""
    holder = doc
    for seg in path.segments[:-1]:
        there, holder = _step(holder, seg)
        if not there:
            return False, False, None
    last = path.segments[-1]
    if isinstance(last, int) != isinstance(holder, list) or not isinstance(holder, list | dict):
        return False, False, None
    there, value = _step(holder, last)
    return True, there, value


def _step(holder: Any, seg: Any) -> tuple[bool, Any]:
    if isinstance(seg, int):
        if isinstance(holder, list) and -len(holder) <= seg < len(holder):
            return True, holder[seg]
        return False, None
    if isinstance(holder, dict) and seg in holder:
        return True, holder[seg]
    return False, None


def met(doc: Any, cond: tuple[JsonPath, dict[str, Any], bool]) -> bool:
    """Whether a sample meets a `when` condition (a value check reads absent and null as no)."""
    path, expect, negate = cond
    _, there, value = resolve(doc, path)
    presence = "present" in expect or "not_null" in expect
    if presence:
        yes = expectation_met(expect, there, value)
    else:
        yes = there and all(_passes(k, spec, value) for k, spec in expect.items())
    return yes != negate


def outcome(doc: Any, path: JsonPath, expect: dict[str, Any], when: list[Any]) -> str | None:
    """None when the sample is not judged; else pass, absent, null or fail."""
    parent_ok, there, value = resolve(doc, path)
    if not all(met(doc, c) for c in when):
        return None
    if "present" in expect or "not_null" in expect:
        if not parent_ok:
            return None
    elif not there or value is None:
        return None
    if expectation_met(expect, there, value):
        return "pass"
    return "absent" if not there else "null" if value is None else "fail"


def walk(value: Any, path: tuple[Any, ...] = ("args",)) -> list[JsonPath]:
    """Every path into a document, and one step past each leaf."""
    out = [JsonPath(path)]
    if isinstance(value, dict):
        for key, child in value.items():
            out += walk(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out += walk(child, (*path, index))
    else:
        out.append(JsonPath((*path, "a")))
    return out


INF = float("inf")
POOL: list[Any] = [None, True, False, 0, 3, -7.5, 2.0, 10**12, float("nan"), INF, -INF, {}, []]
POOL += STRINGS


def mutate(value: Any, rnd: Random) -> Any:
    """A copy of a document with some values dropped, nulled or swapped, as real samples vary."""
    if isinstance(value, dict):
        out = {}
        for key, child in value.items():
            roll = rnd.random()
            if roll < 0.1:
                continue
            out[key] = (
                None if roll < 0.2 else rnd.choice(POOL) if roll < 0.3 else mutate(child, rnd)
            )
        return out
    if isinstance(value, list):
        kept = value[: rnd.randrange(len(value) + 1)] if rnd.random() < 0.2 else value
        return [rnd.choice(POOL) if rnd.random() < 0.1 else mutate(v, rnd) for v in kept]
    return rnd.choice(POOL) if rnd.random() < 0.2 else value


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(bodies_, min_size=1, max_size=3), st.integers(0, 2**32))
def test_a_batch_of_checks_counts_what_walking_the_documents_counts(
    tmp_path_factory: pytest.TempPathFactory, shapes: list[Any], seed: int
) -> None:
    rnd = Random(seed)  # uniform choices (Hypothesis's own randoms lean to the first option)
    bodies = [mutate(rnd.choice(shapes), rnd) for _ in range(rnd.randrange(5, 40))]
    near = sorted({p for b in shapes for p in walk(b) if len(p.segments) > 1}, key=str)

    def somewhere() -> JsonPath:
        if rnd.random() < 0.85:
            return rnd.choice(near)
        steps = [rnd.choice([*KEYS, 0, 1, -1]) for _ in range(rnd.randrange(1, 5))]
        return JsonPath(("args", *steps))

    batch = [
        (
            (somewhere(), rnd.choice(EXPECTS)),
            [(somewhere(), rnd.choice(EXPECTS), rnd.random() < 0.5)] if rnd.random() < 0.3 else [],
        )
        for _ in range(rnd.randrange(1, 8))
    ]
    docs = [{"args": b} for b in bodies]
    corpus = write_corpus(
        tmp_path_factory.mktemp("c"), [sample(T, d, i) for i, d in enumerate(docs)]
    )
    ids = [f"s{i:06d}" for i in range(len(docs))]
    run = [
        Check(f"c{i}", T, expect, path, when=[Cond(p, e, negate=n) for p, e, n in when])
        for i, ((path, expect), when) in enumerate(batch)
    ]
    got = CheckRunner(corpus).run(run)
    for i, ((path, expect), when) in enumerate(batch):
        seen = [outcome(d, path, expect, when) for d in docs]
        judged = [o for o in seen if o is not None]
        bad = [sid for sid, o in zip(ids, seen, strict=True) if o not in (None, "pass")]
        result = got[f"c{i}"]
        where = f"{path} {expect} when {when}"
        assert (result.n, result.violations) == (len(judged), len(bad)), where
        assert result.examples == (sorted(bad)[:5] if judged else []), where
        assert result.status == ("unchecked" if not judged else "violated" if bad else "holds")
        if "present" in expect or "not_null" in expect:
            assert result.counts.get("absent", 0) == seen.count("absent"), where
        if "not_null" in expect:
            assert result.counts.get("null", 0) == seen.count("null"), where


def _expand(value: Any, segs: tuple[Any, ...]) -> list[Any]:
    if not segs:
        return [value]
    seg, rest = segs[0], segs[1:]
    if seg is None:
        return [x for v in value for x in _expand(v, rest)] if isinstance(value, list) else []
    there, child = _step(value, seg)
    return _expand(child, rest) if there else []


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(documents, min_size=1, max_size=12))
def test_paths_with_several_wildcards_judge_every_element(
    tmp_path_factory: pytest.TempPathFactory, bodies: list[Any]
) -> None:
    docs = [{"args": b} for b in bodies]
    corpus = write_corpus(
        tmp_path_factory.mktemp("c"), [sample(T, d, i) for i, d in enumerate(docs)]
    )
    wild = JsonPath(("args", "a", None, 'q"k', None))
    deep = JsonPath(("args", "we.ird", None, "a", None, "ünï"))
    got = CheckRunner(corpus).run(
        [
            Check("w", T, {"type": "string"}, wild),
            Check("d", T, {"not_null": True}, deep),
            Check("k", T, {"present": True}, JsonPath(("args", "a", 0, "ünï"))),
        ]
    )
    n = bad = 0
    for doc in docs:
        values = [v for v in _expand(doc, wild.segments) if v is not None]
        n += bool(values)
        bad += any(not isinstance(v, str) for v in values)
    assert (got["w"].n, got["w"].violations) == (n, bad)
    n = bad = 0
    for doc in docs:
        holders = [h for h in _expand(doc, deep.segments[:-1]) if isinstance(h, dict)]
        n += bool(holders)
        bad += any(h.get("ünï") is None for h in holders)
    assert (got["d"].n, got["d"].violations) == (n, bad)
    n = bad = 0
    for doc in docs:
        parent_ok, there, _ = resolve(doc, JsonPath(("args", "a", 0, "ünï")))
        n += parent_ok
        bad += parent_ok and not there
    assert (got["k"].n, got["k"].violations) == (n, bad)


def test_nan_and_infinity_are_numbers_but_neither_whole_nor_in_a_range(tmp_path: Path) -> None:
    # Python's json module writes NaN and Infinity (allow_nan is its default), so a recorded
    # sample may hold them; DuckDB reads them, and sorts NaN above every number.
    values = [1, 2.0, 2.5, -3, float("nan"), INF, -INF, "7"]
    corpus = write_corpus(
        tmp_path, [sample(T, {"args": {"x": v}}, i) for i, v in enumerate(values)]
    )
    path = JsonPath.parse("$.args.x")
    expects = [
        {"type": "number"},
        {"type": "integer"},
        {"range": {"min": 0}},
        {"range": {"max": 10}},
        {"in": [1, 2]},
    ]
    got = CheckRunner(corpus).run([Check(f"c{i}", T, e, path) for i, e in enumerate(expects)])
    for i, expect in enumerate(expects):
        bad = sum(not _passes(*next(iter(expect.items())), v) for v in values)
        assert (got[f"c{i}"].n, got[f"c{i}"].violations) == (len(values), bad), expect


def test_a_check_can_read_a_whole_input_or_output(tmp_path: Path) -> None:
    docs = [({"x": 1}, {"return": [1, 2]}), ({}, None), ({"x": None}, {"return": ["a", 3]})]
    corpus = write_corpus(tmp_path, [sample(T, d, i, o) for i, (d, o) in enumerate(docs)])
    got = CheckRunner(corpus).run(
        [
            Check("out", T, {"present": True}, JsonPath.parse("$.output")),
            Check("in", T, {"type": "object", "max_length": 0}, JsonPath.parse("$.input")),
            Check("each", T, {"type": "number"}, JsonPath.parse("$.output.return[*]")),
        ]
    )
    assert (got["out"].n, got["out"].violations, got["out"].counts) == (3, 1, {"absent": 1})
    assert (got["in"].n, got["in"].violations) == (3, 2)
    assert (got["each"].n, got["each"].violations) == (2, 1)
