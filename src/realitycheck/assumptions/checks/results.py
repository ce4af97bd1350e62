"""Results of checks: counts judged into holds, violated or unchecked; what a corpus offers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import duckdb

from realitycheck.assumptions.checks.plan import Check
from realitycheck.assumptions.model import CheckResult, CheckStatus
from realitycheck.core.stats import rate, wilson_interval


class Blobs(Protocol):
    """Reads bytes a sample refers to."""

    def get(self, ref: dict[str, Any] | str) -> bytes:
        """The bytes of one blob reference."""
        ...


class SampleStore(Protocol):
    """What checks need of a corpus: a DuckDB view `samples`, target counts, blobs."""

    @property
    def blobs(self) -> Blobs:
        """The blob store of the corpus."""
        ...

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A connection with a `samples` view."""
        ...

    def targets(self) -> dict[str, int]:
        """Sample counts per target."""
        ...


def unchecked(why: str) -> CheckResult:
    """A check that could not run, and why."""
    return CheckResult(status="unchecked", why=why)


def judge(
    n: int,
    violations: int,
    examples: Sequence[str],
    *,
    mostly: float,
    min_samples: int,
    empty_why: str,
    counts: dict[str, int] | None = None,
) -> CheckResult:
    """Turn counts into a result: unchecked without samples, violated beyond `mostly`."""
    counts = {k: v for k, v in (counts or {}).items() if v}
    if n == 0:
        return CheckResult(status="unchecked", why=empty_why, counts=counts)
    if n < min_samples:
        why = f"only {n} matching sample{'s' if n != 1 else ''} (min_samples is {min_samples})"
        return CheckResult(status="unchecked", why=why, n=n, violations=violations, counts=counts)
    status: CheckStatus = "violated" if violations > (1.0 - mostly) * n + 1e-9 else "holds"
    lo, hi = wilson_interval(violations, n)
    return CheckResult(
        status=status,
        n=n,
        violations=violations,
        rate=rate(violations, n),
        ci=(0.0 if violations == 0 else lo, 1.0 if violations == n else hi),
        examples=list(examples)[:5],
        counts=counts,
    )


def empty_why(check: Check) -> str:
    if check.probe is not None:
        return f"the probe {check.probe} returned no value to check on any sample of {check.target}"
    if check.path is None:
        return f"no samples of {check.target}"
    presence = "present" in check.expect or "not_null" in check.expect
    parent = check.path.parent
    if presence and parent is not None and parent.segments:
        return f"no sample of {check.target} has {parent} (the object holding it)"
    return f"no sample of {check.target} has a value at {check.path}"
