"""Argo Rollouts: the canary strategy of a `Rollout` and the `AnalysisTemplate` that asks the judge.

The metric uses Argo's **web** provider. The judge service always answers 200 with the verdict in
the body; `successCondition` and `failureCondition` are both set, so a verdict that is neither
(`inconclusive`, `nodata`) is an Inconclusive measurement, never a pass. Every measurement is
allowed to be inconclusive while evidence accumulates (`inconclusiveLimit` = `count`), one
accepted verdict ends the analysis (`consecutiveSuccessLimit: 1`), and running out of `count`
without one leaves the analysis Inconclusive, which pauses the rollout.

The analysis runs in the background from the first step (it aborts the rollout as soon as the
judge fails the canary), and once more as a blocking step before the full promotion, so the
rollout never reaches 100 % on steps alone.
"""

from __future__ import annotations

import copy
from typing import Any

from realitycheck.deploy.model import RolloutPlan

API_VERSION = "argoproj.io/v1alpha1"
MIRROR_ROUTE = "realitycheck-mirror"
TOKEN_SECRET = "realitycheck-judge"


def template_name(app: str) -> str:
    """The AnalysisTemplate's name for an application."""
    return f"realitycheck-judge-{app}"


def _args(app: str) -> list[dict[str, Any]]:
    return [
        {"name": "rollout", "value": app},
        {"name": "namespace", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        {"name": "revision", "valueFrom": {"podTemplateHashValue": "Latest"}},
        {"name": "baseline", "valueFrom": {"podTemplateHashValue": "Stable"}},
    ]


def steps(plan: RolloutPlan, app: str) -> list[dict[str, Any]]:
    """The canary steps: mirror first where the tier asks, each weight held, the judge's gate."""
    pause = {"pause": {"duration": f"{plan.pause_s}s"}}
    out: list[dict[str, Any]] = []
    if plan.mirror:
        out += [
            {
                "setMirrorRoute": {
                    "name": MIRROR_ROUTE,
                    "percentage": 100,
                    "match": [{"path": {"prefix": "/"}}],
                }
            },
            pause,
            {"setMirrorRoute": {"name": MIRROR_ROUTE}},  # a route without match is removed
        ]
    for weight in plan.steps[:-1]:
        out += [{"setWeight": weight}, pause]
    out.append(
        {"analysis": {"templates": [{"templateName": template_name(app)}], "args": _args(app)}}
    )
    return out


def canary_strategy(
    plan: RolloutPlan, app: str, existing: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The `spec.strategy.canary` of the plan; routing settings of an existing canary are kept."""
    canary = {k: v for k, v in (existing or {}).items() if k not in ("steps", "analysis")}
    canary["analysis"] = {"templates": [{"templateName": template_name(app)}], "args": _args(app)}
    canary["steps"] = steps(plan, app)
    if plan.mirror:
        routing = dict(canary.get("trafficRouting") or {})
        routes = [r for r in routing.get("managedRoutes") or [] if r.get("name") != MIRROR_ROUTE]
        routing["managedRoutes"] = [*routes, {"name": MIRROR_ROUTE}]
        canary["trafficRouting"] = routing
    return canary


def analysis_template(plan: RolloutPlan, app: str) -> dict[str, Any]:
    """The AnalysisTemplate whose one metric asks the judge service."""
    return {
        "apiVersion": API_VERSION,
        "kind": "AnalysisTemplate",
        "metadata": {"name": template_name(app), "annotations": _annotations(plan)},
        "spec": {
            "args": [
                {"name": "rollout"},
                {"name": "namespace"},
                {"name": "revision"},
                {"name": "baseline"},
                {
                    "name": "token",
                    "valueFrom": {"secretKeyRef": {"name": TOKEN_SECRET, "key": "token"}},
                },
            ],
            "metrics": [
                {
                    "name": "realitycheck-judge",
                    "interval": f"{plan.interval_s}s",
                    "count": plan.count,
                    "failureLimit": plan.failure_threshold - 1,
                    "inconclusiveLimit": plan.count,
                    "consecutiveSuccessLimit": 1,
                    "consecutiveErrorLimit": plan.error_limit,
                    "successCondition": 'result == "pass"',
                    "failureCondition": 'result == "fail"',
                    "provider": {
                        "web": {
                            "method": "POST",
                            "url": f"{plan.judge_url}/argo/v1/measure",
                            "timeoutSeconds": 10,
                            "headers": [
                                {"key": "Authorization", "value": "Bearer {{args.token}}"},
                                {"key": "Content-Type", "value": "application/json"},
                            ],
                            "jsonBody": {
                                "rollout": "{{args.rollout}}",
                                "namespace": "{{args.namespace}}",
                                "revision": "{{args.revision}}",
                                "baseline": "{{args.baseline}}",
                                "tier": plan.tier,
                            },
                            "jsonPath": "{$.verdict}",
                        }
                    },
                }
            ],
        },
    }


def rollout(plan: RolloutPlan, app: str) -> dict[str, Any]:
    """A new Rollout that takes over an existing Deployment (`workloadRef`)."""
    return {
        "apiVersion": API_VERSION,
        "kind": "Rollout",
        "metadata": {"name": app, "annotations": _annotations(plan)},
        "spec": {
            "workloadRef": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": app,
                "scaleDown": "progressively",
            },
            "strategy": {"canary": canary_strategy(plan, app)},
        },
    }


def patch_rollout(plan: RolloutPlan, existing: dict[str, Any]) -> dict[str, Any]:
    """The existing Rollout with its strategy replaced by the plan's; everything else kept."""
    doc = copy.deepcopy(existing)
    app = str(doc["metadata"]["name"])
    spec = doc.setdefault("spec", {})
    old = (spec.get("strategy") or {}).get("canary")
    spec["strategy"] = {
        "canary": canary_strategy(plan, app, old if isinstance(old, dict) else None)
    }
    doc["metadata"]["annotations"] = {
        **(doc["metadata"].get("annotations") or {}),
        **_annotations(plan),
    }
    return doc


def _annotations(plan: RolloutPlan) -> dict[str, str]:
    return {"realitycheck.dev/tier": plan.tier, "realitycheck.dev/plan": plan.describe()}
