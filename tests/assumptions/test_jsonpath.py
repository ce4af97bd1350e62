"""JSON paths: printing and parsing are inverse, and DuckDB reads what we compile."""

from __future__ import annotations

import json

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from realitycheck.assumptions.jsonpath import JsonPath, locate

keys = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1)
segments = st.lists(st.one_of(keys, st.integers(0, 5), st.none()), max_size=6)


@given(segments)
def test_printing_then_parsing_gives_the_same_path(segs: list[str | int | None]) -> None:
    path = JsonPath(tuple(segs))
    assert JsonPath.parse(str(path)) == path


@settings(deadline=None)  # each example opens a DuckDB connection: slow on a loaded machine
@given(st.lists(keys, min_size=1, max_size=4), st.integers())
def test_duckdb_finds_the_value_at_a_compiled_path(names: list[str], value: int) -> None:
    doc: object = value
    for name in reversed(names):
        doc = {name: doc}
    path = JsonPath(tuple(names))
    con = duckdb.connect()
    row = con.execute(
        "SELECT json_extract(?::JSON, ?)", [json.dumps(doc), path.duckdb()]
    ).fetchone()
    assert row is not None and json.loads(row[0]) == value


def test_paths_name_the_column_they_read() -> None:
    assert locate(JsonPath.parse("$.args.x")) == ("input", JsonPath(("args", "x")))
    assert locate(JsonPath.parse("$.return.total")) == ("output", JsonPath(("return", "total")))
    assert locate(JsonPath.parse("$.output.status")) == ("output", JsonPath(("status",)))
    assert locate(JsonPath.parse("$.input.body")) == ("input", JsonPath(("body",)))
