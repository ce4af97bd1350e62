"""The sequential judge, metric by metric: early fail, early pass, or keep watching.

alpha is split evenly across the unmuted metrics and the rollout steps. A samples metric follows
the canary/baseline ratio of each configured quantile: each side's quantile gets a Howard-Ramdas
confidence sequence at level alpha_metric / (2 x quantiles), so the ratio interval
[lo_c / hi_b, hi_c / lo_b] holds for every quantile at every poll with probability 1 - alpha_metric.
A counts metric is tested with Lindon & Malek's Bayes factor on the two cumulative counters, the
null being the canary's share of traffic (from the totals when given, else `traffic_split`).
A metric fails when its interval lies beyond `allowed_increase` in the bad direction, and passes
early once it lies within `allowed_increase * (1 + margin)`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from realitycheck.core.config.judge import JudgeConfig, MetricSpec
from realitycheck.core.errors import InputError
from realitycheck.judge.anytime import (
    histogram_interval,
    quantile_interval,
    share_interval,
    share_null,
    share_to_ratio,
    two_sample_log_bf,
)
from realitycheck.judge.data import Counts, Histogram, Samples, Series
from realitycheck.judge.kayenta import handle_nans
from realitycheck.judge.model import Effect, MetricResult, MetricStatus, SideStats
from realitycheck.judge.state import MetricState, intersect


def _samples_stats(values: Samples) -> SideStats:
    if len(values) == 0:
        return SideStats(count=0)
    return SideStats(
        count=len(values), mean=float(np.mean(values)), median=float(np.median(values))
    )


def _counts(value: Series, name: str) -> Counts:
    if isinstance(value, Counts):
        return value
    if isinstance(value, Histogram):
        raise InputError(
            f"metric '{name}' is judged as counts, but its data is a histogram",
            place=f"metric '{name}'",
        )
    clean = value[np.isfinite(value)]
    return Counts(events=float(np.sum(clean)), total=None)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _label(q: float) -> str:
    text = f"{q * 100:.4g}"
    return f"p{text}"


def _verdict_on(spec: MetricSpec, lo: float, hi: float) -> tuple[MetricStatus | None, str]:
    """fail/pass/None for a ratio interval [lo, hi] under the spec's direction and margins."""
    allowed = spec.allowed_increase
    passing = allowed * (1.0 + spec.effective_margin)
    up = spec.direction in ("increase", "either")
    down = spec.direction in ("decrease", "either")
    if up and lo > allowed:
        return "fail", f"at least {lo:.3g}x the baseline (allowed {allowed:.3g}x)"
    if down and hi < 1.0 / allowed:
        return "fail", f"at most {hi:.3g}x the baseline (allowed down to {1 / allowed:.3g}x)"
    ok_up = not up or hi <= passing
    ok_down = not down or lo >= 1.0 / passing
    if ok_up and ok_down:
        return "pass", f"within {lo:.3g}x .. {hi:.3g}x of the baseline"
    return None, f"between {lo:.3g}x and {hi:.3g}x of the baseline so far"


class _Observed:
    """One side of a samples metric: sorted observations or a histogram."""

    def __init__(self, values: Samples | None = None, histogram: Histogram | None = None) -> None:
        self.values, self.histogram = values, histogram
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
        if self.histogram is not None:
            return histogram_interval(self.bounds, self.cumulative, q, level, strength)
        assert self.values is not None
        return quantile_interval(self.values, q, level, strength)


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
    common = _common(spec, base.stats(), can.stats())
    if base.count == 0 or can.count == 0:
        return _nodata(spec, common, base.count == 0)
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
        # ratios of positive quantities; a bound that is not positive says nothing
        r_lo = c_lo / b_hi if c_lo > 0 and 0 < b_hi < math.inf else 0.0
        r_hi = c_hi / b_lo if b_lo > 0 else math.inf
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
        verdict, why = _verdict_on(spec, r_lo, r_hi)
        if verdict == "fail":
            fails += 1
            status = "fail"
            reasons.insert(fails - 1, f"{spec.name} {name} of the canary is {why}")
        elif verdict is None and status != "fail":
            status = "inconclusive"
            reasons.append(f"{spec.name} {name} is {why}")
    if status == "fail" and state.failed is None:
        state.failed = reasons[0]
    if state.failed is not None:
        status, reasons = "fail", [state.failed]
    if status == "pass":
        reasons = [
            f"{spec.name}: every quantile of the canary is within its margin of the baseline"
        ]
    return MetricResult(**common, status=status, effects=effects, reason=reasons[0])


def judge_counts(
    spec: MetricSpec,
    baseline: Series,
    canary: Series,
    alpha: float,
    config: JudgeConfig,
    state: MetricState,
) -> MetricResult:
    """One counts metric: Lindon & Malek's Bayes factor and its confidence sequence."""
    b, c = _counts(baseline, spec.name), _counts(canary, spec.name)
    common = _common(
        spec,
        SideStats(count=int(b.total if b.total is not None else b.events), events=int(b.events)),
        SideStats(count=int(c.total if c.total is not None else c.events), events=int(c.events)),
    )
    with_totals = b.total is not None and c.total is not None
    if with_totals and (not b.has_data or not c.has_data):
        return _nodata(spec, common, not b.has_data)
    previous = state.events
    if previous is not None and (b.events < previous[0] or c.events < previous[1]):
        side = "baseline" if b.events < previous[0] else "canary"
        state.bounds.clear()
        reset = f" ({side} counter went back since the last poll: a reset; evidence restarted)"
    else:
        reset = ""
    state.events = (b.events, c.events)
    state.totals = (b.total, c.total)
    split = c.total / (b.total + c.total) if with_totals else config.traffic_split  # type: ignore[operator]
    ratio0 = spec.allowed_increase if spec.direction != "decrease" else 1.0 / spec.allowed_increase
    theta0 = share_null(split, ratio0 if spec.direction != "either" else 1.0)
    strength = config.count_prior_strength
    log_bf = float(two_sample_log_bf(c.events, b.events, theta0, strength, spec.direction))
    lo, hi = intersect(state, "share", share_interval(c.events, b.events, alpha, theta0, strength))
    r_lo, r_hi = share_to_ratio(lo, split), share_to_ratio(hi, split)
    rate_b = b.events / b.total if with_totals and b.total else None
    rate_c = c.events / c.total if with_totals and c.total else None
    events = b.events + c.events
    ratio = share_to_ratio(c.events / events, split) if events else None
    effect = Effect(
        statistic="rate" if with_totals else "events",
        ratio=ratio,
        difference=(rate_c - rate_b)
        if rate_b is not None and rate_c is not None
        else c.events - b.events,
        interval=(r_lo, r_hi),
        interval_of="ratio",
        confidence=1 - alpha,
    )
    bf = math.exp(min(log_bf, 700.0))
    leaning = c.events / events - theta0 if events else 0.0
    bad_side = (spec.direction == "increase" and leaning > 0) or (
        spec.direction == "decrease" and leaning < 0
    )
    status: MetricStatus
    if log_bf >= math.log(1.0 / alpha) and (bad_side or spec.direction == "either"):
        status = "fail"
        reason = (
            f"{spec.name}: canary rate is {_num(ratio)}x the baseline's, Bayes factor {bf:.3g} "
            f">= 1/alpha = {1 / alpha:.3g} against a ratio of {share_to_ratio(theta0, split):.3g}"
        )
    else:
        verdict, why = _verdict_on(spec, r_lo, r_hi)
        status = "pass" if verdict == "pass" else "inconclusive"
        reason = f"{spec.name}: canary rate is {why}, Bayes factor {bf:.3g}"
    if status == "fail" and state.failed is None:
        state.failed = reason
    if state.failed is not None:
        status, reason = "fail", state.failed
    return MetricResult(
        **common,
        status=status,
        effects=[effect],
        e_value=bf,
        reason=reason + reset,
    )


def _common(spec: MetricSpec, base: SideStats, can: SideStats) -> dict[str, Any]:
    return {
        "name": spec.name,
        "direction": spec.direction,
        "kind": spec.kind,
        "groups": spec.groups,
        "critical": spec.critical,
        "muted": spec.muted,
        "baseline": base,
        "canary": can,
    }


def _nodata(spec: MetricSpec, common: dict[str, Any], baseline_empty: bool) -> MetricResult:
    side = "baseline" if baseline_empty else "canary"
    return MetricResult(
        **common,
        status="nodata",
        reason=f"{spec.name}: no data from the {side}",
    )
