"""Shadow proxy overhead: the client's latency and throughput through the proxy vs direct.

A primary (a raw ASGI app under uvicorn answering a small JSON document) and a candidate run as
processes on loopback; `realitycheck shadow` runs as a process in front of them. `wrk` (one
thread, a few connections) loads the primary directly and through the proxy, alternately, the
best of two turns each; when wrk is missing, a bounded loopback load generator stands in.

Figures:
- added latency at p50 and p99 through the proxy against direct (goal: ≤ 1 ms added at p50);
- throughput through the proxy as a share of direct;
- with the candidate slowed by 1 s: the client's p99 against the p99 with a fast candidate
  (goal: it does not move; copies beyond `max_in_flight` are not sent, and counted).
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.common import Figure, workdir

SECONDS = {"full": 6, "quick": 2}
TURNS = {"full": 2, "quick": 1}
CONNECTIONS = 4

UPSTREAM = """
import asyncio, sys, uvicorn
DELAY = float(sys.argv[2])
BODY = b'{"id": 7, "name": "Ada Lovelace", "plan": "pro", "tags": ["a", "b"]}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    if DELAY:
        await asyncio.sleep(DELAY)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            access_log=False, lifespan="off")
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextlib.contextmanager
def upstream(delay: float = 0.0) -> Iterator[str]:
    """A small JSON service as a process; yields its URL."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-c", UPSTREAM, str(port), str(delay)])
    try:
        _wait(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


@contextlib.contextmanager
def shadow(primary: str, candidate: str, folder: Path) -> Iterator[str]:
    """`realitycheck shadow` as a process; yields its URL."""
    log = folder / "shadow.log"
    args = [sys.executable, "-m", "realitycheck", "shadow", "--repo", str(folder)]
    args += ["--primary", primary, "--candidate", candidate, "--listen", "127.0.0.1:0"]
    args += ["--results", str(folder / "results")]
    with log.open("wb") as err:
        proc = subprocess.Popen(args, cwd=folder, stderr=err, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not (found := re.search(r"listening on (http://\S+)", log.read_text())):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"shadow did not start: {log.read_text()}")
            time.sleep(0.05)
        yield found.group(1)
    finally:
        proc.terminate()
        proc.wait(30)


_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def wrk(url: str, seconds: int) -> tuple[float, float, float]:
    """(p50 ms, p99 ms, requests/s) that wrk measured."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout

    def pct(label: str) -> float:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if found is None:
            raise RuntimeError(f"cannot read wrk's {label}th percentile:\n{out}")
        return float(found.group(1)) * _UNIT[found.group(2)]

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert rate is not None, out
    return pct("50"), pct("99"), float(rate.group(1))


def loopback(url: str, seconds: int) -> tuple[float, float, float]:
    """The same figures from a bounded load generator (keep-alive connections in threads)."""
    import http.client

    host, port = url.removeprefix("http://").split(":")
    times: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        mine: list[float] = []
        while time.monotonic() < stop and len(mine) < 200_000:
            start = time.perf_counter()
            conn.request("GET", "/users/7")
            conn.getresponse().read()
            mine.append((time.perf_counter() - start) * 1000)
        conn.close()
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    q = statistics.quantiles(times, n=100)
    return q[49], q[98], len(times) / (time.monotonic() - began)


def measure(url: str, seconds: int) -> tuple[float, float, float]:
    """wrk when installed, the loopback generator otherwise."""
    target = url + "/users/7"
    return wrk(target, seconds) if shutil.which("wrk") else loopback(url, seconds)


def _best(turns: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return min(t[0] for t in turns), min(t[1] for t in turns), max(t[2] for t in turns)


def _counts(results: Path) -> str:
    """What the proxy's run counted: copied, compared, and not sent by reason."""
    from realitycheck.shadow.results import read_runs

    runs = read_runs(results)
    if not runs:
        return "no results"
    c = runs[-1].counts
    not_sent = ", ".join(f"{k} {v}" for k, v in sorted((c.get("not_sent") or {}).items()))
    return f"{c.get('copied', 0)} copied, {c.get('compared', 0)} compared, not sent: {not_sent}"


def run(scale: str) -> list[Figure]:
    """Measure and return the figures."""
    seconds, turns = SECONDS[scale], TURNS[scale]
    tool = "wrk" if shutil.which("wrk") else "a loopback load generator"
    folder = workdir("shadow")
    shutil.rmtree(folder / "results", ignore_errors=True)
    direct: list[tuple[float, float, float]] = []
    through: list[tuple[float, float, float]] = []
    slowed: list[tuple[float, float, float]] = []
    with upstream() as primary, upstream() as candidate, upstream(1.0) as slow:
        with shadow(primary, candidate, folder) as proxy:
            measure(proxy, 1)  # warm both paths
            measure(primary, 1)
            for _ in range(turns):
                direct.append(measure(primary, seconds))
                through.append(measure(proxy, seconds))
        slow_folder = folder / "slow"
        slow_folder.mkdir(exist_ok=True)
        with shadow(primary, slow, slow_folder) as proxy:
            measure(proxy, 1)
            for _ in range(turns):
                slowed.append(measure(proxy, seconds))
    slow_counts = _counts(slow_folder / "results")
    fast_counts = _counts(folder / "results")
    d50, d99, drate = _best(direct)
    p50, p99, prate = _best(through)
    s50, s99, _ = _best(slowed)
    how = f"{tool}, {CONNECTIONS} connections, {seconds} s, best of {turns}"
    return [
        Figure(
            "shadow.p50_through_proxy_vs_direct",
            p50 / d50,
            "<= 1 ms added",
            p50 - d50 <= 1.0,
            f"p50 {p50:.3f} ms through the proxy vs {d50:.3f} ms direct "
            f"(+{p50 - d50:.3f} ms); {how}",
            {"direct_ms": d50, "proxy_ms": p50},
        ),
        Figure(
            "shadow.p99_through_proxy_vs_direct",
            p99 / d99,
            "-",
            None,
            f"p99 {p99:.3f} ms through the proxy vs {d99:.3f} ms direct (+{p99 - d99:.3f} ms)",
            {"direct_ms": d99, "proxy_ms": p99},
        ),
        Figure(
            "shadow.throughput_through_proxy_vs_direct",
            prate / drate,
            "-",
            None,
            f"{prate:,.0f} requests/s through the proxy vs {drate:,.0f}/s direct",
            {"direct_rps": drate, "proxy_rps": prate},
        ),
        Figure(
            "shadow.p99_with_candidate_slowed_1s",
            s99 / p99,
            "~1 (no move)",
            s99 < p99 * 2 + 1.0,
            f"client p99 {s99:.3f} ms with a candidate slowed by 1 s vs {p99:.3f} ms with a "
            f"fast one (p50 {s50:.3f} vs {p50:.3f} ms); copies: {slow_counts} (fast candidate: "
            f"{fast_counts})",
            {"slow_p99_ms": s99, "fast_p99_ms": p99, "slow": slow_counts, "fast": fast_counts},
        ),
    ]
