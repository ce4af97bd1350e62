"""The assumption ledger of DESIGN.md, and the results of checking assumptions."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

LEDGER_SCHEMA_VERSION = 1  # Ledger schema versions: 1 (first).

AssumptionKind = Literal[
    "input-shape", "upstream", "failure-mode", "environment", "ordering", "performance", "security"
]

# What mining looks for; each maps to one ledger kind (see MINED_LEDGER_KIND).
MinedKind = Literal[
    "key-present",
    "not-null",
    "maybe-none",
    "conversion",
    "value-set",
    "swallowed-failure",
    "upstream-call",
    "assert",
    "env-var",
    "fixed-path",
]

MINED_LEDGER_KIND: dict[str, AssumptionKind] = {
    "key-present": "input-shape",
    "not-null": "input-shape",
    "maybe-none": "input-shape",
    "conversion": "input-shape",
    "value-set": "input-shape",
    "swallowed-failure": "failure-mode",
    "upstream-call": "upstream",
    "assert": "input-shape",
    "env-var": "environment",
    "fixed-path": "environment",
}

CheckStatus = Literal["holds", "violated", "unchecked"]


class LedgerModel(BaseModel):
    """A ledger value: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Condition(LedgerModel):
    """Which samples a check judges: those whose value at `path` passes `expect` (or fails it)."""

    path: str
    expect: dict[str, Any]
    negate: bool = False


class CheckSpec(LedgerModel):
    """How to test an assumption against the corpus."""

    target: str | None = None
    probe: str | None = None
    path: str | None = None
    expect: dict[str, Any] = Field(default_factory=dict)
    mostly: float = Field(default=1.0, ge=0.0, le=1.0)
    when: list[Condition] = Field(
        default_factory=list, description="Only samples meeting every condition are judged."
    )


class Assumption(LedgerModel):
    """One declared assumption."""

    id: str
    kind: AssumptionKind
    statement: str
    where: str | None = None
    covers: list[str] = Field(default_factory=list)
    check: CheckSpec | None = None

    _origin: tuple[str, int] | None = PrivateAttr(default=None)

    @property
    def origin(self) -> tuple[str, int] | None:
        """The file and line this assumption was declared at, when it came from a file."""
        return self._origin


class ExpectedChange(LedgerModel):
    """A divergence the change intends; replay marks matching divergences as expected."""

    target: str
    path: str = "$"
    category: str | None = None
    note: str | None = None


class Ledger(LedgerModel):
    """The assumptions an AI change declares, and the divergences it intends."""

    version: int = LEDGER_SCHEMA_VERSION
    change: str | None = None
    assumptions: list[Assumption] = Field(default_factory=list)
    expected_changes: list[ExpectedChange] = Field(default_factory=list)
    source: str | None = Field(default=None, exclude=True)

    def assumption(self, assumption_id: str) -> Assumption | None:
        """The declared assumption with this id."""
        return next((a for a in self.assumptions if a.id == assumption_id), None)


class CheckResult(BaseModel):
    """The outcome of one check against the corpus."""

    status: CheckStatus
    why: str | None = None
    n: int = 0
    violations: int = 0
    rate: float = 0.0
    ci: tuple[float, float] = (0.0, 0.0)
    examples: list[str] = Field(default_factory=list)
    counts: dict[str, int] = Field(
        default_factory=dict,
        description="How violations split (absent, null) and how many samples a probe failed on.",
    )


class MinedAssumption(BaseModel):
    """An assumption found in the changed code, with where it is and how to check it."""

    id: str
    kind: MinedKind
    file: str
    line: int
    lines: list[int] = Field(default_factory=list, description="Every line that relies on it.")
    function: str | None = None
    target: str | None = None
    path: str | None = None
    statement: str
    check: CheckSpec | None = None
    why_unchecked: str | None = Field(
        default=None, description="Why there is no corpus check, when there is none."
    )
    declared_by: str | None = None
    result: CheckResult | None = None

    @property
    def ledger_kind(self) -> AssumptionKind:
        """The ledger kind this mined kind belongs to."""
        return MINED_LEDGER_KIND[self.kind]


class DeclaredOutcome(BaseModel):
    """A declared assumption and what the corpus says about it."""

    assumption: Assumption
    result: CheckResult
    covers: list[str] = Field(default_factory=list, description="Mined ids it declares.")


class AssumptionsResult(BaseModel):
    """What the assumptions stage found: the ledger, what mining found, and the check results."""

    ledger: Ledger | None = None
    ledger_required: bool = False
    ledger_uncommitted: list[str] = Field(default_factory=list, exclude=True)
    ledger_head: str = Field(default="the head commit", exclude=True)
    ai_line_share: float | None = None
    declared: list[DeclaredOutcome] = Field(default_factory=list)
    mined: list[MinedAssumption] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    @property
    def violated(self) -> list[str]:
        """Ids of every declared or mined assumption the corpus contradicts."""
        out = [d.assumption.id for d in self.declared if d.result.status == "violated"]
        return out + [m.id for m in self.mined if m.result and m.result.status == "violated"]

    @property
    def undeclared(self) -> list[MinedAssumption]:
        """Mined assumptions no ledger entry declares."""
        return [m for m in self.mined if m.declared_by is None]
