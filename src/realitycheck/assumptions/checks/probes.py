"""Run probes in isolated worker processes, with the head tree's source on their path."""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from realitycheck.corpus.model import BLOB_KEY

WORKER = Path(__file__).with_name("worker.py")
BlobReader = Callable[[dict[str, Any]], bytes]


@dataclass(frozen=True)
class ProbeOutcome:
    """What a probe made of one sample: a JSON value, or the error it raised."""

    sample_id: str
    value: Any = None
    error: str | None = None


class ProbeFailure(Exception):
    """A worker could not start or died; the message says why."""


def _strip_blobs(value: Any, read: BlobReader, out: list[bytes]) -> Any:
    if isinstance(value, dict):
        if isinstance(value.get(BLOB_KEY), str):
            out.append(read(value))
            return {"$bytes": len(out) - 1}
        return {k: _strip_blobs(v, read, out) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_blobs(v, read, out) for v in value]
    return value


class _Worker:
    """One worker process, answering one request at a time."""

    def __init__(self, python: str, roots: Sequence[Path], cwd: Path, timeout: float) -> None:
        self.python, self.roots, self.cwd, self.timeout = python, roots, cwd, timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.stderr: IO[bytes] | None = None
        self.buffer = b""

    def start(self) -> None:
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            [self.python, str(WORKER), *(str(r) for r in self.roots)],
            cwd=self.cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            bufsize=0,
        )
        self.buffer = b""
        ready = self._read_line(max(self.timeout, 30.0))
        if ready is None or not json.loads(ready).get("ready"):
            raise ProbeFailure(f"the probe worker did not start: {self._last_error()}")

    def _last_error(self) -> str:
        if self.stderr is None:
            return "no output"
        self.stderr.seek(0)
        lines = self.stderr.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else "no output"

    def _read_line(self, timeout: float) -> bytes | None:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self.buffer:
                if not sel.select(timeout):
                    return None
                chunk = os.read(fd, 65536)
                if not chunk:
                    return None
                self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def call(self, probe: str, sample_id: str, value: Any, read: BlobReader) -> ProbeOutcome:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        assert self.proc is not None and self.proc.stdin is not None
        blobs: list[bytes] = []
        try:
            stripped = _strip_blobs(value, read, blobs)
        except Exception as exc:  # a missing blob is this sample's problem
            return ProbeOutcome(sample_id, error=f"cannot read its blob: {exc}")
        header = {"id": sample_id, "probe": probe, "value": stripped}
        header["sizes"] = [len(b) for b in blobs]
        try:
            self.proc.stdin.write(json.dumps(header).encode() + b"\n" + b"".join(blobs))
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.close()
            return ProbeOutcome(sample_id, error=f"the worker died: {self._last_error()}")
        line = self._read_line(self.timeout)
        if line is None:
            died = self.proc.poll() is not None
            self.close()
            why = (
                f"the worker died: {self._last_error()}"
                if died
                else (f"timed out after {self.timeout:g}s")
            )
            return ProbeOutcome(sample_id, error=why)
        answer = json.loads(line)
        if "error" in answer:
            return ProbeOutcome(sample_id, error=str(answer["error"]))
        return ProbeOutcome(sample_id, value=answer.get("value"))

    def close(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(OSError):
                if self.proc.stdin:
                    self.proc.stdin.close()
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            if self.proc.stdout:
                self.proc.stdout.close()
        if self.stderr is not None:
            self.stderr.close()
        self.proc, self.stderr = None, None


class ProbeRunner:
    """Maps samples through probes in worker processes that import from the head tree."""

    def __init__(
        self,
        roots: Sequence[Path],
        *,
        cwd: Path,
        python: str | None = None,
        timeout: float = 30.0,
        workers: int = 1,
    ) -> None:
        self.roots = list(roots)
        self.cwd = cwd
        self.python = python or sys.executable
        self.timeout = timeout
        self.workers = max(1, workers)

    def run(
        self,
        probe: str,
        items: Sequence[tuple[str, Any]],
        read: BlobReader,
        advance: Callable[[int], None] | None = None,
    ) -> list[ProbeOutcome]:
        """The probe's outcome on each (sample id, value), in order."""
        shards = [list(items[i :: self.workers]) for i in range(self.workers)]
        results: list[list[ProbeOutcome]] = [[] for _ in shards]
        failure: list[str] = []

        def serve(index: int) -> None:
            worker = _Worker(self.python, self.roots, self.cwd, self.timeout)
            try:
                for sample_id, value in shards[index]:
                    results[index].append(worker.call(probe, sample_id, value, read))
                    if advance is not None:
                        advance(1)
            except ProbeFailure as exc:
                failure.append(str(exc))
            finally:
                worker.close()

        threads = [threading.Thread(target=serve, args=(i,)) for i in range(len(shards))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failure:
            raise ProbeFailure(failure[0])
        by_id = {o.sample_id: o for shard in results for o in shard}
        return [by_id[sample_id] for sample_id, _ in items]
