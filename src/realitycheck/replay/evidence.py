"""Replay evidence located in the source (SARIF findings) and offered to the risk summary."""

from __future__ import annotations

from realitycheck.core.ranges import Range
from realitycheck.core.report import Finding, Level, RiskSignal
from realitycheck.replay.model import Divergence, ReplayResult, TargetReplay


def pct(value: float) -> str:
    """A share as a percentage with sensible precision."""
    if value == 0:
        return "0%"
    if value < 0.001:
        return f"{value:.3%}"
    if value < 0.1:
        return f"{value:.1%}"
    return f"{value:.0%}"


def ranges_text(ranges: list[Range]) -> str:
    """`3-9, 12` for [[3, 9], [12, 12]]."""
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in ranges)


def divergence_line(target: TargetReplay, d: Divergence) -> str:
    """One divergence group in a sentence."""
    text = (
        f"{target.target}: {d.category} at {d.path} in {d.count} of {target.replayed} samples "
        f"({pct(d.rate)})"
    )
    return text + (f" — {d.detail}" if d.detail else "")


def findings(result: ReplayResult, bad: list[tuple[TargetReplay, Divergence]]) -> list[Finding]:
    """Located results for SARIF: where divergences come from, and what no test reaches."""
    out: list[Finding] = []
    failing_targets = {id(t) for t, _ in bad}
    for t in result.targets:
        if id(t) not in failing_targets:
            continue
        located = t.reached_only_by_diverged or t.reached_by_diverged
        for path, ranges in located.items():
            out.append(
                Finding(
                    stage="replay",
                    rule_id="replay/divergence",
                    rule_name="Real inputs diverge",
                    level=Level.ERROR,
                    message=f"Recorded inputs of {t.target} that executed these changed lines "
                    f"give other results than the base ({t.diverged} of {t.replayed} samples).",
                    path=path,
                    lines=ranges,
                )
            )
    cov = result.reality_coverage
    for f in cov.files if cov else []:
        for a, b in f.replay_only:
            out.append(
                Finding(
                    stage="replay",
                    rule_id="replay/untested-real-path",
                    rule_name="Real inputs take a path no test reaches",
                    level=Level.WARNING,
                    message="Recorded real inputs execute these changed lines; no test does.",
                    path=f.path,
                    lines=[(a, b)],
                )
            )
        for a, b in f.ai_tests_only:
            out.append(
                Finding(
                    stage="replay",
                    rule_id="replay/ai-tests-only",
                    rule_name="Only AI-written tests execute these lines",
                    level=Level.WARNING,
                    message="No recorded real input executed these changed lines; only tests "
                    "written in AI commits did, which are not independent evidence.",
                    path=f.path,
                    lines=[(a, b)],
                )
            )
        for a, b in f.uncovered:
            out.append(
                Finding(
                    stage="replay",
                    rule_id="replay/unexecuted",
                    rule_name="Changed lines nothing executed",
                    level=Level.NOTE,
                    message="Neither a recorded input nor a test executed these changed lines.",
                    path=f.path,
                    lines=[(a, b)],
                )
            )
    return out


def signals(result: ReplayResult, bad: list[tuple[TargetReplay, Divergence]]) -> list[RiskSignal]:
    """What the risk summary weighs: unexpected divergences, and changed lines reality missed."""
    out: list[RiskSignal] = []
    if bad:
        worst = max(bad, key=lambda td: td[1].rate)
        out.append(
            RiskSignal(
                name="replay-divergence",
                value=1.0,
                detail=f"{len(bad)} unexpected divergence(s); largest: {divergence_line(*worst)}"[
                    :300
                ],
            )
        )
    cov = result.reality_coverage
    if cov is not None and cov.changed_lines:
        missed = 1.0 - cov.replay_share
        if missed > 0:
            out.append(
                RiskSignal(
                    name="replay-uncovered",
                    value=round(missed, 4),
                    detail=f"real inputs never executed {cov.changed_lines - cov.covered_by_replay}"
                    f" of {cov.changed_lines} changed lines",
                )
            )
    return out
