"""What every benchmark reports: ratios against a reference measured in the same run.

A benchmark module `benchmarks/bench_<name>.py` defines `run(scale: str) -> list[Figure]`;
`scale` is "full" (the sizes the issues ask for) or "quick" (a smoke run for development).
Machines here are shared and noisy, so a figure is always a ratio of two timings taken side by
side, each the best of a few repetitions, never an absolute time.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

WORK = Path(__file__).parent / ".work"


@dataclass
class Figure:
    """One measured ratio, the goal it is held to, and how it was measured."""

    name: str
    ratio: float
    goal: str
    met: bool | None
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """The shortest wall time of `repeat` calls, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def peak_rss_mib(children: bool = False) -> float:
    """Peak resident memory of this process (or of its waited-for children), in MiB."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def workdir(name: str) -> Path:
    """A scratch folder for one benchmark, kept between runs for its generated inputs."""
    path = WORK / name
    path.mkdir(parents=True, exist_ok=True)
    return path
