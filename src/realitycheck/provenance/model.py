"""Provenance results: who wrote each commit and each changed line; other capabilities read them."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from realitycheck.core.ranges import Range, expand


class Origin(str, Enum):
    """Who wrote something. `unknown` is never read as `human`."""

    AI = "ai"
    HUMAN = "human"
    UNKNOWN = "unknown"


class Evidence(BaseModel):
    """One signal about a commit or a line, with the confidence it carries."""

    model_config = ConfigDict(frozen=True)

    source: str = Field(
        description="trailer | message | identity | git-ai-note | agent-trace | label | config"
    )
    detail: str
    origin: Origin
    tool: str | None = None
    confidence: float = Field(ge=0.0, le=1.0)


class LineSpan(BaseModel):
    """Consecutive changed lines with one origin, one commit and one reason."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    origin: Origin
    commit: str | None = None
    source: str = Field(description="commit | git-ai-note | agent-trace | outside-range | none")
    detail: str = ""


class CommitProvenance(BaseModel):
    """The verdict on one commit of the range."""

    sha: str
    subject: str
    author: str
    verdict: Origin
    confidence: float = 0.0
    tools: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    merge: bool = False
    warnings: list[str] = Field(default_factory=list)
    root: bool = False
    committed_at: int = 0
    line_default: Origin | None = Field(
        default=None,
        description="Origin of this commit's lines that no note or trace covers "
        "(the verdict from commit-wide evidence only); None means the verdict.",
    )
    notes: list[str] = Field(default_factory=list, description="Plain words on special cases.")

    @property
    def default_origin(self) -> Origin:
        """The origin of this commit's changed lines when nothing line-level says otherwise."""
        return self.line_default if self.line_default is not None else self.verdict


class FileProvenance(BaseModel):
    """Who wrote the added or modified lines of one file in head."""

    path: str
    old_path: str | None = None
    status: str = "modified"
    binary: bool = False
    ai: list[Range] = Field(default_factory=list)
    human: list[Range] = Field(default_factory=list)
    unknown: list[Range] = Field(default_factory=list)
    commits: dict[int, str] = Field(default_factory=dict, description="changed line -> commit sha")
    note: str | None = None
    spans: list[LineSpan] = Field(
        default_factory=list, description="Why each changed line has its origin."
    )

    def origin_of(self, line: int) -> Origin | None:
        """The origin of a changed line, or None when the line did not change."""
        for origin in Origin:
            if any(a <= line <= b for a, b in self.ranges(origin)):
                return origin
        return None

    def ranges(self, origin: Origin) -> list[Range]:
        """The changed ranges with that origin."""
        return {Origin.AI: self.ai, Origin.HUMAN: self.human, Origin.UNKNOWN: self.unknown}[origin]


class ProvenanceResult(BaseModel):
    """Provenance of a range base..head."""

    base: str | None
    head: str
    commits: list[CommitProvenance] = Field(default_factory=list)
    files: list[FileProvenance] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list, description="Pull-request labels considered.")
    notes: list[str] = Field(default_factory=list, description="Plain words on special cases.")
    registry_version: int = 0

    def file(self, path: str) -> FileProvenance | None:
        """The provenance of one changed file."""
        return next((f for f in self.files if f.path == path), None)

    def lines(self, origin: Origin) -> dict[str, set[int]]:
        """Changed lines with the given origin, per file."""
        return {f.path: expand(f.ranges(origin)) for f in self.files if f.ranges(origin)}

    def count(self, origin: Origin) -> int:
        """How many changed lines have the given origin."""
        return sum(len(expand(f.ranges(origin))) for f in self.files)

    @property
    def changed_lines(self) -> int:
        """How many added or modified lines head has in text files."""
        return sum(self.count(o) for o in Origin)

    @property
    def ai_line_share(self) -> float:
        """The share of changed lines written by a model (0 when nothing changed)."""
        total = self.changed_lines
        return self.count(Origin.AI) / total if total else 0.0

    @property
    def ai_commits(self) -> list[str]:
        """The ids of commits whose verdict is `ai`."""
        return [c.sha for c in self.commits if c.verdict is Origin.AI]

    @property
    def counts(self) -> dict[str, int]:
        """Changed lines per origin."""
        return {o.value: self.count(o) for o in Origin}

    @property
    def tools(self) -> list[str]:
        """The tools of the AI commits, most frequent first."""
        seen: dict[str, int] = {}
        for commit in self.commits:
            if commit.verdict is Origin.AI:
                for tool in commit.tools:
                    seen[tool] = seen.get(tool, 0) + 1
        return sorted(seen, key=lambda t: (-seen[t], t))

    def commit(self, sha: str) -> CommitProvenance | None:
        """The provenance of one commit of the range."""
        return next((c for c in self.commits if c.sha == sha), None)

    @property
    def is_ai_change(self) -> bool:
        """Whether any commit or changed line of the range is AI-written."""
        return bool(self.ai_commits) or self.count(Origin.AI) > 0
