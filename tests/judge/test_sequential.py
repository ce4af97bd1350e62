"""The sequential judge: early fail, early pass, no data, the deadline, and the carried state."""

from __future__ import annotations

from typing import Any

import numpy as np

from realitycheck.judge import Counts, JudgeConfig, MetricSpec, State, judge

Side = dict[str, Any]


def _config(**extra: object) -> JudgeConfig:
    return JudgeConfig.model_validate(
        {
            "metrics": [
                {"name": "latency", "quantiles": [0.5, 0.9]},
                {"name": "errors", "kind": "counts"},
            ],
            **extra,
        }
    )


def _sides(
    rng: np.random.Generator, n: int, slow: float = 1.0, errors: tuple[int, int] = (50, 50)
) -> tuple[Side, Side]:
    base = {"latency": rng.lognormal(0, 0.5, n), "errors": Counts(errors[0], n)}
    can = {"latency": rng.lognormal(0, 0.5, n) * slow, "errors": Counts(errors[1], n)}
    return base, can


def test_a_slower_canary_fails_and_says_which_quantile() -> None:
    base, can = _sides(np.random.default_rng(0), 3000, slow=1.3)
    result = judge(base, can, _config())
    assert result.verdict == "fail" and result.exit_code == 1
    latency = result.metric("latency")
    assert latency.status == "fail" and "latency p50" in latency.reason
    p50 = latency.effects[0]
    assert p50.interval is not None and p50.interval[0] is not None and p50.interval[0] > 1.0
    assert result.reason == latency.reason


def test_an_equal_canary_passes_early_with_enough_data() -> None:
    base, can = _sides(np.random.default_rng(1), 40_000, errors=(2000, 2010))
    result = judge(base, can, _config())
    assert result.verdict == "pass", result.reason
    assert result.score == 100.0 and result.exit_code == 0


def test_little_data_is_inconclusive_not_a_pass() -> None:
    base, can = _sides(np.random.default_rng(2), 30, errors=(1, 1))
    result = judge(base, can, _config())
    assert result.verdict == "inconclusive" and result.exit_code == 3


def test_error_spike_fails_on_the_counters() -> None:
    base, can = _sides(np.random.default_rng(3), 5000, errors=(50, 150))
    result = judge(base, can, _config())
    errors = result.metric("errors")
    assert errors.status == "fail" and errors.e_value is not None and errors.e_value >= 40
    assert errors.effects[0].ratio == 3.0


def test_a_canary_without_traffic_is_nodata() -> None:
    rng = np.random.default_rng(4)
    base = {"latency": rng.lognormal(0, 0.5, 500), "errors": Counts(5, 500)}
    can: Side = {"latency": [], "errors": Counts(0, 0)}
    result = judge(base, can, _config())
    assert result.verdict == "nodata" and result.exit_code == 4
    assert all(m.status == "nodata" for m in result.metrics)
    assert "canary" in result.metric("latency").reason


def test_nan_only_is_nodata() -> None:
    config = JudgeConfig(metrics=[MetricSpec(name="latency")])
    result = judge({"latency": [float("nan")] * 5}, {"latency": [1.0, 2.0]}, config)
    assert result.metric("latency").status == "nodata" and result.verdict == "nodata"


def test_a_metric_missing_from_one_side_is_nodata() -> None:
    rng = np.random.default_rng(11)
    base, can = _sides(rng, 500)
    del can["latency"]
    result = judge(base, can, _config())
    assert result.metric("latency").status == "nodata"
    assert result.verdict != "pass"


def test_deadline_settles_an_undecided_canary() -> None:
    rng = np.random.default_rng(5)
    base, can = _sides(rng, 200, errors=(3, 3))
    assert judge(base, can, _config(deadline=600), elapsed=300).verdict == "inconclusive"
    late = judge(base, can, _config(deadline=600), elapsed=600)
    assert late.verdict == "pass" and late.deadline_passed
    assert "no regression" in late.reason


def test_deadline_without_data_follows_the_nodata_policy() -> None:
    rng = np.random.default_rng(6)
    base = {"latency": rng.lognormal(0, 0.5, 200), "errors": Counts(2, 200)}
    can = {"latency": rng.lognormal(0, 0.5, 200), "errors": Counts(0, 0)}
    wait = judge(base, can, _config(deadline=60, nodata="wait"), elapsed=61)
    assert wait.verdict == "nodata"
    fail = judge(base, can, _config(deadline=60, nodata="fail"), elapsed=61)
    assert fail.verdict == "fail" and "deadline passed without data" in fail.reason


def test_state_round_trips_and_a_failure_is_never_taken_back() -> None:
    rng = np.random.default_rng(7)
    state = State()
    base, can = _sides(rng, 4000, errors=(40, 160))
    first = judge(base, can, _config(), state=state)
    assert first.metric("errors").status == "fail"
    carried = State.from_json(state.to_json())
    assert carried == state and carried.polls == 1
    # the next poll's counters look fine: the failure stands
    base["errors"], can["errors"] = Counts(400, 40000), Counts(400, 40000)
    again = judge(base, can, _config(), state=carried)
    assert again.metric("errors").status == "fail" and carried.polls == 2
    assert again.state is not None and again.state["polls"] == 2


def test_running_intersection_is_kept_in_the_state() -> None:
    rng = np.random.default_rng(8)
    state = State()
    base, can = _sides(rng, 2000)
    judge(base, can, _config(), state=state)
    first = state.metrics["latency"].bounds["canary:p50"]
    judge(base, can, _config(), state=state)
    assert state.metrics["latency"].bounds["canary:p50"] == first  # same data: same bounds
    assert State.from_json(state.to_json()).metrics["latency"].bounds["canary:p50"] == first


def test_a_counter_that_goes_back_is_reported_as_a_reset() -> None:
    state = State()
    config = _config()
    base, can = _sides(np.random.default_rng(9), 1000, errors=(10, 10))
    judge(base, can, config, state=state)
    can["errors"] = Counts(2, 100)
    result = judge(base, can, config, state=state)
    assert "reset" in result.metric("errors").reason


def test_decrease_direction_and_muted_metrics() -> None:
    rng = np.random.default_rng(10)
    config = JudgeConfig(
        metrics=[
            MetricSpec(name="throughput", direction="decrease", quantiles=[0.5]),
            MetricSpec(name="noise", muted=True, quantiles=[0.5]),
        ]
    )
    base = {"throughput": rng.normal(100, 5, 3000), "noise": rng.normal(1, 0.1, 100)}
    can = {"throughput": rng.normal(80, 5, 3000), "noise": rng.normal(9, 0.1, 100)}
    result = judge(base, can, config)
    assert result.metric("throughput").status == "fail"
    assert result.metric("noise").muted


def test_state_with_a_wrong_version_is_bad_input() -> None:
    import pytest

    from realitycheck.core.errors import InputError

    with pytest.raises(InputError, match="schema_version"):
        State.from_json('{"schema_version": 99}', source="state.json")
    with pytest.raises(InputError, match="not JSON"):
        State.from_json("{", source="state.json")


def test_anytime_p_value_agrees_with_the_decision() -> None:
    rng = np.random.default_rng(12)
    config = JudgeConfig(metrics=[MetricSpec(name="latency")], alpha=0.05)
    for slow in (1.0, 1.05, 1.1, 1.3):
        base = {"latency": rng.lognormal(0, 0.5, 2000)}
        can = {"latency": rng.lognormal(0, 0.5, 2000) * slow}
        result = judge(base, can, config).metric("latency")
        assert result.p_value is not None
        assert (result.status == "fail") == (result.p_value <= 0.05)


def test_anytime_p_value_is_valid_over_polls() -> None:
    """Under A/A, the chance that the p-value ever drops to 0.1 over 15 polls stays <= 0.1."""
    rng = np.random.default_rng(13)
    config = JudgeConfig(metrics=[MetricSpec(name="latency", quantiles=[0.5])])
    runs, hits = 150, 0
    for _ in range(runs):
        base, can = rng.lognormal(0, 0.5, 3000), rng.lognormal(0, 0.5, 3000)
        for t in range(200, 3001, 200):
            p = judge({"latency": base[:t]}, {"latency": can[:t]}, config).metric("latency").p_value
            if p is not None and p <= 0.1:
                hits += 1
                break
    assert hits / runs <= 0.1


def test_reading_a_state_leaves_the_callers_dict_alone() -> None:
    rng = np.random.default_rng(14)
    state = State()
    base, can = _sides(rng, 500)
    judge(base, can, _config(), state=state)
    stored = state.to_dict()
    snapshot = repr(stored)
    assert State.from_dict(stored) == state
    assert repr(stored) == snapshot


def test_notes_name_the_query_in_the_metric_and_the_summary() -> None:
    config = JudgeConfig(metrics=[MetricSpec(name="latency")])
    note = {"latency": "canary: query 'x{version=\"canary\"}' returned an empty vector"}
    result = judge({"latency": [1.0, 2.0]}, {"latency": []}, config, notes=note)
    assert "returned an empty vector" in result.metric("latency").reason
    assert "returned an empty vector" in result.reason


def test_histogram_a_a_canaries_rarely_fail_when_polled_often() -> None:
    """Coarse buckets (where the strict bounds matter most) keep the false alarm rate <= alpha."""
    import math

    from realitycheck.judge import Histogram

    rng = np.random.default_rng(15)
    edges = (0.5, 1.0, 2.0, math.inf)
    config = JudgeConfig(
        metrics=[MetricSpec(name="latency", kind="histogram", quantiles=[0.5, 0.9])]
    )

    def hist(values: np.ndarray) -> Histogram:
        return Histogram(
            edges, tuple(np.searchsorted(np.sort(values), edges, side="right").astype(float))
        )

    runs, alarms = 200, 0
    for _ in range(runs):
        base, can, state = rng.lognormal(0, 0.7, 4000), rng.lognormal(0, 0.7, 4000), State()
        for t in range(400, 4001, 400):
            result = judge(
                {"latency": hist(base[:t])}, {"latency": hist(can[:t])}, config, state=state
            )
            if result.verdict == "fail":
                alarms += 1
                break
    assert alarms / runs <= 0.05
