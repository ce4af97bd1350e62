"""The data the judge reads for one side: per metric, observations, counters or a histogram.

`Samples` are observations (latencies, per-interval values); `Counts` are two cumulative
counters, events out of a total (errors out of requests), judged as a rate; a `Histogram` is
Prometheus' cumulative buckets of observations. A side is a mapping
from metric name to either; plain lists and arrays are taken as samples.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Union

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Counts:
    """Cumulative counters of one side: `events` out of `total` (None when only events count).

    `rates`, when the reader knows them, are the per-interval rates (events/total of each step):
    the series Kayenta mode judges, as Kayenta reads a metric.
    """

    events: float
    total: float | None = None
    rates: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if not math.isfinite(self.events) or self.events < 0:
            raise ValueError(f"events must be a finite count >= 0, not {self.events}")
        if self.total is not None:
            if not math.isfinite(self.total) or self.total < 0:
                raise ValueError(f"total must be a finite count >= 0, not {self.total}")
            if self.events > self.total:
                raise ValueError(f"events ({self.events:g}) exceed the total ({self.total:g})")

    @property
    def has_data(self) -> bool:
        """A counter pair says something only when its total (or its events) moved."""
        return (self.total if self.total is not None else self.events) > 0


@dataclass(frozen=True)
class Histogram:
    """Cumulative bucket counts, as Prometheus keeps them: `counts[i]` observations <= `bounds[i]`.

    The last bound may be +inf. Quantiles are known only to the bucket, so the judge's bounds
    are the bucket edges around the ranks it needs (conservative, never tighter than the data).
    """

    bounds: tuple[float, ...]
    counts: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.bounds or len(self.bounds) != len(self.counts):
            raise ValueError("a histogram needs as many counts as bucket bounds")
        if any(b <= a for a, b in zip(self.bounds[:-1], self.bounds[1:], strict=True)):
            raise ValueError("bucket bounds must increase")
        if any(not math.isfinite(c) or c < 0 for c in self.counts):
            raise ValueError("bucket counts must be finite and >= 0")
        if any(b < a for a, b in zip(self.counts[:-1], self.counts[1:], strict=True)):
            raise ValueError("bucket counts must be cumulative (never decreasing)")

    @property
    def total(self) -> float:
        """How many observations the histogram holds."""
        return self.counts[-1]

    def quantile(self, q: float) -> float:
        """Prometheus' histogram_quantile: linear inside the bucket holding rank q*total."""
        rank = q * self.total
        previous_bound, previous_count = 0.0, 0.0
        for bound, count in zip(self.bounds, self.counts, strict=True):
            if count >= rank and count > 0:
                if math.isinf(bound):
                    return previous_bound
                inside = count - previous_count
                share = (rank - previous_count) / inside if inside else 1.0
                return previous_bound + (bound - previous_bound) * share
            previous_bound, previous_count = bound, count
        return math.nan


Samples = NDArray[np.float64]
Series = Union[Samples, Counts, Histogram]  # noqa: UP007 (a runtime alias on Python 3.10)
SideInput = Mapping[str, Union[Sequence[float], Samples, Counts, Histogram]]  # noqa: UP007


def as_series(value: Sequence[float] | Samples | Counts | Histogram) -> Series:
    """Counts and histograms as they are; anything else as a float64 array of samples."""
    if isinstance(value, (Counts, Histogram)):
        return value
    return np.asarray(value, dtype=np.float64).reshape(-1)


def normalise(side: SideInput) -> dict[str, Series]:
    """Every metric of a side as `Samples` or `Counts`."""
    return {name: as_series(value) for name, value in side.items()}
