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


# What reality coverage's line categories mean as located findings.
COVERAGE_RULES: dict[str, tuple[str, str, Level, str]] = {
    "replay_only": (
        "replay/untested-real-path",
        "Real inputs take a path no test reaches",
        Level.WARNING,
        "Recorded real inputs execute these changed lines; no test does.",
    ),
    "ai_tests_only": (
        "replay/ai-tests-only",
        "Only AI-written tests execute these lines",
        Level.WARNING,
        "No recorded real input executed these changed lines; only tests written in AI "
        "commits did, which are not independent evidence.",
    ),
    "uncovered": (
        "replay/unexecuted",
        "Changed lines nothing executed",
        Level.NOTE,
        "Neither a recorded input nor a test executed these changed lines.",
    ),
}


def findings(result: ReplayResult, bad: list[tuple[TargetReplay, Divergence]]) -> list[Finding]:
    """Located results for SARIF: where divergences come from, and what no test reaches."""
    out: list[Finding] = []
    failing_targets = {id(t) for t, _ in bad}
    for t in result.targets:
        if id(t) not in failing_targets:
            continue
        located = t.reached_only_by_diverged or t.reached_by_diverged
        message = (
            f"Recorded inputs of {t.target} that executed these changed lines give other "
            f"results than the base ({t.diverged} of {t.replayed} samples)."
        )
        if not located and t.reached:
            located = t.reached
            message = (
                f"Recorded inputs of {t.target} executed these changed lines, and "
                f"{t.diverged} of {t.replayed} give other results than the base."
            )
        elif not located:
            located = result.changed
            message = (
                f"{t.target} gives other results than the base on {t.diverged} of {t.replayed} "
                "recorded inputs; which changed lines they executed was not measured."
            )
        for path, ranges in located.items():
            out.append(
                Finding(
                    stage="replay",
                    rule_id="replay/divergence",
                    rule_name="Real inputs diverge",
                    level=Level.ERROR,
                    message=message,
                    path=path,
                    lines=ranges,
                )
            )
    cov = result.reality_coverage
    for f in cov.files if cov else []:
        for kind, ranges in (
            ("replay_only", f.replay_only),
            ("ai_tests_only", f.ai_tests_only),
            ("uncovered", f.uncovered),
        ):
            rule_id, rule_name, level, message = COVERAGE_RULES[kind]
            out += [
                Finding(
                    stage="replay",
                    rule_id=rule_id,
                    rule_name=rule_name,
                    level=level,
                    message=message,
                    path=f.path,
                    lines=[(a, b)],
                )
                for a, b in ranges
            ]
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
    short = [t for t in result.targets if t.insufficient]
    if short:
        out.append(
            RiskSignal(
                name="replay-insufficient",
                value=round(len(short) / len(result.targets), 4),
                detail=f"{len(short)} of {len(result.targets)} targets ran on too little "
                f"reality; {short[0].target}: {short[0].insufficient}"[:300],
            )
        )
    cov = result.reality_coverage
    if cov is not None and cov.changed_lines and not cov.unmeasured:
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
