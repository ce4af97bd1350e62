"""The Report: what `verify` found, as plain typed values that every renderer reads.

A stage contributes one `StageReport`: its status (`ran | skipped | error`), its machine-readable
section for the JSON report (`data`), display blocks that every human-facing renderer knows how
to draw, located `findings` for SARIF, and `checks` for JUnit. Renderers never know which stage
produced what, and a new stage never touches a renderer.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1  # Schema versions: 1 (first), extend, never rename.


class Model(BaseModel):
    """A report value."""

    model_config = ConfigDict(extra="forbid")


class StageStatus(str, Enum):
    """Whether a stage ran."""

    RAN = "ran"
    SKIPPED = "skipped"
    ERROR = "error"


class Verdict(str, Enum):
    """The gate's answer."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"


class Level(str, Enum):
    """How serious a finding is."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


class Reason(Model):
    """Why the gate failed: which check, and what it found."""

    check: str
    message: str


class Finding(Model):
    """A result located in the source, for SARIF and code annotations."""

    stage: str
    rule_id: str
    rule_name: str | None = None
    rule_description: str | None = None
    level: Level = Level.WARNING
    message: str
    path: str
    lines: list[tuple[int, int]] = Field(default_factory=list)
    help: str | None = None


class CheckOutcome(str, Enum):
    """A single check's outcome, for JUnit-style test reports."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    ERROR = "error"


class Check(Model):
    """One named check of a stage."""

    name: str
    outcome: CheckOutcome
    message: str = ""


class Paragraph(Model):
    """A line or two of prose."""

    kind: Literal["paragraph"] = "paragraph"
    text: str


class Bullets(Model):
    """A list of short items."""

    kind: Literal["bullets"] = "bullets"
    title: str | None = None
    items: list[str]


class Table(Model):
    """Rows under column headings."""

    kind: Literal["table"] = "table"
    title: str | None = None
    columns: list[str]
    rows: list[list[str]]


class SideBySide(Model):
    """Two texts to compare, such as a base and a head output."""

    kind: Literal["side-by-side"] = "side-by-side"
    title: str | None = None
    left_title: str
    left: str
    right_title: str
    right: str


class Details(Model):
    """Blocks hidden behind a summary line (collapsed in Markdown and HTML)."""

    kind: Literal["details"] = "details"
    summary: str
    blocks: list[Block]


Block = Annotated[Paragraph | Bullets | Table | SideBySide | Details, Field(discriminator="kind")]
Details.model_rebuild()


class RiskSignal(Model):
    """Evidence a stage offers the risk summary: a named severity between 0 and 1."""

    name: str
    value: float = Field(ge=0.0, le=1.0)
    detail: str


class StageReport(Model):
    """One stage's part of the report."""

    name: str
    title: str
    status: StageStatus
    reason: str | None = None
    summary: str = ""
    failures: list[Reason] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)
    blocks: list[Block] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    signals: list[RiskSignal] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    insufficient: list[Reason] = Field(
        default_factory=list,
        description="Why the stage's evidence falls short (too few real inputs exercised the "
        "change): a stage with any is not a pass.",
    )
    gate: bool = Field(
        default=True, description="Whether the stage can fail the gate (false: it informs)."
    )

    @classmethod
    def skipped(cls, name: str, title: str, why: str) -> StageReport:
        """A stage that did not run, and why."""
        return cls(
            name=name,
            title=title,
            status=StageStatus.SKIPPED,
            reason=why,
            summary=f"skipped: {why}",
        )

    @classmethod
    def errored(cls, name: str, title: str, why: str) -> StageReport:
        """A stage that tried to run and could not."""
        return cls(
            name=name, title=title, status=StageStatus.ERROR, reason=why, summary=f"error: {why}"
        )

    @property
    def passed(self) -> bool:
        """Whether the stage ran and found nothing that fails the gate."""
        return self.status is StageStatus.RAN and not self.failures and not self.insufficient


class Change(Model):
    """The range under test."""

    repo: str
    base: str | None
    head: str
    base_ref: str | None = None
    head_ref: str | None = None
    commits: int = 0


class Report(Model):
    """Everything `verify` found, and its verdict."""

    schema_version: int = SCHEMA_VERSION
    tool_version: str = ""
    verdict: Verdict
    reasons: list[Reason] = Field(default_factory=list)
    change: Change
    stages: list[StageReport] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def stage(self, name: str) -> StageReport | None:
        """The report of the stage with that name, if it was considered."""
        return next((s for s in self.stages if s.name == name), None)

    @property
    def findings(self) -> list[Finding]:
        """Every located finding of every stage."""
        return [f for s in self.stages for f in s.findings]

    def to_json(self) -> dict[str, Any]:
        """The JSON document of DESIGN.md: top-level sections per stage, plus a stage index."""
        doc: dict[str, Any] = {
            "schema_version": self.schema_version,
            "tool_version": self.tool_version,
            "verdict": self.verdict.value,
            "reasons": [r.model_dump() for r in self.reasons],
            "change": self.change.model_dump(),
            "stages": [
                {
                    "name": s.name,
                    "status": s.status.value,
                    "reason": s.reason,
                    "summary": s.summary,
                    "passed": s.passed,
                }
                for s in self.stages
            ],
        }
        for s in self.stages:
            section: dict[str, Any] = {"status": s.status.value}
            if s.reason is not None:
                section["reason"] = s.reason
            section.update(s.data)
            if s.insufficient:
                section["insufficient"] = [r.message for r in s.insufficient]
            if s.warnings:
                section.setdefault("warnings", s.warnings)
            doc[s.name] = section
        doc["warnings"] = list(self.warnings)
        return doc
