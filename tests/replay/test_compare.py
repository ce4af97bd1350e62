"""Comparators (text, exact, user functions) and the categories of new failures."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from realitycheck.core.errors import ConfigError
from realitycheck.replay import values
from realitycheck.replay.compare import (
    comparator_for,
    compare_exact,
    compare_json,
    compare_outcomes,
    head_failures,
    is_empty,
    text_comparator,
    text_score,
    tokens,
)

words = st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=6), min_size=1, max_size=40)


def text_of(ws: list[str]) -> str:
    return " ".join(ws)


@given(words)
def test_identical_texts_never_diverge(ws: list[str]) -> None:
    score = text_score(text_of(ws), text_of(ws))
    assert (score.similarity, score.lost, score.gained) == (1.0, 0.0, 0.0)
    assert text_comparator(0.99)(text_of(ws), text_of(ws), "$.return") == []


@given(words, st.data())
def test_dropping_tokens_reports_exactly_the_share_lost(ws: list[str], data: st.DataObject) -> None:
    keep = data.draw(st.lists(st.booleans(), min_size=len(ws), max_size=len(ws)))
    kept = [w for w, k in zip(ws, keep, strict=True) if k]
    score = text_score(text_of(ws), text_of(kept))
    # computed here from the multisets, independently of the comparator
    lost = sum((Counter(ws) - Counter(kept)).values()) / len(ws)
    assert score.lost == pytest.approx(lost)
    assert score.gained == 0.0
    assert score.similarity == pytest.approx(2 * len(kept) / (len(ws) + len(kept)))


@given(words, words)
def test_similarity_is_symmetric_and_bounded(a: list[str], b: list[str]) -> None:
    ab, ba = text_score(text_of(a), text_of(b)), text_score(text_of(b), text_of(a))
    assert 0.0 <= ab.similarity <= 1.0
    assert ab.similarity == pytest.approx(ba.similarity)
    assert ab.lost == pytest.approx(ba.gained)


@given(words, st.randoms())
def test_token_order_does_not_count(ws: list[str], rnd: Any) -> None:
    shuffled = ws[:]
    rnd.shuffle(shuffled)
    assert text_score(text_of(ws), text_of(shuffled)).similarity == 1.0


@given(words, st.data())
def test_the_threshold_decides(ws: list[str], data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(ws)))
    base, head = text_of(ws), text_of(ws[cut:])
    assume(head.strip())
    threshold = data.draw(st.floats(0.0, 1.0))
    score = text_score(base, head)
    found = text_comparator(threshold)(base, head, "$.return")
    if score.similarity >= threshold:
        assert found == []
    else:
        assert [(f.path, f.category) for f in found] == [("$.return", "text-lost")]
        assert found[0].lost == pytest.approx(cut / len(ws))
        assert found[0].detail == f"returned {cut / len(ws):.0%} less text"


def test_text_reads_as_less_text() -> None:
    base = "one two three four five six seven eight nine ten"
    [found] = text_comparator(0.9)(base, "one two three four five six", "$.return")
    assert found.detail == "returned 40% less text"
    assert tokens("Café, crème; café") == Counter({"Café": 1, "crème": 1, "café": 1})


def test_text_that_changes_more_than_it_loses_is_text_changed() -> None:
    [found] = text_comparator(0.9)("alpha beta", "alpha beta gamma delta epsilon", "$.r")
    assert found.category == "text-changed"


@given(st.recursive(st.integers() | st.text(max_size=3), lambda x: st.lists(x, max_size=3)))
def test_exact_agrees_with_canonical_json(value: Any) -> None:
    assert compare_exact(value, value, "$") == []
    other = [value, 1]
    assert [f.category for f in compare_exact(value, other, "$")] in (
        ["value-changed"],
        ["type-changed"],
    )


def outcome(status: str, value: Any = None) -> tuple[str, str]:
    if status == "return":
        return status, values.returned(value)
    if status == "raised":
        return status, values.raised(value)
    if status == "timeout":
        return status, values.canonical({"timeout": {"seconds": 1.0}})
    return status, values.canonical({"crashed": {"reason": "WorkerLost: killed by SIGKILL"}})


def found(base: tuple[str, str], head: tuple[str, str]) -> list[tuple[str, str]]:
    return [(f.path, f.category) for f in compare_outcomes(*base, *head, compare_json)]


def test_new_failures_are_their_own_categories() -> None:
    ok = outcome("return", {"a": 1})
    assert found(ok, outcome("raised", KeyError("head"))) == [("$", "exception")]
    assert found(ok, outcome("timeout")) == [("$", "timeout")]
    assert found(ok, outcome("crash")) == [("$", "crash")]
    assert found(ok, outcome("return", {})) == [("$.return", "empty")]
    assert found(outcome("return", "text"), outcome("return", "  ")) == [("$.return", "empty")]
    assert found(outcome("return", []), outcome("return", {})) == [("$.return", "type-changed")]


def test_failures_of_the_base_and_changed_exceptions() -> None:
    ok = outcome("return", 1)
    assert found(outcome("raised", ValueError("x")), ok) == [("$", "no-longer-raises")]
    assert found(outcome("timeout"), ok) == [("$", "base-failed")]
    assert found(outcome("raised", ValueError("x")), outcome("raised", ValueError("y"))) == [
        ("$.raised.message", "value-changed")
    ]
    assert found(outcome("raised", ValueError("x")), outcome("raised", TypeError("x"))) == [
        ("$.raised.type", "value-changed")
    ]
    assert found(outcome("timeout"), outcome("timeout")) == []


def test_only_the_heads_failures_count_without_a_baseline() -> None:
    assert head_failures(*outcome("return", 1)) == []
    [failure] = head_failures(*outcome("raised", ZeroDivisionError("division by zero")))
    assert (failure.category, failure.detail) == (
        "exception",
        "ZeroDivisionError: division by zero",
    )
    assert [f.category for f in head_failures(*outcome("crash"))] == ["crash"]


def test_empty_means_nothing_there() -> None:
    assert all(is_empty(v) for v in (None, "", " \n", [], {}))
    assert not any(is_empty(v) for v in (0, False, "x", [None], {"a": None}))


def test_a_user_comparator_is_loaded_from_the_source_roots(tmp_path: Path) -> None:
    (tmp_path / "mycompare.py").write_text(
        "def amounts(base, head):\n"
        "    if abs(base['total'] - head['total']) < 0.01:\n"
        "        return None\n"
        "    return [{'path': '$.return.total', 'category': 'value-changed',\n"
        "             'detail': f\"{base['total']} -> {head['total']}\"}]\n"
        "def plain(base, head):\n"
        "    return base == head\n"
        "def words(base, head):\n"
        "    return None if base == head else 'differs'\n",
        encoding="utf-8",
    )
    amounts = comparator_for("mycompare:amounts", roots=[tmp_path])
    assert amounts({"total": 1.0}, {"total": 1.004}, "$.return") == []
    [item] = amounts({"total": 1.0}, {"total": 2.0}, "$.return")
    assert (item.path, item.category, item.detail) == (
        "$.return.total",
        "value-changed",
        "1.0 -> 2.0",
    )
    plain = comparator_for("mycompare:plain", roots=[tmp_path])
    assert [f.category for f in plain(1, 2, "$.return")] == ["changed"]
    [said] = comparator_for("mycompare:words", roots=[tmp_path])(1, 2, "$.return")
    assert said.detail == "differs"
    assert str(tmp_path) not in sys.path


def test_a_broken_user_comparator_names_itself(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot load the comparator 'nosuch\.module:f'"):
        comparator_for("nosuch.module:f", roots=[tmp_path])
    (tmp_path / "boom.py").write_text("def cmp(a, b):\n    raise RuntimeError('no')\n")
    compare = comparator_for("boom:cmp", roots=[tmp_path])
    with pytest.raises(ConfigError, match="raised RuntimeError: no"):
        compare(1, 2, "$")


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary(),
        lambda x: (
            st.lists(x, max_size=3)
            | st.dictionaries(st.text(max_size=3), x, max_size=3)
            | st.tuples(x, x)
            | st.frozensets(st.integers(), max_size=3)
        ),
        max_leaves=15,
    )
)
def test_any_return_value_serialises_to_json(value: Any) -> None:
    text = values.returned(value)
    assert json.loads(text).keys() == {"return"}
    assert values.returned(value) == text  # deterministic


def test_bytes_become_the_reference_the_corpus_blob_store_gives(tmp_path: Path) -> None:
    from realitycheck.corpus.store import BlobStore

    stored = BlobStore(tmp_path).put(b"%PDF-1.4")
    assert values.to_json(b"%PDF-1.4") == stored
