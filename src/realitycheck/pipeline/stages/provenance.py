"""The `provenance` stage: which commits and which changed lines a model wrote.

Provenance never fails the gate by itself; it tells `verify` whether the change is an AI change
(so required stages are enforced) and offers the `ai-share` and `change-size` risk signals.
"""

from __future__ import annotations

from realitycheck.core.report import Check, CheckOutcome, StageReport, StageStatus
from realitycheck.pipeline.context import Context
from realitycheck.pipeline.run import AI_CHANGE_KEY
from realitycheck.pipeline.stage import StageRun
from realitycheck.provenance import report
from realitycheck.provenance.analyze import analyze_range
from realitycheck.provenance.model import Origin, ProvenanceResult
from realitycheck.provenance.registry import load_registry


def is_ai_change(result: ProvenanceResult, unknown_counts_as_ai: bool) -> bool:
    """Whether the gate should treat the change as AI-written."""
    if result.is_ai_change:
        return True
    return unknown_counts_as_ai and (
        result.count(Origin.UNKNOWN) > 0 or any(c.verdict is Origin.UNKNOWN for c in result.commits)
    )


class ProvenanceStage:
    """Attributes every changed line of the range to a model, a human, or nobody known."""

    name = "provenance"
    title = "Provenance"
    after: tuple[str, ...] = ()

    def run(self, ctx: Context) -> StageRun:
        config = ctx.config.provenance
        result = analyze_range(
            ctx.git,
            ctx.base,
            ctx.head,
            config,
            labels=ctx.options.pr_labels,
            events=ctx.events,
        )
        ctx.results[AI_CHANGE_KEY] = is_ai_change(result, config.unknown_counts_as_ai)
        names = load_registry(config).name_of
        stage = StageReport(
            name=self.name,
            title=self.title,
            status=StageStatus.RAN,
            gate=False,
            summary=report.summary(result, names),
            data=report.section(result),
            blocks=report.blocks(result, names),
            findings=report.findings(result),
            checks=[
                Check(
                    name="provenance: every changed line attributed",
                    outcome=CheckOutcome.PASSED,
                    message=report.summary(result, names),
                )
            ],
            signals=report.signals(result, config.large_change_lines),
            warnings=list(result.warnings),
        )
        return StageRun(report=stage, result=result)


STAGE = ProvenanceStage()
