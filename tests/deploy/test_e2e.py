"""End to end: Prometheus scraping a baseline and a canary, the judge service, and a controller.

The manifests come from `deploy plan`; the drivers in controllers.py run them as Argo Rollouts
and Flagger do, calling the real service, which reads the real Prometheus through the judge.
A canary with an injected regression is aborted, an A/A canary is promoted, and a canary that
gets no traffic is never promoted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from realitycheck.core.config.deploy import DeployConfig
from realitycheck.judge import JudgeConfig, MetricSpec, PrometheusSettings
from realitycheck.serve import Settings, create_app
from realitycheck.serve.judging import prometheus_judge

from .controllers import Result, argo_rollout, flagger_canary
from .live import running
from .stack import Behaviour, canary_pair, prometheus_binary

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        prometheus_binary() is None,
        reason="prometheus is not installed (scripts/services.sh installs Debian's package)",
    ),
]

TOKEN = "e2e-token"
LATENCY = (
    'sum(rate(http_request_duration_seconds_sum{version="{{version}}"}[3s])) / '
    'sum(rate(http_request_duration_seconds_count{version="{{version}}"}[3s]))'
)
HEALTHY = Behaviour(latency=0.004, error_rate=0.01)
REGRESSED = Behaviour(latency=0.012, error_rate=0.15)


def deploy_config(judge_url: str = "http://127.0.0.1", pause: str = "4s") -> DeployConfig:
    return DeployConfig.model_validate(
        {
            "judge_url": judge_url,
            "metrics": {"latency": {"query": LATENCY, "max": 1.0}},
            "plans": {
                "high": {
                    "steps": [25, 50, 100], "pause": pause, "interval": "1s",
                    "max_duration": "30s", "alpha": 0.05,
                    "metrics": {"error-rate": 0.2, "latency": 0.1},
                },
                "low": {
                    "steps": [50, 100], "pause": "3s", "interval": "1s",
                    "max_duration": "10s", "metrics": {"error-rate": 0.2, "latency": 0.1},
                },
            },
        }
    )  # fmt: skip


def judge_config(prometheus: str) -> JudgeConfig:
    return JudgeConfig(
        metrics=[
            MetricSpec(
                name="error-rate",
                kind="counts",
                events_query='sum(http_requests_total{version="{{version}}",status="500"})',
                total_query='sum(http_requests_total{version="{{version}}"})',
            ),
            MetricSpec(name="latency", kind="samples", query=LATENCY),
        ],
        prometheus=PrometheusSettings(url=prometheus, step=1.0, timeout=3.0),
    )


@contextlib.contextmanager
def judge_service(tmp_path: Path, prometheus: str, pause: str) -> Iterator[str]:
    settings = Settings(state_path=tmp_path / "serve.sqlite", token=TOKEN)
    judge = prometheus_judge(judge_config(prometheus))
    app = create_app(settings, judge, deploy_config(pause=pause))
    with running(app) as url:
        yield url


def manifests(controller: str, tier: str, judge_url: str, pause: str) -> list[dict[str, Any]]:
    from realitycheck.deploy.manifests import render
    from realitycheck.deploy.model import plan_for

    files = render(controller, plan_for(tier, deploy_config(judge_url, pause)), app="shop")  # type: ignore[arg-type]
    return [d for text in files.values() for d in yaml.safe_load_all(text) if d]


def run(
    controller: str,
    tier: str,
    tmp_path: Path,
    canary: Behaviour,
    starve: bool = False,
    pause: str = "4s",
) -> Result:
    """One canary rollout under a controller, from the manifests to its outcome."""
    versions = ("stable5c8d", "canary6d4f") if controller == "argo" else ("shop-primary", "shop")
    with canary_pair(tmp_path / "prom", versions, HEALTHY, canary) as (prom, load):
        if starve:
            load.urls = (load.urls[0], load.urls[0])  # every request goes to the baseline
        with judge_service(tmp_path, prom, pause) as url:
            docs = manifests(controller, tier, url, pause)
            if controller == "argo":
                rollout, template = docs
                args = {"rollout": "shop", "namespace": "prod", "revision": versions[1],
                        "baseline": versions[0], "token": TOKEN}  # fmt: skip
                return argo_rollout(rollout, template, args, load)
            canary_doc = docs[0]
            for hook in canary_doc["spec"]["analysis"]["webhooks"]:
                hook["metadata"]["token"] = TOKEN  # what Flux's substitution would do
            return flagger_canary(canary_doc, load, checksum="7f9c6d")


@pytest.mark.parametrize("controller", ["argo", "flagger"])
def test_a_regression_is_aborted(controller: str, tmp_path: Path) -> None:
    result = run(controller, "high", tmp_path, REGRESSED)
    assert result.outcome in ("aborted", "rolled back"), result
    if controller == "argo":
        assert "Failed" in result.detail, result  # the judge failed it; not an Error


@pytest.mark.parametrize("controller", ["argo", "flagger"])
def test_an_a_a_canary_is_promoted(controller: str, tmp_path: Path) -> None:
    result = run(controller, "high", tmp_path, HEALTHY)
    assert result.outcome == "promoted", result


@pytest.mark.parametrize("controller", ["argo", "flagger"])
def test_a_canary_without_traffic_is_never_promoted(controller: str, tmp_path: Path) -> None:
    result = run(controller, "low", tmp_path, HEALTHY, starve=True)
    assert result.outcome != "promoted", result
    if controller == "argo":
        assert result.outcome == "held", result  # Inconclusive: the rollout pauses
    else:  # held at its first step, then rolled back when the plan's time is over
        assert result.outcome == "rolled back", result
        assert result.detail == "rollback hook at weight 50", result
