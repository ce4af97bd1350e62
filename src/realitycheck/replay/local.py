"""The local backend: each replay worker is a fresh interpreter of its own, spoken to over a pipe.

Workers are started with `python -c` rather than through `multiprocessing`: spawning would
re-import the caller's main module in every worker, and forking would carry realitycheck's
imports into the code under replay.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future
from typing import Any

from realitycheck.replay.executor import (
    GRACE_SECONDS,
    PoolSpec,
    WorkerError,
    WorkerHandle,
    WorkerLost,
)
from realitycheck.replay.worker import HEADER, Item, Result

_BOOT = "import sys; del sys.path[0]; from realitycheck.replay.worker import serve; serve()"


class LocalWorker:
    """A worker in a fresh interpreter of its own, spoken to over a pipe."""

    def __init__(self, spec: PoolSpec) -> None:
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in kill() and close()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            cwd=spec.tree,
        )
        self._seq = itertools.count()
        self._pending: dict[int, Future[Any]] = {}
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, name="replay-worker", daemon=True)
        self._reader.start()
        self._call("init", spec.worker_spec())

    def _call(self, method: str, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            seq = next(self._seq)
            data = pickle.dumps((seq, method, args), protocol=pickle.HIGHEST_PROTOCOL)
            self._pending[seq] = future
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(HEADER.pack(len(data)) + data)
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                self._pending.pop(seq, None)
                future.set_exception(WorkerLost(self._why()))
        return future

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            header = stream.read(HEADER.size)
            if len(header) < HEADER.size:
                break
            (size,) = HEADER.unpack(header)
            seq, ok, value = pickle.loads(stream.read(size))
            with self._lock:
                future = self._pending.pop(seq, None)
            if future is None:
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(WorkerError(value))
        self.proc.wait()
        with self._lock:
            lost, self._pending = list(self._pending.values()), {}
        for future in lost:
            if not future.done():
                future.set_exception(WorkerLost(self._why()))

    def _why(self) -> str:
        code = self.proc.poll()
        if code is None:
            return "the worker stopped answering"
        if code < 0:
            try:
                return f"the worker was killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"the worker was killed by signal {-code}"
        self.log.seek(0, os.SEEK_END)
        size = self.log.tell()
        self.log.seek(max(0, size - 400))
        tail = self.log.read().decode("utf-8", "replace").strip().splitlines()
        return f"the worker exited with code {code}" + (f": {tail[-1]}" if tail else "")

    def ready(self) -> Future[int]:
        return self._call("pid")

    def probe(self, target: str, inputs: list[str] | None = None) -> Future[tuple[str, str]]:
        return self._call("probe", target, inputs)

    def run(self, target: str, items: list[Item]) -> Future[list[Result]]:
        return self._call("run", target, items)

    def finish(self) -> Future[dict[str, dict[str, list[int]]]]:
        return self._call("finish")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self._release()

    def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._release()

    def _release(self) -> None:
        self.proc.wait()
        self._reader.join(timeout=GRACE_SECONDS)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self.log.close()


class LocalBackend:
    """Workers as local processes: the default."""

    name = "local"

    def start(self, spec: PoolSpec) -> WorkerHandle:
        return LocalWorker(spec)

    def default_workers(self, pools: int) -> int:
        return max(1, (os.cpu_count() or 1) // max(1, pools))

    def pool_size(self, pools: int, workers: int | None) -> int:
        return workers or self.default_workers(pools)

    def close(self) -> None:
        """Nothing to release."""
