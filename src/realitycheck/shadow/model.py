"""Shadow results: live requests, the copies sent, what was compared, and where it diverged.

Routes are judged exactly as replay judges targets (`replay.model.TargetReplay`): divergences by
route, JSON path and category, noise by Diffy's rule from primary-vs-secondary, intended ones
from the ledger's `expected_changes`, rates with Wilson intervals.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from realitycheck.replay.model import Divergence, TargetReplay


class ShadowResult(BaseModel):
    """What one or more shadow runs of a head saw."""

    head: str | None = None
    runs: list[str] = Field(default_factory=list)
    primary: str | None = None
    candidate: str | None = None
    secondary: str | None = None
    requests: int = Field(default=0, description="Requests the proxy answered from the primary.")
    copied: int = Field(default=0, description="Requests copied to the candidate.")
    compared: int = Field(default=0, description="Copies whose answers were compared.")
    not_sent: dict[str, int] = Field(
        default_factory=dict, description="Requests not copied, by reason."
    )
    skipped: dict[str, int] = Field(
        default_factory=dict, description="Copies sent but not compared, by reason."
    )
    secondary_failed: int = Field(
        default=0, description="Copies whose secondary did not answer (no noise for them)."
    )
    stripped: dict[str, int] = Field(
        default_factory=dict, description="Credentials stripped from copies, by name."
    )
    torn: int = Field(default=0, description="Torn lines skipped in the results files.")
    routes: list[TargetReplay] = Field(default_factory=list)
    expected_changes: bool = False
    warnings: list[str] = Field(default_factory=list)

    @property
    def diverged(self) -> int:
        """Compared requests with a divergence that is not noise."""
        return sum(r.diverged for r in self.routes)

    @property
    def unexpected(self) -> list[tuple[TargetReplay, Divergence]]:
        """Divergences that are neither noise nor declared in the ledger, with their route."""
        return [(r, d) for r in self.routes for d in r.unexpected_divergences]

    @property
    def noise_measured(self) -> bool:
        """Whether a secondary measured noise."""
        return self.secondary is not None

    def to_json(self) -> dict[str, Any]:
        """The `shadow` section of the JSON report."""
        return {
            "head": self.head,
            "runs": self.runs,
            "primary": self.primary,
            "candidate": self.candidate,
            "secondary": self.secondary,
            "requests": self.requests,
            "copied": self.copied,
            "compared": self.compared,
            "diverged": self.diverged,
            "unexpected": len(self.unexpected),
            "not_sent": self.not_sent,
            "skipped": self.skipped,
            "secondary_failed": self.secondary_failed,
            "stripped": self.stripped,
            "torn": self.torn,
            "noise_measured": self.noise_measured,
            "expected_changes": self.expected_changes,
            "routes": [r.to_json() for r in self.routes],
            "warnings": self.warnings,
        }
