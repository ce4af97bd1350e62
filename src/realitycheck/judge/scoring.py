"""Kayenta's scoring: group scores, their weighted sum, the critical and no-data overrides.

Ported from `WeightedSumScorer.scala`, `ScoringHelper.scala` and `ThresholdScoreClassifier.scala`:
a group scores the share of its metrics classified Pass among Pass, High, Low and
NodataFailMetric; groups without a weight share what the weights leave of 100; a group with no
data counts 100 in the sum (Kayenta's rule). A critical metric that is not Pass, or 50 % or more
metrics without data, set the score to 0. Muted metrics are left out before scoring.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from realitycheck.judge.model import GroupResult

NODATA_THRESHOLD = 50.0
# "Inconclusive" is the sequential judge's own label (an undecided metric); Kayenta has none.
_JUDGED = ("Pass", "High", "Low", "NodataFailMetric", "Inconclusive")


@dataclass(frozen=True)
class Scored:
    """One metric's label as scoring sees it."""

    name: str
    groups: Sequence[str]
    label: str
    critical: bool
    muted: bool
    reason: str


@dataclass(frozen=True)
class Score:
    """The summary score, its classification (Pass, Marginal, Fail) and the override's reason."""

    score: float
    classification: str
    reason: str | None
    groups: list[GroupResult]
    too_much_nodata: bool


def group_scores(results: Sequence[Scored], weights: Mapping[str, float]) -> list[GroupResult]:
    """Each group's score and effective weight."""
    members: dict[str, list[Scored]] = {}
    for result in results:
        for group in result.groups:
            members.setdefault(group, []).append(result)
    spare = set(members) - set(weights)
    share = (100.0 - sum(weights.values())) / len(spare) if spare else 0.0
    groups = []
    for name, items in members.items():
        judged = [r for r in items if r.label in _JUDGED]
        passed = sum(1 for r in judged if r.label == "Pass")
        no_data = not judged
        groups.append(
            GroupResult(
                name=name,
                score=0.0 if no_data else passed / len(judged) * 100,
                weight=weights.get(name, share),
                metrics=[r.name for r in items],
                no_data=no_data,
            )
        )
    return groups


def summary_score(groups: Sequence[GroupResult]) -> float:
    """The weighted sum of group scores, a group without data counting 100, to 2 decimals."""
    total = 0.0
    for group in groups:
        total += (100.0 if group.no_data else group.score) * (group.weight / 100)
    return round(total, 2)


def score(
    results: Sequence[Scored], weights: Mapping[str, float], pass_at: float, marginal_at: float
) -> Score:
    """Score the unmuted metrics and classify the score against the thresholds."""
    active = [r for r in results if not r.muted]
    groups = group_scores(active, weights)
    failures = [r for r in active if r.critical and r.label != "Pass"]
    nodata = [r for r in active if r.label == "Nodata"]
    too_much_nodata = bool(active) and len(nodata) / len(active) * 100 >= NODATA_THRESHOLD
    reason: str | None = None
    if failures:
        reason = f"Canary Failed: {failures[0].reason}"
        value = 0.0
    elif too_much_nodata:
        reason = f"Canary Failed: {NODATA_THRESHOLD:.0f}% or more metrics returned NODATA"
        value = 0.0
    else:
        value = summary_score(groups)
    if value >= pass_at:
        label = "Pass"
    elif value >= marginal_at:
        label = "Marginal"
    else:
        label = "Fail"
    return Score(value, label, reason, groups, too_much_nodata)
