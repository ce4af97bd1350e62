"""`verify` shows the plan; `deploy plan` and `serve` as a newcomer meets them, bad input too."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from realitycheck.cli.main import main
from realitycheck.demo.repo import RepoBuilder

from .crd import validate


@pytest.fixture
def change(repo: RepoBuilder) -> Path:
    repo.write({"a.py": "x = 1\n"})
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write({"a.py": "x = 2\n"})
    repo.commit("change")
    return repo.root


def test_every_report_format_shows_the_plan_and_json_carries_it(
    change: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    formats = [f"{fmt}:{out}.{fmt}" for fmt in ("json", "markdown", "html")]
    main(
        [
            "verify",
            "--repo",
            str(change),
            "--base",
            "main",
            *[a for f in formats for a in ("-f", f)],
        ]
    )
    doc = json.loads((tmp_path / "out.json").read_text())
    plan = doc["risk"]["plan"]
    assert plan["tier"] == doc["risk"]["tier"]
    assert plan["line"].startswith("rolls out as: ")
    assert "sequential judge at α = " in plan["line"]
    for fmt in ("markdown", "html"):
        assert "rolls out as: " in (tmp_path / f"out.{fmt}").read_text()
    main(["verify", "--repo", str(change), "--base", "main"])
    assert "rolls out as: " in capsys.readouterr().out

    target = tmp_path / "manifests"
    code = main(["deploy", "plan", "--controller", "argo", "--report", str(out) + ".json",
                 "-o", str(target), "--repo", str(change)])  # fmt: skip
    assert code == 0
    assert sorted(p.name for p in target.iterdir()) == ["analysis-template.yaml", "rollout.yaml"]
    for name in ("rollout.yaml", "analysis-template.yaml"):
        for doc in yaml.safe_load_all((target / name).read_text()):
            validate(doc)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tier", "extreme"], "unknown tier 'extreme'; tiers are low, medium, high, critical"),
        ([], "give either --tier or --report"),
        (["--tier", "low", "--report", "r.json"], "give either --tier or --report"),
        (["--report", "missing.json"], "missing.json: cannot read the report"),
        (["--report", "bad.json"], "bad.json: not a JSON report"),
        (["--report", "norisk.json"], "norisk.json (risk): the report has no risk tier"),
        (["--tier", "low", "--manifest", "bad.yaml"], "bad.yaml:3: not a YAML manifest"),
        (["--tier", "low", "--name", "Shop_1"], "--name: 'Shop_1' is not a Kubernetes name"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "norisk.json").write_text(json.dumps({"schema_version": 1, "verdict": "pass"}))
    (tmp_path / "bad.yaml").write_text("kind: Rollout\nspec: [\n")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    code = main(["deploy", "plan", "--controller", "flagger", *args, "-o", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1, err
    assert message in err
    assert not out.exists()  # nothing half-written


def test_stdout_is_one_yaml_stream(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["deploy", "plan", "--controller", "flagger", "--tier", "critical"]) == 0
    kinds = [d["kind"] for d in yaml.safe_load_all(capsys.readouterr().out)]
    assert kinds == ["Canary", "MetricTemplate", "MetricTemplate"]


def test_serve_refuses_a_public_address_without_a_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REALITYCHECK_SERVE_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    code = main(["serve", "--host", "0.0.0.0", "--prometheus", "http://127.0.0.1:9"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert "refusing to listen on 0.0.0.0 without a bearer token" in err
    (tmp_path / "empty").write_text("\n")
    assert main(["serve", "--token-file", "empty"]) == 2
    assert "empty: the token file is empty" in capsys.readouterr().err


def test_serve_says_when_its_state_cannot_be_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "realitycheck.toml").write_text(CONFIG.replace("PORT", "9"))
    (tmp_path / "file").write_text("")
    assert main(["serve", "--state", "file/serve.sqlite"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("realitycheck: error: file/serve.sqlite: cannot open the state store")
    assert len(err.splitlines()) == 1


def test_serve_needs_a_judge_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["serve", "--prometheus", "http://127.0.0.1:9"]) == 2
    assert "the judge configuration names no metrics" in capsys.readouterr().err


CONFIG = """\
[judge]
metrics = [
  {name = "latency", kind = "samples", query = 'rate(x{version="{{version}}"}[1m])'},
]
[judge.prometheus]
url = "http://127.0.0.1:PORT"
"""


def test_serve_answers_a_dead_prometheus_with_an_error_inside_argos_timeout(
    tmp_path: Path,
) -> None:
    import socket

    with socket.socket() as silent, socket.socket() as free:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections, never answers
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
        free.close()
        (tmp_path / "realitycheck.toml").write_text(
            CONFIG.replace("PORT", str(silent.getsockname()[1]))
        )
        env = {**os.environ, "REALITYCHECK_SERVE_TOKEN": "t0ken"}
        with (tmp_path / "serve.log").open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "realitycheck", "serve", "--port", str(port)],
                cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    httpx.get(f"{url}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            body = {"rollout": "shop", "namespace": "prod", "revision": "abc"}
            auth = {"Authorization": "Bearer t0ken"}
            # Argo's web provider gives up after 10 s; the service must answer before that
            answer = httpx.post(f"{url}/argo/v1/measure", json=body, headers=auth, timeout=10)
            assert answer.status_code == 502
            assert "did not answer in time" in answer.json()["error"]
            assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}  # still up
            assert (tmp_path / ".realitycheck" / "serve.sqlite").exists()
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=15)
