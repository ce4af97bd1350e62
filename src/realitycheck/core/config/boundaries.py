"""`[boundaries]`: declared boundaries, detector switches, unknown lines and approval sources."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from realitycheck.core.config.base import Section

PolicyName = Literal["allowed", "requires-approval", "forbidden"]
UnknownLines = Literal["strict", "warn", "ignore"]
DetectorSetting = bool | PolicyName

DETECTORS = ("contracts", "migrations", "routes", "public_api", "io_errors", "ci_config")


def pattern_problem(pattern: str) -> str | None:
    """What CODEOWNERS syntax a path pattern misuses (GitHub documents these), or None."""
    if not pattern:
        return "empty pattern"
    if pattern.startswith("!"):
        return "'!' negation is not supported in CODEOWNERS"
    if pattern.startswith("\\#"):
        return "escaping '#' with '\\' is not supported in CODEOWNERS"
    if "[" in pattern.replace("\\[", "") or "]" in pattern.replace("\\]", ""):
        return "'[ ]' character ranges are not supported in CODEOWNERS"
    if "***" in pattern:
        return "three asterisks in a row match nothing sensible"
    return None


class BoundaryRule(Section):
    """A declared boundary: paths (CODEOWNERS-style patterns), owners, and a policy."""

    name: str = Field(min_length=1, description="Name shown in findings and used as SARIF rule id.")
    paths: list[str] = Field(min_length=1, description="CODEOWNERS-style path patterns.")
    owners: list[str] = Field(
        default_factory=list,
        description="@user, @org/team or e-mail; empty means the CODEOWNERS owners of each file.",
    )
    policy: PolicyName = Field(
        default="requires-approval", description="What AI-written lines in these paths need."
    )
    reason: str | None = Field(default=None, description="One line: why this is a boundary.")

    @field_validator("paths")
    @classmethod
    def _paths(cls, paths: list[str]) -> list[str]:
        for pattern in paths:
            problem = pattern_problem(pattern)
            if problem is not None:
                raise ValueError(f"pattern {pattern!r}: {problem}")
        return paths

    @field_validator("owners")
    @classmethod
    def _owners(cls, owners: list[str]) -> list[str]:
        for owner in owners:
            if not (owner.startswith("@") or "@" in owner):
                raise ValueError(f"owner {owner!r} must be @user, @org/team or an e-mail address")
        return owners


class Detectors(Section):
    """Detected boundaries: true (default policy), false (off), or a policy name."""

    contracts: DetectorSetting = Field(
        default=True, description="OpenAPI, JSON Schema, protobuf, GraphQL SDL and Avro files."
    )
    migrations: DetectorSetting = Field(default=True, description="Alembic and Django migrations.")
    routes: DetectorSetting = Field(
        default=True,
        description="FastAPI/Starlette, Flask and Django route handlers and their models.",
    )
    public_api: DetectorSetting = Field(
        default=True, description="__all__ exports and changed signatures of public functions."
    )
    io_errors: DetectorSetting = Field(
        default=True, description="try/except around network, database, file and process calls."
    )
    ci_config: DetectorSetting = Field(
        default=True,
        description="CI workflows, Dockerfiles, Kubernetes manifests, auth/security code.",
    )

    def setting(self, name: str) -> DetectorSetting:
        """The setting of one detector by name."""
        value: DetectorSetting = getattr(self, name)
        return value


class Approvals(Section):
    """Where approvals come from."""

    source: Literal["github", "none"] = Field(
        default="github",
        description="github: pull-request reviews through the REST API; none: never approved.",
    )
    api_url: str = Field(
        default="https://api.github.com",
        description="GitHub REST API root (GitHub Enterprise: https://HOST/api/v3).",
    )
    timeout: float = Field(default=15.0, gt=0, description="Seconds per API request.")


class BoundariesConfig(Section):
    """Settings of the boundaries capability."""

    policy: PolicyName = Field(
        default="requires-approval", description="Policy of detected boundaries."
    )
    unknown_lines: UnknownLines = Field(
        default="strict",
        description="Changed lines of unknown origin: strict (as AI-written), warn, or ignore.",
    )
    unknown_lines_paths: dict[str, UnknownLines] = Field(
        default_factory=dict,
        description="unknown_lines per path pattern (CODEOWNERS-style; the last match wins), "
        'e.g. {".github/**" = "warn"}.',
    )
    unowned: Literal["any-reviewer", "fail"] = Field(
        default="any-reviewer",
        description="A boundary nobody owns: any approving reviewer counts, or it always fails.",
    )
    codeowners: bool | str = Field(
        default=True,
        description="Read CODEOWNERS (.github/, root, docs/) from the base; or a path to one.",
    )
    rules: list[BoundaryRule] = Field(default_factory=list, description="Declared boundaries.")
    detectors: Detectors = Field(default_factory=Detectors)
    approvals: Approvals = Field(default_factory=Approvals)

    @field_validator("unknown_lines_paths")
    @classmethod
    def _unknown_paths(cls, paths: dict[str, UnknownLines]) -> dict[str, UnknownLines]:
        for pattern in paths:
            problem = pattern_problem(pattern)
            if problem is not None:
                raise ValueError(f"pattern {pattern!r}: {problem}")
        return paths
