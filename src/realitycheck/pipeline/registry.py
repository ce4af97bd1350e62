"""The one place stages are registered. A capability adds its line here; `verify` is not edited.

Third-party stages can register through the `realitycheck.stages` entry-point group.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from realitycheck.core.errors import ConfigError
from realitycheck.pipeline.stage import Stage

STAGES: tuple[str, ...] = (
    "realitycheck.pipeline.stages.provenance:STAGE",
    "realitycheck.pipeline.stages.corpus:STAGE",
    "realitycheck.pipeline.stages.assumptions:STAGE",
    "realitycheck.pipeline.stages.replay:STAGE",
    "realitycheck.pipeline.stages.shadow:STAGE",
    "realitycheck.pipeline.stages.boundaries:STAGE",
    "realitycheck.pipeline.stages.risk:STAGE",
)


def _load(spec: str) -> Stage:
    module, _, attr = spec.partition(":")
    stage: Stage = getattr(importlib.import_module(module), attr)
    return stage


def registered_stages() -> list[Stage]:
    """Every known stage, built-ins first, in an order that honours `after`."""
    stages = [_load(spec) for spec in STAGES]
    for ep in entry_points(group="realitycheck.stages"):
        stages.append(ep.load())
    return order_stages(stages)


def order_stages(stages: list[Stage]) -> list[Stage]:
    """A stable topological order: a stage runs after the stages it names in `after`."""
    by_name = {s.name: s for s in stages}
    done: list[Stage] = []
    seen: set[str] = set()
    visiting: set[str] = set()

    def visit(stage: Stage) -> None:
        if stage.name in seen:
            return
        if stage.name in visiting:
            raise ConfigError(f"stages depend on each other in a cycle through '{stage.name}'")
        visiting.add(stage.name)
        for dep in stage.after:
            if dep in by_name:
                visit(by_name[dep])
        visiting.discard(stage.name)
        seen.add(stage.name)
        done.append(stage)

    for stage in stages:
        visit(stage)
    return done


def stage_names() -> list[str]:
    """The names of all registered stages."""
    return [s.name for s in registered_stages()]
