"""The contract between `verify` and a stage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from realitycheck.core.report import StageReport
from realitycheck.pipeline.context import Context


class Skip(Exception):
    """Raised by a stage that has nothing to do; the report shows it as skipped, with why."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass
class StageRun:
    """What a stage returns: its part of the report, and a result object for later stages."""

    report: StageReport
    result: object | None = None


class Stage(Protocol):
    """A step of `verify`. `after` names stages whose results it reads, when they run."""

    name: str
    title: str
    after: tuple[str, ...]

    def run(self, ctx: Context) -> StageRun:
        """Do the stage's work; raise Skip or a RealityCheckError when it cannot."""
        ...
