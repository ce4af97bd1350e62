"""`judge(baseline, canary, config)`: classify every metric, score the groups, decide.

Never a pass without reality: a metric named in the configuration but missing from both sides,
or present on one side only, is no data; a canary where no unmuted metric has data is `nodata`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from realitycheck.core.config.judge import JudgeConfig, MetricSpec, Mode
from realitycheck.core.errors import InputError
from realitycheck.judge import kayenta, samples, sequential
from realitycheck.judge.data import Counts, Histogram, Samples, Series, SideInput, normalise
from realitycheck.judge.model import Effect, Judgement, MetricResult, SideStats, Verdict
from realitycheck.judge.scoring import Scored, score
from realitycheck.judge.state import State

_EMPTY = np.zeros(0, dtype=np.float64)


def judge(
    baseline: SideInput,
    canary: SideInput,
    config: JudgeConfig,
    *,
    mode: Mode | None = None,
    state: State | None = None,
    elapsed: float | None = None,
    notes: Mapping[str, str] | None = None,
) -> Judgement:
    """Judge the canary against the baseline.

    `mode` overrides the configuration's; `state` (sequential) is updated in place and also
    returned in `Judgement.state`; `elapsed` (seconds since the canary started) is compared
    with the deadline; `notes` (metric -> why it has no data) are added to no-data reasons.
    """
    base, can = normalise(baseline), normalise(canary)
    for side, data in (("baseline", base), ("canary", can)):
        unknown = sorted(set(data) - {m.name for m in config.metrics})
        if unknown:
            known = ", ".join(m.name for m in config.metrics) or "none"
            raise InputError(
                f"unknown metric '{unknown[0]}' (the configuration has: {known})", place=side
            )
    if not config.metrics:
        raise InputError("the judge configuration names no metrics", place="metrics")
    notes = notes or {}
    if (mode or config.mode) == "kayenta":
        return _kayenta(base, can, config, notes)
    return _sequential(base, can, config, state if state is not None else State(), elapsed, notes)


def _annotate(results: list[MetricResult], notes: Mapping[str, str]) -> None:
    """Say which query and side had no data, in the metric's reason."""
    for metric in results:
        if metric.status == "nodata" and metric.name in notes:
            metric.reason = f"{metric.reason} ({notes[metric.name]})"


def _samples(value: Series | None) -> Samples:
    if value is None:
        return _EMPTY
    if isinstance(value, Histogram):  # Kayenta reads observations: each at its bucket's bound
        return _expand(value)
    if isinstance(value, Counts):
        if value.rates:  # per-interval rates, as Kayenta reads a counter
            return np.asarray(value.rates, dtype=np.float64)
        return np.array(
            [value.events / value.total if value.total else value.events], dtype=np.float64
        )
    return value


def _kayenta(
    base: dict[str, Series], can: dict[str, Series], config: JudgeConfig, notes: Mapping[str, str]
) -> Judgement:
    results: list[MetricResult] = []
    scored: list[Scored] = []
    for spec in config.metrics:
        control = kayenta.transform(_samples(base.get(spec.name)), spec)
        experiment = kayenta.transform(_samples(can.get(spec.name)), spec)
        found = kayenta.classify(control, experiment, spec)
        status = {"Pass": "pass", "High": "fail", "Low": "fail", "Error": "inconclusive"}.get(
            found.label, "nodata"
        )
        effects = []
        if len(control) and len(experiment) and found.label != "Error":
            mean_c, mean_b = float(np.mean(experiment)), float(np.mean(control))
            effects.append(
                Effect(
                    statistic="shift",
                    ratio=found.deviation,
                    difference=found.estimate if found.estimate == found.estimate else None,
                    interval=(found.lower, found.upper) if found.lower == found.lower else None,
                    interval_of="difference",
                    confidence=kayenta.CONFIDENCE,
                )
            )
            effects.append(
                Effect(statistic="mean", ratio=found.deviation, difference=mean_c - mean_b)
            )
        results.append(
            MetricResult(
                name=spec.name,
                status=status,  # type: ignore[arg-type]
                direction=spec.direction,
                kind=spec.kind,
                groups=spec.groups,
                critical=found.critical,
                muted=spec.muted,
                baseline=_stats(control),
                canary=_stats(experiment),
                effects=effects,
                p_value=found.p_value,
                reason=found.reason,
                classification=found.label,
            )
        )
        scored.append(
            Scored(spec.name, spec.groups, found.label, found.critical, spec.muted, found.reason)
        )
    _annotate(results, notes)
    summary = score(
        scored, config.group_weights, config.thresholds.pass_, config.thresholds.marginal
    )
    active = [r for r in results if not r.muted]
    verdict: Verdict
    if not active or all(r.status == "nodata" for r in active):
        verdict, reason = "nodata", "no unmuted metric had data on both sides"
    elif summary.too_much_nodata and not any(r.critical and r.status == "fail" for r in active):
        verdict, reason = "nodata", summary.reason or ""
    elif summary.classification == "Pass" and any(r.classification == "Error" for r in active):
        broken = next(r for r in active if r.classification == "Error")
        verdict, reason = "inconclusive", f"a metric could not be classified: {broken.reason}"
    else:
        verdict = {"Pass": "pass", "Marginal": "inconclusive", "Fail": "fail"}[  # type: ignore[assignment]
            summary.classification
        ]
        reason = summary.reason or (
            f"score {summary.score:g} is {summary.classification.lower()} "
            f"(pass at {config.thresholds.pass_:g}, marginal at {config.thresholds.marginal:g})"
        )
    return Judgement(
        mode="kayenta",
        verdict=verdict,
        score=summary.score,
        reason=reason,
        metrics=results,
        groups=summary.groups,
        kayenta_classification=summary.classification,
    )


def _stats(values: Samples) -> SideStats:
    if len(values) == 0:
        return SideStats(count=0)
    return SideStats(
        count=len(values), mean=float(np.mean(values)), median=float(np.median(values))
    )


def _sequential(
    base: dict[str, Series],
    can: dict[str, Series],
    config: JudgeConfig,
    state: State,
    elapsed: float | None,
    notes: Mapping[str, str],
) -> Judgement:
    active_specs = [m for m in config.metrics if not m.muted]
    alpha = config.alpha / (max(1, len(active_specs)) * config.steps)
    state.polls += 1
    results = [
        _one(spec, base.get(spec.name), can.get(spec.name), alpha, config, state)
        for spec in config.metrics
    ]
    deadline_passed = (
        config.deadline is not None and elapsed is not None and elapsed >= config.deadline
    )
    _annotate(results, notes)
    active = [r for r in results if not r.muted]
    verdict, reason = _decide(active, config, deadline_passed)
    labels = {"pass": "Pass", "fail": "High", "inconclusive": "Inconclusive", "nodata": "Nodata"}
    summary = score(
        [Scored(r.name, r.groups, labels[r.status], False, r.muted, r.reason) for r in results],
        config.group_weights,
        config.thresholds.pass_,
        config.thresholds.marginal,
    )
    return Judgement(
        mode="sequential",
        verdict=verdict,
        score=summary.score if verdict != "nodata" else 0.0,
        reason=reason,
        metrics=results,
        groups=summary.groups,
        alpha=config.alpha,
        deadline_passed=deadline_passed,
        state=state.to_dict(),
    )


def _one(
    spec: MetricSpec,
    base: Series | None,
    can: Series | None,
    alpha: float,
    config: JudgeConfig,
    state: State,
) -> MetricResult:
    memory = state.metric(spec.name)
    if spec.kind == "counts":
        empty = Counts(events=0.0, total=0.0)
        if base is None or can is None:
            return sequential.judge_counts(spec, base or empty, can or empty, alpha, config, memory)
        return sequential.judge_counts(spec, base, can, alpha, config, memory)
    return samples.judge_samples(spec, base, can, alpha, config.prior_strength, memory)


def _decide(
    active: list[MetricResult], config: JudgeConfig, deadline_passed: bool
) -> tuple[Verdict, str]:
    if not active:
        return "nodata", "every metric is muted"
    failed = sorted((r for r in active if r.status == "fail"), key=lambda r: not r.critical)
    if failed:
        return "fail", failed[0].reason
    if all(r.status == "nodata" for r in active):
        return "nodata", "no metric had data on both sides: " + active[0].reason
    if all(r.status == "pass" for r in active):
        return "pass", "every metric is within its margin of the baseline"
    waiting = [r for r in active if r.status == "inconclusive"]
    missing = [r for r in active if r.status == "nodata"]
    if not deadline_passed:
        first = (waiting or missing)[0]
        return "inconclusive", f"not decided yet: {first.reason}"
    required = [r for r in missing if _required(r.name, config)]
    if required and config.nodata == "fail":
        return "fail", f"deadline passed without data: {required[0].reason}"
    if required:
        return "nodata", f"deadline passed without data (policy: wait): {required[0].reason}"
    return "pass", "deadline passed with no regression found in any metric"


def _required(name: str, config: JudgeConfig) -> bool:
    spec = config.metric(name)
    return spec is not None and spec.must_have_data


def _expand(histogram: Histogram) -> Samples:
    bounds = np.asarray(histogram.bounds, dtype=np.float64)
    finite = bounds[np.isfinite(bounds)]
    top = float(finite[-1]) if finite.size else 0.0
    bounds = np.where(np.isfinite(bounds), bounds, top)
    per_bucket = np.diff(np.asarray(histogram.counts, dtype=np.float64), prepend=0.0)
    return np.repeat(bounds, np.round(per_bucket).astype(np.int64))
