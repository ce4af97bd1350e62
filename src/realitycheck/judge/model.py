"""What the judge says: a verdict, a score, and per metric and group the evidence behind it.

The explanation reads metric → group → summary: each `MetricResult` carries its effect, its
interval, its p-value or e-value and one sentence of reason; each `GroupResult` its score; the
`Judgement` the verdict and the sentence that decided it.
"""

from __future__ import annotations

import json
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

# Schema versions of the judgement's JSON: 1 — first version.
SCHEMA_VERSION = 1

Verdict = Literal["pass", "fail", "inconclusive", "nodata"]
MetricStatus = Literal["pass", "fail", "inconclusive", "nodata"]

# Exit codes of `realitycheck judge`: inconclusive and nodata never exit 0.
EXIT_CODES: dict[str, int] = {"pass": 0, "fail": 1, "inconclusive": 3, "nodata": 4}


def _finite(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return value


class Effect(BaseModel):
    """The canary's change against the baseline: ratio and difference, with an interval."""

    model_config = ConfigDict(frozen=True)

    statistic: str = Field(description="What is compared, e.g. 'mean', 'p99', 'rate', 'shift'.")
    ratio: float | None = Field(default=None, description="canary / baseline")
    difference: float | None = Field(default=None, description="canary - baseline")
    interval: tuple[float | None, float | None] | None = Field(
        default=None, description="Interval of `interval_of`."
    )
    interval_of: Literal["ratio", "difference"] = "difference"
    confidence: float | None = None

    @field_serializer("ratio", "difference")
    def _nan(self, value: float | None) -> float | None:
        return _finite(value)

    @field_serializer("interval")
    def _interval(
        self, value: tuple[float | None, float | None] | None
    ) -> tuple[float | None, float | None] | None:
        if value is None:
            return None
        lo, hi = value
        return (_finite(lo), _finite(hi))


class SideStats(BaseModel):
    """How much data one side had, and where it sits."""

    model_config = ConfigDict(frozen=True)

    count: int = Field(description="observations (samples) or total (counts) that were judged")
    events: int | None = None
    mean: float | None = None
    median: float | None = None

    @field_serializer("mean", "median")
    def _nan(self, value: float | None) -> float | None:
        return _finite(value)


class MetricResult(BaseModel):
    """One metric's classification and the evidence for it."""

    name: str
    status: MetricStatus
    direction: str
    kind: str
    groups: list[str]
    critical: bool = False
    muted: bool = False
    baseline: SideStats
    canary: SideStats
    effects: list[Effect] = Field(default_factory=list)
    p_value: float | None = None
    e_value: float | None = None
    reason: str
    classification: str | None = Field(
        default=None, description="Kayenta's own label (Pass, High, Low, Nodata, NodataFailMetric)."
    )

    @field_serializer("p_value", "e_value")
    def _nan(self, value: float | None) -> float | None:
        return _finite(value)


class GroupResult(BaseModel):
    """A group's share of passing metrics and its weight in the summary score."""

    name: str
    score: float
    weight: float
    metrics: list[str]
    no_data: bool = False


class Judgement(BaseModel):
    """The judge's answer for one canary against its baseline."""

    schema_version: int = SCHEMA_VERSION
    mode: Literal["sequential", "kayenta"]
    verdict: Verdict
    score: float
    reason: str
    metrics: list[MetricResult]
    groups: list[GroupResult]
    alpha: float | None = None
    deadline_passed: bool = False
    state: dict[str, Any] | None = Field(
        default=None, description="Sequential state to pass to the next poll."
    )
    kayenta_classification: str | None = None

    @property
    def exit_code(self) -> int:
        """0 pass, 1 fail, 3 inconclusive, 4 nodata."""
        return EXIT_CODES[self.verdict]

    def metric(self, name: str) -> MetricResult:
        """The result of one metric."""
        for result in self.metrics:
            if result.name == name:
                return result
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (non-finite numbers become null)."""
        return self.model_dump(mode="json")

    def to_json(self) -> str:
        """The judgement as one JSON document with `schema_version`."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)
