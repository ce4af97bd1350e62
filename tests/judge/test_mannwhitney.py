"""Kayenta's Mann-Whitney interval: its own golden vectors, and scipy as an independent check."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.special import ndtri
from scipy.stats import mannwhitneyu, norm

from realitycheck.judge.mannwhitney import mann_whitney_ci, wilcoxon_diff, zeroin

DATA = Path(__file__).parent / "data"
SUITE = json.loads((DATA / "kayenta_mannwhitney_suite.json").read_text())["tests"]
E = 1e-6


def _arrays(name: str) -> dict[str, np.ndarray]:
    return {k: np.array(v) for k, v in SUITE[name]["arrays"].items()}


def test_wilcoxon_diff_golden() -> None:
    a = _arrays("Wilcoxon Diff Function")
    assert wilcoxon_diff(0, 0, a["x"], a["y"]) == pytest.approx(-1.229416, abs=E)
    assert wilcoxon_diff(5, 0, a["x"], a["y"]) == pytest.approx(-35.80606, abs=E)


def test_z_quantile_golden() -> None:
    assert ndtri((1 - 0.98) / 2) == pytest.approx(-2.326348, abs=E)


def test_small_interval_golden() -> None:
    result = mann_whitney_ci(np.array([10.0, 20, 30, 40]), np.array([1.0, 2, 3, 4]))
    assert (result.lower, result.upper, result.estimate) == pytest.approx((6.0, 39.0, 22.5), abs=E)


def test_problem_case_golden() -> None:
    a = _arrays("Mann-Whitney Confidence Interval & Estimate: Problem Case")
    result = mann_whitney_ci(a["experiment"], a["control"], 0.98)
    assert result.lower == pytest.approx(-1.4808028936386108e-5, abs=E)
    assert result.upper == pytest.approx(1.808255910873413e-5, abs=E)
    assert result.estimate == pytest.approx(1.808255910873413e-5, abs=E)


@pytest.mark.parametrize(
    ("name", "confidence"),
    [
        ("Mann-Whitney Confidence Interval & Estimate: Tie out with R Version", 0.95),
        ("Mann-Whitney Confidence Interval & Estimate: Tie out with R Version (Large)", 0.98),
    ],
)
def test_ties_out_with_r(name: str, confidence: float) -> None:
    a, expected = _arrays(name), SUITE[name]["expected"]
    result = mann_whitney_ci(a["experiment"], a["control"], confidence)
    assert result.lower == pytest.approx(expected["rCiLow"], abs=E)
    assert result.upper == pytest.approx(expected["rCiHigh"], abs=E)
    assert result.estimate == pytest.approx(expected["rEst"], abs=1e-4)


def test_intermediate_values_golden() -> None:
    name = "Mann-Whitney Intermediate Values / Variables"
    a, r = _arrays(name), SUITE[name]["expected"]
    x, y = a["x"], a["y"]
    mu_min, mu_max = x.min() - y.max(), x.max() - y.min()
    assert (mu_min, mu_max) == pytest.approx((r["rMumin"], r["rMumax"]), abs=E)
    zl, zu = -ndtri(0.025), ndtri(0.025)
    assert (zl, zu) == pytest.approx((r["rZqLower"], r["rZqUpper"]), abs=E)
    f = {q: (wilcoxon_diff(mu_min, q, x, y), wilcoxon_diff(mu_max, q, x, y)) for q in (zl, zu, 0)}
    assert f[zl] == pytest.approx((r["rFlower1"], r["rFupper1"]), abs=E)
    assert f[zu] == pytest.approx((r["rFlower2"], r["rFupper2"]), abs=E)

    def solve(q: float) -> float:
        return zeroin(mu_min, mu_max, *f[q], lambda m: wilcoxon_diff(m, q, x, y))

    assert solve(zl) == pytest.approx(r["rCil"], abs=E)
    assert solve(zu) == pytest.approx(r["rCiu"], abs=E)
    assert solve(0) == pytest.approx(r["rEst"], abs=E)


@pytest.mark.parametrize("seed", range(5))
def test_statistic_is_scipys_corrected_z(seed: int) -> None:
    """At any shift, the statistic is scipy's continuity- and tie-corrected normal z."""
    rng = np.random.default_rng(seed)
    x = np.round(rng.lognormal(0, 0.5, 60), 1)  # rounded: ties on purpose
    y = np.round(rng.lognormal(0.1, 0.5, 45), 1)
    for mu in (-0.3, 0.0, 0.25):
        z = wilcoxon_diff(mu, 0, x, y)
        expected = mannwhitneyu(x - mu, y, method="asymptotic", use_continuity=True).pvalue
        assert 2 * norm.sf(abs(z)) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_estimate_is_hodges_lehmann(seed: int) -> None:
    """The estimate is the median of all pairwise differences (to zeroin's 1e-4 tolerance)."""
    rng = np.random.default_rng(100 + seed)
    x, y = rng.normal(10, 2, 80), rng.normal(9, 2, 70)
    result = mann_whitney_ci(x, y, 0.95)
    hodges_lehmann = float(np.median(np.subtract.outer(x, y)))
    assert result.estimate == pytest.approx(hodges_lehmann, abs=2e-3)
    assert result.lower < hodges_lehmann < result.upper


def test_interval_bounds_are_where_scipys_p_value_crosses_alpha() -> None:
    rng = np.random.default_rng(7)
    x, y = rng.normal(5, 1, 200), rng.normal(4.6, 1, 200)
    result = mann_whitney_ci(x, y, 0.98)
    for bound, inward in ((result.lower, 1), (result.upper, -1)):
        inside = mannwhitneyu(x - (bound + inward * 0.01), y, method="asymptotic").pvalue
        outside = mannwhitneyu(x - (bound - inward * 0.01), y, method="asymptotic").pvalue
        assert outside < 0.02 < inside


def _reference_diff(mu: float, quantile: float, x: np.ndarray, y: np.ndarray) -> float:
    """Kayenta's wilcoxonDiff written out plainly: rank the pooled sample every time."""
    from scipy.stats import rankdata

    nx, ny = len(x), len(y)
    ranks = rankdata(np.concatenate((x - mu, y)))
    dz = ranks[:nx].sum() - nx * (nx + 1) / 2 - nx * ny / 2
    _, ties = np.unique(ranks, return_counts=True)
    sigma = np.sqrt(
        nx * ny / 12 * ((nx + ny + 1) - np.sum(ties**3 - ties) / ((nx + ny) * (nx + ny - 1)))
    )
    return float((dz - np.sign(dz) * 0.5) / sigma - quantile)


@pytest.mark.parametrize("seed", range(20))
def test_fast_rank_sum_equals_ranking_the_pooled_sample(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(0, 1, rng.integers(2, 80)), int(rng.integers(0, 3)))
    y = np.round(rng.normal(0.2, 1, rng.integers(2, 80)), int(rng.integers(0, 3)))
    for mu in (0.0, 0.1, 1.0, -0.5, 5.0, float(x[0] - y[0]), 1e-9):
        assert wilcoxon_diff(mu, 0.3, x, y) == pytest.approx(
            _reference_diff(mu, 0.3, x, y), abs=1e-9
        )
