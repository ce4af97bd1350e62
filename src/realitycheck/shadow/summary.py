"""Exchanges counted per route with replay's `Tally`, then judged into a `ShadowResult`.

The same object serves the live page (fed as copies are judged) and `shadow report` (fed from
the results files), so both say the same thing.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from realitycheck.assumptions.model import ExpectedChange
from realitycheck.replay.compare import Found
from realitycheck.replay.noise import Thresholds
from realitycheck.replay.tally import Tally
from realitycheck.shadow.model import ShadowResult
from realitycheck.shadow.results import Run

COUNTS = ("requests", "copied", "compared", "secondary_failed")
KEEP_TIMINGS = 10_000  # timings kept per route (a uniform sample of all), for the medians


def _reservoir(kept: list[float], value: float, seen: int, chance: random.Random) -> None:
    """Keep a uniform sample of at most KEEP_TIMINGS of the `seen` values so far."""
    if len(kept) < KEEP_TIMINGS:
        kept.append(value)
    else:
        slot = chance.randrange(seen)
        if slot < KEEP_TIMINGS:
            kept[slot] = value


def found_to_json(found: Iterable[Found]) -> list[list[Any]]:
    """Divergences as compact JSON rows: [path, category, detail, lost]."""
    return [[f.path, f.category, f.detail, f.lost] for f in found]


def found_from_json(rows: Iterable[Sequence[Any]]) -> list[Found]:
    """The inverse of `found_to_json` (detail and lost may be left out)."""
    out = []
    for row in rows:
        if isinstance(row, list | tuple) and len(row) >= 2:
            detail = row[2] if len(row) > 2 and isinstance(row[2], str) else None
            lost = row[3] if len(row) > 3 and isinstance(row[3], int | float) else None
            out.append(Found(str(row[0]), str(row[1]), detail, lost))
    return out


@dataclass
class Summary:
    """Per-route tallies and the run's counts."""

    comparator: str = "json"
    ignore: Sequence[str] = ()
    noise_measured: bool = False
    tallies: dict[str, Tally] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    not_sent: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    stripped: Counter[str] = field(default_factory=Counter)
    chance: random.Random = field(default_factory=lambda: random.Random(0))

    def tally(self, route: str) -> Tally:
        """The tally of one route (made on first use)."""
        found = self.tallies.get(route)
        if found is None:
            found = self.tallies[route] = Tally(
                target=route,
                kind="http",
                comparator=self.comparator,
                baseline="base",
                noise_measured=self.noise_measured,
                ignore=self.ignore,
            )
        return found

    def add(self, record: dict[str, Any]) -> None:
        """Count one judged copy (an `x` line of the results)."""
        tally = self.tally(str(record.get("route", "http:? ?")))
        for name in record.get("stripped") or ():
            self.stripped[str(name)] += 1
        if record.get("state") != "compared":
            why = str(record.get("why") or "not compared")
            tally.skip(why)
            self.skipped[why] += 1
            return
        example = record.get("example") or {}
        tally.add(
            str(record.get("id", "?")),
            found_from_json(record.get("found") or ()),
            found_from_json(record.get("noise") or ()),
            str(example.get("primary", "")),
            str(example.get("candidate", "")),
        )
        ms = record.get("ms") or {}
        for side, kept in (("primary", tally.base_ms), ("candidate", tally.head_ms)):
            if isinstance(ms.get(side), int | float):
                _reservoir(kept, float(ms[side]), tally.samples, self.chance)

    def add_counts(self, counts: dict[str, Any]) -> None:
        """Add one run's cumulative counts (its last `counts` line)."""
        for key in COUNTS:
            self.counts[key] += int(counts.get(key, 0) or 0)
        for reason, n in (counts.get("not_sent") or {}).items():
            self.not_sent[str(reason)] += int(n)

    def result(
        self,
        thresholds: Thresholds,
        expected: Sequence[ExpectedChange] | None = None,
        **meta: Any,
    ) -> ShadowResult:
        """Judge every route: noise, intended changes, rates and intervals."""
        routes = [
            t.result(thresholds, expected or ())
            for _, t in sorted(self.tallies.items(), key=lambda kv: kv[0])
        ]
        compared = sum(r.replayed for r in routes)
        return ShadowResult(
            requests=self.counts["requests"],
            copied=self.counts["copied"],
            compared=compared,
            not_sent=dict(self.not_sent),
            skipped=dict(self.skipped),
            secondary_failed=self.counts["secondary_failed"],
            stripped=dict(self.stripped),
            routes=routes,
            expected_changes=expected is not None,
            **meta,
        )


def summarise(
    runs: Sequence[Run],
    thresholds: Thresholds,
    expected: Sequence[ExpectedChange] | None = None,
    *,
    comparator: str | None = None,
    ignore: Sequence[str] = (),
) -> ShadowResult:
    """The result of runs read from disk (their comparator and ignores as they recorded)."""
    latest = runs[-1].meta if runs else {}
    summary = Summary(
        comparator=comparator or str(latest.get("comparator", "json")),
        ignore=tuple(ignore) or tuple(latest.get("ignore") or ()),
        noise_measured=bool(latest.get("secondary")),
    )
    for run in runs:
        for record in run.records:
            summary.add(record)
        summary.add_counts(run.counts)
    return summary.result(
        thresholds,
        expected,
        head=latest.get("head"),
        runs=[str(r.meta.get("id")) for r in runs],
        primary=latest.get("primary"),
        candidate=latest.get("candidate"),
        secondary=latest.get("secondary"),
        torn=sum(r.torn for r in runs),
    )
