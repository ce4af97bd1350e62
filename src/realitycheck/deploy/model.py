"""The rollout plan: what a risk tier means for how a change reaches production.

Other capabilities, the pipeline and the service read the plan through this module only.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from realitycheck.core.config.deploy import DeployConfig, seconds

Tier = Literal["low", "medium", "high", "critical"]


class PlanMetric(BaseModel):
    """A metric the judge watches, and how much worse the canary may be."""

    model_config = ConfigDict(extra="forbid")

    name: str
    allowed: float = Field(ge=0.0, description="Allowed relative degradation (0.1 = +10 %).")
    query: str
    max: float


class RolloutPlan(BaseModel):
    """The steps, the judge and the abort rules of one tier."""

    model_config = ConfigDict(extra="forbid")

    tier: Tier
    mirror: bool
    steps: list[int]
    pause_s: int
    interval_s: int
    alpha: float
    failure_threshold: int
    error_limit: int
    max_duration_s: int
    metrics: list[PlanMetric]
    judge_url: str
    prometheus: str

    @property
    def count(self) -> int:
        """How many times the judge is asked, at most, within the maximum duration."""
        return max(1, math.ceil(self.max_duration_s / self.interval_s))

    @property
    def horizon_s(self) -> int:
        """The fixed-horizon duration: every step held for its full pause."""
        return self.pause_s * (len(self.steps) - 1 + (1 if self.mirror else 0))

    def describe(self) -> str:
        """The plan in one line, as every report format shows it."""
        stages = (["mirror"] if self.mirror else []) + [f"{s} %" for s in self.steps]
        watched = " or ".join(f"{m.name} +{m.allowed:.0%}" for m in self.metrics)
        checks = (
            f"{self.failure_threshold} failed check{'s' if self.failure_threshold != 1 else ''}"
        )
        return (
            f"rolls out as: {', '.join(stages)}, {_duration(self.pause_s)} per step, "
            f"with the sequential judge at α = {self.alpha:g}; aborts on {watched} "
            f"({checks}) or after {_duration(self.max_duration_s)}"
        )


def _duration(value: int) -> str:
    for unit, size in (("h", 3600), ("min", 60)):
        if value >= size and value % size == 0:
            return f"{value // size} {unit}"
    return f"{value} s"


def plan_for(tier: str, config: DeployConfig) -> RolloutPlan:
    """The rollout plan of a tier under the configuration (KeyError for an unknown tier)."""
    if tier not in ("low", "medium", "high", "critical"):
        raise KeyError(tier)
    plan = config.plan(tier)
    return RolloutPlan(
        tier=tier,  # type: ignore[arg-type]
        mirror=plan.mirror,
        steps=list(plan.steps),
        pause_s=seconds(plan.pause),
        interval_s=seconds(plan.interval),
        alpha=plan.alpha,
        failure_threshold=plan.failure_threshold,
        error_limit=plan.error_limit,
        max_duration_s=seconds(plan.max_duration),
        metrics=[
            PlanMetric(
                name=name,
                allowed=allowed,
                query=config.metric(name).query,
                max=config.metric(name).max,
            )
            for name, allowed in plan.metrics.items()
        ],
        judge_url=config.judge_url.rstrip("/"),
        prometheus=config.prometheus.rstrip("/"),
    )
