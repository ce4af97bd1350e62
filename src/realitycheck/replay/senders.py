"""Who sends: threads in realitycheck's own process, or sender processes with threads of their own.

Both take batches of requests and give back a future of their verdicts. A sender process is a
fresh interpreter started with `python -c` (as function replay's workers are: spawning would
re-import the caller's main module), spoken to over a pipe in pickled frames behind an 8-byte
length; it sends with its share of the threads, judges the answers itself and returns only the
verdicts, so the replaying process neither parses nor diffs bodies. Each sending thread has one
request in flight at a time, so the threads of all processes together are the concurrency limit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import pickle
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, Protocol

import httpx

from realitycheck.core.errors import StageError
from realitycheck.replay.exchange import Exchanger, Item, Judged, Limiter, Plan, slot_file

HEADER_SIZE = 8
STOP_SECONDS = 10.0
_BOOT = "import sys; del sys.path[0]; from realitycheck.replay.senders import serve; serve()"


class Senders(Protocol):
    """Sends batches of requests to every service and judges the answers."""

    def submit(self, batch: list[Item]) -> Future[list[Judged]]:
        """Send a batch; its verdicts, in the batch's order, when done."""
        ...

    def close(self) -> None:
        """Finish what was sent, then release every connection and process."""
        ...

    def abort(self) -> None:
        """Stop at once: drop what is queued, stop every process."""
        ...


class Crew:
    """Sending threads, each with an `Exchanger` of its own, created on first use."""

    def __init__(
        self, plan: Plan, threads: int, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.plan = plan
        self.transport = transport
        self.limiter = Limiter(plan.rate, plan.slots)
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="replay-http")
        self._local = threading.local()
        self._made: list[Exchanger] = []
        self._lock = threading.Lock()

    def _exchanger(self) -> Exchanger:
        found: Exchanger | None = getattr(self._local, "exchanger", None)
        if found is None:
            found = Exchanger(self.plan, self.limiter, self.transport)
            self._local.exchanger = found
            with self._lock:
                self._made.append(found)
        return found

    def run(self, batch: list[Item]) -> list[Judged]:
        """Send and judge a batch on the calling thread."""
        exchanger = self._exchanger()
        return [exchanger.run(item) for item in batch]

    def submit(self, batch: list[Item]) -> Future[list[Judged]]:
        return self.pool.submit(self.run, batch)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        for exchanger in self._made:
            exchanger.close()
        self.limiter.close()

    def abort(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.close()


def _frame(stream: IO[bytes], value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(HEADER_SIZE, "big") + data)
    stream.flush()


def _read(stream: IO[bytes]) -> Any:
    header = stream.read(HEADER_SIZE)
    if len(header) < HEADER_SIZE:
        raise EOFError
    return pickle.loads(stream.read(int.from_bytes(header, "big")))


def serve() -> None:
    """A sender process: `(plan, threads, sys.path)` first, then `(seq, batch)` until EOF.

    Replies are `(seq, ok, verdicts or error text)`. Standard output is the channel; anything
    printed (by a user's comparator, say) goes to standard error instead.
    """
    channel_in = sys.stdin.buffer
    channel_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    plan, threads, path = _read(channel_in)
    sys.path[:] = path
    lock = threading.Lock()
    crew = Crew(plan, threads)

    def work(seq: int, batch: list[Item]) -> None:
        reply: tuple[int, bool, Any]
        try:
            reply = (seq, True, crew.run(batch))
        except Exception as exc:  # reported to the replaying process, which raises it there
            reply = (seq, False, f"{type(exc).__name__}: {exc}")
        with lock:
            _frame(channel_out, reply)

    while True:
        try:
            seq, batch = _read(channel_in)
        except EOFError:
            break
        crew.pool.submit(work, seq, batch)
    crew.close()


class SenderProcess:
    """One sender process and the futures of the batches it has not answered yet."""

    def __init__(self, plan: Plan, threads: int) -> None:
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
        )
        self.pending: dict[int, Future[list[Judged]]] = {}
        self.failure = ""
        self.gone = False
        self._seq = itertools.count()
        self._lock = threading.Lock()
        try:
            assert self.proc.stdin is not None
            _frame(self.proc.stdin, (plan, threads, list(sys.path)))
        except OSError:
            self.proc.kill()
            self.proc.wait()
            self.log.close()
            raise
        self._reader = threading.Thread(target=self._collect, name="replay-sender", daemon=True)
        self._reader.start()

    def submit(self, batch: list[Item]) -> Future[list[Judged]]:
        future: Future[list[Judged]] = Future()
        with self._lock:
            seq = next(self._seq)
            if self.gone:
                future.set_exception(StageError(self._why()))
                return future
            self.pending[seq] = future
            try:
                assert self.proc.stdin is not None
                _frame(self.proc.stdin, (seq, batch))
            except (OSError, ValueError):
                self.pending.pop(seq, None)
                future.set_exception(StageError(self._why()))
        return future

    def _collect(self) -> None:
        assert self.proc.stdout is not None
        while True:
            try:
                seq, ok, value = _read(self.proc.stdout)
            except (EOFError, OSError, pickle.UnpicklingError):
                break
            if not ok:
                self.failure = value
            with self._lock:
                future = self.pending.pop(seq, None)
            if future is not None:
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(StageError(f"an HTTP sender failed: {value}"))
        self.proc.wait()
        with self._lock:
            self.gone = True
            lost, self.pending = list(self.pending.values()), {}
        for future in lost:
            future.set_exception(StageError(self._why()))

    def _why(self) -> str:
        if self.failure:
            return f"an HTTP sender failed: {self.failure}"
        code = self.proc.poll()
        self.log.seek(0)
        tail = self.log.read().decode("utf-8", "replace").strip().splitlines()
        what = "stopped answering" if code is None else f"exited with code {code}"
        return f"an HTTP sender process {what}" + (f": {tail[-1][:300]}" if tail else "")

    def close(self, abort: bool = False) -> None:
        """Let it finish what it has (or, with `abort`, not), then stop it."""
        if abort and self.proc.poll() is None:
            self.proc.kill()
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=STOP_SECONDS)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.log.close()


class Processes:
    """Sender processes sharing the concurrency; each batch goes to the least busy one."""

    def __init__(self, plan: Plan, processes: int, concurrency: int) -> None:
        self.folder: tempfile.TemporaryDirectory[str] | None = None
        if plan.rate:
            self.folder = tempfile.TemporaryDirectory(prefix="realitycheck-rate-")
            slots = slot_file(Path(self.folder.name) / "slots")
            plan = dataclasses.replace(plan, slots=slots)
        share, extra = divmod(concurrency, processes)
        shares = [share + (k < extra) for k in range(processes)]
        self.members: list[SenderProcess] = []
        try:
            for threads in shares:
                self.members.append(SenderProcess(plan, threads))
        except OSError as exc:
            self.close()
            raise StageError(f"cannot start an HTTP sender process: {exc}") from None

    def submit(self, batch: list[Item]) -> Future[list[Judged]]:
        return min(self.members, key=lambda m: len(m.pending)).submit(batch)

    def close(self, abort: bool = False) -> None:
        for member in self.members:
            member.close(abort)
        if self.folder is not None:
            self.folder.cleanup()

    def abort(self) -> None:
        self.close(abort=True)


def start(
    plan: Plan,
    processes: int,
    concurrency: int,
    transport: httpx.BaseTransport | None = None,
) -> Senders:
    """Sending threads in this process (one process, or a transport given), or processes."""
    if processes <= 1 or transport is not None:
        return Crew(plan, concurrency, transport)
    return Processes(plan, min(processes, concurrency), concurrency)
