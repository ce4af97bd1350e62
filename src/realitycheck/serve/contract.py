"""Each controller's contract, as its code implements it.

Argo Rollouts' web provider (metricproviders/webmetric): any status outside 200-299 is an Error
measurement, so every verdict is a 200 with the verdict in the JSON body, and only real judge
errors are non-2xx. Flagger's webhooks (pkg/controller/webhook.go): a status above 202 is a failed
call. The `rollout` hook fails a check on fail (500) only; the `rollback` hook is inverted, a 200
rolls back now; `confirm-promotion` waits until a 200, which needs the judge's acceptance;
`confirm-traffic-increase` answers 200 once the current step was held for the plan's pause and
the judge has data. So a canary without data is held at its step, never passed, and rolled back
when the plan's maximum duration is over.
"""

from __future__ import annotations

from realitycheck.serve.model import Answer
from realitycheck.serve.store import Record

OK = 200
NOT_NOW = 409  # "not yet" / "no": any status above 202 is a failed call to Flagger


def answer(record: Record, reason: str | None = None) -> Answer:
    """The body of every verdict answer."""
    return Answer(
        verdict=record.decided or record.verdict,  # type: ignore[arg-type]
        decided=record.decided,  # type: ignore[arg-type]
        reason=reason or record.reason,
        polls=record.polls,
        started_at=record.started_at,
        key=record.key,
    )


def argo_status(record: Record) -> int:
    """Argo's web provider: always 200; the conditions read `$.verdict`."""
    return OK


def flagger_rollout_status(record: Record) -> int:
    """500 fails the check; 200 otherwise (no data holds the step, see confirm-traffic-increase)."""
    verdict = record.decided or record.verdict
    return 500 if verdict == "fail" else OK


def flagger_rollback_status(record: Record | None, expired: bool) -> tuple[int, str]:
    """200 only to roll back now: the judge failed the canary, or the plan ran out of time."""
    if record is not None and record.decided == "fail":
        return OK, f"roll back: {record.reason}"
    if record is not None and expired:
        return OK, "roll back: the plan's maximum duration passed without an accepted verdict"
    return NOT_NOW, "no rollback: the judge has not failed the canary"


def flagger_promotion_status(record: Record | None) -> tuple[int, str]:
    """200 only once the judge accepted the canary."""
    if record is not None and record.decided == "pass":
        return OK, f"promote: {record.reason}"
    return NOT_NOW, "not yet: the judge has not accepted the canary"
