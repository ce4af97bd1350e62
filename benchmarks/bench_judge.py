"""The canary judge, simulated: false alarms when polled every step, power, time to detect, cost.

Each simulated canary runs for `steps` polls; at every poll each side has received `batch` more
requests. Scenarios (seeded):
- A/A: log-normal latency (sigma 0.5); Poisson errors (1 % of requests); bursty errors (a
  common outage multiplies both sides' error rate by 10 on 10 % of the steps).
- A/B: +5 % on every latency (p50 +5 %); +20 % on the slowest 2 % only (p99 +20 %, p50 and p90
  unchanged); errors 1 % -> 1.5 % (+0.5 pp).

The sequential judge (one metric per scenario, alpha 0.05, quantiles p50/p90/p99 for latency) is
simulated vectorised over the canaries with the library's own rank bounds (`rank_bounds`) and
Bayes factor (`dirichlet_log_bf`); a few canaries per scenario are replayed poll by poll through
`judge()` with its `State` to check that the simulation decides as the judge does. Kayenta mode
goes through `judge(mode="kayenta")` at every poll, on per-step values (p50 and p99 of the step's
latencies, the step's error count), as Kayenta reads metrics.

Fixed-horizon reference: the per-side sample size at which scipy's one-sided Mann-Whitney test on
the raw requests reaches the sequential judge's power at the same alpha (found by bisection over
simulated data sets). Cost: one sequential judgement of 2 x 100,000 latencies against
`scipy.stats.mannwhitneyu` on the same data.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import mannwhitneyu, norm

from benchmarks.common import Figure, best_of
from realitycheck.core.stats import wilson_interval
from realitycheck.judge import Counts, JudgeConfig, MetricSpec, State, judge
from realitycheck.judge.anytime import (
    rank_bounds,
    share_interval,
    share_to_ratio,
    two_sample_log_bf,
)

ALPHA = 0.05
SIGMA = 0.5
BASE_ERROR = 0.01
QUANTILES = (0.5, 0.9, 0.99)
SCALES = {
    "full": {"canaries": 1000, "steps": 30, "batch": 400, "replayed": 5, "mw_reps": 400},
    "quick": {"canaries": 200, "steps": 30, "batch": 400, "replayed": 2, "mw_reps": 150},
}
Array = NDArray[np.float64]


@dataclass
class Outcome:
    """When each canary was failed (step, or -1) and passed early (step, or -1)."""

    fail_step: NDArray[np.int64]
    pass_step: NDArray[np.int64]


# --- data ---------------------------------------------------------------------------------------


def latency(rng: np.random.Generator, shape: tuple[int, ...], change: str | None) -> Array:
    values = rng.lognormal(0.0, SIGMA, shape)
    if change == "p50+5%":
        values *= 1.05
    elif change == "p99+20%":
        q98 = math.exp(SIGMA * 2.053748910631823)  # the true 98th percentile
        values = np.where(values > q98, values * 1.2, values)
    return values


def errors(
    rng: np.random.Generator, canaries: int, steps: int, batch: int, scenario: str
) -> tuple[Array, Array]:
    """Per-step error counts of both sides, shape (canaries, steps)."""
    rate = np.full((canaries, steps), BASE_ERROR)
    if scenario == "bursty":
        rate = np.where(rng.random((canaries, steps)) < 0.1, BASE_ERROR * 10, rate)
    canary_rate = rate + (0.005 if scenario == "+0.5pp" else 0.0)
    return rng.binomial(batch, rate).astype(float), rng.binomial(batch, canary_rate).astype(float)


# --- the sequential judge, vectorised -----------------------------------------------------------


def sequential_latency(base: Array, can: Array, steps: int, batch: int) -> Outcome:
    n = base.shape[0]
    level = ALPHA / (2 * len(QUANTILES))
    strength = JudgeConfig().prior_strength
    margin = 1.1
    lo = {side: np.full((n, len(QUANTILES)), -np.inf) for side in ("b", "c")}
    hi = {side: np.full((n, len(QUANTILES)), np.inf) for side in ("b", "c")}
    fail = np.full(n, -1)
    passed = np.full(n, -1)
    for step in range(1, steps + 1):
        t = step * batch
        bounds = [rank_bounds(t, q, level, strength) for q in QUANTILES]
        kth = sorted({k for k_lo, k_hi in bounds for k in (k_lo - 1, k_hi) if 0 <= k < t})
        for side, data in (("b", base), ("c", can)):
            part = np.partition(data[:, :t], kth, axis=1)
            for j, (k_lo, k_hi) in enumerate(bounds):
                new_lo = part[:, k_lo - 1] if k_lo >= 1 else np.full(n, -np.inf)
                new_hi = part[:, k_hi] if k_hi < t else np.full(n, np.inf)
                lo[side][:, j] = np.maximum(lo[side][:, j], new_lo)
                hi[side][:, j] = np.minimum(hi[side][:, j], new_hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            r_lo = np.where(np.isfinite(hi["b"]), lo["c"] / hi["b"], 0.0)
            r_hi = np.where(lo["b"] > 0, hi["c"] / lo["b"], np.inf)
        failing = np.any(r_lo > 1.0, axis=1)
        fail[(fail < 0) & failing] = step
        passing = np.all(r_hi <= margin, axis=1) & ~failing
        passed[(passed < 0) & (fail < 0) & passing] = step
    return Outcome(fail, passed)


def sequential_counts(base: Array, can: Array, batch: int) -> Outcome:
    n, steps = base.shape
    cb, cc = np.cumsum(base, axis=1), np.cumsum(can, axis=1)
    strength = JudgeConfig().count_prior_strength
    log_bf = two_sample_log_bf(cc, cb, 0.5, strength, "increase")
    failing = (log_bf >= math.log(1 / ALPHA)) & (cc > cb)
    fail = np.where(failing.any(axis=1), failing.argmax(axis=1) + 1, -1)
    passed = np.full(n, -1)
    for i in range(n):  # early pass: the share interval's upper end below the margin (1.5x)
        upper = 1.0
        for step in range(steps if fail[i] < 0 else fail[i] - 1):
            upper = min(upper, share_interval(cc[i, step], cb[i, step], ALPHA, 0.5, strength)[1])
            if share_to_ratio(upper, 0.5) <= 1.5:
                passed[i] = step + 1
                break
    return Outcome(fail, passed)


def replay_check(
    kind: str, base: Array, can: Array, outcome: Outcome, rows: int, batch: int
) -> int:
    """How many of the first `rows` canaries judge() fails at the simulated step."""
    spec = MetricSpec(name="m", kind="counts" if kind == "counts" else "samples")
    config = JudgeConfig(metrics=[spec])
    agree = 0
    for i in range(rows):
        state, first = State(), -1
        for step in range(1, base.shape[1] // (batch if kind == "samples" else 1) + 1):
            if kind == "samples":
                b, c = base[i, : step * batch], can[i, : step * batch]
                result = judge({"m": b}, {"m": c}, config, state=state)
            else:
                total = float(step * batch)
                b_ev, c_ev = float(base[i, :step].sum()), float(can[i, :step].sum())
                result = judge(
                    {"m": Counts(b_ev, total)}, {"m": Counts(c_ev, total)}, config, state=state
                )
            if result.verdict == "fail":
                first = step
                break
        agree += first == outcome.fail_step[i]
    return agree


# --- Kayenta mode -------------------------------------------------------------------------------


def kayenta_outcome(series: dict[str, tuple[Array, Array]], canaries: int, steps: int) -> Outcome:
    config = JudgeConfig(mode="kayenta", metrics=[MetricSpec(name=name) for name in series])
    fail = np.full(canaries, -1)
    for i in range(canaries):
        for step in range(1, steps + 1):
            base = {name: b[i, :step] for name, (b, _) in series.items()}
            can = {name: c[i, :step] for name, (_, c) in series.items()}
            if judge(base, can, config).verdict == "fail":
                fail[i] = step
                break
    return Outcome(fail, np.full(canaries, -1))


# --- fixed-horizon reference --------------------------------------------------------------------


def mw_power(
    draw: Callable[[np.random.Generator, int, int], tuple[Array, Array]],
    n: int,
    reps: int,
    seed: int,
) -> float:
    rng = np.random.default_rng(seed)
    base, can = draw(rng, reps, n)
    p = mannwhitneyu(can, base, alternative="greater", axis=1, method="asymptotic").pvalue
    return float(np.mean(p < ALPHA))


def mw_samples_for(
    draw: Callable[[np.random.Generator, int, int], tuple[Array, Array]],
    power: float,
    reps: int,
    cap: int = 20_000,
) -> tuple[int, str]:
    """Per-side n at which the one-sided Mann-Whitney test reaches `power` (capped at 0.99).

    Bisection over simulated data sets up to `cap`; beyond it, Noether's sample-size formula
    n = (z_alpha + z_power)^2 * c / (6 (AUC - 1/2)^2), AUC and the tie factor c from one
    large simulated draw.
    """
    target = min(power, 0.99)
    lo, hi = 10, 100
    while mw_power(draw, hi, reps, 1) < target:
        lo, hi = hi, hi * 2
        if hi > cap:
            return _noether(draw, target), "Noether's formula"
    while hi - lo > max(10, lo // 20):
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if mw_power(draw, mid, reps, 1) < target else (lo, mid)
    return hi, f"simulated, {reps} data sets per n"


def _noether(
    draw: Callable[[np.random.Generator, int, int], tuple[Array, Array]], target: float
) -> int:
    base, can = draw(np.random.default_rng(2), 1, 400_000)
    pooled = np.concatenate([base[0], can[0]])
    _, counts = np.unique(pooled, return_counts=True)
    tie_factor = 1.0 - float(np.sum(counts.astype(float) ** 3 - counts)) / (
        len(pooled) ** 3 - len(pooled)
    )
    auc = mannwhitneyu(can[0], base[0]).statistic / (len(base[0]) * len(can[0]))
    z = norm.ppf(1 - ALPHA) + norm.ppf(target)
    return math.ceil(z * z * tie_factor / (6 * (auc - 0.5) ** 2))


# --- figures ------------------------------------------------------------------------------------


def _rate_figure(name: str, outcome: Outcome) -> Figure:
    alarms, total = int(np.sum(outcome.fail_step > 0)), len(outcome.fail_step)
    low, high = wilson_interval(alarms, total)
    return Figure(
        name=name,
        ratio=(alarms / total) / ALPHA,
        goal="<= 1 (rate/alpha)",
        met=alarms / total <= ALPHA,
        detail=f"{alarms}/{total} false alarms, rate {alarms / total:.3f} "
        f"(Wilson 95% {low:.3f}..{high:.3f}) vs alpha {ALPHA}",
    )


def _median_samples(outcome: Outcome, batch: int) -> float:
    times = np.where(outcome.fail_step > 0, outcome.fail_step * batch, np.inf)
    return float(np.median(times))


def run(scale: str) -> list[Figure]:
    size = SCALES[scale]
    n, steps, batch = size["canaries"], size["steps"], size["batch"]
    rng = np.random.default_rng(20261204)
    figures: list[Figure] = []
    horizon = steps * batch
    started = time.perf_counter()

    def per_step(values: Array, q: float) -> Array:
        return np.quantile(values.reshape(n, steps, batch), q, axis=2)

    for change in (None, "p50+5%", "p99+20%"):
        base = latency(rng, (n, horizon), None)
        can = latency(rng, (n, horizon), change)
        seq = sequential_latency(base, can, steps, batch)
        agree = replay_check("samples", base, can, seq, size["replayed"], batch)
        series = {
            "latency_p50": (per_step(base, 0.5), per_step(can, 0.5)),
            "latency_p99": (per_step(base, 0.99), per_step(can, 0.99)),
        }
        kay = kayenta_outcome(series, n, steps)
        label = change or "A/A latency"

        def draw(
            g: np.random.Generator, reps: int, m: int, change: str | None = change
        ) -> tuple[Array, Array]:
            return latency(g, (reps, m), None), latency(g, (reps, m), change)

        figures.extend(
            _scenario(label, change is None, seq, kay, batch, agree, size, draw, horizon)
        )
        print(f"   {label}: {time.perf_counter() - started:.0f}s", file=sys.stderr, flush=True)
    for scenario in ("poisson", "bursty", "+0.5pp"):
        base_e, can_e = errors(rng, n, steps, batch, scenario)
        seq = sequential_counts(base_e, can_e, batch)
        agree = replay_check("counts", base_e, can_e, seq, size["replayed"], batch)
        kay = kayenta_outcome({"errors": (base_e, can_e)}, n, steps)
        aa = scenario != "+0.5pp"

        def draw_e(g: np.random.Generator, reps: int, m: int) -> tuple[Array, Array]:
            return (
                (g.random((reps, m)) < BASE_ERROR).astype(float),
                (g.random((reps, m)) < BASE_ERROR + 0.005).astype(float),
            )

        label = f"A/A errors {scenario}" if aa else "errors +0.5pp"
        figures.extend(_scenario(label, aa, seq, kay, batch, agree, size, draw_e, horizon))
        print(f"   {label}: {time.perf_counter() - started:.0f}s", file=sys.stderr, flush=True)
    figures.append(_cost(rng))
    return figures


def _scenario(
    label: str,
    aa: bool,
    seq: Outcome,
    kay: Outcome,
    batch: int,
    agree: int,
    size: dict[str, int],
    draw: Callable[..., tuple[Array, Array]],
    horizon: int,
) -> list[Figure]:
    check = f"; judge() replay agrees on {agree}/{size['replayed']} canaries"
    if aa:
        seq_fig = _rate_figure(f"judge {label}: sequential false alarms", seq)
        passed = seq.pass_step > 0
        seq_fig.detail += (
            f"; early pass {passed.mean():.0%}"
            + (
                f" (median {np.median(seq.pass_step[passed]) * batch:.0f} samples/side)"
                if passed.any()
                else ""
            )
            + check
        )
        kay_fig = _rate_figure(f"judge {label}: kayenta false alarms", kay)
        kay_fig.goal, kay_fig.met = "info", None
        return [seq_fig, kay_fig]
    power = float(np.mean(seq.fail_step > 0))
    median = _median_samples(seq, batch)
    fixed, how = mw_samples_for(draw, power, size["mw_reps"])
    k_power = float(np.mean(kay.fail_step > 0))
    return [
        Figure(
            name=f"judge {label}: sequential time to detect / fixed MW",
            ratio=median / fixed if math.isfinite(median) else math.inf,
            goal="<= 0.3",
            met=math.isfinite(median) and median / fixed <= 0.3,
            detail=f"power {power:.3f} within {horizon} samples/side, median {median:.0f} "
            f"samples/side to fail; one-sided Mann-Whitney needs {fixed} for power "
            f"{min(power, 0.99):.3f} ({how})" + check,
        ),
        Figure(
            name=f"judge {label}: kayenta power (per-step values)",
            ratio=k_power,
            goal="info",
            met=None,
            detail=f"median {_median_samples(kay, batch):.0f} samples/side to fail",
        ),
    ]


def _cost(rng: np.random.Generator) -> Figure:
    base, can = rng.lognormal(0, SIGMA, 100_000), rng.lognormal(0.01, SIGMA, 100_000)
    config = JudgeConfig(metrics=[MetricSpec(name="latency")])
    ours = best_of(lambda: judge({"latency": base}, {"latency": can}, config))
    scipy_mw = best_of(lambda: mannwhitneyu(base, can))
    kayenta = best_of(lambda: judge({"latency": base}, {"latency": can}, config, mode="kayenta"), 1)
    return Figure(
        name="judge cost: one judgement of 2x100,000 / scipy mannwhitneyu",
        ratio=ours / scipy_mw,
        goal="info",
        met=None,
        detail="sequential (p50/p90/p99 confidence sequences); "
        f"kayenta mode {kayenta / scipy_mw:.1f}x",
    )
