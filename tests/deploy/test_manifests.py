"""`deploy plan` manifests: valid against the controllers' published CRDs, and as the plan says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from realitycheck.core.config.deploy import TIERS, DeployConfig
from realitycheck.core.errors import InputError
from realitycheck.deploy import argo, flagger
from realitycheck.deploy.manifests import render
from realitycheck.deploy.model import plan_for

from .crd import argo_validate_metric, validate


def _docs(files: dict[str, str]) -> list[dict[str, Any]]:
    return [d for text in files.values() for d in yaml.safe_load_all(text) if d]


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("controller", ["argo", "flagger"])
def test_every_tier_validates_against_the_crds(controller: str, tier: str) -> None:
    docs = _docs(render(controller, plan_for(tier, DeployConfig()), app="shop"))  # type: ignore[arg-type]
    assert {d["kind"] for d in docs} == (
        {"Rollout", "AnalysisTemplate"} if controller == "argo" else {"Canary", "MetricTemplate"}
    )
    for doc in docs:
        validate(doc)


def test_the_strict_schema_catches_a_misspelt_field() -> None:
    doc = argo.rollout(plan_for("low", DeployConfig()), "shop")
    doc["spec"]["strategy"]["canary"]["steps"][0] = {"setWeigth": 25}
    with pytest.raises(jsonschema.ValidationError):
        validate(doc)


def test_argo_steps_follow_the_plan() -> None:
    plan = plan_for("critical", DeployConfig())
    steps = argo.steps(plan, "shop")
    assert steps[0]["setMirrorRoute"]["percentage"] == 100
    assert steps[2] == {"setMirrorRoute": {"name": argo.MIRROR_ROUTE}}
    assert [s["setWeight"] for s in steps if "setWeight" in s] == [1, 5, 10, 25, 50]
    assert all(s == {"pause": {"duration": "900s"}} for s in steps[4:-1:2])
    assert "analysis" in steps[-1]  # the judge gates the full promotion
    low = argo.steps(plan_for("low", DeployConfig()), "shop")
    assert [next(iter(s)) for s in low] == ["setWeight", "pause", "analysis"]


@pytest.mark.parametrize("tier", TIERS)
def test_argo_would_accept_the_metric(tier: str) -> None:
    plan = plan_for(tier, DeployConfig())
    argo_validate_metric(argo.analysis_template(plan, "shop")["spec"]["metrics"][0])


def test_argo_metric_has_both_conditions_and_the_limits() -> None:
    plan = plan_for("high", DeployConfig())
    metric = argo.analysis_template(plan, "shop")["spec"]["metrics"][0]
    assert metric["successCondition"] == 'result == "pass"'
    assert metric["failureCondition"] == 'result == "fail"'
    assert metric["count"] == plan.count == 120
    assert metric["inconclusiveLimit"] == plan.count
    assert metric["failureLimit"] == plan.failure_threshold - 1
    assert metric["consecutiveErrorLimit"] == 4
    web = metric["provider"]["web"]
    assert web["jsonPath"] == "{$.verdict}"
    assert web["url"].endswith("/argo/v1/measure")
    assert web["jsonBody"]["revision"] == "{{args.revision}}"


def test_flagger_weights_threshold_and_hooks() -> None:
    canary = flagger.canary(plan_for("critical", DeployConfig()), "shop")
    analysis = canary["spec"]["analysis"]
    assert analysis["stepWeights"] == [1, 5, 10, 25, 50]
    assert (analysis["maxWeight"], analysis["threshold"], analysis["mirror"]) == (50, 1, True)
    assert {h["type"] for h in analysis["webhooks"]} == {
        "rollout",
        "rollback",
        "confirm-promotion",
        "confirm-traffic-increase",
    }
    assert analysis["interval"] == "60s"  # checks every interval; the hook holds each step
    even = DeployConfig(plans={"medium": {"steps": [20, 40, 60, 100], "pause": "5m"}})
    analysis = flagger.analysis(plan_for("medium", even))
    assert (analysis["stepWeight"], analysis["maxWeight"]) == (20, 60)
    assert "stepWeights" not in analysis


ROLLOUT = """\
apiVersion: v1
kind: Service
metadata: {name: shop}
spec: {ports: [{port: 80}]}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: shop
  labels: {team: payments}
spec:
  replicas: 5
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec: {containers: [{name: shop, image: "shop:2"}]}
  strategy:
    canary:
      canaryService: shop-canary
      stableService: shop-stable
      trafficRouting:
        istio: {virtualService: {name: shop, routes: [primary]}}
      steps: [{setWeight: 50}, {pause: {}}]
"""


def test_an_existing_rollout_keeps_everything_but_its_steps(tmp_path: Path) -> None:
    path = tmp_path / "rollout.yaml"
    path.write_text(ROLLOUT)
    files = render("argo", plan_for("critical", DeployConfig()), existing=path)
    docs = _docs(files)
    service, rollout, template = docs
    assert service["kind"] == "Service"
    assert rollout["metadata"]["labels"] == {"team": "payments"}
    assert rollout["spec"]["replicas"] == 5
    assert rollout["spec"]["template"]["spec"]["containers"][0]["image"] == "shop:2"
    canary = rollout["spec"]["strategy"]["canary"]
    assert canary["canaryService"] == "shop-canary"
    assert canary["trafficRouting"]["istio"]["virtualService"]["name"] == "shop"
    assert canary["trafficRouting"]["managedRoutes"] == [{"name": argo.MIRROR_ROUTE}]
    assert {"pause": {}} not in canary["steps"]  # the old open-ended pause is gone
    assert canary["steps"] == argo.steps(plan_for("critical", DeployConfig()), "shop")
    assert template["metadata"]["name"] == "realitycheck-judge-shop"
    validate(rollout)
    validate(template)


def test_an_existing_canary_keeps_its_target_and_service(tmp_path: Path) -> None:
    path = tmp_path / "canary.yaml"
    path.write_text(
        "apiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata: {name: shop}\n"
        "spec:\n  provider: istio\n"
        "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: shop}\n"
        "  service: {port: 8080, gateways: [public]}\n"
        "  analysis: {interval: 1m, threshold: 10, stepWeight: 50}\n"
    )
    (canary, *templates) = _docs(render("flagger", plan_for("low", DeployConfig()), existing=path))
    assert canary["spec"]["provider"] == "istio"
    assert canary["spec"]["service"] == {"port": 8080, "gateways": ["public"]}
    assert canary["spec"]["analysis"]["threshold"] == 2
    validate(canary)
    assert len(templates) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: Rollout\nmetadata: {name: x}\nspec: [", "not a YAML manifest"),
        ("kind: Deployment\nmetadata: {name: x}\n", "expected exactly one Rollout"),
        ("kind: Rollout\nmetadata: {}\n", "has no metadata.name"),
        ("kind: Rollout\nmetadata: {name: x}\nspec: 3\n", "spec is not a mapping"),
    ],
)
def test_a_malformed_manifest_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as info:
        render("argo", plan_for("low", DeployConfig()), existing=path)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)
