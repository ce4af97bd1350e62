"""The `risk` stage: the signals every earlier stage offered, weighed into a tier."""

from __future__ import annotations

from realitycheck.core.report import (
    RiskSignal,
    StageReport,
    StageStatus,
    Table,
)
from realitycheck.deploy.model import plan_for
from realitycheck.deploy.risk import assess
from realitycheck.pipeline.context import Context
from realitycheck.pipeline.stage import StageRun


class RiskStage:
    """Summarises the risk of the change from the evidence gathered."""

    name = "risk"
    title = "Risk"
    after = ("provenance", "assumptions", "corpus", "replay", "boundaries")

    def run(self, ctx: Context) -> StageRun:
        signals: list[RiskSignal] = []
        for report in ctx.reports:
            signals += report.signals
            if report.name in ctx.config.policy.required and report.status is not StageStatus.RAN:
                signals.append(
                    RiskSignal(
                        name="missing-evidence",
                        value=1.0,
                        detail=f"required stage '{report.name}' did not run: {report.reason}",
                    )
                )
        result = assess(signals, ctx.config.deploy)
        plan = plan_for(result.tier, ctx.config.deploy)
        line = plan.describe()
        rows = [
            [f.name, f"{f.weight:.2f}", f"{f.value:.2f}", f"{f.contribution:.2f}", f.detail]
            for f in result.factors
        ]
        report = StageReport(
            name=self.name,
            title=self.title,
            status=StageStatus.RAN,
            gate=False,
            summary=f"tier {result.tier} (score {result.score:.2f} from "
            f"{len(result.factors)} signal{'s' if len(result.factors) != 1 else ''}); {line}",
            data={
                "tier": result.tier,
                "score": result.score,
                "factors": [
                    {"name": f.name, "weight": f.weight, "value": f.value, "detail": f.detail}
                    for f in result.factors
                ],
                "plan": {"line": line, **plan.model_dump()},
            },
            blocks=[
                Table(columns=["signal", "weight", "value", "contribution", "detail"], rows=rows)
            ]
            if rows
            else [],
        )
        return StageRun(report=report, result=result)


STAGE = RiskStage()
