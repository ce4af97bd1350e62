"""The gate policy: what fails, what warns, what is listed to confirm, and the risk signals."""

from __future__ import annotations

from dataclasses import dataclass, field

from realitycheck.assumptions.describe import bare, measured, percent
from realitycheck.assumptions.ledger import LEDGER_DIR
from realitycheck.assumptions.model import AssumptionsResult, MinedAssumption
from realitycheck.core.config.assumptions import AssumptionsConfig
from realitycheck.core.report import Reason, RiskSignal

CHECK = "assumptions"


@dataclass
class Gate:
    """What the assumptions stage tells the gate and the risk summary."""

    failures: list[Reason] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    confirm: list[MinedAssumption] = field(default_factory=list)
    signals: list[RiskSignal] = field(default_factory=list)
    ledger_path: str = f"{LEDGER_DIR}/change.yaml"

    def act(self, action: str, message: str) -> None:
        """Fail or warn as configured; `ignore` drops the message."""
        if action == "fail":
            self.failures.append(Reason(check=CHECK, message=message))
        elif action == "warn":
            self.warnings.append(message)


def evaluate(result: AssumptionsResult, cfg: AssumptionsConfig, *, ledger_path: str) -> Gate:
    """Apply the configured policy to the stage's findings."""
    gate = Gate(ledger_path=ledger_path)
    share = result.ai_line_share
    if result.ledger is None and result.ledger_required:
        said = "of unknown provenance" if share is None else f"{percent(share)} AI-written"
        if result.ledger_uncommitted:
            names = ", ".join(result.ledger_uncommitted)
            advice = (
                f"{names} is in the working tree but not in {result.ledger_head}: commit it "
                "(without --head, the working tree's ledger is read)"
            )
        else:
            advice = (
                f"add {ledger_path} (`realitycheck assumptions init` writes one, pre-filled "
                "with what mining found) or an ```assumptions block in the PR description"
            )
        gate.act(
            cfg.missing_ledger,
            f"this change is {said} and carries no assumption ledger: {advice}",
        )
        gate.signals.append(
            RiskSignal(
                name="ledger-missing", value=1.0, detail=f"no ledger; expected {ledger_path}"
            )
        )
    failed_declared: set[str] = set()
    for outcome in result.declared:
        a, r = outcome.assumption, outcome.result
        target = a.check.target if a.check else None
        if r.status == "violated":
            failed_declared.add(a.id)
            gate.act(
                cfg.violated_declared,
                f"{a.id} is contradicted by the corpus: “{a.statement}” "
                f"{measured(r, target=target)}",
            )
        elif r.status == "unchecked":
            gate.act(cfg.unchecked_declared, f"{a.id} could not be checked: {r.why}")
    for m in result.mined:
        found = m.result
        if found is None or found.status != "violated":
            continue
        where = f"{m.file}:{m.line}"
        if m.declared_by is None:
            gate.act(
                cfg.violated_undeclared,
                f"{m.id} ({where}) is not in the ledger and the corpus contradicts it: "
                f"{bare(m.statement)} — {measured(found, target=m.target)}",
            )
        elif m.declared_by not in failed_declared:
            gate.act(
                cfg.violated_declared,
                f"{m.id} ({where}, declared by {m.declared_by}) is contradicted by the corpus: "
                f"{bare(m.statement)} — {measured(found, target=m.target)}",
            )
    gate.confirm = [
        m for m in result.mined if m.declared_by is None and m.result and m.result.status == "holds"
    ]
    if gate.confirm and cfg.undeclared_holding != "list":
        ids = ", ".join(m.id for m in gate.confirm)
        gate.act(
            cfg.undeclared_holding,
            f"{len(gate.confirm)} mined assumption(s) hold but no ledger declares them: {ids}",
        )
    _signals(result, gate)
    return gate


def _signals(result: AssumptionsResult, gate: Gate) -> None:
    violated = result.violated
    if violated:
        gate.signals.append(
            RiskSignal(
                name="assumptions-violated",
                value=1.0,
                detail=f"contradicted by the corpus: {', '.join(violated)}",
            )
        )
    if result.mined and (result.ledger is not None or result.ledger_required):
        undeclared = result.undeclared
        if undeclared:
            gate.signals.append(
                RiskSignal(
                    name="assumptions-undeclared",
                    value=len(undeclared) / len(result.mined),
                    detail=f"{len(undeclared)} of {len(result.mined)} mined assumptions are "
                    "not in the ledger",
                )
            )
