"""The `assumptions` stage: the ledger and mined assumptions, checked against the corpus."""

from __future__ import annotations

from realitycheck.assumptions.analysis import Inputs, analyse
from realitycheck.assumptions.gate import evaluate
from realitycheck.assumptions.model import AssumptionsResult, CheckResult
from realitycheck.assumptions.section import blocks, checks, data, findings, summary
from realitycheck.assumptions.skeleton import ledger_path, skeleton
from realitycheck.core.errors import CorpusError
from realitycheck.core.report import Reason, StageReport, StageStatus
from realitycheck.corpus.store import Corpus, is_remote
from realitycheck.pipeline.context import Context
from realitycheck.pipeline.stage import Skip, StageRun
from realitycheck.provenance.model import ProvenanceResult


def open_store(ctx: Context) -> tuple[Corpus | None, str]:
    """The corpus, or None and why there is none."""
    folder = ctx.corpus_dir
    if not folder.is_dir() and not is_remote(folder):
        return None, f"no corpus at {folder} (record or import samples, or pass --corpus)"
    try:
        return Corpus(folder), ""
    except CorpusError as exc:
        return None, f"the corpus cannot be opened: {exc}"


def change_name(ctx: Context) -> str:
    """A name for the change's ledger file: the head branch, else the first commit's subject."""
    ref = ctx.head_ref if ctx.head_ref not in ("HEAD", ctx.head) else None
    branch = ref or ctx.git.current_branch()
    if branch and branch not in ("main", "master"):
        return branch
    return ctx.commits[-1].subject if ctx.commits else "change"


def inputs_for(ctx: Context) -> Inputs:
    """What the analysis reads, from the verify context."""
    store, why = open_store(ctx)
    provenance = ctx.result("provenance", ProvenanceResult)
    return Inputs(
        git=ctx.git,
        base=ctx.base,
        head=ctx.head,
        config=ctx.config.assumptions,
        store=store,
        store_why=why,
        ai_line_share=provenance.ai_line_share if provenance is not None else None,
        pr_body=ctx.options.pr_body,
        events=ctx.events,
    )


class AssumptionsStage:
    """Requires a ledger of AI changes, mines what it forgot, and checks both against reality."""

    name = "assumptions"
    title = "Assumptions"
    after = ("provenance", "corpus")

    def run(self, ctx: Context) -> StageRun:
        result = analyse(inputs_for(ctx))
        if result.ledger is None and not result.ledger_required and not result.mined:
            raise Skip("no ledger, none required, and nothing mined from the changed code")
        return StageRun(report=build_report(ctx, result), result=result)


def build_report(ctx: Context, result: AssumptionsResult) -> StageReport:
    """The stage report for an analysed change."""
    cfg = ctx.config.assumptions
    path = ledger_path(change_name(ctx))
    gate = evaluate(result, cfg, ledger_path=path)
    draft = None
    if result.ledger is None and result.ledger_required:
        draft = skeleton(result.mined, change=ctx.commits[-1].subject if ctx.commits else None)
    return StageReport(
        name=AssumptionsStage.name,
        title=AssumptionsStage.title,
        status=StageStatus.RAN,
        summary=summary(result) + evidence(result),
        failures=gate.failures,
        data=data(result, gate),
        blocks=blocks(result, gate, skeleton=draft),
        findings=findings(result),
        checks=checks(result),
        signals=gate.signals,
        warnings=result.warnings + gate.warnings,
        insufficient=shortfall(ctx, result),
    )


def _checks(result: AssumptionsResult) -> list[CheckResult]:
    """The results of every check meant to run against the corpus."""
    checks = [d.result for d in result.declared if d.assumption.check is not None]
    return checks + [m.result for m in result.mined if m.check is not None and m.result]


def evidence(result: AssumptionsResult) -> str:
    """How many checks ran against real data, for the summary."""
    checks = _checks(result)
    if not checks:
        return ""
    ran = sum(1 for r in checks if r.status != "unchecked")
    return f"; {ran} of {len(checks)} checks ran against real data"


def shortfall(ctx: Context, result: AssumptionsResult) -> list[Reason]:
    """Why the stage checked nothing against real data, when it did not.

    Every corpus check unchecked (no corpus, no matching samples) is no evidence; neither is a
    required stage without a corpus to check against.
    """
    checks = _checks(result)
    unchecked = [r for r in checks if r.status == "unchecked"]
    if checks and len(unchecked) == len(checks):
        why = unchecked[0].why or "no reason given"
        return [
            Reason(
                check=AssumptionsStage.name,
                message=f"none of the {len(checks)} assumption checks ran against real data "
                f"({why})",
            )
        ]
    store, why = open_store(ctx)
    if store is None and AssumptionsStage.name in ctx.config.policy.required:
        return [Reason(check=AssumptionsStage.name, message=f"nothing was checked: {why}")]
    return []


STAGE = AssumptionsStage()
