"""A replay result as report parts: summary, gate failures, blocks, findings, checks, signals."""

from __future__ import annotations

from dataclasses import dataclass, field

from realitycheck.core.report import (
    Block,
    Bullets,
    Check,
    CheckOutcome,
    Details,
    Finding,
    Paragraph,
    Reason,
    RiskSignal,
    SideBySide,
    Table,
)
from realitycheck.replay.evidence import findings, pct, ranges_text, signals
from realitycheck.replay.model import Divergence, RealityCoverage, ReplayResult, TargetReplay
from realitycheck.replay.problems import Problem, problems
from realitycheck.replay.sufficiency import evidence_line

MAX_GROUPS = 30


@dataclass
class Parts:
    """Everything a stage report (or the replay command) shows of a replay."""

    summary: str
    failures: list[Reason] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    signals: list[RiskSignal] = field(default_factory=list)
    insufficient: list[Reason] = field(default_factory=list)


def failing(result: ReplayResult, fail_on: str) -> list[tuple[TargetReplay, Divergence]]:
    """The divergences that fail the gate under the policy `fail_on`."""
    if fail_on == "never":
        return []
    if fail_on == "any":
        return [(t, d) for t in result.targets for d in t.reported]
    return result.unexpected


def _target_row(t: TargetReplay) -> list[str]:
    rate = f"{pct(t.rate)} ({pct(t.ci[0])}–{pct(t.ci[1])})" if t.replayed else "—"
    noise = "measured" if t.noise_measured else "not measured"
    baseline = {"base": "base revision", "recorded": "recorded outputs", "none": "none"}
    skipped = sum(t.skipped.values())
    return [
        t.target,
        f"{t.replayed}" + (f" (+{skipped} skipped)" if skipped else ""),
        str(sum(t.errored.values())),
        str(t.diverged),
        rate,
        str(t.unexpected),
        baseline[t.baseline],
        noise,
    ]


def _group_rows(t: TargetReplay) -> list[list[str]]:
    rows = []
    for d in t.divergences[:MAX_GROUPS]:
        if d.noise:
            state = f"noise ({d.filtered_by}; base-vs-base {d.noise_count})"
        elif d.expected:
            state = "intended" + (f": {d.expected_note}" if d.expected_note else "")
        else:
            state = "UNEXPECTED"
        rows.append(
            [
                d.path,
                d.category,
                str(d.count),
                pct(d.rate),
                state,
                d.detail or "",
                ", ".join(d.examples),
            ]
        )
    return rows


def _coverage_blocks(cov: RealityCoverage) -> list[Block]:
    blocks: list[Block] = []
    text = (
        f"Real inputs executed {cov.covered_by_replay} of {cov.changed_lines} changed lines of code"
    )
    if cov.tests.ran:
        text += f" ({cov.covered_by_replay_only} of them no test executed)"
    text += f"; {cov.covered_by_tests_only} ran only under the tests"
    if cov.covered_only_by_ai_tests:
        text += f" ({cov.covered_only_by_ai_tests} only under tests written in AI commits)"
    if cov.unmeasured:
        text += (
            f"; {cov.not_measured_lines} ran under nothing measured ({', '.join(cov.unmeasured)}"
            " not measured, so they may have run there)."
        )
    else:
        text += f"; {cov.uncovered_lines} ran under nothing."
    blocks.append(Paragraph(text=text))
    rows = [
        [
            f.path,
            str(f.changed),
            ranges_text(f.by_replay) or "—",
            ranges_text(f.replay_only) or "—",
            ranges_text(f.tests_only) or "—",
            ranges_text(f.ai_tests_only) or "—",
            ranges_text(f.uncovered) or "—",
        ]
        for f in cov.files
    ]
    if rows:
        blocks.append(
            Table(
                title="Reality coverage of the changed lines",
                columns=[
                    "file",
                    "changed",
                    "real inputs",
                    "real inputs, no test",
                    "tests only",
                    "only AI-written tests",
                    "nothing",
                ],
                rows=rows,
            )
        )
    untested = [
        f"{f.path}: lines {ranges_text(f.replay_only)} ran on real inputs; no test reached them"
        for f in cov.files
        if f.replay_only
    ]
    if untested:
        blocks.append(Bullets(title="Paths real inputs take that no test reached", items=untested))
    items = []
    for f in cov.files:
        for line, tests in sorted(f.tests_by_line.items()):
            if any(a <= line <= b for a, b in f.ai_tests_only):
                items.append(f"{f.path}:{line} ran only under {', '.join(tests)}")
    if items:
        blocks.append(
            Details(
                summary=f"{len(items)} changed lines only AI-written tests executed",
                blocks=[Bullets(items=items[:40])],
            )
        )
    run = cov.tests
    if run.command:
        state = f"exit code {run.exit_code}" if run.ran else (run.note or "did not run")
        ran = f"{run.tests} tests ran" if run.ran else "the tests did not run"
        ai = f"; written in AI commits: {', '.join(run.ai_tests)}" if run.ai_tests else ""
        blocks.append(Paragraph(text=f"Tests: {ran} ({state}){ai}."))
    if cov.note:
        blocks.append(Paragraph(text=f"Note: {cov.note}."))
    return blocks


def present(result: ReplayResult, fail_on: str = "unexpected") -> Parts:
    """The report parts of a replay result."""
    targets = result.targets
    diverged = [t for t in targets if t.diverged]
    summary = (
        f"{len(targets)} target{'s' if len(targets) != 1 else ''}: "
        f"{evidence_line(result)}; {len(diverged)} diverged"
    )
    bad = failing(result, fail_on)
    found = problems(bad)
    if found:
        summary += f"; {len(found)} unexpected problem{'s' if len(found) != 1 else ''}"
    short = [t for t in targets if t.insufficient]
    if short:
        summary += f"; {len(short)} with insufficient evidence"
    cov = result.reality_coverage
    if cov is not None and cov.changed_lines:
        summary += (
            f"; real inputs executed {cov.covered_by_replay} of {cov.changed_lines} changed lines"
        )
    parts = Parts(summary=summary)
    parts.failures = [Reason(check="replay", message=p.headline()) for p in found]
    parts.insufficient = [
        Reason(check="replay", message=f"{t.target}: {t.insufficient}") for t in short
    ]
    parts.blocks.append(
        Table(
            title="Targets",
            columns=[
                "target",
                "samples",
                "both failed",
                "diverged",
                "rate (95% CI)",
                "unexpected",
                "baseline",
                "noise",
            ],
            rows=[_target_row(t) for t in targets],
        )
    )
    notes = [f"{t.target}: {t.note}" for t in targets if t.note]
    notes += [
        f"{t.target}: {t.restarts} worker(s) that hung or died were killed and replaced"
        for t in targets
        if t.restarts
    ]
    if notes:
        parts.blocks.append(Bullets(title="Notes", items=notes))
    grouped = [p for p in found if p.cause is not None]
    if grouped:
        parts.blocks += [p.block() for p in grouped]
    for t in targets:
        if t.divergences:
            parts.blocks.append(
                Table(
                    title=f"Divergences of {t.target}",
                    columns=["path", "category", "samples", "rate", "judged", "detail", "examples"],
                    rows=_group_rows(t),
                )
            )
        if t.reached_only_by_diverged:
            spots = "; ".join(
                f"{p}:{ranges_text(r)}" for p, r in t.reached_only_by_diverged.items()
            )
            text = f"Only the diverging samples of {t.target} executed changed lines {spots}."
            parts.blocks.append(Paragraph(text=text))
        elif t.reached_by_diverged:
            spots = "; ".join(f"{p}:{ranges_text(r)}" for p, r in t.reached_by_diverged.items())
            text = f"The diverging samples of {t.target} executed changed lines {spots}."
            parts.blocks.append(Paragraph(text=text))
    example_target = next((t for t in targets if t.example and t.reported), None)
    if example_target is not None and example_target.example is not None:
        ex = example_target.example
        parts.blocks.append(
            SideBySide(
                title=f"{example_target.target}, sample {ex.sample}: {ex.category} at {ex.path}",
                left_title="base",
                left=ex.base or "(no output recorded)",
                right_title="head",
                right=ex.head,
            )
        )
    if cov is not None:
        parts.blocks += _coverage_blocks(cov)
    parts.findings = findings(result, bad)
    parts.checks = [_check(t, [p for p in found if p.target is t]) for t in targets]
    parts.signals = signals(result, bad)
    return parts


def _check(t: TargetReplay, found: list[Problem]) -> Check:
    """A target's check: failed on a problem, error without enough evidence, else passed."""
    if found:
        outcome = CheckOutcome.FAILED
        message = "; ".join(p.headline() for p in found)
    elif t.insufficient:
        outcome, message = CheckOutcome.ERROR, f"insufficient evidence: {t.insufficient}"
    else:
        outcome = CheckOutcome.PASSED
        message = f"{t.exercised} samples exercised on both sides, none diverged unexpectedly"
    return Check(name=f"replay {t.target}", outcome=outcome, message=message[:2000])
