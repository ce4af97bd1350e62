"""The risk summary: the signals stages offer, weighed into a score and a tier.

Signals combine as a noisy-or: score = 1 - Π(1 - weight·value). One strong signal is enough to
raise the tier, several weak ones add up, and the score never leaves 0..1.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

from realitycheck.core.config.deploy import DeployConfig
from realitycheck.core.report import RiskSignal

Tier = Literal["low", "medium", "high", "critical"]


class RiskFactor(BaseModel):
    """One weighed signal."""

    name: str
    weight: float
    value: float
    contribution: float
    detail: str


class RiskResult(BaseModel):
    """The tier, the score and what made it."""

    tier: Tier
    score: float = Field(ge=0.0, le=1.0)
    factors: list[RiskFactor] = Field(default_factory=list)


def assess(signals: Iterable[RiskSignal], config: DeployConfig) -> RiskResult:
    """Weigh the signals into a score and a tier."""
    factors: list[RiskFactor] = []
    keep = 1.0
    for signal in signals:
        weight = config.weight(signal.name)
        contribution = weight * signal.value
        keep *= 1.0 - contribution
        factors.append(
            RiskFactor(
                name=signal.name,
                weight=weight,
                value=signal.value,
                contribution=round(contribution, 4),
                detail=signal.detail,
            )
        )
    score = round(1.0 - keep, 4)
    factors.sort(key=lambda f: f.contribution, reverse=True)
    return RiskResult(tier=tier_for(score, config), score=score, factors=factors)


def tier_for(score: float, config: DeployConfig) -> Tier:
    """The tier a score falls in."""
    tiers = config.tiers
    if score >= tiers.get("critical", 0.8):
        return "critical"
    if score >= tiers.get("high", 0.5):
        return "high"
    if score >= tiers.get("medium", 0.25):
        return "medium"
    return "low"
