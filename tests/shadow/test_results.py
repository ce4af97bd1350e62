"""The results files and the tallies read from them, without any server."""

from __future__ import annotations

import random
import statistics
from pathlib import Path

from realitycheck.replay.noise import Thresholds
from realitycheck.shadow.results import ResultsWriter, read_runs
from realitycheck.shadow.summary import KEEP_TIMINGS, Summary, summarise


def test_timings_kept_per_route_are_bounded_and_unbiased() -> None:
    summary = Summary()
    rng = random.Random(1)
    values = [rng.expovariate(1.0) for _ in range(5 * KEEP_TIMINGS)]
    for i, ms in enumerate(values):
        summary.add(
            {"route": "http:GET /a", "state": "compared", "id": f"#{i}", "ms": {"primary": ms}}
        )
    kept = summary.tallies["http:GET /a"].base_ms
    assert len(kept) == KEEP_TIMINGS
    assert abs(statistics.median(kept) - statistics.median(values)) < 0.05


def test_runs_of_other_heads_are_left_out(tmp_path: Path) -> None:
    for head in ("a" * 40, "b" * 40):
        writer = ResultsWriter(tmp_path, {"head": head})
        writer.add({"t": "x", "route": "http:GET /a", "state": "compared", "found": []})
        writer.close({"requests": 1, "copied": 1, "not_sent": {"busy": 2}})
    assert len(read_runs(tmp_path)) == 2
    (run,) = read_runs(tmp_path, "b" * 40)
    result = summarise([run], Thresholds())
    assert (result.requests, result.compared, result.not_sent) == (1, 1, {"busy": 2})
