"""Retention: `corpus prune --older-than 30d | --keep-per-target N`, on whole segments.

A segment is removed only when every sample in it is past the retention, so pruning never takes
a sample that should stay (a segment that mixes old and new samples stays until compaction
groups its samples differently). The removal is one commit record with no outputs (a
tombstone), so readers switch in one step, exactly as with compaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from realitycheck.corpus.remote.compact import DEFAULT_GRACE, collect
from realitycheck.corpus.remote.corpus import RemoteCorpus
from realitycheck.corpus.remote.url import RemoteError

_SPAN = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_span(text: str, option: str = "--older-than") -> timedelta:
    """`30d`, `12h`, `2w` as a timedelta; RemoteError naming the option otherwise."""
    match = _SPAN.match(text)
    if not match:
        raise RemoteError(f"{text!r} is not a span like 30d, 12h or 2w", place=option)
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@dataclass
class PruneResult:
    """What prune removed (or, with dry_run, would remove)."""

    segments: list[str] = field(default_factory=list)
    samples: int = 0
    kept_segments: int = 0
    deleted: list[str] = field(default_factory=list)


def prune(
    corpus: RemoteCorpus,
    *,
    older_than: timedelta | None = None,
    keep_per_target: int | None = None,
    dry_run: bool = False,
    grace: float = DEFAULT_GRACE,
    now: datetime | None = None,
) -> PruneResult:
    """Remove whole segments past the retention, in one tombstone commit."""
    if older_than is None and keep_per_target is None:
        raise RemoteError("say what to prune: --older-than SPAN or --keep-per-target N")
    con, by_url = corpus.scan()
    result = PruneResult()
    if not by_url:
        return result
    cutoff = (now or datetime.now(timezone.utc)) - (older_than or timedelta(0))
    rows = con.execute(
        """
        WITH ranked AS (
            SELECT filename, recorded_at,
                   row_number() OVER (PARTITION BY target ORDER BY recorded_at DESC, id DESC) AS r
            FROM read_parquet($files, filename = true, union_by_name = true)
        )
        SELECT filename, count(*),
               bool_and(recorded_at < $cutoff) AS old,
               bool_and(r > $keep) AS beyond
        FROM ranked GROUP BY filename
        """,
        {
            "files": list(by_url),
            "cutoff": cutoff,
            "keep": keep_per_target if keep_per_target is not None else -1,
        },
    ).fetchall()
    for filename, count, old, beyond in rows:
        remove = (older_than is None or bool(old)) and (keep_per_target is None or bool(beyond))
        if remove:
            result.segments.append(by_url[str(filename)])
            result.samples += int(count)
        else:
            result.kept_segments += 1
    if result.segments and not dry_run:
        corpus.store.commit([], sorted(result.segments))
        result.deleted = collect(corpus.store, grace)
    return result
