"""Capture overhead: a Starlette app under uvicorn, with and without the recording middleware.

Every request is recorded (rate 1.0, no hourly cap, no deduplication), so the writer redacts
and writes every sample. Load comes from wrk on loopback (`scripts/services.sh` installs it),
or from a bounded Python load loop when wrk is absent. The two servers are measured in
alternation; ratios are capture / plain for the median latency (goal: at most 1.10) and for
throughput (goal: at least 0.90).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from benchmarks.common import Figure, workdir

APP = """
import os
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def item(request):
    return JSONResponse({
        "id": request.path_params["item_id"], "name": "widget", "tags": ["a", "b"],
        "price": 12.5, "q": request.query_params.get("q"),
    })


app = Starlette(routes=[Route("/items/{item_id:int}", item)])
if os.environ.get("BENCH_CAPTURE") == "1":
    import realitycheck
    from realitycheck.corpus.capture import RecordingMiddleware

    realitycheck.capture.configure(environ=os.environ, rate=1.0, max_per_hour=None, dedup=False)
    app.add_middleware(RecordingMiddleware)
"""
URL_PATH = "/items/123?q=shoes"
DURATION = {"full": 10, "quick": 3}
ROUNDS = {"full": 3, "quick": 1}


def _port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(work: Path, capture: bool, corpus: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    env = {**os.environ, "BENCH_CAPTURE": "1" if capture else "0"}
    if capture:
        env.update(
            REALITYCHECK_CAPTURE="1",
            REALITYCHECK_CORPUS=str(corpus),
            REALITYCHECK_REDACTION_KEY_FILE=str(work / "redaction.key"),
        )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app:app",
            "--app-dir",
            str(work),
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url + URL_PATH, timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.05)
    return proc, url


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _wrk(url: str, seconds: int) -> tuple[float, float]:
    out = subprocess.run(
        ["wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", url + URL_PATH],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    return rps, p50


def _python_load(url: str, seconds: int) -> tuple[float, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        with httpx.Client() as client:
            while time.monotonic() < stop:
                start = time.perf_counter()
                client.get(url + URL_PATH)
                took = (time.perf_counter() - start) * 1000
                with lock:
                    latencies.append(took)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / seconds, statistics.median(latencies)


def run(scale: str) -> list[Figure]:
    from realitycheck.corpus.redact import load_key
    from realitycheck.corpus.store import Corpus

    work = workdir("capture")
    (work / "app.py").write_text(APP)
    load_key(work / "redaction.key")
    corpus = work / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    load = _wrk if shutil.which("wrk") else _python_load
    seconds = DURATION[scale]
    results: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for _ in range(ROUNDS[scale]):
        for capture in (False, True):
            proc, url = _serve(work, capture, corpus)
            try:
                load(url, 1)  # warm up
                results[capture].append(load(url, seconds))
            finally:
                _stop(proc)
    plain_rps = statistics.median(r for r, _ in results[False])
    cap_rps = statistics.median(r for r, _ in results[True])
    plain_p50 = statistics.median(p for _, p in results[False])
    cap_p50 = statistics.median(p for _, p in results[True])
    recorded = Corpus(corpus).count() if corpus.exists() else 0
    tool = "wrk -t1 -c8" if load is _wrk else "a Python load loop (wrk is not installed)"
    detail = f"{tool}, {ROUNDS[scale]}×{seconds}s each; {recorded:,} samples recorded"
    return [
        Figure(
            name="capture p50 latency / plain",
            ratio=cap_p50 / plain_p50,
            goal="<= 1.10",
            met=cap_p50 / plain_p50 <= 1.10,
            detail=f"p50 {cap_p50:.3f} ms vs {plain_p50:.3f} ms; {detail}",
        ),
        Figure(
            name="capture throughput / plain",
            ratio=cap_rps / plain_rps,
            goal=">= 0.90",
            met=cap_rps / plain_rps >= 0.90,
            detail=f"{cap_rps:,.0f} vs {plain_rps:,.0f} requests/s",
        ),
    ]
