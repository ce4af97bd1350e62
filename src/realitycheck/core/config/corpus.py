"""`[corpus]`: where the corpus lives, how capture samples, and what redaction removes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from realitycheck.core.config.base import Section


class PatternRule(Section):
    """A custom scanner pattern: text it matches is replaced by a shape-preserving token."""

    name: str = Field(description="A name for the rule, used in reports.")
    regex: str = Field(
        description="An RE2 regular expression; a named group `s` limits what is replaced."
    )

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        import re2  # type: ignore[import-untyped]

        options = re2.Options()
        options.log_errors = False  # the message below says it; RE2's log would add lines
        try:
            re2.compile(value, options)
        except re2.error as exc:
            why = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
            raise ValueError(f"not a valid RE2 expression: {why}") from None
        return value


class RedactionConfig(Section):
    """What is redacted before anything is written, and with which key."""

    key_file: str | None = Field(
        default=None,
        description="The redaction key (kept outside the corpus); default: redaction.key "
        "beside the corpus folder, created when missing.",
    )
    scan: bool = Field(default=True, description="Scan all text for secret and PII formats.")
    disable: list[str] = Field(
        default_factory=list,
        description="Built-in scanner kinds to turn off (e.g. phone).",
    )
    headers: list[str] = Field(
        default_factory=list, description="More header names (globs) whose values are redacted."
    )
    fields: list[str] = Field(
        default_factory=list,
        description="More field, query-parameter and argument names (globs) redacted whole.",
    )
    allow_names: list[str] = Field(
        default_factory=list,
        description="Names the name rules never redact (e.g. token_type).",
    )
    allow_paths: list[str] = Field(
        default_factory=list,
        description="JSON paths never redacted, like $.input.headers.x-request-id; `*` is any "
        "key, `[*]` any index, `**` any depth.",
    )
    allow_values: list[str] = Field(
        default_factory=list, description="Exact values never redacted (e.g. a test account)."
    )
    patterns: list[PatternRule] = Field(default_factory=list, description="More scanner patterns.")
    binary_blobs: bool = Field(
        default=False,
        description="Also scan binary blobs (byte for byte, keeping offsets); text blobs are "
        "always scanned.",
    )

    @field_validator("allow_paths")
    @classmethod
    def _paths(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value.startswith("$"):
                raise ValueError(f"{value!r} is not a JSON path starting with '$'")
        return values


class CaptureConfig(Section):
    """How in-process capture samples and writes."""

    rate: float = Field(default=1.0, ge=0.0, le=1.0, description="Share of calls recorded.")
    rates: dict[str, float] = Field(
        default_factory=dict,
        description="Rate per target (shell-style patterns), e.g. {'http:GET /health' = 0}.",
    )
    max_per_hour: int | None = Field(
        default=1000, ge=1, description="Samples per target per hour, at most (unset: no cap)."
    )
    dedup: bool = Field(default=True, description="Skip inputs already recorded (by input hash).")
    dedup_memory: int = Field(
        default=100_000, ge=1, description="Input hashes remembered for deduplication."
    )
    queue_size: int = Field(default=10_000, ge=1, description="Samples waiting to be written.")
    queue_mb: float = Field(
        default=64.0, gt=0, description="Megabytes of samples waiting to be written, at most."
    )
    batch_size: int = Field(default=1000, ge=1, description="Samples per segment, at most.")
    flush_seconds: float = Field(
        default=5.0, gt=0, description="Seconds before a partial batch is written."
    )
    writer: Literal["process", "thread"] = Field(
        default="process",
        description="Who redacts and writes: a helper process (keeps the work off the "
        "application's interpreter lock) or a thread of the application.",
    )
    ship_backlog_mb: float = Field(
        default=1024.0,
        gt=0,
        description="With a remote corpus: megabytes of segments waiting on local disk to be "
        "shipped, at most; past it, new samples are dropped and counted (backlog-full).",
    )
    max_body_kb: int = Field(
        default=4096,
        ge=1,
        description="Kilobytes of a body (or of a function's arguments); larger samples are "
        "dropped and counted.",
    )

    @field_validator("rates")
    @classmethod
    def _rates(cls, values: dict[str, float]) -> dict[str, float]:
        for target, rate in values.items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"rate for {target!r} must be between 0 and 1")
        return values


class CorpusConfig(Section):
    """Settings of the corpus capability."""

    dir: str | None = Field(
        default=None, description="The corpus folder (default: .realitycheck/corpus)."
    )
    url: str | None = Field(
        default=None,
        description="A remote corpus (s3://bucket/prefix, gs://, az://, file:///dir) read in "
        "place, and shipped to by capture; `dir` is then capture's local spool. Credentials "
        "come from the store's own environment and profiles, never from this file.",
    )
    capture: CaptureConfig = Field(default_factory=CaptureConfig)
    redaction: RedactionConfig = Field(default_factory=RedactionConfig)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and "://" not in value:
            raise ValueError(f"{value!r} is not a URL like s3://bucket/prefix or file:///dir")
        if value is not None and "@" in value.split("://", 1)[1].split("/", 1)[0]:
            raise ValueError("credentials do not belong in the URL (use the store's profile)")
        return value
