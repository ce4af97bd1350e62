"""The `replay` stage: the corpus through base and head, divergences judged, reality coverage."""

from __future__ import annotations

from realitycheck.assumptions.model import ExpectedChange, Ledger
from realitycheck.core.errors import RealityCheckError
from realitycheck.core.report import StageReport, StageStatus
from realitycheck.pipeline.context import Context
from realitycheck.pipeline.stage import Skip, StageRun
from realitycheck.provenance.model import Origin, ProvenanceResult
from realitycheck.replay import environment
from realitycheck.replay.change import ChangeReplay, NothingToReplay, replay_change
from realitycheck.replay.present import present
from realitycheck.replay.reality import Origin as TestOrigin


def origin_of_tests(provenance: ProvenanceResult) -> TestOrigin:
    """How reality coverage asks provenance who wrote a test's `def` line."""

    def origin(path: str, line: int) -> str:
        found = provenance.file(path)
        verdict = found.origin_of(line) if found is not None else None
        if verdict is Origin.AI:
            return "ai"
        if verdict is Origin.UNKNOWN:
            return "unknown"
        return "independent"

    return origin


def expected_changes(ctx: Context) -> tuple[list[ExpectedChange] | None, str | None]:
    """The ledger's expected_changes (from the assumptions stage, else read here), or why not."""
    earlier = ctx.results.get("assumptions")
    ledger = getattr(earlier, "ledger", None)
    if isinstance(ledger, Ledger):
        return list(ledger.expected_changes), None
    try:
        from realitycheck.assumptions.ledger import load_change_ledger
    except ImportError:
        return None, "expected_changes unavailable: the assumptions ledger reader is not installed"
    try:
        found = load_change_ledger(ctx.git, ctx.base, ctx.head, pr_body=ctx.options.pr_body)
    except RealityCheckError as exc:
        return None, f"expected_changes unavailable: the ledger could not be read ({exc})"
    if found is None:
        return None, None
    return list(found.expected_changes), None


class ReplayStage:
    """Replays recorded inputs through the base and the head revision."""

    name = "replay"
    title = "Differential replay"
    after = ("provenance", "assumptions", "corpus")

    def run(self, ctx: Context) -> StageRun:
        expected, why = expected_changes(ctx)
        provenance = ctx.result("provenance", ProvenanceResult)
        job = ChangeReplay(
            git=ctx.git,
            config=ctx.config,
            base=ctx.base,
            head=ctx.head,
            corpus_dir=ctx.corpus_dir,
            diffs=ctx.diff,
            expected=expected,
            test_origin=origin_of_tests(provenance) if provenance is not None else None,
            environ=environment.inherited(),
            events=ctx.events,
        )
        try:
            result = replay_change(job)
        except NothingToReplay as exc:
            raise Skip(str(exc)) from None
        if why:
            result.warnings.insert(0, why)
        parts = present(result, ctx.config.replay.fail_on)
        report = StageReport(
            name=self.name,
            title=self.title,
            status=StageStatus.RAN,
            summary=parts.summary,
            failures=parts.failures,
            data=result.to_json(),
            blocks=parts.blocks,
            findings=parts.findings,
            checks=parts.checks,
            signals=parts.signals,
            warnings=result.warnings,
            insufficient=parts.insufficient,
        )
        return StageRun(report=report, result=result)


STAGE = ReplayStage()
