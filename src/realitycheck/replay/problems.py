"""Divergences grouped into problems: one headline per cause, with its paths beneath.

Paths of one category under one parent path (every query key of one route, every field of one
object) are one problem, so a headline counts problems, not paths.
"""

from __future__ import annotations

from dataclasses import dataclass

from realitycheck.core.report import Block, Bullets, Details
from realitycheck.replay.evidence import divergence_line, pct
from realitycheck.replay.model import Divergence, TargetReplay

MAX_PATHS = 8


@dataclass
class Problem:
    """One cause in one target, and the divergences (paths) it shows as."""

    target: TargetReplay
    divergences: list[Divergence]

    @property
    def cause(self) -> str | None:
        """The shared cause, when the problem spans several paths."""
        return self.divergences[0].cause if len(self.divergences) > 1 else None

    def headline(self) -> str:
        """The problem in one sentence."""
        t, first = self.target, self.divergences[0]
        if self.cause is None:
            return divergence_line(t, first)
        count = t.causes.get(self.cause, max(d.count for d in self.divergences))
        paths = [d.path for d in self.divergences]
        shown = ", ".join(paths[:MAX_PATHS]) + (" …" if len(paths) > MAX_PATHS else "")
        return (
            f"{t.target}: {self.cause} ({len(paths)} paths) in {count} of {t.replayed} samples "
            f"({pct(count / t.replayed if t.replayed else 0.0)}): {shown}"
        )

    def block(self) -> Block:
        """The headline with each path's own line beneath it."""
        items = [divergence_line(self.target, d) for d in self.divergences]
        return Details(summary=self.headline(), blocks=[Bullets(items=items)])


def problems(bad: list[tuple[TargetReplay, Divergence]]) -> list[Problem]:
    """The failing divergences, one problem per cause (in their order of first appearance)."""
    out: list[Problem] = []
    by_key: dict[tuple[int, str], Problem] = {}
    for t, d in bad:
        key = (id(t), d.cause or f"{d.category} {d.path}")
        if key in by_key:
            by_key[key].divergences.append(d)
            continue
        problem = Problem(t, [d])
        by_key[key] = problem
        out.append(problem)
    return out
