"""Replay results: what real inputs did to the base and the head revision, and where they differ.

Other stages (risk, the report) read these; `ReplayResult.to_json` is the report's JSON section.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from realitycheck.core.ranges import Range

# Categories of divergence. The structural ones come from the JSON comparator; the failures are
# new failures of the head on inputs the base handled.
STRUCTURAL = ("value-changed", "type-changed", "missing", "added", "ordering", "size")
TEXT = ("text-lost", "text-changed")
FAILURES = ("exception", "timeout", "crash", "empty")
OTHER = ("no-longer-raises", "base-failed", "changed")

Baseline = Literal["base", "recorded", "none"]


class Divergence(BaseModel):
    """One kind of difference at one JSON path, over all the samples that show it."""

    path: str
    category: str
    count: int
    rate: float
    noise: bool = False
    noise_count: int = 0
    filtered_by: str | None = Field(
        default=None, description="Why it counts as noise: noise, relative or absolute."
    )
    expected: bool = False
    expected_note: str | None = None
    examples: list[str] = Field(default_factory=list)
    detail: str | None = None
    tokens_lost: float | None = Field(
        default=None, description="text: mean share of the base's tokens the head lost."
    )
    cause: str | None = Field(
        default=None,
        description="The problem this divergence is one path of (one category under one "
        "parent path, e.g. every query key of one route), when several paths share it.",
    )

    def to_json(self) -> dict[str, Any]:
        """The divergence as the JSON report shows it."""
        return self.model_dump(exclude_none=True)


class Example(BaseModel):
    """One diverging sample, base and head output side by side."""

    sample: str
    path: str
    category: str
    base: str
    head: str


class TargetReplay(BaseModel):
    """The replay of one target."""

    target: str
    kind: Literal["function", "http"]
    comparator: str
    baseline: Baseline = "base"
    noise_measured: bool = False
    samples: int = 0
    replayed: int = 0
    skipped: dict[str, int] = Field(default_factory=dict)
    diverged: int = 0
    unexpected: int = 0
    rate: float = 0.0
    ci: tuple[float, float] = (0.0, 0.0)
    divergences: list[Divergence] = Field(default_factory=list)
    ignored: dict[str, int] = Field(default_factory=dict)
    example: Example | None = None
    base_ms: float | None = Field(default=None, description="Median duration on the base.")
    head_ms: float | None = Field(default=None, description="Median duration on the head.")
    restarts: int = 0
    note: str | None = None
    causes: dict[str, int] = Field(
        default_factory=dict, description="Samples showing any path of each shared cause."
    )
    errored: dict[str, int] = Field(
        default_factory=dict,
        description="Samples that failed the same way on both sides, by why (they exercised "
        "no changed behaviour).",
    )
    error: str | None = Field(
        default=None, description="Why the target could not be replayed at all (pre-flight)."
    )
    insufficient: str | None = Field(
        default=None, description="Why the evidence falls short of the configured minimum."
    )
    reached: dict[str, list[Range]] = Field(
        default_factory=dict, description="Changed lines the replayed inputs executed, per file."
    )
    reached_by_diverged: dict[str, list[Range]] = Field(
        default_factory=dict,
        description="Changed lines the diverging samples executed, per file (sample contexts).",
    )
    reached_only_by_diverged: dict[str, list[Range]] = Field(
        default_factory=dict,
        description="Changed lines only diverging samples executed, per file (sample contexts).",
    )

    @property
    def exercised(self) -> int:
        """Samples that ran on both sides and did not fail on both."""
        return self.replayed - sum(self.errored.values())

    @property
    def reported(self) -> list[Divergence]:
        """Divergences that are not noise."""
        return [d for d in self.divergences if not d.noise]

    @property
    def unexpected_divergences(self) -> list[Divergence]:
        """Divergences that are neither noise nor declared in the ledger."""
        return [d for d in self.divergences if not d.noise and not d.expected]

    def to_json(self) -> dict[str, Any]:
        """The target as the JSON report shows it (DESIGN.md's fields first)."""
        data: dict[str, Any] = {
            "target": self.target,
            "kind": self.kind,
            "samples": self.samples,
            "diverged": self.diverged,
            "rate": self.rate,
            "ci": list(self.ci),
            "unexpected": self.unexpected,
            "divergences": [d.to_json() for d in self.divergences],
            "comparator": self.comparator,
            "baseline": self.baseline,
            "noise_measured": self.noise_measured,
            "replayed": self.replayed,
            "skipped": self.skipped,
            "ignored": self.ignored,
            "restarts": self.restarts,
            "errored": self.errored,
            "causes": self.causes,
            "exercised": self.exercised,
        }
        for key in ("base_ms", "head_ms", "note", "error", "insufficient"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.example is not None:
            data["example"] = self.example.model_dump()
        if self.reached:
            data["reached"] = {f: [list(r) for r in rs] for f, rs in self.reached.items()}
        for key in ("reached_by_diverged", "reached_only_by_diverged"):
            found: dict[str, list[Range]] = getattr(self, key)
            if found:
                data[key] = {f: [list(r) for r in rs] for f, rs in found.items()}
        return data


class SuiteRun(BaseModel):
    """The project's tests, run under coverage with a context per test."""

    command: list[str] = Field(default_factory=list)
    ran: bool = False
    exit_code: int | None = None
    tests: int = 0
    ai_tests: list[str] = Field(
        default_factory=list, description="Tests written in AI commits (or of unknown origin)."
    )
    note: str | None = None


class FileCoverage(BaseModel):
    """Reality coverage of one changed file's executable changed lines."""

    path: str
    changed: int
    by_replay: list[Range] = Field(default_factory=list)
    replay_only: list[Range] = Field(
        default_factory=list, description="Executed by real inputs and by no test."
    )
    tests_only: list[Range] = Field(default_factory=list)
    ai_tests_only: list[Range] = Field(default_factory=list)
    uncovered: list[Range] = Field(default_factory=list)
    not_measured: list[Range] = Field(
        default_factory=list,
        description="Lines no measured run executed, where an unmeasured service may have.",
    )
    tests_by_line: dict[int, list[str]] = Field(default_factory=dict)


class RealityCoverage(BaseModel):
    """Which changed lines real inputs executed, which only the tests did, and which nothing did."""

    changed_lines: int = 0
    covered_by_replay: int = 0
    covered_by_replay_only: int = Field(
        default=0, description="Of those, lines no test executed (only real inputs did)."
    )
    covered_by_tests_only: int = 0
    covered_only_by_ai_tests: int = 0
    uncovered_lines: int = 0
    not_measured_lines: int = 0
    unmeasured: list[str] = Field(
        default_factory=list, description="What ran real inputs without being measured."
    )
    files: list[FileCoverage] = Field(default_factory=list)
    tests: SuiteRun = Field(default_factory=SuiteRun)
    note: str | None = None

    @property
    def uncovered(self) -> list[tuple[str, Range]]:
        """(file, range) of changed lines nothing executed."""
        return [(f.path, r) for f in self.files for r in f.uncovered]

    def mark_unmeasured(self, names: list[str]) -> None:
        """Lines nothing measured executed become not measured: `names` ran unmeasured."""
        self.unmeasured = names
        for f in self.files:
            f.not_measured, f.uncovered = f.uncovered, []
        self.not_measured_lines, self.uncovered_lines = self.uncovered_lines, 0

    @property
    def replay_share(self) -> float:
        """The share of changed executable lines real inputs executed."""
        return self.covered_by_replay / self.changed_lines if self.changed_lines else 1.0

    def to_json(self) -> dict[str, Any]:
        """DESIGN.md's `reality_coverage` object, extended."""

        def pairs(attr: str) -> list[list[Any]]:
            return [[f.path, list(r)] for f in self.files for r in getattr(f, attr)]

        data: dict[str, Any] = {
            "changed_lines": self.changed_lines,
            "covered_by_replay": self.covered_by_replay,
            "covered_by_replay_only": self.covered_by_replay_only,
            "covered_by_tests_only": self.covered_by_tests_only,
            "covered_only_by_ai_tests": self.covered_only_by_ai_tests,
            "uncovered_lines": self.uncovered_lines,
            "not_measured_lines": self.not_measured_lines,
            "unmeasured": self.unmeasured,
            "not_measured": pairs("not_measured"),
            "uncovered": pairs("uncovered"),
            "tests_only": pairs("tests_only"),
            "ai_tests_only": pairs("ai_tests_only"),
            "by_replay": pairs("by_replay"),
            "replay_only": pairs("replay_only"),
            "tests": self.tests.model_dump(exclude_none=True),
        }
        if self.note:
            data["note"] = self.note
        return data


class ReplayResult(BaseModel):
    """Everything one replay of a change found."""

    base: str | None
    head: str
    executor: str = "local"
    targets: list[TargetReplay] = Field(default_factory=list)
    reality_coverage: RealityCoverage | None = None
    expected_changes: bool = Field(
        default=False, description="Whether a ledger's expected_changes were available."
    )
    warnings: list[str] = Field(default_factory=list)
    changed: dict[str, list[Range]] = Field(
        default_factory=dict,
        description="The change's added lines per source file: where a divergence is placed "
        "when no measurement says which of them its samples executed.",
    )

    def target(self, name: str) -> TargetReplay | None:
        """The replay of one target."""
        return next((t for t in self.targets if t.target == name), None)

    @property
    def unexpected(self) -> list[tuple[TargetReplay, Divergence]]:
        """Every unexpected divergence, with its target."""
        return [(t, d) for t in self.targets for d in t.unexpected_divergences]

    def to_json(self) -> dict[str, Any]:
        """The `replay` section of the JSON report."""
        data: dict[str, Any] = {
            "targets": [t.to_json() for t in self.targets],
            "executor": self.executor,
            "expected_changes": self.expected_changes,
        }
        if self.reality_coverage is not None:
            data["reality_coverage"] = self.reality_coverage.to_json()
        return data
