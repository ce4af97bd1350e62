"""The proxy's side of the worker: a bounded hand-off queue, a sender thread, the process.

`put` only appends to a deque and sets an event (microseconds, never blocks); a thread pickles
the tickets and writes them to the worker's pipe, and every half second sends the proxy's counts
along, which the worker writes into the results. A full queue refuses the ticket (the copier
counts it as not sent: worker-behind).
"""

from __future__ import annotations

import collections
import json
import multiprocessing
import pickle
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from realitycheck.shadow.copies import Ticket
from realitycheck.shadow.worker import WorkerSettings, main

MAX_QUEUE = 10_000
MAX_QUEUE_BYTES = 64 << 20  # bodies waiting for the worker, at most
COUNTS_SECONDS = 0.5


class Handoff:
    """Starts the worker and feeds it tickets."""

    def __init__(self, settings: WorkerSettings, counts: Callable[[], dict[str, Any]]) -> None:
        context = multiprocessing.get_context("spawn")
        self.settings = settings
        self.counts = counts
        self.done = context.RawValue("q", 0)
        self._reader, self._writer = context.Pipe(duplex=False)
        self.process = context.Process(
            target=main,
            args=(self._reader, settings, self.done),
            name="realitycheck-shadow-worker",
            daemon=True,
        )
        self._queue: collections.deque[Ticket] = collections.deque()
        self._wake = threading.Event()
        self._stopping = False
        self._dead = False
        self._queued_bytes = 0
        self._thread = threading.Thread(target=self._run, name="realitycheck-shadow-handoff")
        self._thread.daemon = True

    def start(self) -> None:
        """Start the worker process and the sending thread."""
        self.process.start()
        self._reader.close()
        self._thread.start()

    def done_count(self) -> int:
        """Copies whose answers are back."""
        return int(self.done.value)

    def put(self, ticket: Ticket) -> bool:
        """Queue a ticket for the worker; False when the queue is full."""
        size = sum(ticket.size)
        if (
            self._stopping
            or self._dead
            or len(self._queue) >= MAX_QUEUE
            or self._queued_bytes + size > MAX_QUEUE_BYTES
        ):
            return False
        self._queued_bytes += size  # the loop's thread adds, the sending thread subtracts:
        self._queue.append(ticket)  # a count off by one ticket for a moment is harmless
        self._wake.set()
        return True

    def live(self) -> dict[str, Any]:
        """The worker's latest snapshot with the proxy's own counts laid over it."""
        try:
            data: dict[str, Any] = json.loads(self.settings.snapshot.read_text("utf-8"))
        except (OSError, ValueError):
            data = {"routes": [], "examples": {}, "compared": 0, "diverged": 0, "unexpected": 0}
            data.update({k: self.settings.meta.get(k) for k in ("primary", "candidate")})
            data["secondary"] = self.settings.meta.get("secondary")
        data.update(self.counts())
        data["worker_alive"] = self.process.is_alive()
        return data

    def _run(self) -> None:
        next_counts = 0.0
        try:
            while True:
                self._wake.wait(COUNTS_SECONDS)
                self._wake.clear()
                while self._queue:
                    ticket = self._queue.popleft()
                    self._queued_bytes -= sum(ticket.size)
                    self._writer.send_bytes(pickle.dumps(ticket, protocol=5))
                now = time.monotonic()
                if now >= next_counts or self._stopping:
                    self._writer.send_bytes(pickle.dumps(self.counts(), protocol=5))
                    next_counts = now + COUNTS_SECONDS
                if self._stopping and not self._queue:
                    self._writer.send_bytes(pickle.dumps(None))
                    return
        except (OSError, ValueError):
            self._dead = True  # the worker is gone; the proxy serves on, copies not sent
            self._queue.clear()

    def stop(self, timeout: float = 30.0) -> None:
        """Send what is queued, let the worker finish its copies and results, and wait."""
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout)
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        self._writer.close()


def snapshot_path(results: Path, run_id: str) -> Path:
    """Where the worker keeps the live snapshot of a run."""
    return results / f".live-{run_id}.json"
