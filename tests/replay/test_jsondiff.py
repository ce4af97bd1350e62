"""The structural JSON comparator: properties over arbitrary JSON, and Diffy's categories."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from realitycheck.replay.jsondiff import child, diff, generalise, is_under, json_type

scalars = st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)

MIRROR = {"missing": "added", "added": "missing"}


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


@given(json_values)
def test_a_value_has_no_difference_with_itself(value: Any) -> None:
    assert diff(value, value) == []
    assert diff(value, json.loads(json.dumps(value))) == []


@given(json_values, json_values)
def test_no_difference_exactly_when_the_json_is_equal(a: Any, b: Any) -> None:
    assert (diff(a, b) == []) == (canonical(a) == canonical(b))


@given(json_values, json_values)
def test_swapping_sides_swaps_missing_and_added(a: Any, b: Any) -> None:
    forward = {(d.path, MIRROR.get(d.category, d.category)) for d in diff(a, b)}
    backward = {(d.path, d.category) for d in diff(b, a)}
    assert forward == backward


@given(st.dictionaries(st.text(max_size=5), scalars, min_size=1, max_size=6), st.data())
def test_a_removed_key_is_missing_at_its_path(obj: dict[str, Any], data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(obj)))
    head = {k: v for k, v in obj.items() if k != key}
    assert [(d.path, d.category) for d in diff(obj, head)] == [(child("$", key), "missing")]


@given(st.lists(st.integers(), min_size=2, max_size=8, unique=True), st.randoms())
def test_the_same_elements_in_another_order_are_an_ordering_difference(
    items: list[int], rnd: Any
) -> None:
    shuffled = items[:]
    rnd.shuffle(shuffled)
    found = [(d.path, d.category) for d in diff({"xs": items}, {"xs": shuffled})]
    assert found == ([] if shuffled == items else [("$.xs", "ordering")])


@given(st.lists(scalars, max_size=6), st.lists(scalars, max_size=6))
def test_arrays_of_other_length_and_other_elements_are_a_size_difference(
    a: list[Any], b: list[Any]
) -> None:
    found = diff(a, b)
    if len(a) != len(b) and sorted(map(canonical, a)) != sorted(map(canonical, b)):
        assert [(d.path, d.category) for d in found] == [("$", "size")]


def leaves(value: Any, path: str = "$") -> list[tuple[str, list[Any]]]:
    """Every scalar inside a value: its path, and the keys that reach it (written for the test)."""
    out: list[tuple[str, list[Any]]] = []

    def walk(node: Any, where: str, keys: list[Any]) -> None:
        if isinstance(node, dict):
            for key, item in node.items():
                name = (
                    f"{where}.{key}"
                    if key.isidentifier() and key.isascii()
                    else (f"{where}[{json.dumps(key, ensure_ascii=False)}]")
                )
                walk(item, name, [*keys, key])
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}[{i}]", [*keys, i])
        else:
            out.append((where, keys))

    walk(value, path, [])
    return out


@given(json_values, st.data())
def test_a_changed_leaf_is_reported_at_its_path_and_nowhere_else(
    base: Any, data: st.DataObject
) -> None:
    found = leaves(base)
    if not found:
        return
    path, keys = data.draw(st.sampled_from(found))
    head = json.loads(json.dumps(base))
    if not keys:
        head = ["replaced"]
    else:
        node = head
        for key in keys[:-1]:
            node = node[key]
        old = node[keys[-1]]
        new = data.draw(scalars.filter(lambda v: canonical(v) != canonical(old)))
        node[keys[-1]] = new
    diffs = diff(base, head)
    if not keys:
        assert [(d.path, d.category) for d in diffs] == [("$", "type-changed")]
        return
    expected = "value-changed" if json_type(old) == json_type(new) else "type-changed"
    if isinstance(node, list) and canonical(sorted(map(canonical, node))) == canonical(
        sorted(map(canonical, json.loads(json.dumps(_parent(base, keys)))))
    ):
        return  # the change made the array a permutation of itself: an ordering difference
    assert [(d.path, d.category) for d in diffs] == [(path, expected)]


def _parent(value: Any, keys: list[Any]) -> Any:
    for key in keys[:-1]:
        value = value[key]
    return value


def test_categories_follow_diffy() -> None:
    base = {"n": 1, "s": "a", "gone": 1, "xs": [1, 2, 3], "ys": [1, 2], "zs": [{"a": 1}]}
    head = {"n": "1", "s": "b", "new": 2, "xs": [3, 2, 1], "ys": [1, 2, 3], "zs": [{"a": 2}]}
    found = {(d.path, d.category) for d in diff(base, head)}
    assert found == {
        ("$.n", "type-changed"),
        ("$.s", "value-changed"),
        ("$.gone", "missing"),
        ("$.new", "added"),
        ("$.xs", "ordering"),
        ("$.ys", "size"),
        ("$.zs[0].a", "value-changed"),
    }


def test_booleans_are_not_numbers_but_ints_and_floats_are() -> None:
    assert [d.category for d in diff(True, 1)] == ["type-changed"]
    assert diff(1, 1.0) == []
    assert json_type(2.5) == json_type(3) == "number"


def test_paths_quote_keys_that_are_not_names_and_generalise_indexes() -> None:
    assert child("$", "a b") == '$["a b"]'
    assert child("$.x", 3) == "$.x[3]"
    assert generalise("$.items[12].tags[0]") == "$.items[*].tags[*]"
    assert is_under("$.return.items[3].id", "$.return")
    assert is_under("$.return.items[3].id", "$.return.items[*]")
    assert not is_under("$.returned", "$.return")


@settings(max_examples=50)
@given(scalars)
def test_differences_inside_arrays_group_under_one_path(value: Any) -> None:
    base = [{"v": value}, {"v": value}]
    head = [{"v": [value]}, {"v": [value]}]
    assert {generalise(d.path) for d in diff(base, head)} == {"$[*].v"}
