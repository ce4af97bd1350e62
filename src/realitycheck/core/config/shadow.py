"""`[shadow]`: live requests copied to a candidate (and a secondary), compared, thrown away."""

from __future__ import annotations

from pydantic import Field, field_validator

from realitycheck.core.config.base import Section
from realitycheck.core.config.replay import _check_comparator, _check_paths

CREDENTIAL_HEADERS = (
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "api-key",
    "x-auth-token",
    "x-access-token",
    "x-csrf-token",
    "x-xsrf-token",
)
CREDENTIAL_PARAMS = ("api_key", "apikey", "access_token", "token", "key", "sig", "signature")


class ShadowConfig(Section):
    """How the shadow proxy samples, copies and compares live traffic."""

    results: str | None = Field(
        default=None, description="Where results are written (default: .realitycheck/shadow)."
    )
    max_in_flight: int = Field(
        default=64, gt=0, description="Copies in flight at most; beyond that a copy is not sent."
    )
    rate: float = Field(default=1.0, ge=0.0, le=1.0, description="Share of requests copied.")
    rates: dict[str, float] = Field(
        default_factory=dict,
        description="Share copied per route (shell-style patterns of http:METHOD /route), "
        "e.g. {'http:GET /health' = 0}.",
    )
    allow_routes: list[str] = Field(
        default_factory=list,
        description="Routes (patterns like 'http:POST /search') whose unsafe methods are "
        "copied too; only GET, HEAD and OPTIONS are copied otherwise.",
    )
    allow_credentials: list[str] = Field(
        default_factory=list,
        description="Credential headers or query parameters passed on to the copies "
        "(stripped otherwise).",
    )
    credential_headers: list[str] = Field(
        default_factory=list, description="More header names stripped from copies."
    )
    credential_params: list[str] = Field(
        default_factory=list, description="More query parameter names stripped from copies."
    )
    comparator: str = Field(default="json", description="json, text, exact or 'module:function'.")
    text_threshold: float = Field(default=0.95, ge=0.0, le=1.0)
    compare_headers: list[str] = Field(
        default_factory=lambda: ["content-type"],
        description="Response headers that are compared (names, case-insensitive).",
    )
    ignore_headers: list[str] = Field(
        default_factory=list, description="Response headers never compared."
    )
    ignore: list[str] = Field(
        default_factory=list,
        description="JSON paths whose differences are ignored, like $.body.generated_at.",
    )
    timeout: float = Field(default=10.0, gt=0, description="Seconds a copy may take.")
    connect_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to connect to the primary (then 504)."
    )
    max_body_kb: int = Field(
        default=1024,
        ge=1,
        description="Kilobytes of a request or response body compared at most; larger "
        "exchanges are passed through and counted as not copied (too-large).",
    )

    @field_validator("comparator")
    @classmethod
    def _comparator(cls, value: str) -> str:
        return _check_comparator(value)

    @field_validator("ignore")
    @classmethod
    def _ignore(cls, values: list[str]) -> list[str]:
        return _check_paths(values)

    @field_validator("rates")
    @classmethod
    def _rates(cls, values: dict[str, float]) -> dict[str, float]:
        for route, share in values.items():
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"rate for {route!r} must be between 0 and 1")
        return values

    @field_validator("compare_headers", "ignore_headers", "allow_credentials", "credential_headers")
    @classmethod
    def _lower(cls, values: list[str]) -> list[str]:
        return [v.lower() for v in values]
