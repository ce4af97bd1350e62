"""Polling the judge for one analysis: the stored state in, the new state stored, then answered.

A decided verdict (pass or fail) is final: later polls return it without asking the judge again,
so a restart cannot turn an abort into a promotion or the other way round. Polls of one analysis
run one at a time; polls of different analyses run side by side.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from realitycheck.serve.model import JudgeFn, Subject
from realitycheck.serve.store import Record, Store

FINAL = ("pass", "fail")


class Analyses:
    """Every analysis the service has seen."""

    def __init__(self, store: Store, judge: JudgeFn) -> None:
        self.store = store
        self.judge = judge
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def poll(self, subject: Subject, now: datetime | None = None) -> Record:
        """Ask the judge once more (unless it already decided) and store what it said."""
        with self._lock(subject.key):
            now = now or datetime.now(timezone.utc)
            record = self.store.get(subject.key)
            if record is not None and record.decided is not None:
                return record
            if record is None:
                record = Record(
                    key=subject.key,
                    tier=subject.plan.tier,
                    started_at=now,
                    polls=0,
                    verdict="nodata",
                    decided=None,
                    reason="",
                    state=None,
                )
            outcome = self.judge(subject, record.started_at, now, record.state)
            record.polls += 1
            record.verdict = outcome.verdict
            record.reason = outcome.reason
            record.state = outcome.state
            if outcome.verdict in FINAL:
                record.decided = outcome.verdict
            self.store.save(
                record,
                controller=subject.controller,
                namespace=subject.namespace,
                name=subject.name,
                revision=subject.revision,
                judgement=outcome.judgement,
            )
            return record

    def read(self, subject: Subject) -> Record | None:
        """The analysis as last stored, without asking the judge."""
        return self.store.get(subject.key)

    def next_step(self, subject: Subject, now: datetime | None = None) -> tuple[bool, str]:
        """Whether the canary may take its next traffic step (Flagger's confirm-traffic-increase).

        Never while the judge has failed it or has no data; otherwise once the current step was
        held for the plan's pause. The first step (before any poll) is taken at once: the canary
        needs traffic to have data.
        """
        record = self.store.get(subject.key)
        if record is not None and record.decided == "fail":
            return False, f"no increase: {record.reason}"
        if record is not None and record.decided is None and record.verdict == "nodata":
            return False, f"hold: the judge has no data ({record.reason})"
        now = now or datetime.now(timezone.utc)
        granted, held = self.store.grant_step(subject.key, now, subject.plan.pause_s)
        if granted:
            return True, "increase: the step was held for the plan's pause"
        return False, f"hold: the step was held {held:.0f} s of {subject.plan.pause_s} s"

    @staticmethod
    def expired(record: Record, subject: Subject, now: datetime | None = None) -> bool:
        """Whether the plan's maximum duration has passed without an accepted verdict.

        Two intervals of grace past it, so the judge, whose deadline is the same duration, has
        had at least one poll after its deadline to settle the canary first.
        """
        now = now or datetime.now(timezone.utc)
        limit = timedelta(seconds=subject.plan.max_duration_s + 2 * subject.plan.interval_s)
        return record.decided != "pass" and now - record.started_at > limit
