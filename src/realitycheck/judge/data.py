"""The data the judge reads for one side: per metric, observations or counters.

`Samples` are observations (latencies, per-interval values); `Counts` are two cumulative
counters, events out of a total (errors out of requests), judged as a rate. A side is a mapping
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
    """Cumulative counters of one side: `events` out of `total` (None when only events count)."""

    events: float
    total: float | None = None

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


Samples = NDArray[np.float64]
Series = Union[Samples, Counts]  # noqa: UP007 (a runtime alias on Python 3.10)
SideInput = Mapping[str, Union[Sequence[float], Samples, Counts]]  # noqa: UP007


def as_series(value: Sequence[float] | Samples | Counts) -> Series:
    """Counts as they are; anything else as a float64 array of samples."""
    if isinstance(value, Counts):
        return value
    return np.asarray(value, dtype=np.float64).reshape(-1)


def normalise(side: SideInput) -> dict[str, Series]:
    """Every metric of a side as `Samples` or `Counts`."""
    return {name: as_series(value) for name, value in side.items()}
