"""What the service reads and answers, and what it asks the judge.

Requests are validated strictly (unknown fields and malformed names are 4xx, never a guess):
names follow Kubernetes' DNS-1123 rules, revisions are hashes or checksums.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from realitycheck.deploy.model import RolloutPlan

Verdict = Literal["pass", "fail", "inconclusive", "nodata"]
TierName = Literal["low", "medium", "high", "critical"]
NAME = r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"
REVISION = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"


class Strict(BaseModel):
    """A request body: unknown fields are rejected."""

    model_config = ConfigDict(extra="forbid")


class ArgoMeasure(Strict):
    """The body Argo's web provider posts (the AnalysisTemplate's jsonBody, args resolved)."""

    rollout: str = Field(pattern=NAME, max_length=253)
    namespace: str = Field(pattern=NAME, max_length=63)
    revision: str = Field(pattern=REVISION, description="The canary's pod-template hash.")
    baseline: str | None = Field(
        default=None, pattern=REVISION, description="The stable pod-template hash."
    )
    tier: TierName = "high"


class FlaggerPayload(BaseModel):
    """Flagger's CanaryWebhookPayload (pkg/apis/flagger/v1beta1), as every webhook sends it."""

    model_config = ConfigDict(extra="ignore")  # Flagger may add fields in later versions

    name: str = Field(pattern=NAME, max_length=253)
    namespace: str = Field(pattern=NAME, max_length=63)
    phase: str = Field(default="", max_length=64)
    checksum: str = Field(pattern=REVISION, description="The canary spec's checksum.")
    metadata: dict[str, str] = Field(default_factory=dict, max_length=64)


class Answer(BaseModel):
    """The verdict, in the body of every answer (Argo reads `$.verdict`)."""

    verdict: Verdict
    decided: Verdict | None = Field(description="pass or fail once final; it never changes.")
    reason: str
    polls: int
    started_at: datetime | None
    key: str


class Error(BaseModel):
    """Every non-2xx answer that is not a verdict."""

    error: str


@dataclass(frozen=True)
class Subject:
    """One analysis: a canary revision of a rollout, and what the judge compares it with."""

    controller: Literal["argo", "flagger"]
    namespace: str
    name: str
    revision: str
    baseline: str | None
    plan: RolloutPlan

    @property
    def key(self) -> str:
        """The key the state is kept under."""
        return f"{self.controller}/{self.namespace}/{self.name}/{self.revision}"


class Outcome(BaseModel):
    """What one poll of the judge found."""

    verdict: Verdict
    reason: str
    state: dict[str, Any] | None = None
    judgement: dict[str, Any] | None = None


class JudgeError(Exception):
    """The judge could not judge (its metrics source failed): a real error, answered non-2xx."""


# The judge, as the service calls it: the subject, when its analysis started, now, and the state
# the previous poll left (None on the first poll).
JudgeFn = Callable[[Subject, datetime, datetime, "dict[str, Any] | None"], Outcome]


@dataclass(frozen=True)
class Settings:
    """How the service runs."""

    state_path: Path
    token: str | None = None
    host: str = "127.0.0.1"

    def check(self) -> None:
        """Refuse to serve without a token on anything but loopback."""
        if self.token is None and not is_loopback(self.host):
            raise ValueError(
                f"refusing to listen on {self.host} without a bearer token "
                "(set REALITYCHECK_SERVE_TOKEN or --token-file, or listen on 127.0.0.1)"
            )


def is_loopback(host: str) -> bool:
    """Whether a listen address is loopback only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
