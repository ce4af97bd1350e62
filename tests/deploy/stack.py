"""A real canary on loopback: baseline and canary services, traffic between them, Prometheus.

Each service is a Starlette app under uvicorn, instrumented with prometheus-client the way
a team's service is (`http_requests_total{version,status}`, `http_request_duration_seconds`);
its handler really waits its latency and really answers 500 at its error rate. A load thread
sends a bounded number of requests per second, split by the canary's weight (or mirrored to
both), and Prometheus from Debian's package scrapes both services every second.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from .live import running

BUCKETS = (0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25)


@dataclass
class Behaviour:
    """How a service answers: its median latency (s) and its error rate."""

    latency: float = 0.004
    error_rate: float = 0.01


def service(version: str, behaviour: Behaviour, seed: int) -> Starlette:
    """A service that labels its metrics with `version`."""
    registry = CollectorRegistry()
    requests = Counter("http_requests", "Requests.", ["version", "status"], registry=registry)
    duration = Histogram(
        "http_request_duration_seconds", "Latency.", ["version"], buckets=BUCKETS,
        registry=registry,
    )  # fmt: skip
    for status in ("200", "500"):
        requests.labels(version, status)  # both series exist from the start, at 0
    rng = random.Random(seed)

    async def handle(request: Request) -> Response:
        start = time.perf_counter()
        await asyncio.sleep(behaviour.latency * rng.lognormvariate(0.0, 0.25))
        status = 500 if rng.random() < behaviour.error_rate else 200
        requests.labels(version, str(status)).inc()
        duration.labels(version).observe(time.perf_counter() - start)
        return PlainTextResponse("ok" if status == 200 else "boom", status_code=status)

    async def metrics(request: Request) -> Response:
        return PlainTextResponse(generate_latest(registry).decode())

    return Starlette(routes=[Route("/", handle), Route("/metrics", metrics)])


class Load:
    """Requests at a bounded rate: canary share = weight %, or every request to both (mirror)."""

    def __init__(self, baseline: str, canary: str, rate: float = 60.0, limit_s: float = 180.0):
        self.urls = (baseline, canary)
        self.rate = rate
        self.limit_s = limit_s
        self.weight = 0
        self.mirror = False
        self.sent = [0, 0]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._rng = random.Random(7)

    def _run(self) -> None:
        end = time.monotonic() + self.limit_s
        with httpx.Client(timeout=5) as client:
            while not self._stop.is_set() and time.monotonic() < end:
                targets = (
                    [0, 1] if self.mirror else [1 if self._rng.random() * 100 < self.weight else 0]
                )
                for side in targets:
                    with contextlib.suppress(httpx.HTTPError):
                        client.get(self.urls[side] + "/")
                        self.sent[side] += 1
                self._stop.wait(1.0 / self.rate)

    def __enter__(self) -> Load:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def prometheus_binary() -> str | None:
    """The prometheus executable, if scripts/services.sh could install it."""
    return shutil.which("prometheus")


@contextlib.contextmanager
def prometheus(workdir: Path, targets: list[str]) -> Iterator[str]:
    """Prometheus on a free loopback port scraping `targets` (host:port) every second."""
    binary = prometheus_binary()
    assert binary is not None
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "prometheus.yml"
    listed = ", ".join(f'"{t}"' for t in targets)
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"scrape_configs:\n  - job_name: canary\n    static_configs:\n      - targets: [{listed}]\n"
    )
    with socket_port() as port, (workdir / "prometheus.log").open("wb") as log:
        proc = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((workdir / "prometheus.log").read_text()[-2000:])
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def socket_port() -> Iterator[int]:
    """A free loopback port (released before it is yielded, for a child process to bind)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    yield port


@contextlib.contextmanager
def canary_pair(
    workdir: Path, versions: tuple[str, str], baseline: Behaviour, canary: Behaviour
) -> Iterator[tuple[str, Load]]:
    """Both services, Prometheus scraping them, and the load between them (weight 0 at first)."""
    with contextlib.ExitStack() as stack:
        base_url = stack.enter_context(running(service(versions[0], baseline, seed=1)))
        can_url = stack.enter_context(running(service(versions[1], canary, seed=2)))
        targets = [u.removeprefix("http://") for u in (base_url, can_url)]
        prom = stack.enter_context(prometheus(workdir, targets))
        load = stack.enter_context(Load(base_url, can_url))
        yield prom, load
