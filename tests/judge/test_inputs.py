"""Inputs of the judge: metrics files, histograms, the configuration, the Prometheus arithmetic."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import realitycheck.judge as api
from realitycheck.core.config import load_config
from realitycheck.core.errors import ConfigError, InputError
from realitycheck.judge import Histogram, JudgeConfig, MetricSpec, judge, load_judge_config
from realitycheck.judge.anytime import histogram_interval, quantile_interval
from realitycheck.judge.inputs import parse_csv, parse_json
from realitycheck.judge.prometheus import _gap, _increase, render


def test_the_public_api_is_complete() -> None:
    exported = {name for name in dir(api) if not name.startswith("_")}
    modules = {"anytime", "configfile", "data", "engine", "explain", "inputs", "kayenta"}
    modules |= {"mannwhitney", "model", "prometheus", "samples", "scoring", "sequential", "state"}
    assert exported - modules == set(api.__all__)


def test_json_kinds() -> None:
    data = parse_json(
        '{"lat": [1, 2.5, null], "err": {"events": 3, "total": 10},'
        ' "h": {"buckets": {"0.1": 2, "+Inf": 5, "0.5": 4}}}'
    )
    assert np.isnan(data["lat"][2])  # type: ignore[index]
    assert data["err"] == api.Counts(3.0, 10.0)
    assert data["h"] == Histogram((0.1, 0.5, math.inf), (2.0, 4.0, 5.0))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "expected an object of metrics"),
        ("{}", "names no metric"),
        ('{"e": {"events": 5, "total": 2}}', "exceed the total"),
        ('{"e": {"events": 1, "totl": 2}}', "unknown key 'totl'"),
        ('{"h": {"buckets": {"0.1": 5, "+Inf": 3}}}', "cumulative"),
        ('{"h": {"buckets": {"fast": 5}}}', "is not a number"),
        ('{"x": "many"}', "expected a list of numbers"),
        ('{"x": [true]}', "not a number"),
    ],
)
def test_bad_json_metrics(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        parse_json(text, Path("side.json"))
    assert info.value.path == "side.json"


def test_csv_columns_and_errors() -> None:
    data = parse_csv("a,b\n1,2\n3,\n,5\n")
    assert list(data["a"]) == [1.0, 3.0] and list(data["b"]) == [2.0, 5.0]  # type: ignore[arg-type]
    with pytest.raises(InputError) as info:
        parse_csv("a,b\n1,2,3\n", "f.csv")
    assert info.value.line == 2
    with pytest.raises(InputError, match="two columns"):
        parse_csv("a,a\n1,2\n")


def test_histogram_quantile_is_prometheus_linear_interpolation() -> None:
    h = Histogram((0.1, 0.2, 0.4, math.inf), (10.0, 30.0, 40.0, 40.0))
    assert h.quantile(0.5) == pytest.approx(0.15)  # rank 20 halfway through (0.1, 0.2]
    assert h.quantile(0.25) == pytest.approx(0.1)
    assert h.quantile(0.99) == pytest.approx(0.2 + 0.2 * (39.6 - 30) / 10)


def test_histogram_bounds_contain_the_exact_bounds() -> None:
    """Bucket-edge bounds are never tighter than the bounds from the raw observations."""
    rng = np.random.default_rng(0)
    data = np.sort(rng.lognormal(0, 0.5, 5000))
    edges = np.array([0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, math.inf])
    cumulative = np.searchsorted(data, edges, side="right").astype(float)
    for q in (0.5, 0.9, 0.99):
        exact = quantile_interval(data, q, 0.01, 500.0)
        bucketed = histogram_interval(edges, cumulative, q, 0.01, 500.0)
        assert bucketed[0] <= exact[0] and exact[1] <= bucketed[1]


def test_histograms_are_judged_like_samples() -> None:
    edges = (0.005, 0.01, 0.02, 0.05, 0.1, math.inf)
    rng = np.random.default_rng(1)

    def hist(values: np.ndarray) -> Histogram:
        counts = np.searchsorted(np.sort(values), edges, side="right").astype(float)
        return Histogram(edges, tuple(counts))

    fast, slow = rng.uniform(0.003, 0.009, 4000), rng.uniform(0.03, 0.06, 4000)
    config = JudgeConfig(metrics=[MetricSpec(name="latency", kind="histogram")])
    assert judge({"latency": hist(fast)}, {"latency": hist(slow)}, config).verdict == "fail"
    kayenta = judge({"latency": hist(fast)}, {"latency": hist(slow)}, config, mode="kayenta")
    assert kayenta.verdict == "fail"


def test_counter_increase_handles_resets_and_births() -> None:
    start, end, step = 100.0, 110.0, 1.0
    reset = [({"a": "1"}, [(100.0, 50.0), (105.0, 60.0), (106.0, 4.0), (110.0, 10.0)])]
    assert _increase(reset, start, end, step) == (10.0 + 4.0 + 6.0, None)
    born = [({"a": "1"}, [(103.0, 7.0), (110.0, 12.0)])]  # born inside: it started at 0
    assert _increase(born, start, end, step) == (12.0, None)
    assert _gap([], end, step) == "returned an empty vector"
    stopped = [({}, [(100.0, 1.0), (104.0, 2.0)])]
    assert "stops 6s before the end" in (_gap(stopped, end, step) or "")


def test_render_fills_the_version() -> None:
    assert (
        render('up{v="{{version}}", w="{{ version }}"}', "canary") == 'up{v="canary", w="canary"}'
    )


def test_judge_table_in_realitycheck_toml(tmp_path: Path) -> None:
    path = tmp_path / "realitycheck.toml"
    path.write_text('[judge]\nalpha = 0.01\n\n[[judge.metrics]]\nname = "latency"\n')
    assert load_config(path).judge.alpha == 0.01
    config = load_judge_config(path)
    assert config.alpha == 0.01 and config.metrics[0].name == "latency"
    path.write_text("[judge]\nalpah = 0.01\n")
    with pytest.raises(ConfigError, match="unknown key 'alpah'") as info:
        load_judge_config(path)
    assert info.value.line == 2


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[metrics]]\nname = "a"\n[[metrics]]\nname = "a"\n', "defined twice"),
        ('[[metrics]]\nname = "a"\nquantiles = [1.5]\n', "between 0 and 1"),
        ('alpha = 2\n[[metrics]]\nname = "a"\n', "alpha"),
        ("thresholds = { pass = 50, marginal = 80 }\n", "marginal must not exceed"),
        ('mode = "fast"\n', "mode"),
    ],
)
def test_bad_configurations(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "canary.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=message):
        load_judge_config(path)


def test_a_judge_without_metrics_is_bad_input() -> None:
    with pytest.raises(InputError, match="names no metrics"):
        judge({}, {}, JudgeConfig())


_names = st.text(
    st.characters(categories=("L", "N"), include_characters="_."), min_size=1, max_size=12
)
_values = st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), max_size=30)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(_names, _values, min_size=1, max_size=5))
def test_json_metrics_round_trip(data: dict[str, list[float]]) -> None:
    parsed = parse_json(json.dumps(data))
    assert set(parsed) == set(data)
    for name, values in data.items():
        assert list(parsed[name]) == values  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.lists(_names, min_size=1, max_size=4, unique=True), st.data())
def test_csv_metrics_round_trip(names: list[str], data: st.DataObject) -> None:
    rows = data.draw(
        st.lists(
            st.lists(
                st.floats(allow_nan=False, allow_infinity=False),
                min_size=len(names),
                max_size=len(names),
            ),
            max_size=20,
        )
    )
    text = ",".join(names) + "\n" + "".join(",".join(repr(v) for v in row) + "\n" for row in rows)
    parsed = parse_csv(text)
    for index, name in enumerate(names):
        assert list(parsed[name]) == [row[index] for row in rows]  # type: ignore[arg-type]


def test_per_step_rates_of_a_counter_pair() -> None:
    from realitycheck.judge.prometheus import _per_step, _rates

    events = _per_step([({}, [(1.0, 0.0), (2.0, 2.0), (3.0, 2.0), (4.0, 1.0)])])  # reset at 4
    totals = _per_step([({}, [(1.0, 10.0), (2.0, 20.0), (3.0, 20.0), (4.0, 10.0)])])
    assert events == {2.0: 2.0, 3.0: 0.0, 4.0: 1.0}
    assert _rates(events, totals) == (0.2, 0.1)  # step 3 had no traffic: no rate
