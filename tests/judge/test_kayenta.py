"""The NetflixACAJudge port against Kayenta's own classifier and scorer test cases."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from realitycheck.judge import JudgeConfig, MetricSpec, from_kayenta, judge, load_judge_config
from realitycheck.judge.kayenta import classify, cles, iqr_outliers, mean_ratio, transform
from realitycheck.judge.scoring import Scored, score

DATA = Path(__file__).parent / "data"
CASES = json.loads((DATA / "kayenta_classifier_suite.json").read_text())["cases"]


def _spec(case: dict[str, Any]) -> MetricSpec:
    effect: dict[str, Any] = {"measure": case["measure"]}
    if case["effect"]:
        effect["allowed_decrease"], effect["allowed_increase"] = case["effect"]
    if case["critical_thresholds"]:
        effect["critical_decrease"], effect["critical_increase"] = case["critical_thresholds"]
    return MetricSpec(
        name="metric",
        direction=case["direction"],
        critical=case["critical"],
        must_have_data=case["required"],
        nan_strategy=case["nan_strategy"],
        effect_size=effect,
    )


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_classifier_suite(case: dict[str, Any]) -> None:
    spec = _spec(case)
    control = transform(np.array(case["control"], dtype=float), spec)
    experiment = transform(np.array(case["experiment"], dtype=float), spec)
    result = classify(
        control, experiment, spec, tolerance=case["tolerance"], confidence=case["confidence"]
    )
    expected = case["expected"]
    if case["name"] == "Mann-Whitney Missing Experiment Data with NaN Replacement":
        expected = "Nodata"  # deliberate: no data is never a pass, whatever the NaN strategy
    if expected is None:  # "Missing Data: Reason String"
        assert result.reason
        return
    assert result.label == expected
    if case["expected_critical"] is not None:
        assert result.critical is case["expected_critical"]
    if case["expected_deviation_nan"]:
        assert math.isnan(result.deviation)


NIST = [30, 171, 184, 201, 212, 250, 265, 270, 272, 289, 305, 306, 322, 322, 336, 346, 351, 370,
        390, 404, 409, 411, 436, 437, 439, 441, 444, 448, 451, 453, 470, 480, 482, 487, 494, 495,
        499, 503, 514, 521, 522, 527, 548, 550, 559, 560, 570, 572, 574, 578, 585, 592, 592, 607,
        616, 618, 621, 629, 637, 638, 640, 656, 668, 707, 709, 719, 737, 739, 752, 758, 766, 792,
        792, 794, 802, 818, 830, 832, 843, 858, 860, 869, 918, 925, 953, 991, 1000, 1005, 1068,
        1441]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "truth"),
    [  # Kayenta's DetectorSuite (IQRDetector(factor = 1.5))
        ([21.0, 23, 24, 25, 50, 29, 23, 21], [0, 0, 0, 0, 1, 0, 0, 0]),
        ([1.0, 1, 1, 5, -1, -1, -1, -5], [0, 0, 0, 1, 0, 0, 0, 1]),
        ([], []),
        (NIST, [0] * (len(NIST) - 1) + [1]),
    ],
)
def test_iqr_detector_suite(data: list[float], truth: list[int]) -> None:
    assert iqr_outliers(np.array(data, dtype=float), 1.5, reduce=False).tolist() == [
        bool(t) for t in truth
    ]


def test_iqr_reduced_sensitivity_widens_to_the_1st_and_99th_percentiles() -> None:
    rng = np.random.default_rng(11)
    data = np.concatenate([rng.normal(0, 1, 200), [4.0, -4.2, 9.0]])
    p01, p25, p75, p99 = np.percentile(data, [1, 25, 75, 99])
    upper = max(p99, p75 + 0.5 * (p75 - p25))
    lower = min(p01, p25 - 0.5 * (p75 - p25))
    reduced = iqr_outliers(data, 0.5, reduce=True)
    assert reduced.tolist() == ((data > upper) | (data < lower)).tolist()
    assert reduced.sum() < iqr_outliers(data, 0.5, reduce=False).sum()


def test_effect_sizes() -> None:
    control, experiment = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])
    assert mean_ratio(control, experiment) == 2.0
    assert math.isnan(mean_ratio(np.zeros(3), experiment))
    pairs = np.mean(
        np.greater.outer(experiment, control) + 0.5 * np.equal.outer(experiment, control)
    )
    assert cles(control, experiment) == pytest.approx(pairs)


def _scored(name: str, group: str, label: str, critical: bool = False) -> Scored:
    return Scored(name, [group], label, critical, False, f"{name} {label}")


def test_weighted_group_scores() -> None:
    results = [
        _scored("a", "g1", "Pass"),
        _scored("b", "g1", "High"),
        _scored("c", "g2", "Pass"),
        _scored("d", "g3", "Nodata"),
    ]
    out = score(results, {"g1": 60.0}, 95.0, 75.0)
    groups = {g.name: g for g in out.groups}
    assert groups["g1"].score == 50.0 and groups["g1"].weight == 60.0
    assert groups["g2"].weight == 20.0 and groups["g3"].no_data
    # 50*0.6 + 100*0.2 + (no data counts 100)*0.2
    assert out.score == 70.0 and out.classification == "Fail"


def test_critical_failure_and_nodata_overrides() -> None:
    critical = score(
        [_scored("a", "g", "Pass"), _scored("b", "g", "High", critical=True)], {}, 95, 75
    )
    assert critical.score == 0.0 and critical.reason == "Canary Failed: b High"
    nodata = score([_scored("a", "g", "Pass"), _scored("b", "g", "Nodata")], {}, 95, 75)
    assert nodata.score == 0.0 and nodata.too_much_nodata
    assert "50% or more metrics returned NODATA" in (nodata.reason or "")


def test_marginal_is_inconclusive() -> None:
    config = JudgeConfig(
        mode="kayenta",
        metrics=[MetricSpec(name=n, direction="either") for n in "abcde"],
    )
    rng = np.random.default_rng(3)
    base = {n: rng.normal(10, 1, 50) for n in "abcde"}
    can = {n: rng.normal(10, 1, 50) for n in "abcd"} | {"e": rng.normal(30, 1, 50)}
    result = judge(base, can, config)
    assert result.score == 80.0 and result.verdict == "inconclusive"
    assert result.kayenta_classification == "Marginal" and result.exit_code == 3


def test_reads_kayentas_canary_config() -> None:
    config = load_judge_config(DATA / "kayenta-integration-test-cpu.json")
    assert config.mode == "kayenta"
    (metric,) = config.metrics
    assert metric.name == "CPU usage for service" and metric.critical
    assert metric.direction == "increase" and metric.groups == ["pod-group"]
    assert config.group_weights == {"pod-group": 100}
    assert (config.thresholds.pass_, config.thresholds.marginal) == (75, 50)
    muted = from_kayenta(json.loads((DATA / "kayenta-muted-metric.json").read_text()))
    assert [m.muted for m in muted.metrics] == [True, False]


def test_muted_metric_is_reported_but_not_scored() -> None:
    config = load_judge_config(DATA / "kayenta-muted-metric.json")
    rng = np.random.default_rng(5)
    base = {"Failing metric": rng.normal(1, 0.1, 40), "Successful metric": rng.normal(1, 0.1, 40)}
    can = {"Failing metric": rng.normal(5, 0.1, 40), "Successful metric": rng.normal(1, 0.1, 40)}
    result = judge(base, can, config)
    assert result.metric("Failing metric").status == "fail"
    assert result.verdict == "pass" and result.exit_code == 0


def test_p_value_is_scipys_asymptotic_mann_whitney() -> None:
    from scipy.stats import mannwhitneyu

    rng = np.random.default_rng(21)
    control, experiment = np.round(rng.normal(10, 2, 80), 1), np.round(rng.normal(10.6, 2, 70), 1)
    result = classify(control, experiment, MetricSpec(name="m", direction="either"))
    expected = mannwhitneyu(experiment, control, method="asymptotic", use_continuity=True).pvalue
    assert result.p_value == pytest.approx(expected, rel=1e-9)
