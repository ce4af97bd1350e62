"""Which calls are recorded: a rate per target and a cap per target per hour."""

from __future__ import annotations

import fnmatch
import random
import threading
import time
from collections.abc import Callable, Mapping


class Sampler:
    """Decides, cheaply and without blocking, whether a call of a target is recorded."""

    def __init__(
        self,
        rate: float = 1.0,
        rates: Mapping[str, float] | None = None,
        max_per_hour: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.patterns = dict(rates or {})
        self.max_per_hour = max_per_hour
        self._clock = clock
        self._rates: dict[str, float] = {}
        self._hour: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()
        self._random = random.random
        # every call is recorded: admission needs no target (HTTP skips templating the path)
        self.everything = rate >= 1.0 and not self.patterns and max_per_hour is None

    def rate_of(self, target: str) -> float:
        """The configured rate of a target (exact name first, then patterns, then default)."""
        rate = self._rates.get(target)
        if rate is None:
            rate = self.patterns.get(target)
            if rate is None:
                rate = next(
                    (r for p, r in self.patterns.items() if fnmatch.fnmatchcase(target, p)),
                    self.rate,
                )
            if len(self._rates) > 10_000:
                self._rates.clear()
            self._rates[target] = rate
        return rate

    def admit(self, target: str) -> bool:
        """Whether to record this call: the rate says yes and the hour's cap is not reached."""
        rate = self.rate_of(target)
        if rate <= 0.0 or (rate < 1.0 and self._random() >= rate):
            return False
        return self.max_per_hour is None or self.under_cap(target)

    def under_cap(self, target: str) -> bool:
        """Whether the target has room left this hour (a cheap check, made before recording)."""
        if self.max_per_hour is None:
            return True
        hour = int(self._clock() // 3600)
        seen = self._hour.get(target)
        return seen is None or seen[0] != hour or seen[1] < self.max_per_hour

    def take(self, target: str) -> bool:
        """Count one written sample against the hour's cap; False when the cap is reached."""
        if self.max_per_hour is None:
            return True
        hour = int(self._clock() // 3600)
        with self._lock:
            seen = self._hour.get(target)
            count = seen[1] if seen is not None and seen[0] == hour else 0
            if count >= self.max_per_hour:
                return False
            self._hour[target] = (hour, count + 1)
            return True
