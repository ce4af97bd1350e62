"""`[policy]`: which stages run, which are required, and how the gate treats what could not run."""

from __future__ import annotations

from pydantic import Field

from realitycheck.core.config.base import Section


class PolicyConfig(Section):
    """How `verify` turns stage results into a verdict."""

    stages: list[str] | None = Field(
        default=None, description="Stages to run, by name; all registered stages when unset."
    )
    skip: list[str] = Field(default_factory=list, description="Stages never to run.")
    required: list[str] = Field(
        default_factory=lambda: ["provenance"],
        description="Stages an AI change must complete; one that is skipped or errors fails it.",
    )
    fail_closed: bool = Field(
        default=True,
        description="Fail an AI change whose required stage could not run (false: only warn).",
    )
