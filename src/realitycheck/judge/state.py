"""What the sequential judge carries from one poll to the next, as JSON.

The evidence of a sequential test is a function of the cumulative data, so the state is small:
per metric the running intersection of its confidence sequences (each a valid confidence
sequence on its own, so their intersection is one too), a failure once decided (a fail is never
taken back), and the counters of the last poll (a counter that goes back is reported). The
service that polls the judge keeps it keyed by rollout and revision.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from realitycheck.core.errors import InputError

# Schema versions of the state: 1 — first version.
STATE_VERSION = 1

Bounds = tuple[float, float]


class MetricState(BaseModel):
    """One metric's carried evidence."""

    failed: str | None = Field(default=None, description="The reason, once the metric failed.")
    bounds: dict[str, Bounds] = Field(
        default_factory=dict, description="'<side>:<statistic>' -> running intersection."
    )
    events: tuple[float, float] | None = None
    totals: tuple[float | None, float | None] | None = None


class State(BaseModel):
    """The sequential judge's state for one canary (one rollout step of one revision)."""

    schema_version: int = STATE_VERSION
    polls: int = 0
    metrics: dict[str, MetricState] = Field(default_factory=dict)

    def metric(self, name: str) -> MetricState:
        """The state of a metric, created on first use."""
        return self.metrics.setdefault(name, MetricState())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; infinite bounds are written as null."""
        data = self.model_dump(mode="python")
        for metric in data["metrics"].values():
            metric["bounds"] = {
                key: [_out(lo), _out(hi)] for key, (lo, hi) in metric["bounds"].items()
            }
        return data

    def to_json(self) -> str:
        """The state as a JSON document."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "state") -> State:
        """Read a state written by `to_dict`; a wrong one is an InputError naming the place."""
        if not isinstance(data, dict):
            raise InputError("the judge state must be a JSON object", place=source)
        version = data.get("schema_version")
        if version != STATE_VERSION:
            raise InputError(
                f"judge state schema_version {version!r} is not {STATE_VERSION}", place=source
            )
        data = copy.deepcopy(data)  # the caller's dict stays as it was
        metrics = data.get("metrics", {})
        if isinstance(metrics, dict):
            for metric in metrics.values():
                if isinstance(metric, dict) and isinstance(metric.get("bounds"), dict):
                    metric["bounds"] = {
                        key: (_in(value[0], -math.inf), _in(value[1], math.inf))
                        for key, value in metric["bounds"].items()
                        if isinstance(value, (list, tuple)) and len(value) == 2
                    }
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise InputError(f"judge state: {where}: {err['msg']}", place=source) from None

    @classmethod
    def from_json(cls, text: str, *, source: str = "state") -> State:
        """Parse a state document."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"judge state is not JSON: {exc.msg}", place=source) from None
        return cls.from_dict(data, source=source)


def _out(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _in(value: Any, default: float) -> float:
    return default if value is None else float(value)


def intersect(state: MetricState, key: str, bounds: Bounds) -> Bounds:
    """Intersect new bounds with the carried ones and remember the result."""
    old = state.bounds.get(key)
    lo, hi = bounds
    if old is not None:
        lo, hi = max(lo, old[0]), min(hi, old[1])
        if lo > hi:  # the sequence contradicts itself: keep the newest rather than nothing
            lo, hi = bounds
    state.bounds[key] = (lo, hi)
    return lo, hi
