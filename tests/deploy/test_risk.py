"""The risk summary: a noisy-or of weighed signals, cut into tiers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from realitycheck.core.config.deploy import DeployConfig
from realitycheck.core.report import RiskSignal
from realitycheck.deploy.risk import assess, tier_for

signals = st.lists(
    st.builds(
        RiskSignal,
        name=st.sampled_from(["ai-share", "boundary", "custom"]),
        value=st.floats(0, 1),
        detail=st.just("d"),
    ),
    max_size=8,
)


def test_no_signals_is_low() -> None:
    result = assess([], DeployConfig())
    assert (result.tier, result.score, result.factors) == ("low", 0.0, [])


def test_noisy_or_by_hand() -> None:
    config = DeployConfig(weights={"a": 0.5, "b": 0.8})
    result = assess(
        [RiskSignal(name="a", value=1.0, detail=""), RiskSignal(name="b", value=0.5, detail="")],
        config,
    )
    assert result.score == pytest.approx(1 - (1 - 0.5) * (1 - 0.4))
    assert [f.name for f in result.factors] == ["a", "b"]
    assert result.tier == "high"


@given(signals)
def test_score_is_bounded_and_monotone(found: list[RiskSignal]) -> None:
    config = DeployConfig()
    base = assess(found, config).score
    assert 0.0 <= base <= 1.0
    more = assess([*found, RiskSignal(name="boundary", value=1.0, detail="")], config).score
    assert more >= base - 1e-9
    expected = 1 - math.prod(1 - config.weight(s.name) * s.value for s in found)
    assert base == pytest.approx(expected, abs=1e-4)


def test_tiers_are_configurable() -> None:
    config = DeployConfig(tiers={"medium": 0.1, "high": 0.2, "critical": 0.3})
    assert [tier_for(s, config) for s in (0.05, 0.15, 0.25, 0.35)] == [
        "low",
        "medium",
        "high",
        "critical",
    ]


def test_bad_weights_and_tiers_are_rejected() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        DeployConfig(weights={"x": 2.0})
    with pytest.raises(ValueError, match="unknown tier 'severe'"):
        DeployConfig(tiers={"severe": 0.9})
