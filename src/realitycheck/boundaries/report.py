"""The boundaries part of the report: summary, gate failures, table, SARIF findings, risk signal."""

from __future__ import annotations

from typing import Any

from realitycheck.boundaries.approvals.decide import short
from realitycheck.boundaries.model import ApprovalState, BoundariesResult, BoundaryFinding
from realitycheck.boundaries.unknown import RELAX, counted, title
from realitycheck.core.report import (
    Block,
    Bullets,
    Check,
    CheckOutcome,
    Finding,
    Level,
    Paragraph,
    Reason,
    RiskSignal,
    StageReport,
    StageStatus,
    Table,
)

TITLES = {
    "routes": "HTTP route handlers and their request/response models",
    "contracts": "Schema and contract files",
    "migrations": "Database migrations",
    "public_api": "Public API signatures",
    "io_errors": "Error handling at I/O seams",
    "ci_config": "CI, deploy and auth configuration",
}
DESCRIPTIONS = {
    "routes": "Route handlers and the request and response models in their signatures are the "
    "contract with the API's clients; AI-written changes there need an owner's approval.",
    "contracts": "Schema and contract files (OpenAPI, JSON Schema, protobuf, GraphQL, Avro) define "
    "what other systems send and expect; AI-written changes need an owner's approval.",
    "migrations": "Migrations change the database schema that running code shares; AI-written "
    "changes need an owner's approval.",
    "public_api": "Public signatures and __all__ are what code outside the change calls; "
    "AI-written changes to them need an owner's approval.",
    "io_errors": "Error handling around network, database, file and process calls decides how "
    "failures at the seams behave; AI-written changes need an owner's approval.",
    "ci_config": "CI, deploy and auth configuration decide what runs, where and with which "
    "permissions; AI-written changes need an owner's approval.",
}
STATE_WORDS = {
    ApprovalState.APPROVED: "approved",
    ApprovalState.MISSING: "not approved",
    ApprovalState.STALE: "approval is stale",
    ApprovalState.UNKNOWN: "unknown (lookup failed)",
    ApprovalState.NOT_NEEDED: "not needed",
    ApprovalState.NOT_ACCEPTED: "forbidden: approvals do not count",
}


def rule_id(f: BoundaryFinding) -> str:
    """The SARIF rule id: `boundaries/<detector>` or `boundaries/rule/<declared name>`."""
    return f"boundaries/rule/{f.rule}" if f.declared else f"boundaries/{f.rule}"


def label(f: BoundaryFinding) -> str:
    """`routes: DocumentOut` for tables and messages."""
    return f"{f.rule}: {f.symbol}" if f.symbol else f.rule


def finding_json(f: BoundaryFinding) -> dict[str, Any]:
    """One finding in the JSON report (DESIGN.md's fields first, then the details)."""
    return {
        "rule": f.rule,
        "file": f.path,
        "lines": [list(r) for r in f.lines],
        "owners": f.owners,
        "approved": f.approved,
        "declared": f.declared,
        "origin": f.origin,
        "policy": f.policy.value,
        "symbol": f.symbol,
        "owners_from": f.owners_from,
        "reasons": f.reasons,
        "also": f.also,
        "approval": f.approval.model_dump(mode="json"),
        "blocking": f.blocking,
        "next_step": f.next_step,
    }


def _summary(result: BoundariesResult) -> str:
    found = result.findings
    human = f"; {result.human_lines} human-written lines in them follow normal review" * bool(
        result.human_lines
    )
    if not found:
        return f"no AI-written lines inside a boundary ({result.regions} boundary regions{human})"
    blocking = result.blocking
    approved = sum(1 for f in found if f.approved)
    parts = [f"{counted(found)} inside boundaries"]
    if blocking:
        parts.append(f"{len(blocking)} blocking")
    if approved:
        parts.append(f"{approved} approved by owners")
    return ", ".join(parts) + human


def _failure(f: BoundaryFinding) -> Reason:
    who = "lines of unknown origin" if f.origin == "unknown" else "AI-written lines"
    owners = f"owned by {', '.join(f.owners)}" if f.owners else "with no owner"
    state = STATE_WORDS[f.approval.state]
    if f.approval.state in (ApprovalState.STALE, ApprovalState.UNKNOWN):
        state += f" ({f.approval.detail})"
    return Reason(
        check="boundaries",
        message=f"{f.where} ({label(f)}): {who} in a {f.policy.value} boundary {owners}; "
        f"{state}. Next: {f.next_step}",
    )


def _finding(f: BoundaryFinding, head: str) -> Finding:
    level = Level.ERROR if f.blocking else Level.NOTE if f.approved else Level.WARNING
    who = "Lines of unknown origin" if f.origin == "unknown" else "AI-written lines"
    owners = ", ".join(f.owners) or "no owner"
    return Finding(
        stage="boundaries",
        rule_id=rule_id(f),
        rule_name=f"declared boundary '{f.rule}'" if f.declared else TITLES.get(f.rule, f.rule),
        rule_description=DESCRIPTIONS.get(f.rule, f.reasons[0] if f.reasons else None)
        if not f.declared
        else f"A boundary declared in the configuration: {f.reasons[0] if f.reasons else f.rule}",
        level=level,
        message=f"{who} inside a boundary ({label(f)}): {'; '.join(f.reasons)}. "
        f"Owners: {owners}. Approval at {short(head)}: {STATE_WORDS[f.approval.state]}.",
        path=f.path,
        lines=f.lines,
        help=f.next_step,
    )


def _blocks(result: BoundariesResult) -> list[Block]:
    blocks: list[Block] = []
    if result.findings:
        rows = [
            [
                label(f),
                f.where,
                "AI" if f.origin == "ai" else f.origin,
                ", ".join(f.owners) or "—",
                STATE_WORDS[f.approval.state],
                f.next_step,
            ]
            for f in result.findings
        ]
        blocks.append(
            Table(
                title=title(result.findings),
                columns=["boundary", "lines", "written by", "owners", "approval", "next step"],
                rows=rows,
            )
        )
        why = [f"{f.where}: {r}" for f in result.findings for r in f.reasons]
        blocks.append(Bullets(title="Why these are boundaries", items=why))
    sources = []
    if result.codeowners is not None:
        sources.append(f"owners from {result.codeowners.path} ({result.codeowners.rules} rules)")
    if result.approval_source:
        sources.append(f"approvals from {result.approval_source}")
    sources.append(f"unknown lines: {result.unknown_lines}")
    if any(f.origin == "unknown" and f.blocking for f in result.findings):
        blocks.append(Paragraph(text=RELAX + "."))
    sources.append(f"detectors: {', '.join(result.detectors) or 'none'}")
    blocks.append(Paragraph(text="; ".join(sources) + "."))
    return blocks


def stage_report(result: BoundariesResult, warnings: list[str] | None = None) -> StageReport:
    """The StageReport of the boundaries stage."""
    blocking = result.blocking
    failures = [_failure(f) for f in blocking]
    if result.approval_error and blocking:
        failures.insert(
            0, Reason(check="boundaries", message=f"approvals could not be read: "
                      f"{result.approval_error}")
        )  # fmt: skip
    signals = []
    if result.findings:
        value = 1.0 if blocking else 0.4
        signals.append(
            RiskSignal(
                name="boundary",
                value=value,
                detail=f"{counted(result.findings)} inside boundaries, {len(blocking)} blocking",
            )
        )
    return StageReport(
        name="boundaries",
        title="Boundaries",
        status=StageStatus.RAN,
        summary=_summary(result),
        failures=failures,
        data={
            "findings": [finding_json(f) for f in result.findings],
            "regions": result.regions,
            "human_lines": result.human_lines,
            "unknown_lines": result.unknown_lines,
            "detectors": result.detectors,
            "codeowners": result.codeowners.model_dump() if result.codeowners else None,
            "approval_source": result.approval_source,
            "approval_error": result.approval_error,
            "approval_note": result.approval_note,
        },
        blocks=_blocks(result),
        findings=[_finding(f, result.head) for f in result.findings],
        checks=[
            Check(
                name=f"{label(f)} {f.where}",
                outcome=CheckOutcome.FAILED if f.blocking else CheckOutcome.PASSED,
                message=f.next_step,
            )
            for f in result.findings
        ],
        signals=signals,
        warnings=[
            *(warnings or []),
            *([f"approvals were not read: {result.approval_note}"] if result.approval_note else []),
            *result.warnings,
        ],
    )
