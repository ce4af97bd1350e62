"""A real Prometheus on loopback scraping real uvicorn services every second, for the judge's tests.

Four services run `service_app.py` in their own uvicorn processes: `baseline` and `twin` (healthy),
`bad` (40 ms slower, every 5th request a 500) and `idle` (instrumented and scraped, never sent a
request). Prometheus (Debian's package) gets a temporary config and data folder; traffic goes to
all but `idle` for a bounded time, then the tests query the window.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import httpx

HERE = Path(__file__).parent
SERVICES = {
    "baseline": {},
    "twin": {},
    "bad": {"SERVICE_DELAY_MS": "40", "SERVICE_ERROR_EVERY": "5"},
    "idle": {},
}
TRAFFIC_SECONDS = 10.0
MAX_REQUESTS = 3000  # per service


@dataclass
class Window:
    """Where Prometheus listens and the time window that holds the traffic."""

    url: str
    start: datetime
    end: datetime
    folder: Path


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prometheus_binary() -> str | None:
    """Debian's prometheus, if installed."""
    return shutil.which("prometheus") or (
        "/usr/bin/prometheus" if Path("/usr/bin/prometheus").exists() else None
    )


def _wait(url: str, timeout: float, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {timeout:.0f}s")


@contextlib.contextmanager
def _process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _traffic(url: str, stop_at: float) -> None:
    with httpx.Client(timeout=5.0) as client:
        for _ in range(MAX_REQUESTS):
            if time.monotonic() >= stop_at:
                return
            with contextlib.suppress(httpx.HTTPError):
                client.get(url)


@contextlib.contextmanager
def prometheus_window(folder: Path, binary: str) -> Iterator[Window]:
    """Start the services and Prometheus, send the traffic, yield the window; stop everything."""
    with contextlib.ExitStack() as stack:
        ports = {}
        for name, extra in SERVICES.items():
            port = free_port()
            env = {**os.environ, **extra, "PYTHONPATH": str(HERE)}
            args = [sys.executable, "-m", "uvicorn", "service_app:app", "--host", "127.0.0.1"]
            args += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
            log = folder / f"{name}.log"
            proc = stack.enter_context(_process(args, env, log))
            _wait(f"http://127.0.0.1:{port}/metrics", 30, proc, log)
            ports[name] = port
        jobs = "\n".join(
            f"  - job_name: {name}\n    static_configs:\n"
            f"      - targets: ['127.0.0.1:{port}']\n        labels: {{version: {name}}}"
            for name, port in ports.items()
        )
        config = folder / "prometheus.yml"
        config.write_text(
            f"global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n{jobs}\n"
        )
        port = free_port()
        args = [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={folder / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ]
        log = folder / "prometheus.log"
        proc = stack.enter_context(_process(args, dict(os.environ), log))
        url = f"http://127.0.0.1:{port}"
        _wait(f"{url}/-/ready", 60, proc, log)
        time.sleep(
            2.5
        )  # a couple of scrapes before any traffic: every counter starts in the window
        start = datetime.now(timezone.utc)
        time.sleep(1.0)
        stop_at = time.monotonic() + TRAFFIC_SECONDS
        threads = [
            threading.Thread(target=_traffic, args=(f"http://127.0.0.1:{p}/work", stop_at))
            for name, p in ports.items()
            if name != "idle"
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TRAFFIC_SECONDS + 30)
        time.sleep(2.5)  # the last scrapes
        end = datetime.now(timezone.utc)
        yield Window(url=url, start=start, end=end, folder=folder)
