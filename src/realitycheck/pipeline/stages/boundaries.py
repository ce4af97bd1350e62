"""The `boundaries` stage: AI-written lines inside boundaries need an owner's approval."""

from __future__ import annotations

from realitycheck.boundaries.approvals.inputs import github_source, missing_inputs, pull_request
from realitycheck.boundaries.check import check_change
from realitycheck.boundaries.report import stage_report
from realitycheck.core.diff import FileDiff
from realitycheck.pipeline.context import Context
from realitycheck.pipeline.stage import Skip, StageRun
from realitycheck.provenance.model import FileProvenance, ProvenanceResult

NO_PROVENANCE = (
    "provenance did not run, so every changed line counts as of unknown origin "
    "(boundaries.unknown_lines = {policy})"
)


def unknown_provenance(base: str | None, head: str, diff: list[FileDiff]) -> ProvenanceResult:
    """Provenance that knows nothing: every added or modified line is of unknown origin."""
    return ProvenanceResult(
        base=base,
        head=head,
        files=[
            FileProvenance(
                path=d.path,
                old_path=d.old_path,
                status=d.status.value,
                binary=d.binary,
                unknown=d.changed_ranges,
            )
            for d in diff
        ],
    )


class BoundariesStage:
    """Finds boundaries the change's AI-written lines touch, and checks owners' approvals."""

    name = "boundaries"
    title = "Boundaries"
    after: tuple[str, ...] = ("provenance",)

    def run(self, ctx: Context) -> StageRun:
        config = ctx.config.boundaries
        warnings: list[str] = []
        provenance = ctx.result("provenance", ProvenanceResult)
        if provenance is None:
            provenance = unknown_provenance(ctx.base, ctx.head, ctx.diff)
            warnings.append(NO_PROVENANCE.format(policy=config.unknown_lines))
        if not provenance.files:
            raise Skip("the change touches no files")
        pr = pull_request(ctx.options.extra, ctx.options.event_path, config.approvals)
        source = github_source(pr, config.approvals)
        try:
            result = check_change(
                ctx.git,
                ctx.base,
                ctx.head,
                config,
                provenance,
                source=source,
                no_source=missing_inputs(pr, config.approvals),
                config_source=ctx.config.source,
                events=ctx.events,
            )
        finally:
            if source is not None:
                source.close()
        return StageRun(report=stage_report(result, warnings), result=result)


STAGE = BoundariesStage()
