"""The canary judge: compare a baseline and a canary from their metrics, early in both directions,
and never pass on no data.

The public API (stable; everything else in this package is internal):

    from realitycheck.judge import JudgeConfig, MetricSpec, State, judge, load_judge_config

    config = JudgeConfig(metrics=[
        MetricSpec(name="latency", kind="samples", direction="increase"),
        MetricSpec(name="errors", kind="counts", direction="increase"),
    ])
    state = State()                                   # sequential: carried between polls
    result = judge(
        {"latency": [101.0, 99.5, ...], "errors": Counts(events=3, total=1000)},   # baseline
        {"latency": [120.0, 98.1, ...], "errors": Counts(events=9, total=1010)},   # canary
        config, mode="sequential", state=state, elapsed=300.0,
    )
    result.verdict        # "pass" | "fail" | "inconclusive" | "nodata"
    result.score          # 0..100
    result.metrics        # MetricResult per metric: status, effects, p/e-value, reason
    result.to_json()      # one JSON document with schema_version
    result.exit_code      # 0 pass, 1 fail, 3 inconclusive, 4 nodata
    State.from_json(state.to_json())                  # the state round-trips through JSON

- `judge(baseline, canary, config, *, mode=None, state=None, elapsed=None, notes=None)`:
  `mode` is "sequential" (default; anytime-valid: Lindon & Malek for counts, Howard & Ramdas
  quantile confidence sequences for samples) or "kayenta" (a port of Kayenta's NetflixACAJudge).
- `JudgeConfig`, `MetricSpec`, `EffectSize`, `Thresholds`, `PrometheusSettings`: the
  configuration models (pydantic; unknown keys are errors). `load_judge_config(path)` reads a
  canary.toml, the `[judge]` table of realitycheck.toml, or a Kayenta canary config JSON.
- `Counts(events, total)`: a counter pair judged as a rate; `Histogram(bounds, counts)`:
  cumulative buckets (Prometheus `le`); lists/arrays are samples.
- `read_metrics(path)`: a JSON or CSV metrics file of one side.
- `read_prometheus(url, config, start=, end=)`: both sides from Prometheus (`PrometheusData`
  with `.baseline`, `.canary`, `.notes` to pass as `notes=`); `judge_prometheus(url, config,
  start=, end=, mode=None, state=None)` reads and judges in one call (elapsed = end - start).
- `Judgement`, `MetricResult`, `GroupResult`, `Effect`, `SideStats`: the result models;
  `SCHEMA_VERSION` of its JSON; `EXIT_CODES` per verdict.
- `State`: the sequential state; `to_json()`/`from_json()`, `to_dict()`/`from_dict()`.
"""

from realitycheck.core.config.judge import (
    EffectSize,
    JudgeConfig,
    MetricSpec,
    PrometheusSettings,
    Thresholds,
)
from realitycheck.judge.configfile import from_kayenta, judge_config_from_dict, load_judge_config
from realitycheck.judge.data import Counts, Histogram, Series
from realitycheck.judge.engine import judge
from realitycheck.judge.inputs import read_metrics
from realitycheck.judge.model import (
    EXIT_CODES,
    SCHEMA_VERSION,
    Effect,
    GroupResult,
    Judgement,
    MetricResult,
    SideStats,
    Verdict,
)
from realitycheck.judge.prometheus import PrometheusData, judge_prometheus, read_prometheus
from realitycheck.judge.state import State

__all__ = [
    "EXIT_CODES",
    "SCHEMA_VERSION",
    "Counts",
    "Effect",
    "EffectSize",
    "GroupResult",
    "Histogram",
    "JudgeConfig",
    "Judgement",
    "MetricResult",
    "MetricSpec",
    "PrometheusData",
    "PrometheusSettings",
    "Series",
    "SideStats",
    "State",
    "Thresholds",
    "Verdict",
    "from_kayenta",
    "judge",
    "judge_config_from_dict",
    "judge_prometheus",
    "load_judge_config",
    "read_metrics",
    "read_prometheus",
]
