"""The commands as a user runs them: the proxy as a process, the report in every format."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from realitycheck.cli.main import main

from .conftest import Services


@contextlib.contextmanager
def shadow_process(args: list[str], cwd: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`realitycheck shadow ARGS` as a process; yields its URL once it listens."""
    log = cwd / "shadow.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "realitycheck", "shadow", "--listen", "127.0.0.1:0", *args],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            found = re.search(r"listening on (http://\S+)", log.read_text())
            if found:
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"shadow did not start: {log.read_text()}")
            time.sleep(0.05)
        yield found.group(1), proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def _judged(url: str, n: int, timeout: float = 20.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        data: dict[str, object] = httpx.get(url + "/_realitycheck/data.json").json()
        if data["compared"] >= n or time.monotonic() > deadline:  # type: ignore[operator]
            return data
        time.sleep(0.05)


def _written(results: Path, n: int, timeout: float = 20.0) -> None:
    """Wait until `n` judged copies are on disk (the judge fsyncs twice a second)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = list(results.glob("run-*.jsonl"))
        if files and files[0].read_text().count('"t":"x"') >= n:
            return
        time.sleep(0.05)
    raise AssertionError(f"{n} results were not written")


def test_shadow_runs_stops_on_sigint_and_reports(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = services.urls
    results = tmp_path / "results"
    args = ["--primary", urls["primary"], "--candidate", urls["candidate"]]
    args += ["--secondary", urls["secondary"], "--results", str(results)]
    with shadow_process(args, tmp_path) as (url, proc):
        for i in range(10):
            assert httpx.get(f"{url}/users/{i}").json()["plan"] == "pro"
        _judged(url, 10)
        _written(results, 10)
        # a report while the proxy still runs
        assert main(["shadow", "report", "--results", str(results), "-f", "json"]) == 1
        live = json.loads(capsys.readouterr().out)
        assert live["shadow"]["compared"] == 10
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    log = (tmp_path / "shadow.log").read_text()
    assert "10 requests, 10 copied, 10 compared" in log
    assert main(["shadow", "report", "--results", str(results), "-f", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema_version"] == 1 and doc["verdict"] == "fail"
    assert doc["shadow"]["requests"] == 10 and doc["shadow"]["noise_measured"] is True
    assert any("$.body.plan" in r["message"] for r in doc["reasons"])
    for fmt in ("text", "markdown", "html"):
        out = tmp_path / f"report.{fmt}"
        assert main(["shadow", "report", "--results", str(results), "-f", fmt, "-o", str(out)]) == 1
        text = out.read_text()
        assert "/users/{id}" in text and "$.body.plan" in text


def test_a_killed_proxy_leaves_readable_results(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = services.urls
    results = tmp_path / "results"
    args = [
        "--primary",
        urls["primary"],
        "--candidate",
        urls["candidate"],
        "--results",
        str(results),
    ]
    with shadow_process(args, tmp_path) as (url, proc):
        for i in range(6):
            httpx.get(f"{url}/users/{i}")
        _judged(url, 6)
        _written(results, 6)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    run = next(results.glob("run-*.jsonl"))
    with run.open("ab") as handle:
        handle.write(b'{"t":"x","route":"http:GET /torn')  # a line cut short by the crash
    assert main(["shadow", "report", "--results", str(results), "-f", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["shadow"]["compared"] == 6
    assert doc["shadow"]["torn"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--candidate", "http://127.0.0.1:1"], "--primary and --candidate are required"),
        (["--primary", "http://127.0.0.1:1", "--candidate", "ftp://x"], "not an http://"),
        (
            ["--primary", "http://example.com", "--candidate", "http://127.0.0.1:1"],
            "example.com is not an allowed host",
        ),
        (
            [
                "--primary",
                "http://127.0.0.1:1",
                "--candidate",
                "http://127.0.0.1:2",
                "--listen",
                "x",
            ],
            "is not HOST:PORT",
        ),
    ],
)
def test_bad_flags_are_one_line_and_exit_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["shadow", "--repo", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert "Traceback" not in err


def test_bad_config_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "realitycheck.toml"
    config.write_text("[shadow]\nmax_in_fligth = 3\n")
    code = main(
        [
            "shadow",
            "--config",
            str(config),
            "--primary",
            "http://127.0.0.1:1",
            "--candidate",
            "http://127.0.0.1:2",
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "max_in_fligth" in err


def test_report_without_results_says_where_it_looked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["shadow", "report", "--results", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert "no shadow results" in err and "none" in err


def test_report_of_a_file_that_is_not_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "run-bad.jsonl").write_text('{"hello": 1}\n')
    assert main(["shadow", "report", "--results", str(tmp_path)]) == 2
    assert "run-bad.jsonl:1" in capsys.readouterr().err
