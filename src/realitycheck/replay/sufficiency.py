"""How much reality a replay exercised, and whether that is enough to call a target passed.

A target passes only on evidence: samples that ran on both sides without failing there. One that
could not be replayed at all (pre-flight), whose samples were all skipped, or that failed the
same way on both sides for more than `replay.max_errored` of its samples, is insufficient:
never passed, whatever its divergences say.
"""

from __future__ import annotations

from collections.abc import Mapping

from realitycheck.core.config.replay import ReplayConfig
from realitycheck.replay.evidence import pct
from realitycheck.replay.model import ReplayResult, TargetReplay


def _top(counts: Mapping[str, int], limit: int = 2) -> str:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    text = "; ".join(f"{why} ×{n}" for why, n in ranked[:limit])
    return text + (f"; and {len(ranked) - limit} more" if len(ranked) > limit else "")


def shortfall(t: TargetReplay, min_samples: int, max_errored: float) -> str | None:
    """Why a target's evidence falls short, in one line naming the cause; None when it does not."""
    if t.error:
        return t.error
    errored = sum(t.errored.values())
    if t.replayed and errored / t.replayed > max_errored:
        return (
            f"{errored} of {t.replayed} samples ({pct(errored / t.replayed)}) failed the same way "
            f"on both sides, more than replay.max_errored ({pct(max_errored)}): "
            f"{_top(t.errored)}"
        )
    if t.exercised >= min_samples:
        return None
    if not t.samples:
        cause = "no recorded sample"
    else:
        causes = [f"{t.samples} read", f"{t.replayed} ran on both sides"]
        if errored:
            causes.append(f"{errored} failed on both ({_top(t.errored)})")
        if t.skipped:
            causes.append(f"{sum(t.skipped.values())} skipped ({_top(t.skipped)})")
        cause = ", ".join(causes)
    return (
        f"only {t.exercised} sample{'s' if t.exercised != 1 else ''} exercised the code on both "
        f"sides, fewer than replay.min_samples ({min_samples}): {cause}"
    )


def assess(result: ReplayResult, config: ReplayConfig) -> None:
    """Mark each target whose evidence falls short of the configured thresholds."""
    for t in result.targets:
        t.insufficient = shortfall(t, config.min_samples, config.max_errored)


def evidence_line(result: ReplayResult) -> str:
    """What the replay exercised over all targets, in one line."""
    targets = result.targets
    read = sum(t.samples for t in targets)
    both = sum(t.replayed for t in targets)
    errored = sum(sum(t.errored.values()) for t in targets)
    skipped = sum(sum(t.skipped.values()) for t in targets)
    text = f"{read} samples read, {both} ran on both sides"
    if errored:
        text += f", {errored} failed on both"
    if skipped:
        text += f", {skipped} skipped"
    return text
