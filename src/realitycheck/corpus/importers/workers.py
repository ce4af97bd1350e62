"""Worker processes for a bulk import: each makes whole segments out of batches of rows.

Hashing and redacting are Python work, so one process can use one core. The importing process
reads with DuckDB and hands each batch over as an Arrow IPC file in the staging folder (one
copy, mapped by the worker rather than sent down a pipe); a worker writes the batch's segment
into the same folder and deletes the file. Workers are forked before DuckDB starts its threads
(a fresh interpreter is started instead where forking is not safe), and they rebuild the
redactor from its key and rules, so they redact exactly as the importing process would.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

import pyarrow as pa

from realitycheck.corpus.importers.bulkbatch import BatchDone, BatchJob, make_segment
from realitycheck.corpus.redact import Redactor
from realitycheck.corpus.redact.settings import rules_from_json, rules_to_json

_REDACTOR: Redactor | None = None
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


def cpus() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _orphan_guard(parent: int) -> None:
    """Die with the importing process: a killed import must leave no workers behind."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)


def _start(parent: int, key: str | None, rules: dict[str, Any] | None) -> None:
    global _REDACTOR
    _orphan_guard(parent)
    gc.disable()  # a worker makes no reference cycles: collecting would only cost time
    if key is not None and rules is not None:  # a fresh interpreter; a forked one has it
        _REDACTOR = Redactor(bytes.fromhex(key), rules_from_json(rules))


def _ready() -> int:
    return os.getpid()


def _run(path: str, job: BatchJob) -> BatchDone:
    assert _REDACTOR is not None
    try:
        with pa.memory_map(path) as source:
            batch = pa.ipc.open_file(source).get_batch(0)
            return make_segment(batch, job, _REDACTOR)
    finally:
        Path(path).unlink(missing_ok=True)


class Workers:
    """A pool of processes making segments, with at most a few batches waiting for it."""

    def __init__(self, count: int, redactor: Redactor) -> None:
        linux = sys.platform.startswith("linux")
        # Forking copies only the calling thread: safe while no other thread runs.
        method = "fork" if linux and threading.active_count() == 1 else "spawn"
        global _REDACTOR
        if method == "fork":
            _REDACTOR = redactor  # the forked workers inherit it
            initargs: tuple[Any, ...] = (os.getpid(), None, None)
        else:
            initargs = (os.getpid(), redactor.key.hex(), rules_to_json(redactor.rules))
        self.pool = ProcessPoolExecutor(
            count,
            mp_context=multiprocessing.get_context(method),
            initializer=_start,
            initargs=initargs,
        )
        self.limit = count + 1
        self.pending: set[Future[BatchDone]] = set()
        self.sent = 0
        self.pool.submit(_ready).result()  # every worker exists before DuckDB's threads do
        _REDACTOR = None

    def submit(self, batch: pa.RecordBatch, job: BatchJob) -> Iterator[BatchDone]:
        """Hand a batch over; yields the batches finished while waiting for room."""
        path = job.folder / f".batch-{os.getpid()}-{self.sent}.arrow"
        self.sent += 1
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, batch.schema) as writer:
            writer.write_batch(batch)
        self.pending.add(self.pool.submit(_run, str(path), job))
        while len(self.pending) >= self.limit:
            yield from self._collect(wait(self.pending, return_when=FIRST_COMPLETED).done)

    def drain(self) -> Iterator[BatchDone]:
        """The batches still being worked on, as they finish."""
        while self.pending:
            yield from self._collect(wait(self.pending, return_when=FIRST_COMPLETED).done)

    def _collect(self, done: set[Future[BatchDone]]) -> Iterator[BatchDone]:
        for future in done:
            self.pending.discard(future)
            yield future.result()

    def close(self) -> None:
        """Stop the workers (abandoning batches not yet started)."""
        for future in self.pending:
            future.cancel()
        with contextlib.suppress(Exception):
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.pending.clear()
