"""The recorder: a bounded queue on the request path, a background writer off it.

`submit` never blocks and never raises: when the queue is full (a slow or failing disk) the
sample is dropped and counted. A background thread takes batches and hands them to the helper
process (or, without one, writes them itself); when writing fails (a full disk, a read-only or
missing corpus) the batch is dropped, counted, and reported on the `realitycheck.capture`
logger at most once a minute per reason. A process killed mid-write loses only the batch in
flight: complete segments are never touched again.
"""

from __future__ import annotations

import collections
import contextlib
import threading
import time
from typing import Any

from realitycheck.corpus.capture.counters import Counters, merge, save_counts
from realitycheck.corpus.capture.helper import HelperLink
from realitycheck.corpus.capture.writer import (
    BatchWriter,
    CaptureSettings,
    Item,
    Throttled,
    drop_reason,
)
from realitycheck.corpus.redact import Redactor

POLL = 0.05
IDENTITY = (
    "host",
    "pid",
    "started",
    "format_version",
    "last_batch",
    "helper_counts",
)  # seconds between the writer's looks at the queue

__all__ = ["CaptureSettings", "Recorder"]


class Recorder:
    """Samples, queues and writes captured calls for one process."""

    def __init__(self, settings: CaptureSettings, redactor: Redactor) -> None:
        self.settings = settings
        self.redactor = redactor
        self.enabled = True
        self._reset()

    def after_fork(self) -> None:
        """In a forked child: start over with a queue, writer and helper of its own."""
        self._reset()

    def _reset(self) -> None:
        from realitycheck.corpus.capture.sampler import Sampler

        settings = self.settings
        self.sampler = Sampler(settings.rate, settings.rates, settings.max_per_hour)
        self.counters = Counters()
        self._log = Throttled(self.stats)
        # A deque, not a Queue: appending wakes no thread; the writer polls.
        self._pending: collections.deque[Item] = collections.deque()
        self._queued_bytes = 0
        self._queue_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = False
        self._flushed = threading.Condition()
        self._flush_asked = 0
        self._flush_done = 0
        self._helper: HelperLink | None = None
        self._gone: dict[str, Any] = {}  # the counts of helpers given up on
        self._local: BatchWriter | None = None
        if settings.writer == "process":
            self._helper = HelperLink(
                settings, self.redactor, self.counters.snapshot, self._log, self._helper_lost
            )

    # -- the request path -----------------------------------------------------------------

    def admit(self, target: str | None) -> bool:
        """Whether to record a call of `target` (None: any target; counts the decision)."""
        if not self.enabled:
            return False
        if self.sampler.everything:
            return True
        if target is not None and self.sampler.admit(target):
            return True
        self.counters.add("sampled_out")
        return False

    def submit(self, item: Item) -> None:
        """Hand a captured call to the writer; drops it (counted) rather than wait."""
        try:
            if self._thread is None:
                self._start()
            with self._queue_lock:  # request threads and the writer share the byte count
                full = (
                    len(self._pending) >= self.settings.queue_size
                    or self._queued_bytes + item.nbytes > self.settings.queue_bytes
                )
                if not full:
                    self._queued_bytes += item.nbytes
                    self._pending.append(item)
            if full:
                self.drop("queue-full", "the write queue is full (slow or failing disk)")
        except Exception as exc:  # capture must never raise into the host
            self.drop("error", f"could not queue a sample: {type(exc).__name__}: {exc}")

    def _helper_lost(self, n: int) -> None:
        self.counters.drop("helper-died", n)
        self._log("helper-died", f"the capture helper stopped before writing {n} samples")
        self.save()  # no helper is left to write the counts file

    def save(self) -> None:
        """Write this process's counts file from here (best effort; see counters.py)."""
        with contextlib.suppress(Exception):
            save_counts(self.settings.corpus, self.stats())

    def drop(self, reason: str, detail: str) -> None:
        """Count a sample dropped before it reached the writer."""
        self.counters.drop(reason)
        self._log(reason, detail)

    # -- control --------------------------------------------------------------------------

    def flush(self, timeout: float | None = 10.0) -> bool:
        """Write everything queued so far; False when it did not finish within `timeout`."""
        if self._thread is None or not self._thread.is_alive():
            return not self._pending
        with self._flushed:
            self._flush_asked += 1
            target = self._flush_asked
            self._wake.set()
            if not self._flushed.wait_for(lambda: self._flush_done >= target, timeout):
                return False
        return self._helper.wait(timeout) if self._helper is not None else True

    def close(self, timeout: float | None = 5.0) -> None:
        """Write what is queued and stop the writer (and the helper)."""
        self.enabled = False
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._stop = True
            self._wake.set()
            thread.join(timeout)
        if self._helper is not None:
            self._helper.wait(timeout)
            self._helper.stop(timeout)
        if self._local is not None:
            self._local.close(timeout)
        if self._helper is not None or self._gone:
            self.save()  # the last word on the counts, after the helper's last batch

    def _gone_counts(self) -> dict[str, Any]:
        """The counts of helpers given up on, without their identity (the file is ours)."""
        return {k: v for k, v in self._gone.items() if k not in IDENTITY}

    def stats(self) -> dict[str, Any]:
        """This process's counts (the helpers' included)."""
        mine = self.counters.snapshot()
        mine["queued"] += len(self._pending)  # taken by the request path, not yet by the writer
        helper = self._helper.totals() if self._helper is not None else {}
        if self._gone:
            helper = merge(self._gone, helper) if helper else dict(self._gone)
        return merge(helper, mine) if helper else mine

    # -- the writer thread ----------------------------------------------------------------

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="realitycheck-capture-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        batch: list[Item] = []
        deadline = time.monotonic() + self.settings.flush_seconds
        while True:
            self._wake.wait(POLL)
            self._wake.clear()
            with self._flushed:
                asked, stopping = self._flush_asked, self._stop
            while self._pending:
                with self._queue_lock:
                    take = min(len(self._pending), self.settings.batch_size - len(batch))
                    for _ in range(take):
                        item = self._pending.popleft()
                        self._queued_bytes -= item.nbytes
                        batch.append(item)
                self.counters.add("queued", take)  # counted here, off the request path
                if len(batch) >= self.settings.batch_size:
                    self._write(batch)
                    batch = []
            if batch and (asked > self._flush_done or stopping or time.monotonic() >= deadline):
                self._write(batch)
                batch = []
            if not batch:
                deadline = time.monotonic() + self.settings.flush_seconds
            if asked > self._flush_done:
                with self._flushed:
                    self._flush_done = asked
                    self._flushed.notify_all()
            if stopping:
                return

    def _write(self, batch: list[Item]) -> None:
        if self._helper is not None:
            try:
                for item in batch:
                    item.settle()  # resolve what the helper cannot (a Flask route)
                try:
                    self._helper.write(batch)
                except OSError:  # it died as the batch went over: once more, to a new one
                    self._helper.write(batch)
                return
            except Exception as exc:  # no helper here: write in this thread
                self._log(
                    "no-helper",
                    f"the capture helper is unavailable ({exc}); "
                    "writing in the application's process",
                )
                self._gone = self._helper.totals()  # what the helpers did stays counted
                self._helper = None
        if self._local is None:
            self._local = BatchWriter(
                self.settings, self.redactor, self.counters, self._log, extra=self._gone_counts
            )
        try:
            self._local.write(batch)
        except Exception as exc:  # never let the writer thread die
            self.counters.drop(drop_reason(exc), len(batch))
