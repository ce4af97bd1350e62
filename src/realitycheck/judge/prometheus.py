"""Reading both sides of a canary from Prometheus with `query_range`.

Each metric's query is a template: `{{version}}` becomes the baseline's or the canary's label
value (`[prometheus] baseline`/`canary`). A samples metric takes every value of every returned
series; a counts metric takes the increase of its `events_query` and `total_query` counters over
the window (a counter that goes back is a reset; a series born inside the window starts at 0).
An empty vector, a series of NaNs, or a series that stops before the end of the window is no
data, and the note says which query and which side. An error answer or no answer in time is an
InputError naming the query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import httpx
import numpy as np

from realitycheck.core.config.judge import JudgeConfig, MetricSpec, Mode
from realitycheck.core.errors import InputError
from realitycheck.judge.data import Counts, Histogram, Series
from realitycheck.judge.engine import judge
from realitycheck.judge.model import Judgement
from realitycheck.judge.state import State

SIDES = ("baseline", "canary")


@dataclass
class PrometheusData:
    """Both sides as the judge takes them, and a note per metric that had no data."""

    baseline: dict[str, Series] = field(default_factory=dict)
    canary: dict[str, Series] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def render(template: str, version: str) -> str:
    """Fill the `{{version}}` placeholder (spaces inside the braces allowed)."""
    out = template
    for spelling in ("{{version}}", "{{ version }}"):
        out = out.replace(spelling, version)
    return out


def query_range(
    client: httpx.Client, url: str, query: str, start: datetime, end: datetime, step: float
) -> list[tuple[dict[str, str], list[tuple[float, float]]]]:
    """The series of a range query as (labels, [(time, value)]); errors name the query."""
    endpoint = url.rstrip("/") + "/api/v1/query_range"
    params = {
        "query": query,
        "start": f"{start.timestamp():.3f}",
        "end": f"{end.timestamp():.3f}",
        "step": f"{step:g}",
    }
    where = f"query {query!r}"
    try:
        response = client.get(endpoint, params=params)
    except httpx.TimeoutException:
        raise InputError(f"Prometheus at {url} did not answer in time", place=where) from None
    except httpx.HTTPError as exc:
        raise InputError(f"cannot reach Prometheus at {url}: {exc}", place=where) from None
    try:
        body = response.json()
    except ValueError:
        raise InputError(
            f"Prometheus answered HTTP {response.status_code} without JSON", place=where
        ) from None
    if not isinstance(body, dict) or body.get("status") != "success":
        error = body.get("error", "unknown error") if isinstance(body, dict) else "not an object"
        kind = body.get("errorType", "error") if isinstance(body, dict) else "error"
        raise InputError(
            f"Prometheus answered HTTP {response.status_code} {kind}: {error}", place=where
        )
    data = body.get("data") or {}
    if data.get("resultType") != "matrix":
        raise InputError(
            f"expected a range vector (matrix), got {data.get('resultType')!r}", place=where
        )
    series = []
    for item in data.get("result") or []:
        points = [(float(t), _value(v)) for t, v in item.get("values") or []]
        series.append((dict(item.get("metric") or {}), points))
    return series


def _value(raw: object) -> float:
    try:
        return float(str(raw))
    except ValueError:
        return math.nan


def read_prometheus(
    url: str,
    config: JudgeConfig,
    *,
    start: datetime,
    end: datetime,
    client: httpx.Client | None = None,
) -> PrometheusData:
    """Both sides of every configured metric from the Prometheus at `url`."""
    own = client is None
    client = client or httpx.Client(timeout=config.prometheus.timeout)
    try:
        out = PrometheusData()
        for spec in config.metrics:
            for side in SIDES:
                version = getattr(config.prometheus, side)
                series, note = _read_metric(client, url, spec, version, start, end, config)
                getattr(out, side)[spec.name] = series
                if note and spec.name not in out.notes:
                    out.notes[spec.name] = f"{side}: {note}"
        return out
    finally:
        if own:
            client.close()


def _read_metric(
    client: httpx.Client,
    url: str,
    spec: MetricSpec,
    version: str,
    start: datetime,
    end: datetime,
    config: JudgeConfig,
) -> tuple[Series, str | None]:
    step = config.prometheus.step
    if spec.kind == "counts":
        if not spec.events_query or not spec.total_query:
            raise InputError(
                "a counts metric read from Prometheus needs events_query and total_query",
                place=f"metric '{spec.name}'",
            )
        counters, steps = [], []
        for template in (spec.events_query, spec.total_query):
            query = render(template, version)
            found = query_range(client, url, query, start, end, step)
            increase, note = _increase(found, start.timestamp(), end.timestamp(), step)
            if note:
                return Counts(0.0, 0.0), f"query {query!r} {note}"
            counters.append(increase)
            steps.append(_per_step(found))
        events, total = counters
        return Counts(min(events, total), total, _rates(*steps)), None
    if not spec.query:
        raise InputError(
            f"a {spec.kind} metric read from Prometheus needs a query",
            place=f"metric '{spec.name}'",
        )
    query = render(spec.query, version)
    found = query_range(client, url, query, start, end, step)
    if spec.kind == "histogram":
        return _histogram(found, query, start.timestamp(), end.timestamp(), step)
    note = _gap(found, end.timestamp(), step)
    values = np.array([v for _, points in found for _, v in points], dtype=np.float64)
    if note is None and (values.size == 0 or np.all(np.isnan(values))):
        note = "returned only NaN"
    if note:
        return np.zeros(0, dtype=np.float64), f"query {query!r} {note}"
    return values, None


def _gap(
    found: list[tuple[dict[str, str], list[tuple[float, float]]]], end: float, step: float
) -> str | None:
    if not found or all(not points for _, points in found):
        return "returned an empty vector"
    last = max(points[-1][0] for _, points in found if points)
    if last < end - 2 * step:
        return f"stops {end - last:.0f}s before the end of the window"
    return None


def _increase(
    found: list[tuple[dict[str, str], list[tuple[float, float]]]],
    start: float,
    end: float,
    step: float,
) -> tuple[float, str | None]:
    note = _gap(found, end, step)
    if note:
        return 0.0, note
    total = 0.0
    for _, points in found:
        values = [v for _, v in points if not math.isnan(v)]
        if not values:
            continue
        first_time = points[0][0]
        previous = 0.0 if first_time > start + step else values[0]
        for value in values:
            total += value - previous if value >= previous else value
            previous = value
    return total, None


def _histogram(
    found: list[tuple[dict[str, str], list[tuple[float, float]]]],
    query: str,
    start: float,
    end: float,
    step: float,
) -> tuple[Series, str | None]:
    """Bucket counters by `le` -> their increases over the window as one cumulative histogram."""
    empty = Histogram(bounds=(math.inf,), counts=(0.0,))
    note = _gap(found, end, step)
    if note:
        return empty, f"query {query!r} {note}"
    buckets: dict[float, float] = {}
    for labels, points in found:
        if "le" not in labels:
            raise InputError(
                "a histogram query must return bucket series with an 'le' label "
                "(e.g. sum by (le) (..._bucket{...}))",
                place=f"query {query!r}",
            )
        bound = float(labels["le"].replace("+Inf", "inf"))
        increase, _ = _increase([(labels, points)], start, end, step)
        buckets[bound] = buckets.get(bound, 0.0) + increase
    bounds = sorted(buckets)
    counts = np.maximum.accumulate([buckets[b] for b in bounds])
    if not len(counts) or counts[-1] <= 0:
        return empty, f"query {query!r} counted no observations in the window"
    return Histogram(tuple(bounds), tuple(float(c) for c in counts)), None


def judge_prometheus(
    url: str,
    config: JudgeConfig,
    *,
    start: datetime,
    end: datetime,
    mode: Mode | None = None,
    state: State | None = None,
    client: httpx.Client | None = None,
) -> Judgement:
    """Read both sides from Prometheus and judge them; elapsed is end - start, notes included."""
    data = read_prometheus(url, config, start=start, end=end, client=client)
    return judge(
        data.baseline,
        data.canary,
        config,
        mode=mode,
        state=state,
        elapsed=(end - start).total_seconds(),
        notes=data.notes,
    )


def _per_step(found: list[tuple[dict[str, str], list[tuple[float, float]]]]) -> dict[float, float]:
    """The increase of the summed counters from each step to the next, by time (resets kept)."""
    out: dict[float, float] = {}
    for _, points in found:
        previous: float | None = None
        for time, value in points:
            if math.isnan(value):
                continue
            if previous is not None:
                out[time] = out.get(time, 0.0) + (value - previous if value >= previous else value)
            previous = value
    return out


def _rates(events: dict[float, float], totals: dict[float, float]) -> tuple[float, ...]:
    """events/total of every step with traffic (Kayenta's per-interval view of a counter pair)."""
    return tuple(
        min(1.0, events.get(time, 0.0) / total)
        for time, total in sorted(totals.items())
        if total > 0
    )
