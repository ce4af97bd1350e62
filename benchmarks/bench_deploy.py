"""Time to abort a regressed canary, as a ratio to its plan's fixed-horizon duration.

Real parts, as in tests/deploy/test_e2e.py: a baseline and a canary service on loopback (the
canary with +200 % latency and 15 % errors), Prometheus from Debian's package scraping both,
`realitycheck serve` reading it through the sequential judge, and Argo Rollouts' analysis loop
and Flagger's scheduler run over the manifests `deploy plan` wrote. The reference is the plan's
fixed horizon: every step held for its full pause, as a fixed-horizon judge would have to wait
before deciding. A ratio below 1 means the sequential judge stopped the rollout sooner.

The plan: 25 % → 50 % → 100 %, checked every second, 30 s per step (5 s in --quick). The load is
about 50 requests per second, so the canary sees about 12 per second at its first step: the time
to abort is bound by how fast evidence arrives, and the ratio shrinks as the pauses grow.
"""

from __future__ import annotations

import contextlib
import statistics
import tempfile
from pathlib import Path

from tests.deploy.stack import prometheus_binary
from tests.deploy.test_e2e import REGRESSED, deploy_config
from tests.deploy.test_e2e import run as run_canary

from benchmarks.common import Figure
from realitycheck.deploy.model import plan_for

RUNS = {"full": 3, "quick": 1}
PAUSE = {"full": "30s", "quick": "5s"}


def run_bench(scale: str) -> list[Figure]:
    """One figure per controller: the median time to abort over the runs."""
    plan = plan_for("high", deploy_config(pause=PAUSE[scale]))
    figures = []
    for controller in ("argo", "flagger"):
        times: list[float] = []
        outcomes: list[str] = []
        for _ in range(RUNS[scale]):
            with tempfile.TemporaryDirectory(prefix="bench-deploy-") as tmp:
                result = run_canary(controller, "high", Path(tmp), REGRESSED, pause=PAUSE[scale])
            outcomes.append(result.outcome)
            times.append(result.after_s)
        aborted = all(o in ("aborted", "rolled back") for o in outcomes)
        median = statistics.median(times)
        figures.append(
            Figure(
                name=f"deploy: {controller} time to abort / fixed horizon",
                ratio=median / plan.horizon_s,
                goal="< 1",
                met=aborted and median < plan.horizon_s,
                detail=f"median of {len(times)}: {median:.1f} s vs {plan.horizon_s} s horizon "
                f"({len(plan.steps) - 1} steps x {plan.pause_s} s); outcomes {outcomes}",
                extra={"times_s": times, "horizon_s": plan.horizon_s, "outcomes": outcomes},
            )
        )
    return figures


def run(scale: str) -> list[Figure]:
    """The benchmark entry point."""
    if prometheus_binary() is None:
        return [Figure("deploy: skipped (prometheus not installed)", 0.0, "< 1", None)]
    with contextlib.suppress(KeyboardInterrupt):
        return run_bench(scale)
    return []
