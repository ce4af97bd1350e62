"""Kayenta's NetflixACAJudge, metric by metric: transforms, effect sizes and the classifier.

Ported from kayenta-judge (`NetflixACAJudge.scala`, `MannWhitneyClassifier.scala`,
`IQRDetector.scala`, `Transforms.scala`, `EffectSizes.scala`): NaNs removed or replaced by 0,
outliers removed with the IQR fences widened to the 1st/99th percentiles (Kayenta's reduced
sensitivity), the Mann-Whitney interval at confidence 0.98 compared with bounds of ±25 % of the
Hodges-Lehmann estimate, then the effect size (`meanRatio` or `cles`) against the allowed and
critical thresholds. One deliberate difference: a metric without data is never a pass, whatever
its NaN strategy (Kayenta passes it when the strategy is `replace`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr
from scipy.stats import rankdata

from realitycheck.core.config.judge import MetricSpec
from realitycheck.judge.mannwhitney import Array, mann_whitney_ci, wilcoxon_diff

TOLERANCE = 0.25
CONFIDENCE = 0.98
_NOISE_SCALE = 1e-5


@dataclass(frozen=True)
class Classification:
    """Kayenta's label for a metric (Pass, High, Low, Nodata, NodataFailMetric) and why."""

    label: str
    reason: str
    deviation: float
    critical: bool
    effect_size: float = math.nan
    lower: float = math.nan
    upper: float = math.nan
    estimate: float = math.nan
    p_value: float | None = None


def handle_nans(values: Array, strategy: str) -> Array:
    """Kayenta's NaN strategy: remove them, or replace them with 0."""
    nan = np.isnan(values)
    if strategy == "remove":
        return values[~nan]
    return np.where(nan, 0.0, values)


def iqr_outliers(values: Array, factor: float, reduce: bool = True) -> NDArray[np.bool_]:
    """True where IQRDetector(factor, reduceSensitivity=reduce) calls a value an outlier."""
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    p01, p25, p75, p99 = np.percentile(values, [1, 25, 75, 99])  # R-7, as Kayenta
    iqr = p75 - p25
    lower, upper = p25 - factor * iqr, p75 + factor * iqr
    if reduce:  # Kayenta's judge widens the fences to the 1st and 99th percentiles
        lower, upper = min(p01, lower), max(p99, upper)
    return np.asarray((values > upper) | (values < lower))


def transform(values: Array, spec: MetricSpec) -> Array:
    """NaN handling, then outlier removal when the spec asks for it."""
    values = handle_nans(values, spec.nan_strategy)
    if spec.outliers == "remove":
        keep = np.logical_not(iqr_outliers(values, spec.outlier_factor))
        values = values[keep]
    return values


def mean_ratio(control: Array, experiment: Array) -> float:
    """Mean of the experiment over mean of the control; NaN when either mean is 0."""
    c, e = float(np.mean(control)), float(np.mean(experiment))
    return math.nan if c == 0.0 or e == 0.0 else e / c


def cles(control: Array, experiment: Array) -> float:
    """Common-language effect size: the share of pairs where the experiment is higher."""
    m, n = len(experiment), len(control)
    ranks = rankdata(np.concatenate((experiment, control)), method="average")
    r1 = float(ranks[:m].sum())
    return (2 * r1 - m * (m + 1)) / (2 * n * m)


def _noise(values: Array, rng: np.random.Generator) -> Array:
    scale = abs(float(values[0])) * _NOISE_SCALE
    return values + rng.normal(0.0, scale, len(values))


def classify(
    control: Array,
    experiment: Array,
    spec: MetricSpec,
    *,
    tolerance: float = TOLERANCE,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> Classification:
    """MannWhitneyClassifier.classify on already transformed values (the judge's 0.25, 0.98)."""
    name = spec.name
    critical, required = spec.critical, spec.must_have_data
    if len(experiment) == 0 or len(control) == 0:
        side = "canary" if len(experiment) == 0 else "baseline"
        reason = f"Missing data for {name} ({side} has no values)"
        if required and not critical:
            return Classification("NodataFailMetric", reason, 1.0, critical=False)
        return Classification("Nodata", reason, 1.0, critical=critical)
    if np.array_equal(np.sort(experiment), np.sort(control)):
        return Classification("Pass", "The canary and baseline data are identical", 1.0, False)
    if len(np.unique(np.concatenate((experiment, control)))) == 1:
        return Classification("Pass", "All values are the same", 1.0, False)

    measure = spec.effect_size.measure
    neutral = spec.effect_size.default()
    allowed_inc = _or(spec.effect_size.allowed_increase, neutral)
    allowed_dec = _or(spec.effect_size.allowed_decrease, neutral)
    critical_inc = _or(spec.effect_size.critical_increase, neutral)
    critical_dec = _or(spec.effect_size.critical_decrease, neutral)

    exp_v, ctl_v = experiment, control
    if len(np.unique(experiment)) == 1 and len(np.unique(control)) == 1:
        rng = np.random.default_rng(seed)
        exp_v, ctl_v = _noise(experiment, rng), _noise(control, rng)
    try:
        shift = mann_whitney_ci(exp_v, ctl_v, confidence)
    except ValueError as exc:  # NetflixACAJudge: "Metric Classification Failed"
        return Classification("Error", f"{name}: metric classification failed: {exc}", 1.0, False)
    # R's wilcox.test p-value (normal approximation, continuity and tie corrections)
    p_value = float(2 * ndtr(-abs(wilcoxon_diff(0.0, 0.0, exp_v, ctl_v))))
    deviation = mean_ratio(ctl_v, exp_v)
    effect = cles(ctl_v, exp_v) if measure == "cles" else deviation
    bound = tolerance * abs(shift.estimate)
    direction = spec.direction
    high = (
        direction in ("increase", "either")
        and shift.lower > bound
        and (math.isnan(effect) or effect >= allowed_inc)
    )
    low = (
        direction in ("decrease", "either")
        and shift.upper < -bound
        and (math.isnan(effect) or effect <= allowed_dec)
    )
    label = "High" if high else "Low" if low else "Pass"
    crit_fail = critical and (
        (label == "High" and (math.isnan(effect) or effect >= critical_inc))
        or (label == "Low" and (math.isnan(effect) or effect <= critical_dec))
    )
    if label == "Pass":
        reason = (
            f"{name}: no significant shift ({confidence:.0%} interval of canary - baseline "
            f"{shift.lower:.4g} .. {shift.upper:.4g}, estimate {shift.estimate:.4g})"
        )
    else:
        interval = f"{shift.lower:.4g} .. {shift.upper:.4g}"
        reason = (
            f"{name} was classified as {label}{' (Critical)' if crit_fail else ''}: "
            f"{confidence:.0%} interval of canary - baseline {interval} lies beyond "
            f"±{tolerance:.0%} of the estimate {shift.estimate:.4g}, {measure} {effect:.4g}"
        )
    return Classification(
        label,
        reason,
        deviation,
        critical=crit_fail,
        effect_size=effect,
        lower=shift.lower,
        upper=shift.upper,
        estimate=shift.estimate,
        p_value=p_value,
    )


def _or(value: float | None, default: float) -> float:
    return default if value is None else value
