"""Kayenta's Mann-Whitney confidence interval for a location shift, ported line by line.

`mann_whitney_ci(x, y, confidence)` is Kayenta's `MannWhitney.mannWhitneyUTest` (kayenta-mannwhitney
`MannWhitney.scala`), itself R's `wilcox.test(x, y, conf.int=TRUE, correct=TRUE)` with the normal
approximation: the interval and the Hodges-Lehmann estimate of the shift x - y are the roots of
the continuity-corrected, tie-corrected standardised rank-sum statistic, found with R's
`zeroin` (Brent's method with an absolute tolerance of 1e-4, as `BrentSolver.java` has it). The
tolerance is part of the port: Kayenta's golden values depend on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

_TOLERANCE = 1e-4
_EPSILON = 2.220446049250313e-16
_MAX_ITERATIONS = 1000

Array = NDArray[np.float64]


@dataclass(frozen=True)
class ShiftInterval:
    """The confidence interval of the shift x - y and its Hodges-Lehmann estimate."""

    lower: float
    upper: float
    estimate: float


def wilcoxon_diff(mu: float, quantile: float, x: Array, y: Array) -> float:
    """The standardised, corrected rank-sum statistic of x - mu against y, minus `quantile`."""
    return _Ranker(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))(mu, quantile)


class _Ranker:
    """Kayenta's `wilcoxonDiff` for one pair of samples, evaluated at many shifts.

    The average rank of x_i - mu in the pooled sample is its average rank within x plus the y
    below it plus half the y equal to it, so the rank sum needs only two binary searches into
    sorted y; tie groups are x's and y's own plus those x - mu meets in y. This gives the same
    numbers as ranking the pooled sample each time (a test holds it to scipy's rankdata).
    """

    def __init__(self, x: Array, y: Array) -> None:
        self.y = np.sort(y)
        self.nx, self.ny = float(len(x)), float(len(y))
        self.ux, counts = np.unique(x, return_counts=True)
        self.cx = counts.astype(np.float64)
        self.x_ties = _tie_sum(self.cx)
        _, cy = np.unique(self.y, return_counts=True)
        self.y_ties = _tie_sum(cy.astype(np.float64))

    def __call__(self, mu: float, quantile: float) -> float:
        nx, ny = self.nx, self.ny
        shifted, cx, x_ties = self.ux - mu, self.cx, self.x_ties
        if (shifted[1:] == shifted[:-1]).any():  # distinct x that round to one x - mu
            shifted, inverse = np.unique(shifted, return_inverse=True)
            cx = np.bincount(inverse, weights=cx).astype(np.float64)
            x_ties = _tie_sum(cx)
        below = self.y.searchsorted(shifted, side="left")
        above = self.y.searchsorted(shifted, side="right")
        # sum over x of (y below) + (y equal) / 2, then minus nx*ny/2
        dz = 0.5 * float(cx @ (below + above)) - nx * ny / 2
        correction = math.copysign(0.5, dz) if dz != 0 else 0.0
        ties = x_ties + self.y_ties
        met = above > below
        if met.any():  # tie groups x - mu shares with y
            cm, em = cx[met], (above - below)[met].astype(np.float64)
            ties += _tie_sum(cm + em) - _tie_sum(cm) - _tie_sum(em)
        sigma = math.sqrt((nx * ny / 12) * ((nx + ny + 1) - ties / ((nx + ny) * (nx + ny - 1))))
        if sigma == 0:
            raise ValueError("cannot compute confidence interval when all observations are tied")
        return (dz - correction) / sigma - quantile


def _tie_sum(counts: Array) -> float:
    return float(((counts * counts - 1.0) * counts).sum())


def zeroin(ax: float, bx: float, fa: float, fb: float, func: Callable[[float], float]) -> float:
    """R's zeroin (Brent's root finder), as Kayenta's BrentSolver.solve has it."""
    a, b, c, fc = ax, bx, ax, fa
    if fa == 0:
        return a
    if fb == 0:
        return b
    for _ in range(_MAX_ITERATIONS + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * _EPSILON * abs(b) + _TOLERANCE / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = func(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b


def mann_whitney_ci(x: Array, y: Array, confidence: float = 0.95) -> ShiftInterval:
    """The shift x - y: Kayenta's (and R's) interval at `confidence` and the estimate."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    diff = _Ranker(x, y)
    alpha = 1.0 - confidence
    mu_min = float(x.min() - y.max())
    mu_max = float(x.max() - y.min())

    def root(zq: float) -> float:
        f_lower, f_upper = diff(mu_min, zq), diff(mu_max, zq)
        if f_lower <= 0:
            return mu_min
        if f_upper >= 0:
            return mu_max
        return zeroin(mu_min, mu_max, f_lower, f_upper, lambda m: diff(m, zq))

    z_quant = float(ndtri(alpha / 2))
    lower, upper = root(-z_quant), root(z_quant)
    f_lower, f_upper = diff(mu_min, 0), diff(mu_max, 0)
    estimate = zeroin(mu_min, mu_max, f_lower, f_upper, lambda m: diff(m, 0))
    return ShiftInterval(lower=lower, upper=upper, estimate=estimate)
