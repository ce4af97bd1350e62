"""Capture's shipper: a thread beside the segment writer that uploads sealed segments.

It lives in the process that writes the segments (capture's helper process, or the host's
writer thread when capture runs without one). It never raises: a remote that is down, slow or
refuses writes leaves the segments on local disk (the backlog), counted, and retried with a
growing pause. The writer asks `full()` before each batch and drops (and counts) a batch rather
than let the backlog grow past its bound on local disk.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from realitycheck.corpus.remote.ship import backlog_bytes, local_segments, ship
from realitycheck.corpus.remote.store import RemoteStore

log = logging.getLogger("realitycheck.capture")

RETRY_FIRST = 1.0
RETRY_MAX = 60.0


class Shipper:
    """Uploads a spool folder's sealed segments to a remote corpus, in the background."""

    def __init__(
        self,
        spool: Path,
        url: str,
        *,
        max_backlog_bytes: int,
        interval: float = 5.0,
        report: Callable[[str, str], None] = lambda reason, detail: None,
        store: Callable[[], RemoteStore] | None = None,
    ) -> None:
        self.spool = Path(spool)
        self.url = url
        self.max_backlog_bytes = max_backlog_bytes
        self.interval = interval
        self.report = report
        self._store_factory = store or (lambda: RemoteStore(url, create=True))
        self._store: RemoteStore | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._backlog = backlog_bytes(self.spool)
        self.counts: dict[str, Any] = {
            "shipped_segments": 0,
            "shipped_samples": 0,
            "ship_failures": 0,
            "unshippable_segments": 0,
        }
        self.last_error = ""

    def start(self) -> None:
        """Start the thread (segments left by an earlier process are shipped first)."""
        self._thread = threading.Thread(target=self._run, daemon=True, name="realitycheck-shipper")
        self._thread.start()

    def poke(self) -> None:
        """A segment was sealed: ship soon, and recount the backlog."""
        self._backlog = backlog_bytes(self.spool)
        self._wake.set()

    def full(self) -> bool:
        """Whether the local backlog has reached its bound (the writer then drops batches)."""
        return self._backlog >= self.max_backlog_bytes

    def status(self) -> dict[str, Any]:
        """Counts for the capture counters file."""
        with self._lock:
            return {
                **self.counts,
                "backlog_segments": len(local_segments(self.spool)),
                "backlog_bytes": self._backlog,
                "ship_to": self.url,
                "ship_error": self.last_error,
            }

    def _run(self) -> None:
        pause = RETRY_FIRST
        while not self._stopping.is_set():
            ok = self.ship_once()
            pause = self.interval if ok else min(pause * 2, RETRY_MAX)
            self._wake.wait(self.interval if ok else pause)
            self._wake.clear()

    def ship_once(self) -> bool:
        """One pass; False when the remote failed (the segments stay, and are retried)."""
        try:
            if self._store is None:
                self._store = self._store_factory()
            result = ship(self.spool, self._store, delete=True, stop=self._stopping.is_set)
        except Exception as exc:  # never into the host: count it, keep the backlog
            self._store = None
            with self._lock:
                self.counts["ship_failures"] += 1
                self.last_error = str(exc)[:300]
            self._backlog = backlog_bytes(self.spool)
            self.report("ship-failed", f"cannot ship to {self.url}: {exc}")
            return False
        with self._lock:
            self.counts["shipped_segments"] += result.segments
            self.counts["shipped_samples"] += result.samples
            self.counts["unshippable_segments"] += len(result.quarantined)
            self.last_error = ""
        self._backlog = backlog_bytes(self.spool)
        return True

    def stop(self, timeout: float | None = 5.0) -> None:
        """One last pass within `timeout`, then stop (what is left ships next time)."""
        if self._thread is None:
            return
        deadline = None if timeout is None else time.monotonic() + timeout
        self._wake.set()
        self._stopping.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            return
        left = None if deadline is None else deadline - time.monotonic()
        if left is None or left > 0:
            self.ship_once_bounded(left)
        self._thread = None

    def ship_once_bounded(self, timeout: float | None) -> None:
        """A final pass in a helper thread, abandoned after `timeout` (a slow remote)."""
        self._stopping.clear()
        worker = threading.Thread(target=self.ship_once, daemon=True)
        worker.start()
        worker.join(timeout)
        self._stopping.set()
