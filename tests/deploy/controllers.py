"""Argo Rollouts' analysis loop and Flagger's scheduler, as their code runs them, in small.

Argo (analysis/analysis.go, metricproviders/webmetric): a measurement is Error on a transport
error or a status outside 200-299, else the jsonPath value is checked against successCondition
and failureCondition (neither true: Inconclusive). After each measurement: failed > failureLimit
is Failed, inconclusive > inconclusiveLimit is Inconclusive, consecutive errors >
consecutiveErrorLimit is Error, consecutive successes >= consecutiveSuccessLimit is Successful,
and reaching `count` with both limits applicable is Inconclusive. A Failed or Error analysis
aborts the rollout; an Inconclusive one pauses it.

Flagger (pkg/controller/scheduler.go, webhook.go): each interval, a 2xx from the rollback hook
rolls back; failedChecks >= threshold rolls back; a rollout hook above 202 is a failed check and
the weight stays; unless mirrored or waiting for promotion, a confirm-traffic-increase hook above
202 holds the weight; otherwise the weight moves to the next step; at maxWeight the
confirm-promotion hook must answer 2xx, else the canary waits.

Both read the manifests `deploy plan` wrote, and call the service exactly as the controller would.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from .stack import Load


def seconds(duration: str) -> float:
    match = re.fullmatch(r"(\d+)(s|m|h)", duration)
    assert match, duration
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)]


def _condition(expression: str, value: Any) -> bool:
    match = re.fullmatch(r'result == "([a-z]+)"', expression)
    assert match, f'the driver evaluates only result == "...", not {expression}'
    return bool(value == match.group(1))


def _fill(value: Any, args: dict[str, str]) -> Any:
    if isinstance(value, str):
        return re.sub(r"\{\{args\.(\w+)\}\}", lambda m: args[m.group(1)], value)
    if isinstance(value, dict):
        return {k: _fill(v, args) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, args) for v in value]
    return value


@dataclass
class AnalysisRun:
    """One metric of an AnalysisRun, measured until it is complete."""

    metric: dict[str, Any]
    args: dict[str, str]
    phase: str = "Running"
    measurements: list[str] = field(default_factory=list)
    failed: int = 0
    inconclusive: int = 0
    consecutive_errors: int = 0
    consecutive_success: int = 0

    def measure(self) -> str:
        web = _fill(self.metric["provider"]["web"], self.args)
        headers = {h["key"]: h["value"] for h in web.get("headers", [])}
        try:
            response = httpx.request(
                web.get("method", "GET"), web["url"], json=web.get("jsonBody"),
                headers=headers, timeout=web.get("timeoutSeconds", 10),
            )  # fmt: skip
            if not 200 <= response.status_code < 300:
                return "Error"
            assert web["jsonPath"] == "{$.verdict}"
            value = response.json()["verdict"]
        except (httpx.HTTPError, ValueError, KeyError):
            return "Error"
        success = _condition(self.metric["successCondition"], value)
        failure = _condition(self.metric["failureCondition"], value)
        return "Failed" if failure else "Successful" if success else "Inconclusive"

    def tick(self) -> str:
        """Take one measurement and assess the metric."""
        outcome = self.measure()
        self.measurements.append(outcome)
        self.failed += outcome == "Failed"
        self.inconclusive += outcome == "Inconclusive"
        self.consecutive_errors = self.consecutive_errors + 1 if outcome == "Error" else 0
        self.consecutive_success = self.consecutive_success + 1 if outcome == "Successful" else 0
        m = self.metric
        phase = ""
        if m.get("failureLimit", 0) >= 0 and self.failed > m.get("failureLimit", 0):
            phase = "Failed"
        if self.inconclusive > m.get("inconclusiveLimit", 0):
            phase = "Inconclusive"
        if self.consecutive_errors > m.get("consecutiveErrorLimit", 4):
            phase = "Error"
        if not phase and self.consecutive_success >= m.get("consecutiveSuccessLimit", 0) > 0:
            phase = "Successful"
        if not phase and "count" in m and len(self.measurements) >= int(m["count"]):
            phase = "Inconclusive" if m.get("consecutiveSuccessLimit", 0) > 0 else "Successful"
        self.phase = phase or "Running"
        return self.phase


@dataclass
class Result:
    """How a rollout ended, and when (seconds since it began)."""

    outcome: str  # promoted | aborted | held | rolled back
    after_s: float
    detail: str = ""


def argo_rollout(rollout: dict[str, Any], template: dict[str, Any], args: dict[str, str],
                 load: Load) -> Result:  # fmt: skip
    """Walk the Rollout's canary steps with its background analysis and its gate."""
    canary = rollout["spec"]["strategy"]["canary"]
    metric = template["spec"]["metrics"][0]
    interval = seconds(metric["interval"])
    start = time.monotonic()
    background = AnalysisRun(metric, args)

    def wait(duration: float, gate: AnalysisRun | None = None) -> str | None:
        until = time.monotonic() + duration
        while gate is not None or time.monotonic() < until:
            time.sleep(interval)
            for run in (background, gate):
                if run is None or run.phase != "Running":
                    continue
                phase = run.tick()
                if phase in ("Failed", "Error"):
                    return "aborted"
                if phase == "Inconclusive":
                    return "held"
            if gate is not None and gate.phase == "Successful":
                return None
        return None

    for step in canary["steps"]:
        if "setMirrorRoute" in step:
            load.mirror = "match" in step["setMirrorRoute"]
        elif "setWeight" in step:
            load.weight = step["setWeight"]
        elif "pause" in step:
            ended = wait(seconds(step["pause"]["duration"]))
            if ended:
                return Result(ended, time.monotonic() - start, str(background.measurements))
        elif "analysis" in step:
            gate = AnalysisRun(metric, args)
            ended = wait(0, gate)
            if ended:
                detail = f"background {background.measurements}, gate {gate.measurements}"
                return Result(ended, time.monotonic() - start, detail)
    load.weight = 100
    return Result("promoted", time.monotonic() - start, str(background.measurements))


def flagger_canary(canary: dict[str, Any], load: Load, checksum: str,
                   max_iterations: int = 120) -> Result:  # fmt: skip
    """Run Flagger's scheduler over the Canary's analysis, one iteration per interval."""
    analysis = canary["spec"]["analysis"]
    hooks = {h["type"]: h for h in analysis["webhooks"]}
    interval = seconds(analysis["interval"])
    steps = analysis.get("stepWeights") or []
    max_weight = steps[-1] if steps else analysis.get("maxWeight", 100)
    start = time.monotonic()
    weight, mirrored, failed, phase = 0, False, 0, "Progressing"

    def call(kind: str) -> bool:
        hook = hooks[kind]
        payload = {
            "name": canary["metadata"]["name"],
            "namespace": "prod",
            "phase": phase,
            "checksum": checksum,
            "metadata": hook.get("metadata", {}),
        }
        try:
            response = httpx.post(hook["url"], json=payload, timeout=seconds(hook["timeout"]))
        except httpx.HTTPError:
            return False
        return response.status_code <= 202

    def next_step(current: int) -> int:
        if analysis.get("stepWeight", 0) > 0 or not steps:
            return int(analysis.get("stepWeight", 0))
        if current == 0:
            return min(100, steps[0])
        for i in range(len(steps) - 1):
            if steps[i] == current:
                return min(100 - current, steps[i + 1] - current)
        return 100 - current

    for _ in range(max_iterations):
        time.sleep(interval)
        elapsed = time.monotonic() - start
        if call("rollback"):
            return Result("rolled back", elapsed, f"rollback hook at weight {weight}")
        if failed >= analysis.get("threshold", 1):
            return Result("rolled back", elapsed, f"{failed} failed checks at weight {weight}")
        if not (weight == 0 and not (analysis.get("mirror") and mirrored)) and not call("rollout"):
            failed += 1
            continue
        if not mirrored and phase == "Progressing" and not call("confirm-traffic-increase"):
            continue
        if weight < max_weight:
            if analysis.get("mirror") and weight == 0 and not mirrored:
                mirrored = True
                load.mirror = True
            else:
                mirrored, load.mirror = False, False
                weight += next_step(weight)
                load.weight = weight
            continue
        if call("confirm-promotion"):
            load.weight = 100
            return Result("promoted", time.monotonic() - start)
        phase = "WaitingPromotion"
    return Result("held", time.monotonic() - start, f"weight {weight}, {failed} failed checks")
