"""`[judge]` (or a canary.toml of its own): the metrics a canary is judged on, and how.

One `MetricSpec` per metric: what kind of data it is (`samples`: observations such as
latencies or per-interval values; `counts`: events out of a total, judged as a rate), which
direction is bad, its group and weight in the score, and Kayenta's per-metric options
(`critical`, `must_have_data`, `muted`, `nan_strategy`, outlier removal, effect size). The
Prometheus queries are templates with a `{{version}}` placeholder filled with the baseline's
and the canary's label value.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from realitycheck.core.config.base import Section

Mode = Literal["sequential", "kayenta"]
Direction = Literal["increase", "decrease", "either"]


class EffectSize(Section):
    """Kayenta's effect-size gate: a significant shift fails only if the effect is this large."""

    measure: Literal["meanRatio", "cles"] = "meanRatio"
    allowed_increase: float | None = Field(
        default=None, description="Effect at or above which an increase fails (1.0, cles 0.5)."
    )
    allowed_decrease: float | None = Field(
        default=None, description="Effect at or below which a decrease fails (1.0, cles 0.5)."
    )
    critical_increase: float | None = None
    critical_decrease: float | None = None

    def default(self) -> float:
        """The neutral effect of the measure: 1.0 for meanRatio, 0.5 for cles."""
        return 0.5 if self.measure == "cles" else 1.0


class MetricSpec(Section):
    """One metric of the canary."""

    name: str = Field(min_length=1)
    kind: Literal["samples", "counts", "histogram"] = Field(
        default="samples",
        description="samples: observations (latency, per-interval values); "
        "counts: events out of a total, judged as a rate; "
        "histogram: cumulative buckets (Prometheus le), judged like samples.",
    )
    direction: Direction = Field(default="increase", description="The direction that is bad.")
    groups: list[str] = Field(default_factory=lambda: ["default"])
    critical: bool = Field(default=False, description="A failure of this metric fails the canary.")
    must_have_data: bool = Field(default=True, description="No data for this metric is a failure.")
    muted: bool = Field(default=False, description="Reported, but never counted in the verdict.")
    nan_strategy: Literal["remove", "replace"] = "remove"
    outliers: Literal["keep", "remove"] = "keep"
    outlier_factor: float = Field(default=3.0, gt=0)
    effect_size: EffectSize = Field(default_factory=EffectSize)
    # sequential mode
    quantiles: list[float] = Field(
        default_factory=lambda: [0.5, 0.9, 0.99],
        description="Quantiles whose canary/baseline ratio is followed (samples).",
    )
    allowed_increase: float = Field(
        default=1.0, gt=0, description="Ratio above which a change in the bad direction fails."
    )
    margin: float | None = Field(
        default=None,
        ge=0,
        description="Early pass once the ratio is surely below allowed_increase*(1+margin) "
        "(default 0.1 for samples, 0.5 for counts).",
    )
    # Prometheus
    query: str | None = Field(
        default=None,
        description="PromQL with {{version}}: the values (samples) or the bucket counters "
        "by le (histogram).",
    )
    events_query: str | None = Field(default=None, description="PromQL counter of the events.")
    total_query: str | None = Field(default=None, description="PromQL counter of the total.")

    @field_validator("quantiles")
    @classmethod
    def _quantiles(cls, value: list[float]) -> list[float]:
        if not value or any(not 0.0 < q < 1.0 for q in value):
            raise ValueError("quantiles must be a non-empty list of numbers between 0 and 1")
        return value

    @property
    def effective_margin(self) -> float:
        """The early-pass margin, defaulted by kind."""
        if self.margin is not None:
            return self.margin
        return 0.5 if self.kind == "counts" else 0.1


class Thresholds(Section):
    """Kayenta's score thresholds: pass at or above `pass_`, marginal at or above `marginal`."""

    pass_: float = Field(default=95.0, alias="pass", ge=0, le=100)
    marginal: float = Field(default=75.0, ge=0, le=100)

    model_config = ConfigDict(populate_by_name=True, extra="forbid", validate_assignment=True)


class PrometheusSettings(Section):
    """Where and how the metrics are read from Prometheus."""

    url: str | None = None
    step: float = Field(default=60.0, gt=0, description="query_range step, seconds.")
    timeout: float = Field(default=10.0, gt=0, description="Seconds to wait for an answer.")
    baseline: str = Field(default="baseline", description="{{version}} for the baseline.")
    canary: str = Field(default="canary", description="{{version}} for the canary.")


class JudgeConfig(Section):
    """How a canary is judged against its baseline."""

    mode: Mode = "sequential"
    metrics: list[MetricSpec] = Field(default_factory=list)
    group_weights: dict[str, float] = Field(default_factory=dict)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    alpha: float = Field(default=0.05, gt=0, lt=1, description="False alarm rate of a canary.")
    steps: int = Field(default=1, ge=1, description="Rollout steps alpha is split across.")
    traffic_split: float = Field(
        default=0.5, gt=0, lt=1, description="The canary's share of the pair's traffic."
    )
    prior_strength: float = Field(
        default=500.0, gt=0, description="Concentration of the quantile mixture prior."
    )
    count_prior_strength: float = Field(
        default=25.0, gt=0, description="Concentration of the Dirichlet prior for counts."
    )
    deadline: float | None = Field(
        default=None, gt=0, description="Seconds after which an undecided canary is settled."
    )
    nodata: Literal["wait", "fail"] = Field(
        default="wait", description="At the deadline, a metric without data waits or fails."
    )
    prometheus: PrometheusSettings = Field(default_factory=PrometheusSettings)

    @model_validator(mode="after")
    def _check(self) -> JudgeConfig:
        seen: set[str] = set()
        for spec in self.metrics:
            if spec.name in seen:
                raise ValueError(f"metric '{spec.name}' is defined twice")
            seen.add(spec.name)
        for group, weight in self.group_weights.items():
            if weight < 0:
                raise ValueError(f"weight of group '{group}' must not be negative")
        if self.thresholds.marginal > self.thresholds.pass_:
            raise ValueError("thresholds.marginal must not exceed thresholds.pass")
        return self

    def metric(self, name: str) -> MetricSpec | None:
        """The spec of a metric by name."""
        return next((m for m in self.metrics if m.name == name), None)
