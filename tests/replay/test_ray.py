"""The Ray backend, against a local Ray instance this test starts (and stops) itself."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from realitycheck.cli.main import main
from realitycheck.core.config import config_from_dict
from realitycheck.core.git import Git
from realitycheck.corpus.store import Corpus
from realitycheck.replay.executor import Backend
from realitycheck.replay.function import Revision, replay_functions
from realitycheck.replay.local import LocalBackend
from realitycheck.replay.trees import Trees, source_roots

from .conftest import Change, write_samples

ray = pytest.importorskip("ray")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

BASE = """
import os

def score(x):
    return {"score": x * 2, "even": x % 2 == 0}

def risky(x):
    return x
"""

HEAD = """
import os, time

def score(x):
    if x > 6:
        return {"score": x * 2 + 1, "even": x % 2 == 0}
    return {"score": x * 2, "even": x % 2 == 0}

def risky(x):
    if x == 3:
        os._exit(9)
    if x == 4:
        time.sleep(30)
    return x
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def ray_address() -> Iterator[str]:
    """A Ray head node on loopback, started for these tests and stopped after them."""
    executable = Path(sys.executable).with_name("ray")
    if not executable.exists():
        pytest.skip("the ray command is not installed beside this Python")
    port = free_port()
    temp = tempfile.mkdtemp(prefix="rc-ray-", dir="/tmp")
    # a throwaway loopback cluster: no token authentication on either side
    patch = pytest.MonkeyPatch()
    patch.setenv("RAY_AUTH_MODE", "disabled")
    proc = subprocess.Popen(
        [
            str(executable),
            "start",
            "--head",
            f"--port={port}",
            "--node-ip-address=127.0.0.1",
            "--num-cpus=2",
            "--include-dashboard=false",
            "--disable-usage-stats",
            f"--temp-dir={temp}",
            "--block",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        if proc.poll() is not None:
            pytest.skip("ray start exited before the cluster came up")
        time.sleep(0.2)
    try:
        yield address
    finally:
        if ray.is_initialized():
            ray.shutdown()
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(temp, ignore_errors=True)
        patch.undo()


@pytest.fixture
def change(change_factory: Any) -> Change:
    change = change_factory(
        {"src/m/__init__.py": "", "src/m/core.py": BASE}, {"src/m/core.py": HEAD}
    )
    write_samples(change.corpus_dir, "fn:m.core:score", ({"args": {"x": x}} for x in range(10)))
    write_samples(change.corpus_dir, "fn:m.core:risky", ({"args": {"x": x}} for x in range(6)))
    return change


def replay(change: Change, backend: Backend, targets: list[str]) -> dict[str, Any]:
    cfg = config_from_dict({"replay": {"timeout": 2.0, "noise": False, "workers": 1}}).replay
    with Trees(Git(change.root)) as trees:
        base, head = trees.get(change.base), trees.get(change.head)
        run = replay_functions(
            Corpus(change.corpus_dir),
            targets,
            Revision(base, source_roots(base, cfg.source_roots)),
            Revision(head, source_roots(head, cfg.source_roots)),
            cfg,
            backend,
        )
    return {
        t.target: sorted((d.path, d.category, d.count) for d in t.divergences) for t in run.targets
    }


def test_ray_and_local_workers_find_the_same_divergences(ray_address: str, change: Change) -> None:
    from realitycheck.replay.ray_backend import RayBackend

    backend = RayBackend(ray_address)
    try:
        on_ray = replay(change, backend, ["m.core:score", "m.core:risky"])
    finally:
        backend.close()
    local = replay(change, LocalBackend(), ["m.core:score", "m.core:risky"])
    assert on_ray == local
    assert on_ray["fn:m.core:score"] == [("$.return.score", "value-changed", 3)]
    assert on_ray["fn:m.core:risky"] == [("$", "crash", 1), ("$", "timeout", 1)]


def test_the_cli_runs_on_ray_with_an_address(
    ray_address: str, change: Change, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "replay",
            "function",
            "--repo",
            str(change.root),
            "--base",
            "main",
            "--target",
            "m.core:score",
            "--executor",
            "ray",
            "--address",
            ray_address,
            "--no-coverage",
            "--no-noise",
            "--format",
            "json",
        ]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert doc["replay"]["executor"] == "ray"
    [target] = doc["replay"]["targets"]
    assert (target["samples"], target["diverged"]) == (10, 3)


def test_an_unreachable_cluster_is_one_clear_error(
    change: Change, capsys: pytest.CaptureFixture[str]
) -> None:
    if ray.is_initialized():
        ray.shutdown()
    code = main(
        [
            "replay",
            "function",
            "--repo",
            str(change.root),
            "--base",
            "main",
            "--target",
            "m.core:score",
            "--executor",
            "ray",
            "--address",
            f"127.0.0.1:{free_port()}",
            "--no-coverage",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "cannot reach the Ray cluster" in err
    assert "Traceback" not in err


def test_three_pools_fit_on_two_cpus_when_noise_is_measured(
    ray_address: str, change: Change
) -> None:
    from realitycheck.replay.ray_backend import RayBackend

    cfg = config_from_dict({"replay": {"timeout": 2.0, "noise": True}}).replay
    backend = RayBackend(ray_address)
    try:
        with Trees(Git(change.root)) as trees:
            base, head = trees.get(change.base), trees.get(change.head)
            run = replay_functions(
                Corpus(change.corpus_dir),
                ["m.core:score"],
                Revision(base, source_roots(base, cfg.source_roots)),
                Revision(head, source_roots(head, cfg.source_roots)),
                cfg,
                backend,
            )
    finally:
        backend.close()
    [target] = run.targets
    assert target.noise_measured and target.replayed == 10 and target.diverged == 3


def test_more_workers_than_the_cluster_has_fail_at_once(
    ray_address: str, change: Change, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["replay", "function", "--repo", str(change.root), "--base", "main"]
    args += ["--target", "m.core:score", "--executor", "ray", "--address", ray_address]
    code = main([*args, "--workers", "2", "--no-coverage"])
    err = capsys.readouterr().err
    assert code == 2
    assert "asked for 6 CPUs (3 pools × 2 workers × 1 CPU) and the cluster has 2" in err
