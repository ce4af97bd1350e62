"""The sequential judge, metric by metric: early fail, early pass, or keep watching.

alpha is split evenly across the unmuted metrics and the rollout steps (engine.py). A counts
metric is tested here with Lindon & Malek's Bayes factor on the two cumulative counters, the null
being the canary's share of traffic (from the totals when given, else `traffic_split`); samples
and histograms follow quantile confidence sequences (samples.py). A metric fails when its
evidence lies beyond `allowed_increase` in the bad direction, and passes early once its interval
lies within `allowed_increase * (1 + margin)`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from realitycheck.core.config.judge import JudgeConfig, MetricSpec
from realitycheck.core.errors import InputError
from realitycheck.judge.anytime import (
    share_interval,
    share_null,
    share_to_ratio,
    two_sample_log_bf,
)
from realitycheck.judge.data import Counts, Histogram, Series
from realitycheck.judge.model import Effect, MetricResult, MetricStatus, SideStats
from realitycheck.judge.state import MetricState, intersect


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


def verdict_on(
    spec: MetricSpec, lo: float, hi: float, *, open_bounds: bool = False
) -> tuple[MetricStatus | None, str]:
    """fail/pass/None for a ratio interval [lo, hi] under the spec's direction and margins.

    `open_bounds`: the true ratio lies strictly inside (histograms: a quantile is strictly above
    its bucket's lower edge and strictly below the upper bound's), so reaching the allowed
    ratio already fails.
    """
    allowed = spec.allowed_increase
    passing = allowed * (1.0 + spec.effective_margin)
    up = spec.direction in ("increase", "either")
    down = spec.direction in ("decrease", "either")
    beyond = lo >= allowed if open_bounds else lo > allowed
    below = hi <= 1.0 / allowed if open_bounds else hi < 1.0 / allowed
    if up and beyond and lo > 0:
        return "fail", f"at least {lo:.3g}x the baseline (allowed {allowed:.3g}x)"
    if down and below:
        return "fail", f"at most {hi:.3g}x the baseline (allowed down to {1 / allowed:.3g}x)"
    ok_up = not up or hi <= passing
    ok_down = not down or lo >= 1.0 / passing
    if ok_up and ok_down:
        return "pass", f"within {lo:.3g}x .. {hi:.3g}x of the baseline"
    return None, f"between {lo:.3g}x and {hi:.3g}x of the baseline so far"


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
    common = common_fields(
        spec,
        SideStats(count=int(b.total if b.total is not None else b.events), events=int(b.events)),
        SideStats(count=int(c.total if c.total is not None else c.events), events=int(c.events)),
    )
    with_totals = b.total is not None and c.total is not None
    if with_totals and (not b.has_data or not c.has_data):
        return nodata_result(spec, common, not b.has_data)
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
        verdict, why = verdict_on(spec, r_lo, r_hi)
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


def common_fields(spec: MetricSpec, base: SideStats, can: SideStats) -> dict[str, Any]:
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


def nodata_result(spec: MetricSpec, common: dict[str, Any], baseline_empty: bool) -> MetricResult:
    side = "baseline" if baseline_empty else "canary"
    return MetricResult(
        **common,
        status="nodata",
        reason=f"{spec.name}: no data from the {side}",
    )
