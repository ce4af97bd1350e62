"""The tier → plan mapping, its configuration, and the steps it becomes (any valid plan)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realitycheck.core.config import load_config
from realitycheck.core.config.deploy import DeployConfig
from realitycheck.core.errors import ConfigError
from realitycheck.deploy import argo, flagger
from realitycheck.deploy.model import plan_for

from .crd import argo_validate_metric, validate


def test_the_critical_line() -> None:
    assert plan_for("critical", DeployConfig()).describe() == (
        "rolls out as: mirror, 1 %, 5 %, 10 %, 25 %, 50 %, 100 %, 15 min per step, with the "
        "sequential judge at α = 0.01; aborts on error-rate +20% or latency-p99 +10% "
        "(1 failed check) or after 4 h"
    )
    low = plan_for("low", DeployConfig())
    assert (low.steps, low.mirror, low.count, low.horizon_s) == ([25, 100], False, 30, 300)


def test_a_configured_plan_replaces_the_default(tmp_path: Path) -> None:
    path = tmp_path / "realitycheck.toml"
    path.write_text(
        "[deploy.plans.low]\nsteps = [50, 100]\npause = '2m'\nalpha = 0.1\n"
        "metrics = { error-rate = 0.5 }\n"
    )
    plan = plan_for("low", load_config(path).deploy)
    assert (plan.steps, plan.pause_s, plan.alpha) == ([50, 100], 120, 0.1)
    assert [m.name for m in plan.metrics] == ["error-rate"]
    assert plan_for("high", load_config(path).deploy).steps == [5, 10, 25, 50, 100]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[deploy.plans.extreme]\nsteps = [100]\n", "unknown tier 'extreme' in plans"),
        ("[deploy.plans.low]\nsteps = [25, 50]\n", "steps must end at 100"),
        ("[deploy.plans.low]\nsteps = [50, 25, 100]\n", "strictly increasing"),
        ("[deploy.plans.low]\nsteps = [100]\npause = '5 minutes'\n", "is not a number"),
        ("[deploy.plans.low]\nsteps = [100]\npause = '10s'\ninterval = '1m'\n", "interval"),
        ("[deploy.plans.low]\nsteps = [100]\nmetrics = { cpu = 0.1 }\n", "metric 'cpu'"),
        ("[deploy.plans.low]\nsteps = [100]\nstep = 3\n", "step"),
        (
            "[deploy.plans.low]\nsteps = [100]\nmax_duration = '2m'\nfailure_threshold = 3\n",
            "failure_threshold is more checks",
        ),
    ],
)
def test_bad_plans_are_config_errors(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "realitycheck.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path)
    assert "\n" not in str(info.value)


plans = st.builds(
    lambda steps, mirror, pause, interval, threshold: {
        "steps": [*sorted(set(steps)), 100],
        "mirror": mirror,
        "pause": f"{pause}m",
        "interval": f"{interval}s",
        "failure_threshold": threshold,
        "max_duration": "1h",
    },
    st.lists(st.integers(1, 99), max_size=8),
    st.booleans(),
    st.integers(1, 60),
    st.integers(1, 60),
    st.integers(1, 5),
)


@settings(max_examples=40, deadline=None)
@given(plans)
def test_any_valid_plan_becomes_valid_manifests_with_its_steps(raw: dict[str, object]) -> None:
    plan = plan_for("medium", DeployConfig.model_validate({"plans": {"medium": raw}}))
    rollout = argo.rollout(plan, "shop")
    validate(rollout)
    template = argo.analysis_template(plan, "shop")
    validate(template)
    argo_validate_metric(template["spec"]["metrics"][0])
    steps = rollout["spec"]["strategy"]["canary"]["steps"]
    assert [s["setWeight"] for s in steps if "setWeight" in s] == plan.steps[:-1]
    assert ("setMirrorRoute" in steps[0]) is plan.mirror
    assert "analysis" in steps[-1]
    canary = flagger.canary(plan, "shop")
    validate(canary)
    analysis = canary["spec"]["analysis"]
    weights = analysis.get("stepWeights") or [
        analysis["stepWeight"] * (i + 1)
        for i in range(analysis["maxWeight"] // analysis["stepWeight"])
    ]
    assert weights == (plan.steps[:-1] or [100])
    assert analysis["threshold"] == plan.failure_threshold
