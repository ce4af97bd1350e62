"""The judgement in words, metric → group → summary (what Kayenta users ask for)."""

from __future__ import annotations

import math

from realitycheck.judge.model import Effect, Judgement, MetricResult


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.4g}"


def _effect(effect: Effect) -> str:
    text = f"{effect.statistic}: ratio {_num(effect.ratio)}, difference {_num(effect.difference)}"
    if effect.interval is not None:
        lo, hi = effect.interval
        level = f"{effect.confidence * 100:.4g}% " if effect.confidence else ""
        text += f", {level}interval of the {effect.interval_of} [{_num(lo)}, {_num(hi)}]"
    return text


def _metric(result: MetricResult) -> list[str]:
    flags = [f for f, on in (("critical", result.critical), ("muted", result.muted)) if on]
    head = f"  {result.status.upper():<12} {result.name} ({result.kind}, bad if {result.direction}"
    head += f"{', ' + ', '.join(flags) if flags else ''})"
    lines = [head]
    b, c = result.baseline, result.canary
    sizes = f"baseline n={b.count}" + (f" events={b.events}" if b.events is not None else "")
    sizes += f", canary n={c.count}" + (f" events={c.events}" if c.events is not None else "")
    lines.append(f"      {sizes}")
    lines.extend(f"      {_effect(effect)}" for effect in result.effects)
    evidence = []
    if result.p_value is not None:
        evidence.append(f"p-value {_num(result.p_value)}")
    if result.e_value is not None:
        evidence.append(f"e-value {_num(result.e_value)}")
    if evidence:
        lines.append(f"      {', '.join(evidence)}")
    lines.append(f"      {result.reason}")
    return lines


def explain(judgement: Judgement) -> list[str]:
    """Lines of text: every metric, then every group, then the verdict and its reason."""
    lines = [f"canary judge ({judgement.mode}):", "metrics:"]
    for result in judgement.metrics:
        lines.extend(_metric(result))
    lines.append("groups:")
    for group in judgement.groups:
        state = "no data" if group.no_data else f"score {group.score:.4g}"
        lines.append(
            f"  {group.name}: {state}, weight {group.weight:.4g} ({', '.join(group.metrics)})"
        )
    lines.append(
        f"verdict: {judgement.verdict.upper()} (score {judgement.score:.4g}) — {judgement.reason}"
    )
    return lines
