"""`realitycheck judge` from files: verdicts and exit codes; bad input is one line and exit 2."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from realitycheck.cli.main import main

Capture = pytest.CaptureFixture[str]


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    rng = np.random.default_rng(0)
    n = 3000
    base = {"latency": rng.lognormal(0, 0.5, n).tolist(), "errors": {"events": 30, "total": n}}
    good = {"latency": rng.lognormal(0, 0.5, n).tolist(), "errors": {"events": 31, "total": n}}
    bad = {
        "latency": (rng.lognormal(0, 0.5, n) * 1.4).tolist(),
        "errors": {"events": 120, "total": n},
    }
    idle = {"latency": [], "errors": {"events": 0, "total": 0}}
    return {
        "base": _write(tmp_path / "baseline.json", base),
        "good": _write(tmp_path / "good.json", good),
        "bad": _write(tmp_path / "bad.json", bad),
        "idle": _write(tmp_path / "idle.json", idle),
    }


def _run(capsys: Capture, *args: str) -> tuple[int, str, str]:
    code = main(["judge", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_bad_canary_fails_with_an_explanation(files: dict[str, Path], capsys: Capture) -> None:
    code, out, _ = _run(capsys, "--baseline", str(files["base"]), "--canary", str(files["bad"]))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "canary judge (sequential):"
    assert any(line.startswith("  FAIL") and "latency" in line for line in lines)
    assert "groups:" in lines and lines[-1].startswith("verdict: FAIL")


def test_json_carries_schema_version_and_every_metric(
    files: dict[str, Path], capsys: Capture
) -> None:
    code, out, _ = _run(
        capsys, "--baseline", str(files["base"]), "--canary", str(files["bad"]), "-f", "json"
    )
    result = json.loads(out)
    assert code == 1 and result["schema_version"] == 1 and result["verdict"] == "fail"
    latency = next(m for m in result["metrics"] if m["name"] == "latency")
    assert latency["baseline"]["count"] == 3000 and latency["effects"][0]["statistic"] == "p50"
    assert latency["effects"][0]["interval"][0] > 1.0


def test_kayenta_mode_and_a_passing_canary(files: dict[str, Path], capsys: Capture) -> None:
    code, out, _ = _run(
        capsys,
        "--baseline",
        str(files["base"]),
        "--canary",
        str(files["good"]),
        "--mode",
        "kayenta",
    )
    assert "canary judge (kayenta):" in out
    assert code in (0, 3)  # the counter pair is one value in Kayenta mode: never a silent pass


def test_no_traffic_is_nodata_exit_4(files: dict[str, Path], capsys: Capture) -> None:
    code, out, _ = _run(capsys, "--baseline", str(files["base"]), "--canary", str(files["idle"]))
    assert code == 4 and "verdict: NODATA" in out


def test_state_file_is_carried_between_polls(
    files: dict[str, Path], tmp_path: Path, capsys: Capture
) -> None:
    state = tmp_path / "state.json"
    args = ["--baseline", str(files["base"]), "--canary", str(files["good"]), "--state", str(state)]
    _run(capsys, *args)
    assert json.loads(state.read_text())["polls"] == 1
    _run(capsys, *args)
    assert json.loads(state.read_text())["polls"] == 2


def test_csv_input(tmp_path: Path, capsys: Capture) -> None:
    rng = np.random.default_rng(1)
    rows = "\n".join(f"{a:.4f},{b:.4f}" for a, b in rng.lognormal(0, 0.3, (2000, 2)))
    base = tmp_path / "b.csv"
    base.write_text("latency,cpu\n" + rows + "\n")
    slow = tmp_path / "c.csv"
    slow.write_text(
        "latency,cpu\n"
        + "\n".join(
            f"{float(a) * 1.5:.4f},{b}" for a, b in (r.split(",") for r in rows.splitlines())
        )
        + "\n"
    )
    code, out, _ = _run(capsys, "--baseline", str(base), "--canary", str(slow))
    assert code == 1 and "latency" in out


def test_a_config_with_a_kayenta_canary_config(tmp_path: Path, capsys: Capture) -> None:
    config = Path(__file__).parent / "data" / "kayenta-integration-test-cpu.json"
    rng = np.random.default_rng(2)
    base = _write(tmp_path / "b.json", {"CPU usage for service": rng.normal(50, 5, 60).tolist()})
    can = _write(tmp_path / "c.json", {"CPU usage for service": rng.normal(80, 5, 60).tolist()})
    code, out, _ = _run(
        capsys, "--baseline", str(base), "--canary", str(can), "--config", str(config)
    )
    assert code == 1 and "canary judge (kayenta):" in out


# --- bad input: one line naming the file (or query) and the place, exit 2 ----------------------


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_malformed_json_names_file_and_line(
    files: dict[str, Path], tmp_path: Path, capsys: Capture
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "latency": [1, 2,\n')
    code, _, err = _run(capsys, "--baseline", str(files["base"]), "--canary", str(broken))
    line = _one_line(err)
    assert code == 2 and f"{broken}:3" in line and "not valid JSON" in line


def test_a_value_that_is_not_a_number(
    files: dict[str, Path], tmp_path: Path, capsys: Capture
) -> None:
    bad = _write(tmp_path / "bad.json", {"latency": [1.0, "fast", 3.0]})
    code, _, err = _run(capsys, "--baseline", str(files["base"]), "--canary", str(bad))
    line = _one_line(err)
    assert code == 2 and str(bad) in line and "metric 'latency'" in line and "value 1" in line


def test_a_bad_csv_cell(tmp_path: Path, capsys: Capture) -> None:
    base = tmp_path / "b.csv"
    base.write_text("latency\n1.0\n2.0\n")
    bad = tmp_path / "c.csv"
    bad.write_text("latency\n1.0\nslow\n")
    code, _, err = _run(capsys, "--baseline", str(base), "--canary", str(bad))
    line = _one_line(err)
    assert code == 2 and f"{bad}:3" in line and "column 'latency'" in line


def test_an_unknown_metric(files: dict[str, Path], tmp_path: Path, capsys: Capture) -> None:
    config = tmp_path / "canary.toml"
    config.write_text(
        '[[metrics]]\nname = "latency"\n\n[[metrics]]\nname = "errors"\nkind = "counts"\n'
    )
    other = _write(tmp_path / "other.json", {"latency": [1.0], "latncy_p99": [2.0]})
    code, _, err = _run(
        capsys, "--baseline", str(files["base"]), "--canary", str(other), "--config", str(config)
    )
    line = _one_line(err)
    assert code == 2 and str(other) in line and "unknown metric 'latncy_p99'" in line


def test_an_unknown_config_key_names_its_line(
    files: dict[str, Path], tmp_path: Path, capsys: Capture
) -> None:
    config = tmp_path / "canary.toml"
    config.write_text('alpha = 0.05\n\n[[metrics]]\nname = "latency"\ndirektion = "increase"\n')
    code, _, err = _run(
        capsys,
        "--baseline",
        str(files["base"]),
        "--canary",
        str(files["good"]),
        "--config",
        str(config),
    )
    line = _one_line(err)
    assert code == 2 and f"{config}:5" in line and "unknown key 'metrics.0.direktion'" in line


def test_a_missing_file_and_missing_options(
    files: dict[str, Path], tmp_path: Path, capsys: Capture
) -> None:
    code, _, err = _run(
        capsys, "--baseline", str(files["base"]), "--canary", str(tmp_path / "no.json")
    )
    assert code == 2 and "no such metrics file" in _one_line(err)
    code, _, err = _run(capsys, "--baseline", str(files["base"]))
    assert code == 2 and "--canary" in err
    code, _, err = _run(
        capsys, "--prometheus", "http://127.0.0.1:9", "--config", str(files["base"])
    )
    assert code == 2


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A real socket on loopback that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                accepted.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        for conn in accepted:
            conn.close()
        sock.close()


def test_a_prometheus_that_never_answers(
    silent_server: str, tmp_path: Path, capsys: Capture
) -> None:
    config = tmp_path / "canary.toml"
    config.write_text(
        "[prometheus]\ntimeout = 0.5\n\n"
        '[[metrics]]\nname = "latency"\nquery = \'up{job="{{version}}"}\'\n'
    )
    code, _, err = _run(
        capsys,
        "--prometheus",
        silent_server,
        "--config",
        str(config),
        "--start",
        "2026-12-04T10:00:00Z",
        "--end",
        "2026-12-04T10:05:00Z",
    )
    line = _one_line(err)
    assert code == 2 and "did not answer in time" in line and 'up{job="baseline"}' in line


def test_a_bad_start_time(tmp_path: Path, capsys: Capture) -> None:
    config = tmp_path / "canary.toml"
    config.write_text('[[metrics]]\nname = "latency"\nquery = "up"\n')
    code, _, err = _run(
        capsys,
        "--prometheus",
        "http://127.0.0.1:9",
        "--config",
        str(config),
        "--start",
        "yesterday",
    )
    assert code == 2 and "--start" in err and "ISO 8601" in err


def test_the_judge_table_of_the_repository_is_found(tmp_path: Path, capsys: Capture) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "realitycheck.toml").write_text(
        '[judge]\nmode = "kayenta"\n\n[[judge.metrics]]\nname = "cpu"\ndirection = "either"\n'
    )
    rng = np.random.default_rng(3)
    base = _write(tmp_path / "b.json", {"cpu": rng.normal(50, 5, 40).tolist()})
    can = _write(tmp_path / "c.json", {"cpu": rng.normal(50, 5, 40).tolist()})
    code, out, _ = _run(capsys, "--baseline", str(base), "--canary", str(can), "--repo", str(repo))
    assert "canary judge (kayenta):" in out and code == 0
