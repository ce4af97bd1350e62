"""Tests and confidence sequences that stay valid however often they are looked at.

- Counts: the Dirichlet-multinomial Bayes factor of Lindon & Malek ("Anytime-valid inference for
  multinomial count data", NeurIPS 2022). Events of the two sides are multinomial with the
  traffic split as the null; the Bayes factor against a Dirichlet prior centred on the null is a
  martingale under the null, so rejecting when it reaches 1/alpha keeps the false alarm rate at
  alpha at any stopping time (Ville's inequality).
- Quantiles: the confidence sequence of Howard & Ramdas ("Sequential estimation of quantiles with
  applications to A/B-testing and best-arm identification", Bernoulli 2022), Theorem 1 with the
  beta-binomial mixture boundary: the count of observations at or below the true p-quantile is a
  Bernoulli(p) random walk; the ranks k whose beta-binomial mixture martingale stays below 1/a
  bound it for all t at once, and the order statistics at those ranks bound the quantile.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq
from scipy.special import betainc, betaincc, betaln, digamma, gammaln


def dirichlet_log_bf(counts: ArrayLike, null: ArrayLike, prior: ArrayLike) -> Any:
    """log BF of Lindon & Malek: log B(prior + counts) - log B(prior) - counts · log null.

    Categories lie along the last axis; leading axes broadcast (a float for one vector).
    """
    x = np.asarray(counts, dtype=np.float64)
    theta = np.asarray(null, dtype=np.float64)
    a = np.asarray(prior, dtype=np.float64)

    def log_beta(v: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(np.sum(gammaln(v), axis=-1) - gammaln(np.sum(v, axis=-1)))

    safe = np.where(x > 0, x * np.log(np.where(theta > 0, theta, 1.0)), 0.0)
    out = log_beta(a + x) - log_beta(a) - np.sum(safe, axis=-1)
    return float(out) if np.ndim(out) == 0 else out


def share_null(split: float, ratio: float) -> float:
    """The canary's share of events when its rate is `ratio` times the baseline's."""
    return split * ratio / (split * ratio + 1.0 - split)


def share_to_ratio(share: float, split: float) -> float:
    """The rate ratio canary/baseline that a canary share of events means."""
    if share <= 0.0:
        return 0.0
    if share >= 1.0:
        return math.inf
    return share / (1.0 - share) * (1.0 - split) / split


def two_sample_log_bf(
    canary: ArrayLike,
    baseline: ArrayLike,
    theta0: float,
    strength: float,
    direction: str = "either",
) -> Any:
    """log Bayes factor of canary vs baseline events against the null share theta0.

    The prior is Beta(strength*theta0, strength*(1-theta0)) (Lindon & Malek's Dirichlet centred
    on the null); for direction "increase" ("decrease") it is truncated to shares above (below)
    theta0, which keeps the factor a test martingale and doubles it where the data lean that
    way. Broadcasts over arrays of counts.
    """
    x = np.asarray(canary, dtype=np.float64)
    y = np.asarray(baseline, dtype=np.float64)
    a, b = strength * theta0, strength * (1.0 - theta0)
    log_bf = dirichlet_log_bf(np.stack([x, y], axis=-1), [theta0, 1.0 - theta0], [a, b])
    if direction in ("increase", "decrease"):
        upper = direction == "increase"
        tail = betaincc if upper else betainc
        posterior = np.maximum(tail(a + x, b + y, theta0), 1e-300)
        log_bf = log_bf + np.log(posterior) - math.log(float(tail(a, b, theta0)))
    return float(log_bf) if np.ndim(log_bf) == 0 else log_bf


def share_interval(
    canary: float, baseline: float, level: float, theta0: float, strength: float
) -> tuple[float, float]:
    """The confidence sequence of the canary's share: shares whose Bayes factor < 1/level.

    The prior is fixed at Beta(strength*theta0, strength*(1-theta0)); the set is an interval
    because the log Bayes factor is convex in the null share.
    """
    a, b = strength * theta0, strength * (1.0 - theta0)
    marginal = float(betaln(a + canary, b + baseline) - betaln(a, b))
    limit = math.log(1.0 / level)

    def excess(share: float) -> float:
        ll = (canary * math.log(share) if canary else 0.0) + (
            baseline * math.log1p(-share) if baseline else 0.0
        )
        return marginal - ll - limit

    n = canary + baseline
    mle = canary / n if n else theta0
    eps = 1e-12
    lo = 0.0 if canary == 0 or excess(eps) < 0 else brentq(excess, eps, mle, xtol=1e-12)
    hi = 1.0 if baseline == 0 or excess(1 - eps) < 0 else brentq(excess, mle, 1 - eps, xtol=1e-12)
    return float(lo), float(hi)


def log_mixture(t: int, p: float, strength: float) -> NDArray[np.float64]:
    """log M_t(k), k = 0..t: the beta-binomial mixture of Bernoulli(q)/Bernoulli(p) ratios."""
    r, s = strength * p, strength * (1.0 - p)
    k = np.arange(t + 1, dtype=np.float64)
    return np.asarray(
        betaln(r + k, s + t - k) - betaln(r, s) - k * math.log(p) - (t - k) * math.log1p(-p)
    )


TABLE_LIMIT = 200_000  # above this many observations the bounds are found by root finding


class RankSequence:
    """The mixture log M_t(k) of one (t, p), asked for the rank bounds at any level.

    Up to `table_limit` observations it tabulates log M_t(k) for every k; beyond (a histogram
    of a billion requests), it finds the two crossings of the convex log M_t by root finding.
    """

    def __init__(self, t: int, p: float, strength: float, table_limit: int = TABLE_LIMIT) -> None:
        self.t, self.p = t, p
        self.r, self.s = strength * p, strength * (1.0 - p)
        self.table = 0 < t <= table_limit
        if self.table:
            self.log_m = log_mixture(t, p, strength)
            self.mode = int(np.argmin(self.log_m))
            self._falling = -self.log_m[: self.mode + 1]  # increasing
            self._rising = self.log_m[self.mode :]  # increasing
        elif t > 0:
            slope0, slope1 = self._slope(0.0), self._slope(float(t))
            if slope0 >= 0:
                self.mode = 0
            elif slope1 <= 0:
                self.mode = t
            else:
                self.mode = round(brentq(self._slope, 0.0, float(t), xtol=1e-6))

    def _log_m(self, k: float) -> float:
        t, p = self.t, self.p
        return float(
            betaln(self.r + k, self.s + t - k)
            - betaln(self.r, self.s)
            - k * math.log(p)
            - (t - k) * math.log1p(-p)
        )

    def _slope(self, k: float) -> float:
        odds = math.log(self.p) - math.log1p(-self.p)
        return float(digamma(self.r + k) - digamma(self.s + self.t - k) - odds)

    def bounds(self, level: float) -> tuple[int, int]:
        """[k_lo, k_hi]: the ranks whose mixture stays below 1/level (log M is convex)."""
        if self.t <= 0:
            return 0, 0
        limit = math.log(1.0 / level)
        if self.table:
            k_lo = int(np.searchsorted(self._falling, -limit, side="right"))
            k_hi = self.mode + int(np.searchsorted(self._rising, limit, side="left")) - 1
            return min(k_lo, self.mode), max(k_hi, self.mode)

        def excess(k: float) -> float:
            return self._log_m(k) - limit

        k_lo, k_hi = 0, self.t
        if excess(0.0) >= 0 and self.mode > 0:
            x = brentq(excess, 0.0, float(self.mode), xtol=1e-7)
            k_lo = math.floor(x) + 1
        if excess(float(self.t)) >= 0 and self.mode < self.t:
            y = brentq(excess, float(self.mode), float(self.t), xtol=1e-7)
            k_hi = math.ceil(y) - 1
        return min(k_lo, self.mode), max(k_hi, self.mode)


def rank_bounds(t: int, p: float, level: float, strength: float) -> tuple[int, int]:
    """The ranks [k_lo, k_hi] the count below the p-quantile stays in, for all t (prob 1-level)."""
    return RankSequence(t, p, strength).bounds(level)


def order_bounds(ordered: NDArray[np.float64], ranks: tuple[int, int]) -> tuple[float, float]:
    """[X_(k_lo), X_(k_hi+1)] of sorted values, infinite where the rank is outside 1..t."""
    t, (k_lo, k_hi) = len(ordered), ranks
    lower = float(ordered[k_lo - 1]) if k_lo >= 1 else -math.inf
    upper = float(ordered[k_hi]) if k_hi + 1 <= t else math.inf
    return lower, upper


def bucket_bounds(
    bounds: NDArray[np.float64], cumulative: NDArray[np.float64], ranks: tuple[int, int]
) -> tuple[float, float]:
    """The bucket edges around X_(k_lo) and X_(k_hi+1) of a cumulative histogram."""
    t = round(float(cumulative[-1])) if len(cumulative) else 0
    k_lo, k_hi = ranks
    lower, upper = -math.inf, math.inf
    if k_lo >= 1:
        j = int(np.searchsorted(cumulative, k_lo, side="left"))
        lower = float(bounds[j - 1]) if j >= 1 else -math.inf
    if k_hi + 1 <= t:
        j = int(np.searchsorted(cumulative, k_hi + 1, side="left"))
        upper = float(bounds[min(j, len(bounds) - 1)])
    return lower, upper


def quantile_interval(
    ordered: NDArray[np.float64], p: float, level: float, strength: float
) -> tuple[float, float]:
    """The confidence sequence of the p-quantile from sorted values: [X_(k_lo), X_(k_hi+1)]."""
    return order_bounds(ordered, rank_bounds(len(ordered), p, level, strength))


def histogram_interval(
    bounds: NDArray[np.float64],
    cumulative: NDArray[np.float64],
    p: float,
    level: float,
    strength: float,
) -> tuple[float, float]:
    """`quantile_interval` for bucketed observations: the bucket edges around X_(k_lo), X_(k_hi+1).

    X_(k) lies in the first bucket whose cumulative count reaches k, so it is above that bucket's
    lower edge and at most its upper edge; the interval can only be wider than the exact one.
    """
    t = round(float(cumulative[-1])) if len(cumulative) else 0
    return bucket_bounds(bounds, cumulative, rank_bounds(t, p, level, strength))
