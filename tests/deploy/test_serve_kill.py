"""`kill -9` of the service between polls loses no evidence and changes no decision."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
BODY = {"rollout": "shop", "namespace": "prod", "revision": "6d4f8b7c9"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(state: Path, script: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    with (state.parent / f"serve-{port}.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.deploy.scripted", str(state), str(port), script],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
        if proc.poll() is not None:
            raise RuntimeError((state.parent / f"serve-{port}.log").read_text())
    proc.kill()
    raise RuntimeError("the service did not start")


def _kill9(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def test_kill_9_keeps_evidence_and_decisions(tmp_path: Path) -> None:
    state = tmp_path / "serve.sqlite"
    script = "inconclusive,inconclusive,fail,pass"
    proc, url = _start(state, script)
    try:
        assert httpx.post(f"{url}/argo/v1/measure", json=BODY).json()["polls"] == 1
        assert httpx.post(f"{url}/argo/v1/measure", json=BODY).json()["verdict"] == "inconclusive"
    finally:
        _kill9(proc)
    proc, url = _start(state, script)
    try:  # the third poll of the script, so the two before it survived
        third = httpx.post(f"{url}/argo/v1/measure", json=BODY).json()
        assert (third["polls"], third["verdict"], third["decided"]) == (3, "fail", "fail")
    finally:
        _kill9(proc)
    proc, url = _start(state, "pass")  # a judge that would now pass it
    try:
        again = httpx.post(f"{url}/argo/v1/measure", json=BODY).json()
        assert (again["verdict"], again["decided"], again["polls"]) == ("fail", "fail", 3)
        hook = {"name": "shop", "namespace": "prod", "checksum": "abc"}
        assert httpx.post(f"{url}/flagger/rollout", json=hook).status_code == 200
    finally:
        _kill9(proc)
