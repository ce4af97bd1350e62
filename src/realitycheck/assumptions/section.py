"""The stage's part of the report: the JSON section, display blocks, findings and checks."""

from __future__ import annotations

from typing import Any

from realitycheck.assumptions.describe import bare, brief, measured, percent
from realitycheck.assumptions.gate import Gate
from realitycheck.assumptions.model import AssumptionsResult, CheckResult, MinedAssumption
from realitycheck.core.report import (
    Block,
    Bullets,
    Check,
    CheckOutcome,
    Details,
    Finding,
    Level,
    Paragraph,
    Table,
)

OUTCOME = {"holds": CheckOutcome.PASSED, "violated": CheckOutcome.FAILED}


def _result(r: CheckResult | None) -> dict[str, Any] | None:
    return None if r is None else r.model_dump(mode="json")


def data(result: AssumptionsResult, gate: Gate) -> dict[str, Any]:
    """The `assumptions` section of the JSON report (DESIGN.md's schema, extended)."""
    ledger = result.ledger
    declared = []
    for outcome in result.declared:
        a = outcome.assumption
        item = a.model_dump(mode="json", exclude_none=True)
        item["source"] = f"{a.origin[0]}:{a.origin[1]}" if a.origin else None
        item["covers_mined"] = outcome.covers
        item["result"] = _result(outcome.result)
        declared.append(item)
    mined = []
    for m in result.mined:
        item = m.model_dump(mode="json", exclude={"result"})
        item["result"] = _result(m.result)
        mined.append(item)
    checked = [r for r in _all_results(result) if r is not None]
    return {
        "ledger_source": ledger.source if ledger else None,
        "ledger_required": result.ledger_required,
        "ledger_expected_at": None if ledger else gate.ledger_path,
        "ai_line_share": result.ai_line_share,
        "change": ledger.change if ledger else None,
        "ledger": declared,
        "mined": mined,
        "expected_changes": [e.model_dump(mode="json") for e in ledger.expected_changes]
        if ledger
        else [],
        "confirm": [m.id for m in gate.confirm],
        "counts": {
            "declared": len(result.declared),
            "mined": len(result.mined),
            "undeclared": len(result.undeclared),
            "violated": sum(1 for r in checked if r.status == "violated"),
            "holds": sum(1 for r in checked if r.status == "holds"),
            "unchecked": sum(1 for r in checked if r.status == "unchecked"),
        },
    }


def _all_results(result: AssumptionsResult) -> list[CheckResult | None]:
    return [d.result for d in result.declared] + [m.result for m in result.mined]


def summary(result: AssumptionsResult) -> str:
    """One line for the stage table."""
    violated = len(result.violated)
    ledger = (
        f"ledger declares {len(result.declared)}"
        if result.ledger is not None
        else ("no ledger (required)" if result.ledger_required else "no ledger")
    )
    mined = f"mining found {len(result.mined)}"
    if result.mined and result.ledger is not None:
        mined += f" ({len(result.undeclared)} undeclared)"
    head = f"{violated} contradicted by the corpus; " if violated else ""
    return f"{head}{ledger}; {mined}"


def blocks(result: AssumptionsResult, gate: Gate, *, skeleton: str | None = None) -> list[Block]:
    """What every human-facing renderer shows."""
    out: list[Block] = []
    share = result.ai_line_share
    if result.ledger is not None:
        out.append(Paragraph(text=f"Ledger: {result.ledger.source} — {result.ledger.change or ''}"))
    elif result.ledger_required:
        said = "unknown provenance" if share is None else f"{percent(share)} AI-written lines"
        out.append(
            Paragraph(
                text=f"No assumption ledger, and this change needs one ({said}). "
                f"Add {gate.ledger_path}, or run `realitycheck assumptions init` to write it "
                "pre-filled with the mined assumptions below."
            )
        )
        if skeleton:
            out.append(
                Details(
                    summary=f"A skeleton for {gate.ledger_path}",
                    blocks=[Paragraph(text="```yaml\n" + skeleton.rstrip() + "\n```")],
                )
            )
    bad = [
        (
            d.assumption.id,
            d.assumption.statement,
            d.assumption.check.target if d.assumption.check else None,
            d.result,
        )
        for d in result.declared
        if d.result.status == "violated"
    ]
    bad += [
        (m.id, f"{m.statement} [{m.file}:{m.line}]", m.target, m.result)
        for m in result.mined
        if m.result and m.result.status == "violated"
    ]
    if bad:
        out.append(
            Table(
                title="Contradicted by the corpus",
                columns=["id", "assumption", "measured", "examples"],
                rows=[
                    [i, s, measured(r, target=t), ", ".join(r.examples)] for i, s, t, r in bad if r
                ],
            )
        )
    folded: list[Block] = []
    if result.declared:
        folded.append(
            Table(
                title="Declared in the ledger",
                columns=["id", "kind", "statement", "result", "covers"],
                rows=[
                    [
                        d.assumption.id,
                        d.assumption.kind,
                        d.assumption.statement,
                        measured(d.result),
                        ", ".join(d.covers),
                    ]
                    for d in result.declared
                ],
            )
        )
    if result.mined:
        folded.append(
            Table(
                title="Mined from the changed code",
                columns=["id", "kind", "where", "statement", "declared by", "result"],
                rows=[_mined_row(m) for m in result.mined],
            )
        )
    if gate.confirm:
        folded.append(
            Bullets(
                title="Confirm these in the ledger (they hold, but no ledger declares them)",
                items=[
                    f"{m.id} {m.file}:{m.line} — {m.statement}; {measured(m.result)}"
                    for m in gate.confirm
                ],
            )
        )
    if folded:
        out.append(
            Details(
                summary=f"Every assumption: {len(result.declared)} declared, "
                f"{len(result.mined)} mined, {len(gate.confirm)} to confirm",
                blocks=folded,
            )
        )
    return out


def _mined_row(m: MinedAssumption) -> list[str]:
    return [
        m.id,
        m.kind,
        f"{m.file}:{m.line}",
        bare(m.statement),
        m.declared_by or "—",
        brief(m.result),
    ]


def findings(result: AssumptionsResult, stage: str = "assumptions") -> list[Finding]:
    """Located results for SARIF: contradicted assumptions, and undeclared ones."""
    out: list[Finding] = []
    for m in result.mined:
        violated = m.result is not None and m.result.status == "violated"
        if not violated and (
            m.declared_by is not None or (result.ledger is None and not result.ledger_required)
        ):
            continue
        out.append(
            Finding(
                stage=stage,
                rule_id=f"assumption/{m.kind}",
                rule_name=m.kind,
                level=Level.ERROR if violated else Level.WARNING,
                message=f"{m.id}: {m.statement} — {measured(m.result, target=m.target)}"
                + ("" if m.declared_by else " (not declared in the ledger)"),
                path=m.file,
                lines=[(m.line, m.line)],
            )
        )
    for d in result.declared:
        if d.result.status == "violated" and d.assumption.origin:
            path, line = d.assumption.origin
            out.append(
                Finding(
                    stage=stage,
                    rule_id="assumption/declared",
                    level=Level.ERROR,
                    message=f"{d.assumption.id}: {d.assumption.statement} — {measured(d.result)}",
                    path=path,
                    lines=[(line, line)],
                )
            )
    return out


def checks(result: AssumptionsResult) -> list[Check]:
    """One JUnit-style check per declared and mined assumption."""
    out = [
        Check(
            name=f"{d.assumption.id}: {d.assumption.statement}",
            outcome=OUTCOME.get(d.result.status, CheckOutcome.SKIPPED),
            message=measured(d.result),
        )
        for d in result.declared
    ]
    out += [
        Check(
            name=f"{m.id} {m.file}:{m.line}: {m.statement}",
            outcome=OUTCOME.get(m.result.status if m.result else "", CheckOutcome.SKIPPED),
            message=measured(m.result),
        )
        for m in result.mined
    ]
    return out
