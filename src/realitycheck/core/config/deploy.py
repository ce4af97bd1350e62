"""`[deploy]`: how evidence becomes a risk tier."""

from __future__ import annotations

from pydantic import Field, model_validator

from realitycheck.core.config.base import Section

DEFAULT_WEIGHTS = {
    "ai-share": 0.35,
    "change-size": 0.25,
    "missing-evidence": 0.5,
    "assumptions-violated": 0.8,
    "assumptions-undeclared": 0.3,
    "ledger-missing": 0.4,
    "replay-divergence": 0.8,
    "replay-uncovered": 0.4,
    "boundary": 0.7,
}


class DeployConfig(Section):
    """Risk scoring: weights per signal and the score at which each tier starts."""

    weights: dict[str, float] = Field(
        default_factory=dict,
        description="Weight (0..1) per risk signal name; merged over the defaults.",
    )
    tiers: dict[str, float] = Field(
        default_factory=lambda: {"medium": 0.25, "high": 0.5, "critical": 0.8},
        description="The score at which the tiers medium, high and critical begin.",
    )

    @model_validator(mode="after")
    def _check(self) -> DeployConfig:
        for name, weight in self.weights.items():
            if not 0.0 <= weight <= 1.0:
                raise ValueError(f"weight of '{name}' must be between 0 and 1")
        unknown = set(self.tiers) - {"medium", "high", "critical"}
        if unknown:
            raise ValueError(
                f"unknown tier {sorted(unknown)[0]!r}; tiers are medium, high, critical"
            )
        return self

    def weight(self, signal: str) -> float:
        """The weight of a signal, configured or default (0.5 for signals nobody weighed)."""
        return self.weights.get(signal, DEFAULT_WEIGHTS.get(signal, 0.5))
