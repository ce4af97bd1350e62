"""`[provenance]`: who counts as human, extra AI markers, and how signals are weighed."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from realitycheck.core.config.base import Section

MarkerKind = Literal["email", "bot", "name", "trailer", "message", "subject"]
Role = Literal["author", "committer", "co-author"]
ALL_ROLES: tuple[Role, ...] = ("author", "committer", "co-author")


class MarkerSpec(Section):
    """One thing an AI coding tool writes into a commit (the registry's and the user's)."""

    tool: str = Field(description="Tool id the marker points to, e.g. claude-code.")
    kind: MarkerKind = Field(
        description="email | bot | name | trailer | message | subject (see docs/provenance.md)."
    )
    match: str = Field(
        min_length=1,
        description="Email or name glob, bot login, trailer key, or message text "
        "(case-insensitive).",
    )
    value: str | None = Field(default=None, description="Trailer value glob (kind trailer).")
    github_id: int | None = Field(
        default=None, description="Numeric GitHub id of a bot (kind bot), stable across renames."
    )
    roles: list[Role] = Field(
        default_factory=lambda: list(ALL_ROLES),
        description="Identities an email, bot or name marker applies to.",
    )
    confidence: float = Field(default=0.9, ge=0.0, le=1.0)
    tool_from_value: bool = Field(
        default=False,
        description="Name the tool from the trailer value (`Assisted-by: AGENT:MODEL`).",
    )
    note: str = ""


class ProvenanceConfig(Section):
    """Settings of the provenance capability."""

    human_identities: list[str] = Field(
        default_factory=list,
        description="Authors whose commits are human unless an AI marker says otherwise: "
        "'Name <email>', an email, or a glob such as '*@example.com'.",
    )
    markers: list[MarkerSpec] = Field(
        default_factory=list, description="Markers added to the built-in registry."
    )
    ignore_tools: list[str] = Field(
        default_factory=list, description="Registry tool ids whose markers are not used."
    )
    ai_labels: list[str] = Field(
        default_factory=lambda: ["ai-generated", "ai-assisted", "ai-authored", "generated-by-ai"],
        description="Pull-request labels that mark the whole change as AI-written.",
    )
    label_confidence: float = Field(default=0.8, ge=0.0, le=1.0)
    notes_ref: str = Field(default="refs/notes/ai", description="Where Git AI notes live.")
    agent_trace_files: list[str] = Field(
        default_factory=lambda: [".agent-trace/traces.jsonl"],
        description="Agent Trace JSONL files, relative to the repository root.",
    )
    trust_agent_trace_human: bool = Field(
        default=False,
        description="Count Agent Trace ranges whose contributor is 'human' as human lines.",
    )
    recover_rebased_notes: bool = Field(
        default=True,
        description="Use the note of a pre-rebase commit with the same author, time and patch.",
    )
    ai_threshold: float = Field(
        default=0.5, gt=0.0, le=1.0, description="Fused confidence at which a commit is AI."
    )
    max_file_lines: int = Field(
        default=20_000, ge=1, description="Files with more changed lines are not blamed."
    )
    large_change_lines: int = Field(
        default=1_000, ge=1, description="Changed lines at which the change-size signal is 1."
    )
    unknown_counts_as_ai: bool = Field(
        default=False,
        description="Treat a change with lines of unknown origin as an AI change in the gate.",
    )

    @model_validator(mode="after")
    def _check(self) -> ProvenanceConfig:
        for entry in self.human_identities:
            if not entry.strip():
                raise ValueError("human_identities has an empty entry")
        return self
