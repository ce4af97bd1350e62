"""The demo's story: a human commit, real recorded inputs, a coding agent's commit, `verify`.

Each capability adds its chapter as a step in `STEPS`; a step reads and extends `DemoContext`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from realitycheck.core.events import Events
from realitycheck.core.report import Report
from realitycheck.demo.repo import RepoBuilder

EXAMPLE = Path(__file__).parent / "example"

HUMAN = ("Example Maintainer", "maintainer@example.com")
AGENT_TRAILERS = [
    ("Co-Authored-By", "Claude Opus 4.6 <noreply@anthropic.com>"),
]
AGENT_MESSAGE = (
    "Add a fast path for PDF text extraction\n\n"
    "Skip the full text layout for documents with simple fonts, read more of each\n"
    "pull-request webhook, and return the extractor used from the documents API.\n\n"
    "🤖 Generated with [Claude Code](https://claude.com/claude-code)"
)


@dataclass
class DemoContext:
    """Everything the steps share."""

    workdir: Path
    cache: Path
    events: Events
    say: Callable[[str], None]
    repo: RepoBuilder | None = None
    base: str | None = None
    head: str | None = None
    verify_args: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def root(self) -> Path:
        """The example repository's work tree."""
        assert self.repo is not None
        return self.repo.root


Step = Callable[[DemoContext], None]

# The story, in order. A capability adds its step by adding a line here.
STEPS: tuple[str, ...] = (
    "realitycheck.demo.steps.history:human_commit",
    "realitycheck.demo.steps.corpus:record",
    "realitycheck.demo.steps.pdfs:import_pdfs",
    "realitycheck.demo.steps.history:agent_commit",
)


# Chapters told after the first `verify`; each receives the context and that report.
AFTER_VERIFY: tuple[str, ...] = ("realitycheck.demo.steps.approval:approved_by_owner",)


def _load(spec: str) -> Any:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def steps() -> list[Step]:
    """The story's steps, imported."""
    return [_load(spec) for spec in STEPS]


def after_verify() -> list[Callable[[DemoContext, Report], None]]:
    """The chapters told after the first `verify`, imported."""
    return [_load(spec) for spec in AFTER_VERIFY]


def build(ctx: DemoContext) -> DemoContext:
    """Run every step of the story; afterwards `ctx.root` holds the example repository."""
    for step in steps():
        step(ctx)
    return ctx
