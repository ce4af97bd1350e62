"""The anytime-valid formulas against independent computations: numerical integration, Monte
Carlo with known truth, and Ville's inequality (under the null, 1/alpha is crossed at most alpha of
the time).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from realitycheck.core.stats import wilson_interval
from realitycheck.judge.anytime import (
    dirichlet_log_bf,
    log_mixture,
    quantile_interval,
    rank_bounds,
    share_interval,
    share_null,
    share_to_ratio,
    two_sample_log_bf,
)


@pytest.mark.parametrize(
    ("x", "y", "theta0", "a", "b"),
    [(3, 7, 0.5, 2, 2), (40, 10, 0.3, 5, 11.7), (0, 25, 0.5, 50, 50)],
)
def test_two_category_bayes_factor_is_the_beta_integral(
    x: int, y: int, theta0: float, a: float, b: float
) -> None:
    def integrand(t: float) -> float:
        return float(stats.beta.pdf(t, a, b) * t**x * (1 - t) ** y)

    marginal, _ = integrate.quad(integrand, 0, 1, epsabs=0, epsrel=1e-10, limit=200)
    expected = math.log(marginal) - x * math.log(theta0) - y * math.log(1 - theta0)
    got = dirichlet_log_bf([x, y], [theta0, 1 - theta0], [a, b])
    assert got == pytest.approx(expected, rel=1e-6)


def test_three_category_bayes_factor_by_monte_carlo() -> None:
    rng = np.random.default_rng(0)
    counts, null, prior = np.array([5, 9, 2]), np.array([0.3, 0.5, 0.2]), np.array([3.0, 5, 2])
    draws = rng.dirichlet(prior, 400_000)
    ratio = np.prod((draws / null) ** counts, axis=1)
    assert math.exp(dirichlet_log_bf(counts, null, prior)) == pytest.approx(ratio.mean(), rel=0.03)


def test_bayes_factor_crosses_one_over_alpha_at_most_alpha_of_the_time_under_the_null() -> None:
    """Ville's inequality, checked by simulation: 4000 A/A canaries, 600 events each."""
    rng = np.random.default_rng(1)
    alpha, split, paths, events = 0.05, 0.3, 4000, 600
    canary = np.cumsum(rng.random((paths, events)) < split, axis=1)
    total = np.arange(1, events + 1)
    x = np.stack([canary, total - canary], axis=-1).astype(float)
    log_bf = dirichlet_log_bf(x, [split, 1 - split], [25 * split, 25 * (1 - split)])
    crossed = int(np.sum(np.max(log_bf, axis=1) >= math.log(1 / alpha)))
    low, _ = wilson_interval(crossed, paths)
    assert low <= alpha  # and, being conservative, it is usually well below
    assert crossed / paths < alpha


def test_bayes_factor_finds_a_real_difference() -> None:
    rng = np.random.default_rng(2)
    theta = share_null(0.5, 1.5)  # the canary errs 1.5x as often
    canary = int(np.sum(rng.random(2000) < theta))
    assert two_sample_log_bf(canary, 2000 - canary, 0.5, 25) > math.log(1 / 0.05)


def test_share_interval_is_the_set_the_bayes_factor_does_not_reject() -> None:
    lo, hi = share_interval(60, 40, 0.05, 0.5, 25)
    for theta in np.linspace(0.05, 0.95, 91):
        # the prior stays Beta(12.5, 12.5), centred on theta0 = 0.5, for every candidate share
        log_m = dirichlet_log_bf([60, 40], [theta, 1 - theta], [12.5, 12.5])
        assert (lo < theta < hi) == (log_m < math.log(20))
    assert share_to_ratio(share_null(0.3, 2.0), 0.3) == pytest.approx(2.0)


@pytest.mark.parametrize(("t", "k", "p"), [(50, 20, 0.5), (200, 190, 0.9), (500, 497, 0.99)])
def test_beta_binomial_mixture_is_the_integral(t: int, k: int, p: float) -> None:
    strength = 100.0
    r, s = strength * p, strength * (1 - p)

    def integrand(q: float) -> float:
        return float(stats.beta.pdf(q, r, s) * (q / p) ** k * ((1 - q) / (1 - p)) ** (t - k))

    value, _ = integrate.quad(integrand, 0, 1, epsabs=0, epsrel=1e-9, limit=400, points=[p, k / t])
    assert log_mixture(t, p, strength)[k] == pytest.approx(math.log(value), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("p", [0.5, 0.9, 0.99])
def test_rank_bounds_hold_uniformly_over_time(p: float) -> None:
    """The count below the true quantile stays inside [k_lo, k_hi] at every t (prob >= 1-alpha)."""
    rng = np.random.default_rng(int(p * 100))
    alpha, paths, horizon = 0.05, 3000, 1500
    table = np.array([rank_bounds(t, p, alpha, 500.0) for t in range(1, horizon + 1)])
    below = np.cumsum(rng.random((paths, horizon)) < p, axis=1)
    escaped = np.any((below < table[:, 0]) | (below > table[:, 1]), axis=1)
    assert escaped.mean() < alpha


def test_quantile_interval_covers_the_true_quantile_at_every_poll() -> None:
    rng = np.random.default_rng(9)
    true_p90 = math.exp(0.5 * stats.norm.ppf(0.9))
    misses = 0
    for _ in range(200):
        data = rng.lognormal(0, 0.5, 3000)
        for t in range(50, 3001, 50):
            lo, hi = quantile_interval(np.sort(data[:t]), 0.9, 0.05, 500.0)
            if not lo <= true_p90 <= hi:
                misses += 1
                break
    assert misses / 200 < 0.05


def test_quantile_interval_shrinks_with_data() -> None:
    rng = np.random.default_rng(4)
    data = np.sort(rng.lognormal(0, 0.5, 100_000))
    lo, hi = quantile_interval(data, 0.5, 0.01, 500.0)
    assert lo < 1.0 < hi and hi / lo < 1.03
    small = quantile_interval(data[:10], 0.99, 0.01, 500.0)
    assert small[1] == math.inf  # ten values cannot bound a p99 from above


@pytest.mark.parametrize(("x", "y"), [(30, 20), (12, 25), (0, 4)])
def test_one_sided_bayes_factor_is_the_truncated_beta_integral(x: int, y: int) -> None:
    theta0, strength = 0.4, 25.0
    a, b = strength * theta0, strength * (1 - theta0)

    def integrand(t: float) -> float:
        return float(stats.beta.pdf(t, a, b) * (t / theta0) ** x * ((1 - t) / (1 - theta0)) ** y)

    above, _ = integrate.quad(integrand, theta0, 1, epsabs=0, epsrel=1e-10, limit=200)
    expected = math.log(above / stats.beta.sf(theta0, a, b))
    got = two_sample_log_bf(x, y, theta0, strength, "increase")
    assert got == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_one_sided_bayes_factor_keeps_ville_under_the_null() -> None:
    rng = np.random.default_rng(12)
    alpha, split, paths, events = 0.05, 0.5, 4000, 800
    canary = np.cumsum(rng.random((paths, events)) < split, axis=1).astype(float)
    baseline = np.arange(1, events + 1) - canary
    log_bf = two_sample_log_bf(canary, baseline, split, 25.0, "increase")
    assert np.mean(np.max(log_bf, axis=1) >= math.log(1 / alpha)) < alpha


@pytest.mark.parametrize("t", [1, 3, 57, 3000, 20_000])
@pytest.mark.parametrize("p", [0.5, 0.9, 0.99])
def test_root_finding_gives_the_tabulated_rank_bounds(t: int, p: float) -> None:
    from realitycheck.judge.anytime import RankSequence

    table, roots = RankSequence(t, p, 500.0), RankSequence(t, p, 500.0, table_limit=0)
    for level in (0.5, 0.05, 0.003, 1e-8):
        assert table.bounds(level) == roots.bounds(level)


def test_a_histogram_of_a_billion_requests_is_judged() -> None:
    from realitycheck.judge import Histogram, JudgeConfig, MetricSpec, judge

    edges = (0.01, 0.05, 0.1, math.inf)
    base = Histogram(edges, (6e8, 9.5e8, 9.99e8, 1e9))
    slow = Histogram(edges, (3e8, 8e8, 9.9e8, 1e9))
    config = JudgeConfig(metrics=[MetricSpec(name="latency", kind="histogram")])
    assert judge({"latency": base}, {"latency": slow}, config).verdict == "fail"
