"""Boundaries results: where a change touches a boundary, who owns it, and whether they approved."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from realitycheck.core.ranges import Range


class Policy(str, Enum):
    """What a boundary allows of AI-written lines."""

    ALLOWED = "allowed"
    REQUIRES_APPROVAL = "requires-approval"
    FORBIDDEN = "forbidden"


class Region(BaseModel):
    """A place in head that is a boundary: a file's lines, the rule that says so, and why."""

    model_config = ConfigDict(frozen=True)

    path: str
    lines: list[Range]
    rule: str = Field(description="detector name (routes, contracts, ...) or declared rule name")
    declared: bool = False
    symbol: str | None = Field(default=None, description="what the lines are, e.g. DocumentOut")
    reason: str = Field(description="one line: why this is a boundary")


class ApprovalState(str, Enum):
    """Where a finding stands with its owners."""

    APPROVED = "approved"
    MISSING = "missing"
    STALE = "stale"
    UNKNOWN = "unknown"
    NOT_NEEDED = "not-needed"
    NOT_ACCEPTED = "not-accepted"


class Approval(BaseModel):
    """The approval state of one finding, with who approved and at which commit."""

    state: ApprovalState
    by: list[str] = Field(default_factory=list)
    commit: str | None = None
    detail: str = ""


class BoundaryFinding(BaseModel):
    """AI-written (or unknown) changed lines inside a boundary."""

    rule: str
    declared: bool = False
    path: str
    lines: list[Range]
    origin: str = Field(description="ai | unknown: who wrote these lines, per provenance")
    policy: Policy
    owners: list[str] = Field(default_factory=list)
    owners_from: str | None = Field(default=None, description="e.g. .github/CODEOWNERS:12")
    symbol: str | None = None
    reasons: list[str] = Field(default_factory=list)
    also: list[str] = Field(default_factory=list, description="other rules on the same lines")
    approval: Approval
    next_step: str = ""
    blocking: bool = Field(default=False, description="whether this finding fails the gate")

    @property
    def approved(self) -> bool:
        """Whether an owner approved these lines at the head commit."""
        return self.approval.state is ApprovalState.APPROVED

    @property
    def where(self) -> str:
        """`path:3-9,12` for messages."""
        spans = ",".join(f"{a}" if a == b else f"{a}-{b}" for a, b in self.lines)
        return f"{self.path}:{spans}" if spans else self.path


class CodeownersFile(BaseModel):
    """The CODEOWNERS file that was read, and the lines it could not read."""

    path: str
    revision: str | None = None
    rules: int = 0
    warnings: list[str] = Field(default_factory=list)


class BoundariesResult(BaseModel):
    """The boundaries of a range base..head that AI-written lines touch, and their approvals."""

    base: str | None
    head: str
    findings: list[BoundaryFinding] = Field(default_factory=list)
    regions: int = Field(default=0, description="boundary regions found in the changed files")
    human_lines: int = Field(default=0, description="human-written changed lines in boundaries")
    unknown_lines: str = "strict"
    detectors: list[str] = Field(default_factory=list)
    codeowners: CodeownersFile | None = None
    approval_source: str | None = None
    approval_error: str | None = None
    approval_note: str | None = Field(
        default=None, description="why no approvals were read, when some were needed"
    )
    warnings: list[str] = Field(default_factory=list)

    @property
    def blocking(self) -> list[BoundaryFinding]:
        """The findings that fail the gate."""
        return [f for f in self.findings if f.blocking]
