"""`[deploy]`: how evidence becomes a risk tier, and how each tier rolls out."""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from realitycheck.core.config.base import Section

DEFAULT_WEIGHTS = {
    "ai-share": 0.35,
    "change-size": 0.25,
    "missing-evidence": 0.5,
    "assumptions-violated": 0.8,
    "assumptions-undeclared": 0.3,
    "ledger-missing": 0.4,
    "replay-divergence": 0.8,
    "replay-uncovered": 0.4,
    "boundary": 0.7,
}
TIERS = ("low", "medium", "high", "critical")
_DURATION = re.compile(r"^(\d+)(s|m|h)$")
_UNIT = {"s": 1, "m": 60, "h": 3600}


def seconds(duration: str) -> int:
    """A duration such as `30s`, `5m` or `2h`, in seconds (the form Argo and Flagger accept)."""
    match = _DURATION.match(duration)
    if match is None:
        raise ValueError(f"duration {duration!r} is not a number followed by s, m or h")
    return int(match.group(1)) * _UNIT[match.group(2)]


class MetricConfig(Section):
    """A metric the plan watches: its Prometheus query (for Flagger's own guard) and its bound."""

    query: str = Field(
        description="PromQL for a Flagger MetricTemplate; may use {{ namespace }}, {{ target }}, "
        "{{ interval }}."
    )
    max: float = Field(description="Flagger's thresholdRange.max: the value that always fails.")


DEFAULT_METRICS = {
    "error-rate": MetricConfig(
        query='100 * sum(rate(http_requests_total{namespace="{{ namespace }}",'
        'app="{{ target }}",status=~"5.."}[{{ interval }}])) / '
        'sum(rate(http_requests_total{namespace="{{ namespace }}",app="{{ target }}"}'
        "[{{ interval }}]))",
        max=5.0,
    ),
    "latency-p99": MetricConfig(
        query="1000 * histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket"
        '{namespace="{{ namespace }}",app="{{ target }}"}[{{ interval }}])) by (le))',
        max=2000.0,
    ),
}


class PlanConfig(Section):
    """How one tier rolls out."""

    mirror: bool = Field(default=False, description="Mirror traffic to the canary first.")
    steps: list[int] = Field(description="Canary traffic weights in %, increasing, ending at 100.")
    pause: str = Field(default="5m", description="How long each step holds (30s, 5m, 1h).")
    interval: str = Field(default="1m", description="How often the judge is asked.")
    metrics: dict[str, float] = Field(
        default_factory=lambda: {"error-rate": 0.2, "latency-p99": 0.1},
        description="Metric name -> allowed relative degradation of the canary (0.1 = +10 %).",
    )
    alpha: float = Field(default=0.05, gt=0.0, lt=0.5, description="The judge's α.")
    failure_threshold: int = Field(
        default=1,
        ge=1,
        description="Failed checks that abort (Argo failureLimit + 1, Flagger threshold).",
    )
    error_limit: int = Field(
        default=4, ge=0, description="Consecutive judge errors tolerated (Argo)."
    )
    max_duration: str = Field(default="2h", description="The longest the rollout may take.")

    @field_validator("pause", "interval", "max_duration")
    @classmethod
    def _duration(cls, value: str) -> str:
        if seconds(value) <= 0:
            raise ValueError("a duration must be positive")
        return value

    @model_validator(mode="after")
    def _check(self) -> PlanConfig:
        steps = self.steps
        if not steps or steps[-1] != 100:
            raise ValueError("steps must end at 100")
        if any(not 0 < s <= 100 for s in steps) or steps != sorted(set(steps)):
            raise ValueError("steps must be strictly increasing weights between 1 and 100")
        for name, allowed in self.metrics.items():
            if allowed < 0:
                raise ValueError(f"allowed degradation of '{name}' must not be negative")
        if seconds(self.interval) > seconds(self.pause):
            raise ValueError("interval must not be longer than pause")
        if self.failure_threshold > seconds(self.max_duration) // seconds(self.interval):
            raise ValueError("failure_threshold is more checks than max_duration / interval allows")
        return self


def _default_plans() -> dict[str, PlanConfig]:
    return {
        "low": PlanConfig(
            steps=[25, 100], pause="5m", alpha=0.05, failure_threshold=2, max_duration="30m"
        ),
        "medium": PlanConfig(
            steps=[10, 50, 100], pause="10m", alpha=0.05, failure_threshold=2, max_duration="1h"
        ),
        "high": PlanConfig(steps=[5, 10, 25, 50, 100], pause="10m", alpha=0.02, max_duration="2h"),
        "critical": PlanConfig(
            mirror=True, steps=[1, 5, 10, 25, 50, 100], pause="15m", alpha=0.01, max_duration="4h"
        ),
    }


class DeployConfig(Section):
    """Risk scoring (weights, tier cut-offs) and the rollout plan of each tier."""

    weights: dict[str, float] = Field(
        default_factory=dict,
        description="Weight (0..1) per risk signal name; merged over the defaults.",
    )
    tiers: dict[str, float] = Field(
        default_factory=lambda: {"medium": 0.25, "high": 0.5, "critical": 0.8},
        description="The score at which the tiers medium, high and critical begin.",
    )
    plans: dict[str, PlanConfig] = Field(
        default_factory=dict,
        description="Rollout plan per tier (low, medium, high, critical); merged over the "
        "defaults.",
    )
    metrics: dict[str, MetricConfig] = Field(
        default_factory=dict, description="Metric definitions; merged over the defaults."
    )
    judge_url: str = Field(
        default="http://realitycheck-judge.realitycheck.svc:8080",
        description="Where the controllers reach `realitycheck serve`.",
    )
    prometheus: str = Field(
        default="http://prometheus.monitoring:9090",
        description="The Prometheus Flagger's MetricTemplates query.",
    )

    @model_validator(mode="after")
    def _check(self) -> DeployConfig:
        for name, weight in self.weights.items():
            if not 0.0 <= weight <= 1.0:
                raise ValueError(f"weight of '{name}' must be between 0 and 1")
        unknown = set(self.tiers) - {"medium", "high", "critical"}
        if unknown:
            raise ValueError(
                f"unknown tier {sorted(unknown)[0]!r}; tiers are medium, high, critical"
            )
        unknown = set(self.plans) - set(TIERS)
        if unknown:
            raise ValueError(
                f"unknown tier {sorted(unknown)[0]!r} in plans; tiers are {', '.join(TIERS)}"
            )
        known = set(DEFAULT_METRICS) | set(self.metrics)
        for tier, plan in self.plans.items():
            for name in plan.metrics:
                if name not in known:
                    raise ValueError(
                        f"plan '{tier}' watches metric '{name}', which [deploy.metrics] "
                        "does not define"
                    )
        return self

    def weight(self, signal: str) -> float:
        """The weight of a signal, configured or default (0.5 for signals nobody weighed)."""
        return self.weights.get(signal, DEFAULT_WEIGHTS.get(signal, 0.5))

    def plan(self, tier: str) -> PlanConfig:
        """The plan of a tier, configured or default."""
        return self.plans.get(tier) or _default_plans()[tier]

    def metric(self, name: str) -> MetricConfig:
        """A metric's definition, configured or default."""
        return self.metrics.get(name) or DEFAULT_METRICS[name]
