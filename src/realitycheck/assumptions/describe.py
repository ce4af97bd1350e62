"""Words for results: rates with intervals, the way reports and gate messages say them."""

from __future__ import annotations

from realitycheck.assumptions.model import CheckResult


def percent(value: float) -> str:
    """A share as a percentage with sensible precision."""
    if value == 0:
        return "0%"
    if value < 0.001:
        return f"{value * 100:.3f}%"
    if value < 0.1:
        return f"{value * 100:.1f}%"
    return f"{value * 100:.0f}%" if value * 100 == round(value * 100) else f"{value * 100:.1f}%"


def measured(result: CheckResult | None, *, target: str | None = None) -> str:
    """`fails in 57 of 2,000 samples (2.9%, 95% CI 2.2–3.7%)`, or why it was not checked."""
    if result is None:
        return "not checked"
    if result.status == "unchecked":
        return f"unchecked: {result.why}" if result.why else "unchecked"
    lo, hi = result.ci
    of = f"{result.n:,} sample{'s' if result.n != 1 else ''}" + (f" of {target}" if target else "")
    if result.status == "holds" and result.violations == 0:
        return f"holds in all {of} (95% CI of the failure rate 0–{percent(hi)})" + _left_out(result)
    split = ""
    absent, null = result.counts.get("absent", 0), result.counts.get("null", 0)
    if absent or null:
        parts = [f"{absent:,} absent" if absent else "", f"{null:,} null" if null else ""]
        split = ": " + ", ".join(p for p in parts if p)
    word = "holds within tolerance; fails" if result.status == "holds" else "fails"
    return (
        f"{word} in {result.violations:,} of {of} ({percent(result.rate)}, "
        f"95% CI {percent(lo)}–{percent(hi)}{split})" + _left_out(result)
    )


def _left_out(result: CheckResult) -> str:
    parts = []
    if result.counts.get("no_value"):
        parts.append(f"{result.counts['no_value']:,} more gave the probe nothing to check")
    if result.counts.get("probe_errors"):
        parts.append(f"the probe failed on {result.counts['probe_errors']:,}")
    return "; " + "; ".join(parts) if parts else ""


def brief(result: CheckResult | None) -> str:
    """A table cell: `holds (2,000)`, `VIOLATED 3.4% of 2,000 (CI 2.7–4.3%)`, `unchecked: why`."""
    if result is None or result.status == "unchecked":
        return measured(result)
    if result.status == "holds" and result.violations == 0:
        return f"holds in all {result.n:,}"
    lo, hi = result.ci
    word = "holds" if result.status == "holds" else "VIOLATED"
    return (
        f"{word}: {percent(result.rate)} of {result.n:,} "
        f"({result.violations:,}; CI {percent(lo)}–{percent(hi)})"
    )


def bare(statement: str) -> str:
    """A statement without its trailing `(code …)` explanation."""
    head, sep, _ = statement.partition(" (`")
    return head if sep else statement
