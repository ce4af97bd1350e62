"""Samples and histograms in the sequential judge: quantile confidence sequences on both sides.

Each side's quantile gets a Howard-Ramdas confidence sequence at alpha_metric / (2 x quantiles)
(for a histogram, the bucket edges around the ranks), so the ratio interval
[lo_canary / hi_baseline, hi_canary / lo_baseline] holds for every quantile at every poll. The
anytime-valid p-value is the smallest alpha at which this poll's interval would fail.
"""

from __future__ import annotations

import math

import numpy as np

from realitycheck.core.config.judge import MetricSpec
from realitycheck.judge.anytime import RankSequence, bucket_bounds, order_bounds
from realitycheck.judge.data import Counts, Histogram, Samples, Series
from realitycheck.judge.kayenta import handle_nans
from realitycheck.judge.model import Effect, MetricResult, MetricStatus, SideStats
from realitycheck.judge.sequential import common_fields, nodata_result, verdict_on
from realitycheck.judge.state import MetricState, intersect


def _samples_stats(values: Samples) -> SideStats:
    if len(values) == 0:
        return SideStats(count=0)
    return SideStats(
        count=len(values), mean=float(np.mean(values)), median=float(np.median(values))
    )


def _label(q: float) -> str:
    text = f"{q * 100:.4g}"
    return f"p{text}"


class _Observed:
    """One side of a samples metric: sorted observations or a histogram."""

    def __init__(self, values: Samples | None = None, histogram: Histogram | None = None) -> None:
        self.values, self.histogram = values, histogram
        self._sequences: dict[tuple[float, float], RankSequence] = {}
        if histogram is not None:
            self.bounds = np.asarray(histogram.bounds, dtype=np.float64)
            self.cumulative = np.asarray(histogram.counts, dtype=np.float64)

    @property
    def count(self) -> int:
        if self.histogram is not None:
            return int(self.histogram.total)
        return len(self.values) if self.values is not None else 0

    def stats(self) -> SideStats:
        if self.histogram is not None:
            if not self.count:
                return SideStats(count=0)
            return SideStats(count=self.count, median=self.histogram.quantile(0.5))
        return _samples_stats(self.values if self.values is not None else np.zeros(0))

    def quantile(self, q: float) -> float:
        if self.histogram is not None:
            return self.histogram.quantile(q)
        assert self.values is not None
        return float(np.quantile(self.values, q))

    def interval(self, q: float, level: float, strength: float) -> tuple[float, float]:
        key = (q, strength)
        if key not in self._sequences:
            self._sequences[key] = RankSequence(self.count, q, strength)
        ranks = self._sequences[key].bounds(level)
        if self.histogram is not None:
            return bucket_bounds(self.bounds, self.cumulative, ranks)
        assert self.values is not None
        return order_bounds(self.values, ranks)


def observed(value: Series | None, nan_strategy: str) -> _Observed:
    """A side of a samples metric as the judge reads it (NaNs removed or replaced first)."""
    if isinstance(value, Histogram):
        return _Observed(histogram=value)
    if value is None:
        return _Observed(values=np.zeros(0))
    if isinstance(value, Counts):
        rate = value.events / value.total if value.total else value.events
        return _Observed(values=np.array([rate], dtype=np.float64))
    return _Observed(values=np.sort(handle_nans(value, nan_strategy)))


def _ratio(
    base: _Observed, can: _Observed, q: float, level: float, strength: float
) -> tuple[float, float]:
    """The ratio interval of the canary's q-quantile to the baseline's, each side at `level`."""
    b_lo, b_hi = base.interval(q, level, strength)
    c_lo, c_hi = can.interval(q, level, strength)
    return _ratio_of(b_lo, b_hi, c_lo, c_hi)


def _ratio_of(b_lo: float, b_hi: float, c_lo: float, c_hi: float) -> tuple[float, float]:
    # ratios of positive quantities; a bound that is not positive says nothing
    r_lo = c_lo / b_hi if c_lo > 0 and 0 < b_hi < math.inf else 0.0
    r_hi = c_hi / b_lo if b_lo > 0 else math.inf
    return r_lo, r_hi


def _bucketed(base: _Observed, can: _Observed) -> bool:
    """Both sides are histograms of continuous measurements: their bounds are strict."""
    return base.histogram is not None and can.histogram is not None


def anytime_p_value(
    spec: MetricSpec, base: _Observed, can: _Observed, q: float, strength: float
) -> float:
    """The smallest alpha at which this poll fails the quantile (anytime-valid; 1 if none).

    Each side's bound gets alpha / (2 x quantiles), so p = 2 x quantiles x the largest side
    level at which the ratio interval lies beyond `allowed_increase`.
    """
    scale = 2.0 * len(spec.quantiles)

    def fails(log_inverse: float) -> bool:
        lo, hi = _ratio(base, can, q, math.exp(-log_inverse), strength)
        return verdict_on(spec, lo, hi, open_bounds=_bucketed(base, can))[0] == "fail"

    low, high = math.log(scale), 700.0
    if not fails(low):
        return 1.0
    if fails(high):
        return 0.0
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if fails(middle) else (low, middle)
    return min(1.0, scale * math.exp(-low))


def judge_samples(
    spec: MetricSpec,
    baseline: Series | None,
    canary: Series | None,
    alpha: float,
    strength: float,
    state: MetricState,
) -> MetricResult:
    """One samples (or histogram) metric: quantile confidence sequences on both sides."""
    base = observed(baseline, spec.nan_strategy)
    can = observed(canary, spec.nan_strategy)
    common = common_fields(spec, base.stats(), can.stats())
    if base.count == 0 or can.count == 0:
        return nodata_result(spec, common, base.count == 0)
    level = alpha / (2 * len(spec.quantiles))
    effects: list[Effect] = []
    status: MetricStatus = "pass"
    reasons: list[str] = []
    fails = 0
    for q in spec.quantiles:
        name = _label(q)
        b_lo, b_hi = intersect(state, f"baseline:{name}", base.interval(q, level, strength))
        c_lo, c_hi = intersect(state, f"canary:{name}", can.interval(q, level, strength))
        qb, qc = base.quantile(q), can.quantile(q)
        r_lo, r_hi = _ratio_of(b_lo, b_hi, c_lo, c_hi)
        effects.append(
            Effect(
                statistic=name,
                ratio=qc / qb if qb > 0 else None,
                difference=qc - qb,
                interval=(r_lo, r_hi),
                interval_of="ratio",
                confidence=1 - alpha,
            )
        )
        verdict, why = verdict_on(spec, r_lo, r_hi, open_bounds=_bucketed(base, can))
        if verdict == "fail":
            fails += 1
            status = "fail"
            reasons.insert(fails - 1, f"{spec.name} {name} of the canary is {why}")
        elif verdict is None and status != "fail":
            status = "inconclusive"
            reasons.append(f"{spec.name} {name} is {why}")
    p_value = min(anytime_p_value(spec, base, can, q, strength) for q in spec.quantiles)
    if status == "fail" and state.failed is None:
        state.failed = reasons[0]
    if state.failed is not None:
        status, reasons = "fail", [state.failed]
    if status == "pass":
        reasons = [
            f"{spec.name}: every quantile of the canary is within its margin of the baseline"
        ]
    return MetricResult(
        **common, status=status, effects=effects, p_value=p_value, reason=reasons[0]
    )
