"""Evidence fused into a verdict.

Each piece of evidence carries the confidence that it alone shows what it claims. Signals of
one side combine as a noisy-or, p = 1 - Π(1 - c): any one strong marker is enough, and weak
hints add up. A commit is `ai` when the AI side reaches `ai_threshold`. Otherwise it is `human`
only when an explicit human rule matched (a configured human identity, or a Git AI `h_` key);
everything else is `unknown`. A configured human identity does not outweigh an AI marker: it
says who committed, while the marker says a model wrote (some of) the lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from realitycheck.provenance.model import Evidence, Origin


@dataclass(frozen=True)
class Fused:
    """A verdict, how sure it is, and the tools behind it."""

    verdict: Origin
    confidence: float
    tools: list[str] = field(default_factory=list)
    ai_score: float = 0.0


def noisy_or(confidences: Iterable[float]) -> float:
    """The chance that at least one of several independent signals is right."""
    keep = 1.0
    for c in confidences:
        keep *= 1.0 - c
    return 1.0 - keep


def fuse(evidence: Iterable[Evidence], threshold: float) -> Fused:
    """The verdict the evidence supports."""
    items = list(evidence)
    ai = [e for e in items if e.origin is Origin.AI and e.confidence > 0]
    human = [e for e in items if e.origin is Origin.HUMAN and e.confidence > 0]
    p_ai = noisy_or(e.confidence for e in ai)
    if ai and p_ai >= threshold:
        best: dict[str, float] = {}
        for e in ai:
            if e.tool:
                best[e.tool] = max(best.get(e.tool, 0.0), e.confidence)
        tools = sorted(best, key=lambda t: (-best[t], t))
        return Fused(Origin.AI, round(p_ai, 4), tools, round(p_ai, 4))
    if human:
        return Fused(Origin.HUMAN, round(noisy_or(e.confidence for e in human), 4), [], p_ai)
    return Fused(Origin.UNKNOWN, 0.0, [], round(p_ai, 4))
