"""Noise cancelled by Diffy's rule, ignored paths, intended divergences, and the counts."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest

from realitycheck.assumptions.model import ExpectedChange
from realitycheck.replay.compare import Found
from realitycheck.replay.noise import Thresholds, filtered_by
from realitycheck.replay.tally import Tally, expected_match


def diffy_reports(raw: int, noise: int, total: int, relative: float, absolute: float) -> bool:
    """Diffy's DifferencesFilterFactory, transcribed from its Scala for this test."""
    if raw + noise == 0 or total == 0:
        return False
    relative_difference = abs(raw - noise) / (raw + noise) * 100
    absolute_difference = abs(raw - noise) / total * 100
    return raw > noise and relative_difference > relative and absolute_difference > absolute


@given(
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.integers(1, 200_000),
    st.floats(0, 100),
    st.floats(0, 5),
)
def test_the_rule_is_diffys(raw: int, noise: int, total: int, rel: float, absolute: float) -> None:
    ours = filtered_by(raw, noise, max(total, raw, noise), Thresholds(rel, absolute)) is None
    assert ours == diffy_reports(raw, noise, max(total, raw, noise), rel, absolute)


def test_the_defaults_are_diffys_published_ones() -> None:
    t = Thresholds()
    assert (t.relative, t.absolute) == (20.0, 0.03)
    # relative: 60 vs 40 is exactly 20% -> not reported (strict), 61 vs 40 is reported
    assert filtered_by(60, 40, 1000, t) == "relative"
    assert filtered_by(61, 40, 1000, t) is None
    # absolute: 3 more in 10,000 is exactly 0.03% -> noise; 4 more is reported
    assert filtered_by(3, 0, 10_000, t) == "absolute"
    assert filtered_by(4, 0, 10_000, t) is None
    assert filtered_by(5, 5, 100, t) == "noise"


def test_a_new_failure_is_not_hidden_by_the_absolute_threshold_alone() -> None:
    t = Thresholds()
    assert filtered_by(2, 0, 100_000, t, "exception") is None
    assert filtered_by(2, 0, 100_000, t, "value-changed") == "absolute"
    assert filtered_by(2, 1, 100_000, t, "exception") == "absolute"


def run_tally(
    n: int, head_rate: float, noise_rate: float, seed: int, **kw: object
) -> tuple[Tally, int, int]:
    """A target where head differs at $.a with head_rate and the base is noisy at $.t."""
    rnd = random.Random(seed)
    tally = Tally("fn:m:f", "function", "json", noise_measured=True, **kw)  # type: ignore[arg-type]
    raw_a = noise_t = 0
    for i in range(n):
        found = []
        if rnd.random() < head_rate:
            found.append(Found("$.return.a", "value-changed"))
            raw_a += 1
        if rnd.random() < noise_rate:
            found.append(Found("$.return.t", "value-changed"))
        noise = []
        if rnd.random() < noise_rate:
            noise.append(Found("$.return.t", "value-changed"))
            noise_t += 1
        tally.add(f"s{i}", found, noise, "{}", "{}")
    return tally, raw_a, noise_t


def test_a_noisy_field_is_shown_as_noise_and_a_real_change_is_reported() -> None:
    tally, raw_a, noise_t = run_tally(5000, 0.05, 0.3, seed=7)
    result = tally.result(Thresholds())
    by_path = {d.path: d for d in result.divergences}
    assert not by_path["$.return.a"].noise
    assert by_path["$.return.a"].count == raw_a
    assert by_path["$.return.t"].noise
    assert by_path["$.return.t"].noise_count == noise_t
    # diverged counts samples with a reported divergence only, computed independently here
    assert result.diverged == raw_a
    assert result.rate == pytest.approx(raw_a / 5000)
    ci = binomtest(raw_a, 5000).proportion_ci(method="wilson")
    assert result.ci == pytest.approx((ci.low, ci.high), abs=1e-9)


def test_ignored_paths_are_counted_apart_and_never_diverge() -> None:
    tally, raw_a, _ = run_tally(500, 0.2, 0.0, seed=3, ignore=["$.return.a"])
    result = tally.result(Thresholds())
    assert result.divergences == []
    assert result.diverged == 0
    assert result.ignored == {"$.return.a": raw_a}


def test_divergences_group_across_array_elements_with_examples() -> None:
    tally = Tally("fn:m:f", "function", "json")
    for i in range(8):
        tally.add(f"s{i}", [Found(f"$.return.items[{i}].id", "value-changed")], [], "{}", "{}")
    [group] = tally.result(Thresholds()).divergences
    assert group.path == "$.return.items[*].id"
    assert group.count == 8
    assert group.examples == ["s0", "s1", "s2", "s3", "s4"]


def test_expected_changes_mark_divergences_intended() -> None:
    tally = Tally("fn:docsvc.hooks:handle", "function", "json")
    for i in range(10):
        tally.add(
            f"s{i}",
            [Found("$.return.source_repo", "added"), Found("$.return.number", "value-changed")],
            [],
            "{}",
            "{}",
        )
    expected = [
        ExpectedChange(target="docsvc.hooks:handle", path="$.return.source_repo", note="new field")
    ]
    result = tally.result(Thresholds(), expected)
    by_path = {d.path: d for d in result.divergences}
    assert by_path["$.return.source_repo"].expected
    assert by_path["$.return.source_repo"].expected_note == "new field"
    assert not by_path["$.return.number"].expected
    assert result.unexpected == 10
    assert result.diverged == 10


def test_expected_change_matching_rules() -> None:
    declared = [
        ExpectedChange(target="fn:m:f", path="$.return", category="value-changed"),
        ExpectedChange(target="http:GET /x", path="$.body.items[*]"),
    ]
    assert expected_match(declared, "fn:m:f", "$.return.a", "value-changed")
    assert expected_match(declared, "fn:m:f", "$.return", "text-lost")
    assert not expected_match(declared, "fn:m:f", "$.return.a", "missing")
    assert expected_match(declared, "http:GET /x", "$.body.items[3].id", "added")
    assert not expected_match(declared, "http:GET /y", "$.body.items[3].id", "added")
    assert not expected_match(declared, "fn:m:g", "$.return", "value-changed")


def test_skipped_samples_are_counted_and_left_out_of_the_rate() -> None:
    tally = Tally("fn:m:f", "function", "json")
    tally.add("a", [Found("$", "exception", "ValueError: x")], [], "{}", "{}")
    tally.add("b", [], [], "{}", "{}")
    tally.skip("input-error")
    result = tally.result(Thresholds())
    assert (result.samples, result.replayed, result.diverged) == (3, 2, 1)
    assert result.skipped == {"input-error": 1}
    assert result.rate == 0.5
    assert result.divergences[0].detail == "ValueError: x"
