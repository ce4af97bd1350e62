"""The judge against a real Prometheus scraping real services: fails the bad canary, passes an A/A
pair, says nodata for a canary without traffic, and turns a Prometheus error into exit 2.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from realitycheck.cli.main import main
from realitycheck.judge import (
    Counts,
    State,
    judge_prometheus,
    load_judge_config,
    read_prometheus,
)

from .prometheus_env import Window, prometheus_binary, prometheus_window

pytestmark = pytest.mark.slow

CONFIG = """
deadline = 10
[prometheus]
step = 1
timeout = 10
baseline = "baseline"
canary = "{canary}"

[[metrics]]
name = "latency"
kind = "histogram"
quantiles = [0.5, 0.9]
query = 'sum by (le) (app_request_seconds_bucket{{version="{{{{version}}}}"}})'

[[metrics]]
name = "latency_p90"
groups = ["latency"]
query = '''histogram_quantile(0.9,
  sum by (le) (rate(app_request_seconds_bucket{{version="{{{{version}}}}"}}[3s])))'''
must_have_data = false

[[metrics]]
name = "errors"
kind = "counts"
events_query = 'sum(app_requests_total{{version="{{{{version}}}}",status="500"}}) or vector(0)'
total_query = 'sum(app_requests_total{{version="{{{{version}}}}"}})'
"""


@pytest.fixture(scope="module")
def window(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Window]:
    binary = prometheus_binary()
    if binary is None:
        pytest.skip(
            "Debian's prometheus package is not installed (scripts/services.sh installs it)"
        )
    with prometheus_window(tmp_path_factory.mktemp("prometheus"), binary) as found:
        yield found


def _config(folder: Path, canary: str) -> Path:
    path = folder / f"canary-{canary}.toml"
    path.write_text(CONFIG.format(canary=canary))
    return path


def _judge(
    window: Window, canary: str, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(
        [
            "judge",
            "--prometheus",
            window.url,
            "--config",
            str(_config(window.folder, canary)),
            "--start",
            window.start.isoformat(),
            "--end",
            window.end.isoformat(),
            "--format",
            "json",
            *extra,
        ]
    )
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def test_the_bad_canary_fails(window: Window, capsys: pytest.CaptureFixture[str]) -> None:
    code, result = _judge(window, "bad", capsys)
    assert code == 1 and result["verdict"] == "fail", result.get("reason")
    metrics = {m["name"]: m for m in result["metrics"]}
    assert metrics["errors"]["status"] == "fail"
    assert metrics["latency"]["status"] == "fail"  # 40 ms slower, seen in the buckets
    assert (
        metrics["errors"]["canary"]["events"] > 0 and metrics["errors"]["baseline"]["count"] > 100
    )


def test_the_bad_canary_fails_in_kayenta_mode(
    window: Window, capsys: pytest.CaptureFixture[str]
) -> None:
    code, result = _judge(window, "bad", capsys, "--mode", "kayenta")
    assert code == 1 and result["verdict"] == "fail", result.get("reason")


def test_an_a_a_pair_passes(window: Window, capsys: pytest.CaptureFixture[str]) -> None:
    code, result = _judge(window, "twin", capsys)
    assert result["verdict"] == "pass", json.dumps(result["metrics"], indent=1)[:3000]
    assert code == 0
    assert all(m["status"] != "fail" for m in result["metrics"])


def test_an_a_a_pair_passes_in_kayenta_mode(
    window: Window, capsys: pytest.CaptureFixture[str]
) -> None:
    # Kayenta's fixed-horizon test has a real false-alarm rate per metric (the judge benchmark
    # measures it), so one A/A window may fail one of its two metrics by chance (about one run
    # in twenty here); it must never fail the way the regression does, on every metric.
    _code, result = _judge(window, "twin", capsys, "--mode", "kayenta")
    failed = [m["name"] for m in result["metrics"] if m["status"] == "fail"]
    assert len(failed) < len(result["metrics"]), result["reason"]
    assert result["verdict"] == "pass" or result["score"] >= 50, result["reason"]


def test_a_canary_without_traffic_is_nodata(
    window: Window, capsys: pytest.CaptureFixture[str]
) -> None:
    code, result = _judge(window, "idle", capsys)
    assert code == 4 and result["verdict"] == "nodata"
    errors = next(m for m in result["metrics"] if m["name"] == "errors")
    assert errors["status"] == "nodata"
    assert "canary" in errors["reason"] and "app_requests_total" in errors["reason"]


def test_a_query_prometheus_rejects_is_exit_2(
    window: Window, capsys: pytest.CaptureFixture[str]
) -> None:
    path = window.folder / "broken.toml"
    path.write_text('[[metrics]]\nname = "x"\nquery = "sum(rate(app_requests_total[1m]"\n')
    code = main(
        [
            "judge",
            "--prometheus",
            window.url,
            "--config",
            str(path),
            "--start",
            window.start.isoformat(),
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "sum(rate(app_requests_total[1m]" in err
    assert "bad_data" in err


def test_the_reader_reports_histograms_and_counters(window: Window) -> None:
    config = load_judge_config(_config(window.folder, "bad"))
    data = read_prometheus(window.url, config, start=window.start, end=window.end)
    histogram = data.baseline["latency"]
    assert histogram.total > 100  # type: ignore[union-attr]
    assert not data.notes


def test_judge_prometheus_carries_state_between_polls(window: Window) -> None:
    config = load_judge_config(_config(window.folder, "bad"))
    state = State()
    middle = window.start + (window.end - window.start) / 2
    first = judge_prometheus(window.url, config, start=window.start, end=middle, state=state)
    later = judge_prometheus(window.url, config, start=window.start, end=window.end, state=state)
    assert state.polls == 2 and later.verdict == "fail"
    assert first.verdict in ("fail", "inconclusive")


def test_kayenta_mode_reads_a_counter_pair_per_step(window: Window) -> None:
    config = load_judge_config(_config(window.folder, "bad"))
    data = read_prometheus(window.url, config, start=window.start, end=window.end)
    errors = data.canary["errors"]
    assert isinstance(errors, Counts) and errors.rates is not None and len(errors.rates) >= 5
    assert 0.1 < sum(errors.rates) / len(errors.rates) < 0.3  # every 5th request fails
