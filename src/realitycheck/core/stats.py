"""Small statistics every capability reports: rates with Wilson score intervals."""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # the 97.5% quantile of the standard normal


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (0, 0 when n is 0)."""
    if n <= 0:
        return (0.0, 0.0)
    if not 0 <= successes <= n:
        raise ValueError(f"successes={successes} is outside 0..{n}")
    p = successes / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    denom = 1 + z2 / n
    return (max(0.0, (centre - margin) / denom), min(1.0, (centre + margin) / denom))


def rate(successes: int, n: int) -> float:
    """successes / n, and 0 when n is 0."""
    return successes / n if n else 0.0
