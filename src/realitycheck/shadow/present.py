"""A shadow result as report parts: summary, gate failures, blocks, checks and a risk signal.

Nothing compared is never a pass: `Parts.error` then says why, and the stage (or `shadow
report`) reports an error instead of "0 diverged".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from realitycheck.core.report import (
    Block,
    Bullets,
    Check,
    CheckOutcome,
    Paragraph,
    Reason,
    RiskSignal,
    SideBySide,
    Table,
)
from realitycheck.replay.model import Divergence, TargetReplay
from realitycheck.shadow.model import ShadowResult

MAX_GROUPS = 30
MAX_EXAMPLES = 3


@dataclass
class Parts:
    """Everything a report shows of shadow results."""

    summary: str
    error: str | None = None
    failures: list[Reason] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    signals: list[RiskSignal] = field(default_factory=list)


def pct(value: float) -> str:
    """A share as a percentage with sensible precision."""
    if value == 0:
        return "0%"
    return f"{value:.3%}" if value < 0.001 else f"{value:.1%}" if value < 0.1 else f"{value:.0%}"


def _reasons(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def _line(route: TargetReplay, d: Divergence) -> str:
    text = (
        f"{route.target}: {d.category} at {d.path} in {d.count} of {route.replayed} compared "
        f"requests ({pct(d.rate)})"
    )
    return text + (f" — {d.detail}" if d.detail else "")


def _judged(d: Divergence) -> str:
    if d.noise:
        return f"noise ({d.filtered_by}; primary-vs-secondary {d.noise_count})"
    if d.expected:
        return "intended" + (f": {d.expected_note}" if d.expected_note else "")
    return "UNEXPECTED"


def failing(result: ShadowResult, fail_on: str) -> list[tuple[TargetReplay, Divergence]]:
    """The divergences that fail the gate under `fail_on` (as replay's policy reads)."""
    if fail_on == "never":
        return []
    if fail_on == "any":
        return [(r, d) for r in result.routes for d in r.reported]
    return result.unexpected


def present(result: ShadowResult, fail_on: str = "unexpected") -> Parts:
    """The report parts of shadow results."""
    counts = (
        f"{result.requests} requests through the proxy, {result.copied} copied, "
        f"{result.compared} compared"
    )
    if not result.compared:
        why = f"nothing was compared ({counts}), so there is no verdict"
        if result.skipped:
            why += f"; copies not compared: {_reasons(result.skipped)}"
        parts = Parts(summary=why, error=why)
        parts.blocks = _count_blocks(result)
        return parts
    bad = failing(result, fail_on)
    summary = f"{counts}, {result.diverged} diverged"
    if bad:
        summary += f"; {len(bad)} unexpected divergence{'s' if len(bad) != 1 else ''}"
    parts = Parts(summary=summary)
    parts.failures = [Reason(check="shadow", message=_line(r, d)) for r, d in bad]
    parts.blocks = _count_blocks(result)
    parts.blocks.append(
        Table(
            title="Routes",
            columns=[
                "route",
                "compared",
                "diverged",
                "rate (95% CI)",
                "unexpected",
                "not compared",
            ],
            rows=[
                [
                    r.target,
                    str(r.replayed),
                    str(r.diverged),
                    f"{pct(r.rate)} ({pct(r.ci[0])}–{pct(r.ci[1])})" if r.replayed else "—",
                    str(r.unexpected),
                    _reasons(r.skipped) or "—",
                ]
                for r in result.routes
            ],
        )
    )
    shown = 0
    for r in result.routes:
        if not r.divergences:
            continue
        rows = [
            [d.path, d.category, str(d.count), pct(d.rate), _judged(d), d.detail or ""]
            for d in r.divergences[:MAX_GROUPS]
        ]
        parts.blocks.append(
            Table(
                title=f"Divergences of {r.target}",
                columns=["path", "category", "requests", "rate", "judged", "detail"],
                rows=rows,
            )
        )
        if r.example is not None and r.reported and shown < MAX_EXAMPLES:
            shown += 1
            ex = r.example
            parts.blocks.append(
                SideBySide(
                    title=f"{r.target}, request {ex.sample}: {ex.category} at {ex.path} (redacted)",
                    left_title="primary",
                    left=ex.base,
                    right_title="candidate",
                    right=ex.head,
                )
            )
    failed = {id(r) for r, _ in bad}
    parts.checks = [
        Check(
            name=f"shadow {r.target}",
            outcome=CheckOutcome.FAILED if id(r) in failed else CheckOutcome.PASSED,
            message="; ".join(_line(br, d) for br, d in bad if br is r)[:2000],
        )
        for r in result.routes
        if r.replayed
    ]
    if bad:
        worst = max(d.rate for _, d in bad)
        parts.signals = [
            RiskSignal(
                name="shadow-divergence",
                value=min(1.0, 0.5 + worst),
                detail=f"{len(bad)} unexpected divergences in live shadow traffic",
            )
        ]
    return parts


def _count_blocks(result: ShadowResult) -> list[Block]:
    text = (
        f"{result.requests} live requests answered by the primary; {result.copied} copied to "
        f"the candidate; {result.compared} compared; {result.diverged} diverged."
    )
    if result.not_sent:
        text += f" Not copied: {_reasons(result.not_sent)}."
    if result.skipped:
        text += f" Copied but not compared: {_reasons(result.skipped)}."
    blocks: list[Block] = [Paragraph(text=text)]
    notes = list(result.warnings)
    if not result.noise_measured:
        notes.append("no secondary: noise was not measured, every difference counts")
    elif result.secondary_failed:
        notes.append(f"the secondary failed on {result.secondary_failed} copies (no noise there)")
    if result.stripped:
        notes.append(
            f"credentials were stripped from copies ({_reasons(result.stripped)}); answers that "
            "need them may differ for that reason (shadow.allow_credentials passes them on)"
        )
    if result.torn:
        notes.append(f"{result.torn} torn lines in the results files were skipped")
    if notes:
        blocks.append(Bullets(title="Notes", items=notes))
    return blocks
