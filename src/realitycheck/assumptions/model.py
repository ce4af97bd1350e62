"""The assumption ledger of DESIGN.md, and the results of checking assumptions."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

LEDGER_SCHEMA_VERSION = 1  # Ledger schema versions: 1 (first).

AssumptionKind = Literal[
    "input-shape", "upstream", "failure-mode", "environment", "ordering", "performance", "security"
]


class LedgerModel(BaseModel):
    """A ledger value: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class CheckSpec(LedgerModel):
    """How to test an assumption against the corpus."""

    target: str | None = None
    probe: str | None = None
    path: str | None = None
    expect: dict[str, Any] = Field(default_factory=dict)
    mostly: float = Field(default=1.0, ge=0.0, le=1.0)


class Assumption(LedgerModel):
    """One declared assumption."""

    id: str
    kind: AssumptionKind
    statement: str
    where: str | None = None
    covers: list[str] = Field(default_factory=list)
    check: CheckSpec | None = None


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


class CheckResult(BaseModel):
    """The outcome of one check against the corpus."""

    status: Literal["holds", "violated", "unchecked"]
    why: str | None = None
    n: int = 0
    violations: int = 0
    rate: float = 0.0
    ci: tuple[float, float] = (0.0, 0.0)
    examples: list[str] = Field(default_factory=list)
