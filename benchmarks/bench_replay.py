"""Replay throughput: isolated workers against an in-process loop, and HTTP replay against wrk.

Function replay: 100,000 recorded calls of a function costing about 200 µs, through base and
head in their own worker processes (samples read from a real corpus, outcomes serialised and
compared), against a loop in this process that calls both versions directly. The same for a
trivial function, where the fixed cost per sample dominates.

HTTP replay: recorded GETs sent to a local uvicorn server as base and head (two requests per
sample, answers diffed), against the request rate wrk reaches on the same server in the same run.
Each side is the best of two turns (full scale), taken alternately on the same server. The
replay's own defaults decide how it sends (sender processes, one per CPU). Base and head
answer alike there, so their bytes compare equal and no body is parsed; a third, informational
figure uses a handler whose every answer differs, so every pair is parsed and diffed.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.common import Figure, workdir
from realitycheck.core.config import config_from_dict
from realitycheck.core.git import Git
from realitycheck.corpus.model import Sample, input_hash
from realitycheck.corpus.store import Corpus
from realitycheck.demo.repo import RepoBuilder
from realitycheck.replay.function import Revision, replay_functions
from realitycheck.replay.local import LocalBackend
from realitycheck.replay.trees import Trees

TARGET_US = 200.0
SIZES = {"full": 100_000, "quick": 5_000}
HTTP_SIZES = {"full": 20_000, "quick": 2_000}
HTTP_REPEATS = {"full": 2, "quick": 1}

WORK = """
LOOPS = {loops}


def heavy(x):
    total = 0
    for i in range(LOOPS):
        total += (i * x) % 7
    return {{"x": x, "total": total{change}}}


def trivial(x):
    return x{trivial_change}
"""

APP = """
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def item(request):
    n = int(request.path_params["n"])
    return JSONResponse({"id": n, "name": f"item {n}", "tags": ["a", "b"], "price": n * 1.5})


SERVED = [0]


async def stamped(request):
    n = int(request.path_params["n"])
    SERVED[0] += 1
    body = {"id": n, "name": f"item {n}", "tags": ["a", "b"], "price": n * 1.5}
    return JSONResponse({**body, "served": SERVED[0]})


async def report(request):
    n = int(request.path_params["n"])
    total = sum((i * n) % 7 for i in range(8000))  # about a millisecond of work
    rows = [{"k": i, "v": i * n} for i in range(20)]
    return JSONResponse({"id": n, "total": total, "rows": rows})


app = Starlette(
    routes=[
        Route("/items/{n:int}", item),
        Route("/stamped/{n:int}", stamped),
        Route("/reports/{n:int}", report),
    ]
)
"""


def calibrate() -> int:
    """Loop count that makes `heavy` cost about 200 µs here."""
    namespace: dict[str, Any] = {}
    exec(WORK.format(loops=1000, change="", trivial_change=""), namespace)
    start = time.perf_counter()
    for x in range(200):
        namespace["heavy"](x)
    per_1000 = (time.perf_counter() - start) / 200 * 1e6
    return max(100, int(1000 * TARGET_US / per_1000))


def build(root: Path, n: int, loops: int) -> tuple[Path, str, str]:
    """A repository whose head changes `heavy` for 1% of inputs, and a corpus of n calls each."""
    marker = root / f"ready-{n}-{loops}"
    if marker.exists():
        base, head = marker.read_text().split()
        return root / "repo", base, head
    shutil.rmtree(root, ignore_errors=True)
    repo = RepoBuilder(root / "repo")
    repo.write({"src/bench/__init__.py": ""})
    repo.write({"src/bench/work.py": WORK.format(loops=loops, change="", trivial_change="")})
    base = repo.commit("base")
    head_work = WORK.format(
        loops=loops, change=" + (1 if x % 100 == 0 else 0)", trivial_change=" + (x % 100 == 0)"
    )
    repo.write({"src/bench/work.py": head_work})
    head = repo.commit("head")
    corpus = Corpus(root / "repo" / ".realitycheck" / "corpus", create=True)
    for target in ("fn:bench.work:heavy", "fn:bench.work:trivial"):
        for start in range(0, n, 20_000):
            corpus.write(
                Sample(
                    id=f"s{target[-5:]}{i:08d}",
                    input_hash=input_hash(target, {"args": {"x": i}}),
                    target=target,
                    kind="function",
                    input={"args": {"x": i}},
                )
                for i in range(start, min(n, start + 20_000))
            )
    marker.write_text(f"{base} {head}")
    return root / "repo", base, head


def load(tree: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, tree / "src" / "bench" / "work.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def in_process(base: Any, head: Any, fn: str, n: int) -> float:
    """Seconds for the loop that calls both versions directly."""
    b, h = getattr(base, fn), getattr(head, fn)
    start = time.perf_counter()
    for x in range(n):
        b(x)
        h(x)
    return time.perf_counter() - start


def replayed(repo: Path, trees: Trees, base: str, head: str, fn: str, **cfg: Any) -> float:
    config = config_from_dict({"replay": {"batch_size": 512, **cfg}}).replay
    corpus = Corpus(repo / ".realitycheck" / "corpus")
    b, h = trees.get(base), trees.get(head)
    start = time.perf_counter()
    run = replay_functions(
        corpus,
        [f"bench.work:{fn}"],
        Revision(b, ("src",)),
        Revision(h, ("src",)),
        config,
        LocalBackend(),
    )
    elapsed = time.perf_counter() - start
    [target] = run.targets
    assert target.replayed == corpus.count(f"fn:bench.work:{fn}"), target
    assert target.diverged > 0, target
    return elapsed


def function_figures(scale: str) -> list[Figure]:
    n = SIZES[scale]
    loops = calibrate()
    repo, base, head = build(workdir("replay"), n, loops)
    figures = []
    with Trees(Git(repo)) as trees:
        base_mod = load(trees.get(base), "bench_base")
        head_mod = load(trees.get(head), "bench_head")
        per_call = in_process(base_mod, head_mod, "heavy", 500) / 1000 * 1e6
        runs: list[tuple[str, str, dict[str, Any], str]] = [
            ("heavy", "replay.function_200us", {"noise": False, "coverage": False}, ">= 0.5"),
            ("heavy", "replay.function_200us_noise", {"noise": True, "coverage": False}, "-"),
            ("heavy", "replay.function_200us_noise_coverage", {"noise": True}, "-"),
            ("trivial", "replay.function_trivial", {"noise": False, "coverage": False}, "-"),
        ]
        for fn, name, cfg, goal in runs:
            reference = in_process(base_mod, head_mod, fn, n)
            elapsed = replayed(repo, trees, base, head, fn, **cfg)
            ratio = reference / elapsed
            figures.append(
                Figure(
                    name=name,
                    ratio=ratio,
                    goal=goal,
                    met=ratio >= 0.5 if goal != "-" else None,
                    detail=f"{n:,} samples; replay {n / elapsed:,.0f}/s vs in-process "
                    f"{n / reference:,.0f}/s (both versions per sample; {per_call:.0f} µs a call)"
                    if fn == "heavy"
                    else f"{n:,} samples; replay {n / elapsed:,.0f}/s vs in-process "
                    f"{n / reference:,.0f}/s",
                    extra={"samples": n, "replay_s": elapsed, "reference_s": reference, **cfg},
                )
            )
    return figures


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(folder: Path) -> Iterator[str]:
    (folder / "app.py").write_text(APP)
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app:app",
            "--port",
            str(port),
            "--log-level",
            "error",
            "--no-access-log",
        ],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def wrk_rate(url: str, seconds: int) -> float | None:
    if shutil.which("wrk") is None:
        return None
    out = subprocess.run(
        ["wrk", "-t1", "-c16", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(found.group(1)) if found else None


def http_figures(scale: str) -> list[Figure]:
    import httpx

    from realitycheck.replay.http import Endpoints, settings_for
    from realitycheck.replay.sender import replay_http

    n = HTTP_SIZES[scale]
    folder = workdir("replay-http")
    figures = []
    for route, name, what, goal in [
        ("items", "replay.http_vs_wrk", "a handler that only returns JSON", ">= 0.5"),
        ("reports", "replay.http_vs_wrk_1ms_handler", "a handler doing ~1 ms of work", ">= 0.5"),
        ("stamped", "replay.http_vs_wrk_every_answer_differs", "every answer differs", "-"),
    ]:
        corpus_dir = folder / f"corpus-{route}"
        shutil.rmtree(corpus_dir, ignore_errors=True)
        target = f"http:GET /{route}/{{id}}"
        count = n // 4 if route == "reports" else n
        Corpus(corpus_dir, create=True).write(
            Sample(
                id=f"h{i:08d}",
                input_hash=input_hash(target, {"i": i}),
                target=target,
                kind="http",
                input={"method": "GET", "path": f"/{route}/{i % 500}", "query": {}, "headers": {}},
            )
            for i in range(count)
        )
        settings = settings_for(config_from_dict({"replay": {"concurrency": 8}}).replay)
        rates: list[float] = []
        elapsed = float("inf")
        with server(folder) as url:
            endpoints = Endpoints(httpx.URL(url), httpx.URL(url))
            for _ in range(HTTP_REPEATS[scale]):  # the best of each, taken in turns
                found = wrk_rate(f"{url}/{route}/7", 5 if scale == "full" else 2)
                rates += [found] if found is not None else []
                start = time.perf_counter()
                [result] = replay_http(Corpus(corpus_dir), [target], endpoints, settings)
                elapsed = min(elapsed, time.perf_counter() - start)
                assert result.replayed == count, result
                assert result.diverged == (count if route == "stamped" else 0), result
        rate = max(rates) if rates else None
        ours = 2 * count / elapsed
        if rate is None:
            figures.append(Figure(name, 0.0, goal, None, "wrk is not installed"))
            continue
        figures.append(
            Figure(
                name=name,
                ratio=ours / rate,
                goal=goal,
                met=ours / rate >= 0.5 if goal != "-" else None,
                detail=f"replay {ours:,.0f} requests/s (diffing included) vs wrk {rate:,.0f}/s; "
                f"one uvicorn server, {what}",
                extra={"samples": count, "replay_rps": ours, "wrk_rps": rate},
            )
        )
    return figures


def run(scale: str) -> list[Figure]:
    """The replay figures at `scale` (full or quick)."""
    return [*function_figures(scale), *http_figures(scale)]


__all__ = ["run"]


if __name__ == "__main__":  # pragma: no cover
    for figure in run(sys.argv[1] if len(sys.argv) > 1 else "quick"):
        print(json.dumps(figure.as_dict()))
