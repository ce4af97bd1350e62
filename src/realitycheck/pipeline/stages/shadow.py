"""The `shadow` stage: the results of shadow runs of the head, judged as a stage input.

Skipped, with the reason, when no shadow run of the head left results; when runs exist but
compared nothing, the stage's evidence is insufficient (never a pass: under `fail_closed` it
fails an AI change, otherwise the verdict is `error`).
"""

from __future__ import annotations

from pathlib import Path

from realitycheck.core.report import Reason, StageReport, StageStatus
from realitycheck.pipeline.context import Context
from realitycheck.pipeline.stage import Skip, StageRun
from realitycheck.pipeline.stages.replay import expected_changes
from realitycheck.replay.noise import Thresholds
from realitycheck.shadow.present import present
from realitycheck.shadow.results import read_runs
from realitycheck.shadow.summary import summarise


def results_dir(ctx: Context) -> Path:
    """Where shadow results live: configuration, then .realitycheck/shadow."""
    configured = ctx.config.shadow.results
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else (ctx.config.root or ctx.git.root) / path
    return ctx.git.root / ".realitycheck" / "shadow"


class ShadowStage:
    """Reads the shadow runs of the head and judges their divergences."""

    name = "shadow"
    title = "Shadow traffic"
    after = ("assumptions",)

    def run(self, ctx: Context) -> StageRun:
        folder = results_dir(ctx)
        runs = read_runs(folder, head=ctx.head)
        if not runs:
            raise Skip(f"no shadow results for {ctx.head[:12]} in {folder}")
        expected, why = expected_changes(ctx)
        replay = ctx.config.replay
        thresholds = Thresholds(replay.relative_threshold, replay.absolute_threshold)
        result = summarise(runs, thresholds, expected)
        if why:
            result.warnings.insert(0, why)
        parts = present(result, replay.fail_on)
        report = StageReport(
            name=self.name,
            title=self.title,
            status=StageStatus.RAN,
            summary=parts.summary,
            insufficient=[Reason(check=self.name, message=parts.error)] if parts.error else [],
            failures=parts.failures,
            data=result.to_json(),
            blocks=parts.blocks,
            checks=parts.checks,
            signals=parts.signals,
            warnings=result.warnings,
        )
        return StageRun(report=report, result=result)


STAGE = ShadowStage()
