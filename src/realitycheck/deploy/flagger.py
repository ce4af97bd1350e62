"""Flagger: a `Canary` whose webhooks ask the judge, and `MetricTemplate`s for Prometheus.

Flagger runs one check per `analysis.interval` (the plan's interval) and would move one step per
passed check; the `confirm-traffic-increase` hook holds each step for the plan's pause (the
service answers 2xx once the step has been held that long). The other webhooks: `rollout` (a
non-2xx answer is a failed check), `rollback` (a 2xx answer rolls back now) and
`confirm-promotion` (promotion waits until 2xx).
Flagger webhooks cannot send headers, so the bearer token travels in the payload's metadata;
the generated value is `${REALITYCHECK_SERVE_TOKEN}` for Flux's post-build substitution.
The Prometheus metrics are Flagger's own absolute guard, next to the judge.
"""

from __future__ import annotations

import copy
from typing import Any

from realitycheck.deploy.model import RolloutPlan

API_VERSION = "flagger.app/v1beta1"
TOKEN_PLACEHOLDER = "${REALITYCHECK_SERVE_TOKEN}"
HOOKS = (
    ("realitycheck-judge", "rollout", "rollout"),
    ("realitycheck-step", "confirm-traffic-increase", "confirm-traffic-increase"),
    ("realitycheck-rollback", "rollback", "rollback"),
    ("realitycheck-promotion", "confirm-promotion", "confirm-promotion"),
)


def metric_template_name(metric: str) -> str:
    """The MetricTemplate's name for a metric."""
    return f"realitycheck-{metric}"


def analysis(plan: RolloutPlan) -> dict[str, Any]:
    """The Canary's `spec.analysis`."""
    weights = plan.steps[:-1] or [plan.steps[-1]]
    out: dict[str, Any] = {
        "interval": f"{plan.interval_s}s",
        "threshold": plan.failure_threshold,
        "maxWeight": weights[-1],
    }
    first = weights[0]
    if weights == [first * (i + 1) for i in range(len(weights))]:
        out["stepWeight"] = first
    else:
        out["stepWeights"] = weights
    if plan.mirror:
        out["mirror"] = True
        out["mirrorWeight"] = 100
    out["metrics"] = [
        {
            "name": m.name,
            "templateRef": {"name": metric_template_name(m.name)},
            "thresholdRange": {"max": m.max},
            "interval": f"{max(plan.interval_s, 60)}s",
        }
        for m in plan.metrics
    ]
    metadata = {"tier": plan.tier, "token": TOKEN_PLACEHOLDER}
    out["webhooks"] = [
        {
            "name": name,
            "type": kind,
            "url": f"{plan.judge_url}/flagger/{path}",
            "timeout": "10s",
            "metadata": dict(metadata),
        }
        for name, kind, path in HOOKS
    ]
    return out


def canary(plan: RolloutPlan, app: str, port: int = 80) -> dict[str, Any]:
    """A new Canary for a Deployment."""
    return {
        "apiVersion": API_VERSION,
        "kind": "Canary",
        "metadata": {"name": app, "annotations": _annotations(plan)},
        "spec": {
            "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app},
            "service": {"port": port},
            "analysis": analysis(plan),
        },
    }


def patch_canary(plan: RolloutPlan, existing: dict[str, Any]) -> dict[str, Any]:
    """The existing Canary with its analysis replaced by the plan's; everything else kept."""
    doc: dict[str, Any] = copy.deepcopy(existing)
    doc.setdefault("spec", {})["analysis"] = analysis(plan)
    meta = doc["metadata"]
    meta["annotations"] = {**(meta.get("annotations") or {}), **_annotations(plan)}
    return doc


def metric_templates(plan: RolloutPlan) -> list[dict[str, Any]]:
    """One Prometheus MetricTemplate per metric of the plan."""
    return [
        {
            "apiVersion": API_VERSION,
            "kind": "MetricTemplate",
            "metadata": {"name": metric_template_name(m.name)},
            "spec": {
                "provider": {"type": "prometheus", "address": plan.prometheus},
                "query": m.query,
            },
        }
        for m in plan.metrics
    ]


def _annotations(plan: RolloutPlan) -> dict[str, str]:
    return {"realitycheck.dev/tier": plan.tier, "realitycheck.dev/plan": plan.describe()}
