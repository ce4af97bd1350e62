"""HTTP replay of a change: each revision's service started, the recorded requests sent to both.

The head's service runs under coverage.py when its command runs Python, so reality coverage
counts what real requests executed there; any other command is reported as not measured.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from realitycheck.assumptions.model import ExpectedChange
from realitycheck.corpus.store import Corpus
from realitycheck.replay import reality
from realitycheck.replay.http import Endpoints, settings_for
from realitycheck.replay.model import TargetReplay
from realitycheck.replay.sender import replay_http
from realitycheck.replay.services import command_line, is_python, running

if TYPE_CHECKING:
    from realitycheck.replay.change import ChangeReplay
    from realitycheck.replay.function import Revision


@dataclass
class ServiceRun:
    """What replaying one service gave: its targets, and the head's executed lines (if measured)."""

    targets: list[TargetReplay]
    lines: dict[str, set[int]] | None = None
    unmeasured: str = "it did not run"


def replay_service(
    job: ChangeReplay,
    corpus: Corpus,
    name: str,
    targets: list[str],
    base: Revision | None,
    head: Revision,
    expected: list[ExpectedChange],
    scratch: Path,
) -> ServiceRun:
    """Start the service from base and head (and base again for noise), replay, stop them."""
    cfg = job.config.replay
    service = next(s for s in cfg.services if s.name == name)
    if base is None:
        why = "no base revision to start the service from"
        return ServiceRun(
            [
                TargetReplay(target=t, kind="http", comparator=service.comparator, error=why)
                for t in targets
            ]
        )
    settings = settings_for(cfg, service)
    fields = {"port": "0", "host": "127.0.0.1", "python": "python", "root": str(head.tree)}
    measure = scratch / f"{name}.coverage" if cfg.coverage else None
    why = "reality coverage is off"
    if not service.measure:
        measure, why = None, f"replay.services {name!r} has measure = false"
    elif not is_python(command_line(service, fields)):
        measure, why = None, "its command does not run Python"
    with contextlib.ExitStack() as stack:

        def start(rev: Revision, label: str, data: Path | None = None) -> str:
            return stack.enter_context(
                running(
                    service, rev.tree, rev.roots, environ=job.environ, label=label, measure=data
                )
            )

        baseline = start(base, "base")
        candidate = start(head, "head", measure)
        secondary = start(base, "base, second run") if cfg.noise else None
        import httpx

        endpoints = Endpoints(
            httpx.URL(baseline),
            httpx.URL(candidate),
            httpx.URL(secondary) if secondary else None,
        )
        found = replay_http(
            corpus, targets, endpoints, settings, expected=expected, events=job.events
        )
    run = ServiceRun(found, unmeasured=why)
    if measure is not None and not measure.exists():
        run.unmeasured = "it wrote no coverage data when it was stopped"
    elif measure is not None:
        per_line = reality.read_test_lines(measure, head.tree)
        run.lines = {path: set(lines) for path, lines in per_line.items()}
    return run
