"""Words and marks every renderer uses for statuses and verdicts, so they never disagree."""

from __future__ import annotations

from realitycheck.core.report import StageReport, StageStatus, Verdict

VERDICT_MARK = {Verdict.PASS: "✅", Verdict.FAIL: "❌", Verdict.ERROR: "⚠️"}
VERDICT_WORD = {Verdict.PASS: "PASS", Verdict.FAIL: "FAIL", Verdict.ERROR: "ERROR"}


def stage_state(stage: StageReport) -> tuple[str, str]:
    """(mark, word) for a stage; a skipped, errored or insufficient stage never reads as passed."""
    if stage.status is StageStatus.SKIPPED:
        return "⏭️", "skipped"
    if stage.status is StageStatus.ERROR:
        return "⚠️", "error"
    if stage.failures:
        return "❌", "failed"
    if stage.insufficient:  # it ran, but on too little reality to pass
        return "⚠️", "insufficient"
    if not stage.gate:
        return "ℹ️", "ran"
    return "✅", "passed"


def short(sha: str | None) -> str:
    """A commit id shortened for display."""
    return sha[:10] if sha else "(empty tree)"
