"""`[assumptions]`: when a ledger is required, what fails the gate, mining and probe settings."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from realitycheck.core.config.base import Section

Action = Literal["fail", "warn", "ignore"]

MINED_KINDS = (
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
)


class TargetMapping(Section):
    """Ties a function to a corpus target when neither its name nor a route decorator does."""

    function: str = Field(description="`module:qualname` or `path/to/file.py:qualname`.")
    target: str = Field(
        description="The corpus target, `fn:module:qualname` or `http:METHOD /path`."
    )
    params: dict[str, str] = Field(
        default_factory=dict,
        description="Parameter name -> JSON path of its value in the target's recorded input "
        "(default `$.args.<name>` for fn targets, `$.body` for an HTTP body).",
    )

    @field_validator("target")
    @classmethod
    def _target(cls, value: str) -> str:
        if not value.startswith(("fn:", "http:")):
            raise ValueError("a target starts with fn: or http:")
        return value

    @field_validator("params")
    @classmethod
    def _paths(cls, value: dict[str, str]) -> dict[str, str]:
        for name, path in value.items():
            if not path.startswith("$"):
                raise ValueError(f"the path of parameter '{name}' must start with $")
        return value


class AssumptionsConfig(Section):
    """Settings of the assumptions capability."""

    require_ledger_above: float = Field(
        default=0.2,
        ge=0.0,
        le=1.0,
        description="A change whose AI-written share of changed lines is above this must carry "
        "a ledger (0 requires one of any AI change; unknown provenance counts as AI).",
    )
    missing_ledger: Action = Field(
        default="fail", description="What a required but missing ledger does to the gate."
    )
    violated_declared: Action = Field(
        default="fail", description="What a declared assumption the corpus contradicts does."
    )
    violated_undeclared: Action = Field(
        default="fail",
        description="What a mined assumption, not declared, that the corpus contradicts does.",
    )
    undeclared_holding: Literal["list", "warn", "fail"] = Field(
        default="list",
        description="Mined assumptions that hold but no ledger declares: list them as "
        "'confirm these in the ledger', warn, or fail.",
    )
    unchecked_declared: Action = Field(
        default="ignore",
        description="What a declared check that could not run (no samples, probe failed) does.",
    )
    mine: bool = Field(default=True, description="Mine assumptions from the changed Python code.")
    mine_scope: Literal["lines", "functions"] = Field(
        default="lines",
        description="Report what changed lines rely on ('lines'), or everything the functions "
        "containing changed lines rely on ('functions').",
    )
    kinds: list[str] | None = Field(
        default=None, description="Mined kinds to report (default: all)."
    )
    exclude: list[str] = Field(
        default_factory=lambda: [
            "tests/**",
            "test/**",
            "**/tests/**",
            "**/test_*.py",
            "**/*_test.py",
            "**/conftest.py",
            ".realitycheck/**",
        ],
        description="Files never mined (globs relative to the repository root).",
    )
    source_roots: list[str] = Field(
        default_factory=lambda: ["src", "."],
        description="Folders module names start from (src/pkg/mod.py is pkg.mod).",
    )
    targets: list[TargetMapping] = Field(
        default_factory=list, description="Functions tied to corpus targets by hand."
    )
    min_samples: int = Field(
        default=1, ge=1, description="Fewer matching samples than this leaves a check unchecked."
    )
    probe_timeout: float = Field(
        default=30.0, gt=0, description="Seconds a probe may take on one sample."
    )
    probe_workers: int = Field(default=1, ge=1, le=64, description="Probe worker processes.")
    probe_max_samples: int = Field(
        default=5000, ge=1, description="At most this many samples per probe (the first by id)."
    )
    probe_python: str | None = Field(
        default=None,
        description="Python interpreter for probe workers (default: the one running realitycheck).",
    )

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, value: list[str] | None) -> list[str] | None:
        for kind in value or []:
            if kind not in MINED_KINDS:
                raise ValueError(f"unknown kind '{kind}'; kinds are {', '.join(MINED_KINDS)}")
        return value
