"""Turning a batch of captured calls into one segment: redact, deduplicate, cap, write.

Used by the helper process that normally does this work, and by the recorder's own thread when
capture runs without a helper. A failure to write drops the batch and counts it by reason.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from realitycheck.corpus.capture.counters import Counters
from realitycheck.corpus.capture.items import FunctionCall, HttpExchange
from realitycheck.corpus.capture.sampler import Sampler
from realitycheck.corpus.ingest import Ingest, Seen
from realitycheck.corpus.redact import Redactor
from realitycheck.corpus.store import Corpus

log = logging.getLogger("realitycheck.capture")

Item = FunctionCall | HttpExchange
LOG_EVERY = 60.0
CAPPED = (
    "a target reached the cap of {} samples per hour; its further calls are counted as "
    "capped (set [corpus.capture] max_per_hour, or unset it for no cap)"
)


@dataclass
class CaptureSettings:
    """How one process captures (see `[corpus.capture]`)."""

    corpus: Path
    rate: float = 1.0
    rates: dict[str, float] = field(default_factory=dict)
    max_per_hour: int | None = 1000
    dedup: bool = True
    dedup_memory: int = 100_000
    queue_size: int = 10_000
    queue_bytes: int = 64 << 20
    batch_size: int = 1000
    flush_seconds: float = 5.0
    max_body_bytes: int = 4 << 20
    writer: str = "process"
    ship_to: str | None = None  # a remote corpus URL; `corpus` is then the local spool
    ship_backlog_bytes: int = 1 << 30


def drop_reason(exc: BaseException) -> str:
    """A short name for why writing failed."""
    if isinstance(exc, OSError):
        return {
            errno.ENOSPC: "disk-full",
            errno.EDQUOT: "disk-full",
            errno.EROFS: "read-only",
            errno.EACCES: "not-writable",
            errno.EPERM: "not-writable",
            errno.ENOENT: "corpus-missing",
        }.get(exc.errno or 0, "write-failed")
    return "error"


class Throttled:
    """Log lines about drops, at most one a minute per reason."""

    def __init__(self, counters: Callable[[], dict[str, Any]]) -> None:
        self.counters = counters
        self.last: dict[str, float] = {}

    def __call__(self, reason: str, detail: str) -> None:
        now = time.monotonic()
        if now - self.last.get(reason, -LOG_EVERY) < LOG_EVERY:
            return
        self.last[reason] = now
        dropped = self.counters().get("dropped", {})
        log.warning(
            "realitycheck capture dropped samples (%s): %s; dropped so far: %s",
            reason,
            detail,
            ", ".join(f"{k} {v}" for k, v in sorted(dropped.items())) or "none",
        )


class BatchWriter:
    """Writes batches of captured calls into one corpus."""

    def __init__(
        self,
        settings: CaptureSettings,
        redactor: Redactor,
        counters: Counters,
        report: Callable[[str, str], None],
        extra: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.settings = settings
        self.redactor = redactor
        self.counters = counters
        self.report = report
        self.extra = extra  # counts kept elsewhere (the host's), merged into the saved file
        self.sampler = Sampler(settings.rate, settings.rates, settings.max_per_hour)
        self.seen = Seen(settings.dedup_memory)
        self.ingest: Ingest | None = None
        self.shipper = start_shipper(settings, report)

    def _open(self) -> Ingest:
        if self.ingest is None:
            self.ingest = Ingest(
                Corpus(self.settings.corpus, create=True),
                self.redactor,
                dedup=self.settings.dedup,
                seen=self.seen,
                rows_per_segment=10**9,
                bytes_per_segment=1 << 62,
            )
        return self.ingest

    def write(self, batch: list[Item]) -> None:
        """Redact and write one batch as one segment; drop and count it when that fails."""
        if self.shipper is not None and self.shipper.full():
            self.counters.drop("backlog-full", len(batch))
            self.report("backlog-full", f"{self.settings.ship_to} is behind; local backlog full")
            self.save()
            return
        try:
            ingest = self._open()
        except Exception as exc:  # a missing or read-only corpus
            self._dropped(len(batch), exc)
            self.save()
            return
        written = 0
        for item in batch:
            try:
                target, kind, sample_input, output, tags = item.sample(ingest.blob)
                if not self.sampler.take(target):
                    self.counters.add("capped")
                    if self.extra is None:  # in the host (a helper's host logs its answers)
                        self.report("capped", CAPPED.format(self.settings.max_per_hour))
                    continue
                before = ingest.duplicates
                ingest.add(
                    target,
                    kind,
                    sample_input,
                    output,
                    duration_ms=item.duration_ms,
                    recorded_at=datetime.fromtimestamp(item.at, timezone.utc),
                    source=item.source if isinstance(item, HttpExchange) else "capture:decorator",
                    tags=tags,
                )
                if ingest.duplicates > before:
                    self.counters.add("duplicates")
                else:
                    written += 1
                    if "unserializable" in tags:
                        self.counters.add("unserializable")
            except Exception as exc:  # one bad sample must not stop the rest
                self._dropped(1, exc)
        try:
            ingest.flush()
            self.counters.add("written", written)
            if self.shipper is not None:
                self.shipper.poke()
        except Exception as exc:  # a full disk, a read-only corpus
            ingest.discard()
            self._dropped(written, exc)
        self.save()

    def _dropped(self, n: int, exc: BaseException) -> None:
        if not n:
            return
        reason = drop_reason(exc)
        self.counters.drop(reason, n)
        self.report(reason, f"could not write to {self.settings.corpus}: {exc}")
        if reason in ("corpus-missing", "read-only", "not-writable"):
            self.ingest = None  # reopen (and recreate) on the next batch

    def save(self) -> None:
        """Write the counts beside the segments (best effort)."""
        with contextlib.suppress(Exception):
            extra = self.extra() if self.extra else None
            if self.shipper is not None:
                extra = {**(extra or {}), "shipping": self.shipper.status()}
            self.counters.save(self.settings.corpus, extra)

    def snapshot(self) -> dict[str, Any]:
        """The counts, with the shipper's when there is one."""
        counts = self.counters.snapshot()
        if self.shipper is not None:
            counts["shipping"] = self.shipper.status()
        return counts

    def close(self, timeout: float | None = 5.0) -> None:
        """Stop the shipper (one last upload within `timeout`); the rest ships next time."""
        if self.shipper is not None:
            self.shipper.stop(timeout)
            self.save()


def start_shipper(settings: CaptureSettings, report: Callable[[str, str], None]) -> Any:
    """The shipper thread of a capture that ships to a remote corpus (corpus/remote/)."""
    if not settings.ship_to:
        return None
    from realitycheck.corpus.remote.shipper import Shipper

    shipper = Shipper(
        settings.corpus,
        settings.ship_to,
        max_backlog_bytes=settings.ship_backlog_bytes,
        interval=settings.flush_seconds,
        report=report,
    )
    shipper.start()
    return shipper
