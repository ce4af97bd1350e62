"""What measuring reality coverage in the head's HTTP service costs replay.

The same uvicorn app (the replay benchmark's) is started the way `verify` starts a change's head
service, once under coverage.py (as replay now runs it) and once plainly; recorded GETs are
replayed against each. The figure is the replay rate against the measured service over the rate
against the unmeasured one, taken in turns in the same run, each the best of its turns. Two
routes: one that only returns JSON (coverage's cost per request is at its largest share) and one
doing about a millisecond of work.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from benchmarks.bench_replay import APP
from benchmarks.common import Figure, workdir
from realitycheck.core.config import config_from_dict
from realitycheck.core.config.replay import HttpService
from realitycheck.corpus.model import Sample, input_hash
from realitycheck.corpus.store import Corpus

SIZES = {"full": 8_000, "quick": 1_000}
TURNS = {"full": 2, "quick": 1}


def _rate(corpus_dir: Path, target: str, url: str, count: int) -> float:
    import httpx

    from realitycheck.replay.http import Endpoints, settings_for
    from realitycheck.replay.sender import replay_http

    settings = settings_for(config_from_dict({"replay": {"concurrency": 8}}).replay)
    endpoints = Endpoints(httpx.URL(url), httpx.URL(url))
    start = time.perf_counter()
    [result] = replay_http(Corpus(corpus_dir), [target], endpoints, settings)
    elapsed = time.perf_counter() - start
    assert result.replayed == count and result.exercised == count, result
    return 2 * count / elapsed


def run(scale: str) -> list[Figure]:
    """Replay rate against a measured head service ÷ against an unmeasured one."""
    from realitycheck.replay.services import running

    folder = workdir("replay-measured")
    (folder / "app.py").write_text(APP)
    service = HttpService(
        name="bench",
        command="{python} -m uvicorn app:app --host {host} --port {port} --log-level error "
        "--no-access-log",
        ready_path="/items/1",
    )
    environ = dict(os.environ)
    figures = []
    for route, name, what in [
        ("items", "replay.http_measured_service", "a handler that only returns JSON"),
        ("reports", "replay.http_measured_service_1ms_handler", "a handler doing ~1 ms of work"),
    ]:
        count = SIZES[scale] // (4 if route == "reports" else 1)
        target = f"http:GET /{route}/{{id}}"
        corpus_dir = folder / f"corpus-{route}"
        shutil.rmtree(corpus_dir, ignore_errors=True)
        Corpus(corpus_dir, create=True).write(
            Sample(
                id=f"m{i:08d}",
                input_hash=input_hash(target, {"i": i}),
                target=target,
                kind="http",
                input={"method": "GET", "path": f"/{route}/{i % 500}", "query": {}, "headers": {}},
            )
            for i in range(count)
        )
        best = {"measured": 0.0, "plain": 0.0}
        lines = 0
        for _ in range(TURNS[scale]):
            for mode in ("plain", "measured"):
                data = folder / f"{route}.coverage"
                data.unlink(missing_ok=True)
                measure = data if mode == "measured" else None
                with running(
                    service, folder, (".",), environ=environ, label=mode, measure=measure
                ) as url:
                    best[mode] = max(best[mode], _rate(corpus_dir, target, url, count))
                if measure is not None:
                    from realitycheck.replay.reality import read_test_lines

                    lines = sum(len(v) for v in read_test_lines(data, folder).values())
        ratio = best["measured"] / best["plain"]
        figures.append(
            Figure(
                name=name,
                ratio=ratio,
                goal="-",
                met=None,
                detail=f"replay {best['measured']:,.0f} requests/s against the measured service "
                f"vs {best['plain']:,.0f}/s unmeasured; {what}; {lines} app lines measured",
                extra={"samples": count, **best, "lines_measured": lines},
            )
        )
    return figures


__all__ = ["run"]


if __name__ == "__main__":  # pragma: no cover
    for figure in run(sys.argv[1] if len(sys.argv) > 1 else "quick"):
        print(json.dumps(figure.as_dict()))
