"""`[replay]`: what to replay through the base and the head revision, and how to compare it."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from realitycheck.core.config.base import Section

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
BUILTIN_COMPARATORS = ("json", "text", "exact")
_CALLABLE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_PATH = re.compile(r"^\$(\.[^.\[\]]+|\[(\d+|\*|\"[^\"]*\")\])*$")


def _check_comparator(value: str) -> str:
    if value in BUILTIN_COMPARATORS or _CALLABLE.match(value):
        return value
    raise ValueError(
        f"comparator {value!r} is not json, text, exact or a function as 'module:function'"
    )


def _check_paths(values: list[str]) -> list[str]:
    for value in values:
        if not _PATH.match(value):
            raise ValueError(f"{value!r} is not a JSON path like $.return.items[*].id")
    return values


class Comparison(Section):
    """How the outputs of one target are compared."""

    comparator: str = Field(
        default="json",
        description="json (structural), text (token similarity), exact, or 'module:function'.",
    )
    text_threshold: float = Field(
        default=0.95,
        ge=0.0,
        le=1.0,
        description="text: outputs whose token similarity is below this diverge.",
    )
    ignore: list[str] = Field(
        default_factory=list,
        description="JSON paths whose differences are ignored (and everything under them).",
    )

    @field_validator("comparator")
    @classmethod
    def _comparator(cls, value: str) -> str:
        return _check_comparator(value)

    @field_validator("ignore")
    @classmethod
    def _ignore(cls, values: list[str]) -> list[str]:
        return _check_paths(values)


class FunctionTarget(Comparison):
    """A function whose recorded calls are replayed."""

    target: str = Field(description="The function as module:qualname (or fn:module:qualname).")
    timeout: float | None = Field(
        default=None, gt=0, description="Seconds one call may take (default: replay.timeout)."
    )
    max_samples: int | None = Field(default=None, gt=0, description="Replay at most this many.")

    @field_validator("target")
    @classmethod
    def _target(cls, value: str) -> str:
        name = value.removeprefix("fn:")
        if not _CALLABLE.match(name):
            raise ValueError(f"target {value!r} is not module:qualname")
        return name


class HttpService(Comparison):
    """An HTTP service started once per revision, and the recorded targets it answers."""

    name: str = Field(description="A name for the service in reports.")
    command: str | list[str] = Field(
        description="Command template to start the service; {port}, {host}, {python} and "
        "{root} (the revision's tree) are filled in."
    )
    ready_path: str = Field(default="/", description="Path that answers once the service is up.")
    ready_timeout: float = Field(default=30.0, gt=0, description="Seconds to wait for it.")
    targets: list[str] = Field(
        default_factory=lambda: ["http:*"],
        description="Recorded targets this service answers (shell-style patterns).",
    )
    allow_methods: list[str] = Field(
        default_factory=list,
        description="Methods replayed besides GET, HEAD and OPTIONS (e.g. POST).",
    )
    compare_headers: list[str] = Field(
        default_factory=lambda: ["content-type"],
        description="Response headers that are compared (names, case-insensitive).",
    )
    env: dict[str, str] = Field(default_factory=dict, description="Extra environment variables.")
    cwd: str = Field(default=".", description="Working directory, relative to the tree.")
    measure: bool = Field(
        default=True,
        description="Run the head's service under coverage.py for reality coverage (when its "
        "command runs Python); false: its coverage is reported as not measured.",
    )

    @field_validator("allow_methods")
    @classmethod
    def _methods(cls, values: list[str]) -> list[str]:
        return [v.upper() for v in values]

    @field_validator("ready_path")
    @classmethod
    def _ready(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("ready_path must start with '/'")
        return value


class ReplayConfig(Section):
    """Differential replay of the corpus through the base and the head revision."""

    source_roots: list[str] = Field(
        default_factory=lambda: ["src", "."],
        description="Folders (relative to the repository root) put on sys.path, when present.",
    )
    functions: list[FunctionTarget] = Field(default_factory=list)
    services: list[HttpService] = Field(default_factory=list)
    discover: bool = Field(
        default=True,
        description="Also replay recorded function targets whose module the change touches.",
    )
    executor: Literal["local", "ray"] = Field(default="local")
    address: str | None = Field(default=None, description="Ray cluster address (executor ray).")
    workers: int | None = Field(
        default=None, gt=0, description="Worker processes per replayed revision."
    )
    batch_size: int = Field(default=256, gt=0, description="Samples sent to a worker at once.")
    timeout: float = Field(default=10.0, gt=0, description="Seconds per call or request.")
    import_timeout: float | None = Field(
        default=None,
        gt=0,
        description="Seconds a worker may take to import a target (default: replay.timeout).",
    )
    min_samples: int = Field(
        default=5,
        ge=0,
        description="Samples of a target that must run on both sides without erroring there; "
        "fewer, and the target is insufficient (not passed).",
    )
    max_errored: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Largest share of a target's samples that may fail on both sides (the same "
        "exception, refused connection, HTTP 5xx); more, and the target is insufficient.",
    )
    max_samples: int | None = Field(default=None, gt=0, description="Samples per target, at most.")
    noise: bool = Field(
        default=True, description="Replay the base twice to measure nondeterminism."
    )
    relative_threshold: float = Field(
        default=20.0,
        ge=0.0,
        description="Percent: |head-vs-base − base-vs-base| / (their sum) must exceed this.",
    )
    absolute_threshold: float = Field(
        default=0.03,
        ge=0.0,
        description="Percent of samples: |head-vs-base − base-vs-base| must exceed this.",
    )
    ignore: list[str] = Field(
        default_factory=list, description="JSON paths ignored for every target."
    )
    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["127.0.0.1", "localhost", "::1"],
        description="The only hosts HTTP replay ever contacts.",
    )
    concurrency: int = Field(default=16, gt=0, description="HTTP requests in flight, at most.")
    rate: float | None = Field(default=None, gt=0, description="HTTP requests per second, at most.")
    senders: int | None = Field(
        default=None,
        gt=0,
        description="Processes that send HTTP requests, sharing `concurrency`; 1 sends from "
        "realitycheck's own process (default: one per CPU, or 1 below 128 samples).",
    )
    fail_on: Literal["unexpected", "any", "never"] = Field(
        default="unexpected",
        description="Which divergences fail the gate: unexpected ones (not in the ledger's "
        "expected_changes), any, or never.",
    )
    coverage: bool = Field(default=True, description="Measure reality coverage of changed lines.")
    coverage_contexts: Literal["auto", "target", "sample"] = Field(
        default="auto",
        description="Coverage context per target, or per sample (auto: per sample up to 2,000).",
    )
    test_command: str | None = Field(
        default="python -m pytest -q",
        description="The project's pytest command, run under coverage with a context per test.",
    )
    test_timeout: float = Field(default=600.0, gt=0, description="Seconds the tests may take.")

    @field_validator("ignore")
    @classmethod
    def _ignore(cls, values: list[str]) -> list[str]:
        return _check_paths(values)

    @model_validator(mode="after")
    def _check(self) -> ReplayConfig:
        names = [s.name for s in self.services]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"two services are named {dupes[0]!r}")
        return self

    def function(self, target: str) -> FunctionTarget:
        """The settings of a function target, configured or default."""
        name = target.removeprefix("fn:")
        for item in self.functions:
            if item.target == name:
                return item
        return FunctionTarget(target=name)
