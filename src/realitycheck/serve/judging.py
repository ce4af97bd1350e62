"""The real judge behind the service: both sides read from Prometheus since the analysis began.

Every poll reads the whole window from the analysis' start to now (cumulative data, as the
sequential tests expect), judges it with the state the last poll left, and returns the new state.
The plan of the tier sets α, the deadline (the plan's maximum duration) and each watched metric's
allowed degradation. One analysis spans the whole rollout of a revision, so α is not split
across steps: the judge's confidence sequences hold at any stopping time.

Which series are the baseline and the canary: the `{{version}}` of the judge's queries becomes,
for Argo Rollouts, the stable and the canary pod-template hash (`rollouts-pod-template-hash`);
for Flagger, `<name>-primary` and `<name>` (its two deployments).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from realitycheck.core.config.judge import JudgeConfig
from realitycheck.core.errors import RealityCheckError
from realitycheck.judge import State, judge_prometheus
from realitycheck.serve.model import JudgeError, JudgeFn, Outcome, Subject

BUDGET_S = 6.0  # Argo's web provider waits 10 s by default; leave room for the rest


def versions(subject: Subject, config: JudgeConfig) -> tuple[str, str]:
    """The `{{version}}` of the baseline and of the canary."""
    if subject.controller == "flagger":
        return f"{subject.name}-primary", subject.name
    return subject.baseline or config.prometheus.baseline, subject.revision


def configure(subject: Subject, config: JudgeConfig) -> JudgeConfig:
    """The judge's configuration under the subject's plan."""
    plan = subject.plan
    allowed = {m.name: m.allowed for m in plan.metrics}
    metrics = [
        m.model_copy(update={"allowed_increase": 1.0 + allowed[m.name]}) if m.name in allowed else m
        for m in config.metrics
    ]
    baseline, canary = versions(subject, config)
    queries = sum(2 if m.kind == "counts" else 1 for m in config.metrics) * 2
    timeout = max(0.5, min(config.prometheus.timeout, BUDGET_S / max(1, queries)))
    prometheus = config.prometheus.model_copy(
        update={"baseline": baseline, "canary": canary, "timeout": timeout}
    )
    return config.model_copy(
        update={
            "mode": "sequential",
            "alpha": plan.alpha,
            "steps": 1,
            "deadline": float(plan.max_duration_s),
            "metrics": metrics,
            "prometheus": prometheus,
        }
    )


def prometheus_judge(config: JudgeConfig, url: str | None = None) -> JudgeFn:
    """The judge function of the service, reading the Prometheus at `url` (or the config's)."""
    where = url or config.prometheus.url
    if not where:
        raise RealityCheckError(
            "the service needs a Prometheus to read", place="[judge.prometheus] url",
            hint="or pass --prometheus URL",
        )  # fmt: skip
    if not config.metrics:
        raise RealityCheckError("the judge configuration names no metrics", place="[judge]")
    client = httpx.Client()

    def run(
        subject: Subject, started: datetime, now: datetime, state: dict[str, Any] | None
    ) -> Outcome:
        settings = configure(subject, config)
        client.timeout = httpx.Timeout(settings.prometheus.timeout)
        try:
            carried = State.from_dict(state, source=subject.key) if state else State()
            judgement = judge_prometheus(
                where, settings, start=started, end=now, state=carried, client=client
            )
        except RealityCheckError as exc:
            raise JudgeError(str(exc)) from exc
        return Outcome(
            verdict=judgement.verdict,
            reason=judgement.reason,
            state=judgement.state,
            judgement=judgement.to_dict(),
        )

    return run
