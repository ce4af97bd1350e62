"""Noise, measured rather than guessed: Diffy's rule for which differences are worth reporting.

For each target and each (JSON path, category), `raw` counts the samples where head and base
differ there, and `noise` the samples where the base and a second run of the base differ there.
As Diffy's `DifferencesFilterFactory` has it, a difference is reported only when

    raw > noise,
    |raw − noise| / (raw + noise) × 100 > relative   (default 20), and
    |raw − noise| / samples × 100 > absolute          (default 0.03),

all strict. One deliberate departure: a new failure (exception, timeout, crash) that the second
base run never showed is not hidden by the absolute threshold alone, because the second run
measured its noise as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

RELATIVE = 20.0
ABSOLUTE = 0.03
NEW_FAILURES = frozenset({"exception", "timeout", "crash"})


@dataclass(frozen=True)
class Thresholds:
    """Diffy's thresholds, both in percent."""

    relative: float = RELATIVE
    absolute: float = ABSOLUTE


def relative_difference(raw: int, noise: int) -> float:
    """|raw − noise| / (raw + noise), in percent (0 when both are 0)."""
    return abs(raw - noise) / (raw + noise) * 100.0 if raw + noise else 0.0


def absolute_difference(raw: int, noise: int, samples: int) -> float:
    """|raw − noise| / samples, in percent (0 when there are no samples)."""
    return abs(raw - noise) / samples * 100.0 if samples else 0.0


def filtered_by(
    raw: int, noise: int, samples: int, thresholds: Thresholds, category: str = ""
) -> str | None:
    """None when the difference is reported; else which rule files it under noise."""
    if raw <= noise:
        return "noise"
    if relative_difference(raw, noise) <= thresholds.relative:
        return "relative"
    if absolute_difference(raw, noise, samples) <= thresholds.absolute:
        if category in NEW_FAILURES and noise == 0:
            return None
        return "absolute"
    return None
